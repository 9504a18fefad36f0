/* The certified planner (column generation with in-out smoothing, src/rlhf/planner.c) against
 * the exact dense solvers (the policy LP for box and maxmin, active-set Newton over every
 * state for pessimistic_sw, the greedy policy for linear aggregators) on random small H = 1
 * instances, for every aggregator of the registry (rlhf_agg_count / rlhf_agg_name_at: one added
 * to src/rlhf/agg_registry.c is checked without editing this file): the planner's certified
 * bracket [W, h] contains the exact optimum and its value matches it to the tolerance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"
#include "../../src/rlhf/planner.h"
#include "../../src/rlhf/solver.h"
#include "unit.h"

/* k labelers with MLE-like parameters and confidence sets from random comparison data */
static rlhf_agg *random_agg(const char *name, uint64_t seed, int d, int k)
{
  double *th = malloc((size_t)k * d * sizeof *th), *prec = malloc((size_t)k * d * d * sizeof *prec);
  double *lo = malloc((size_t)k * d * sizeof *lo), *hi = malloc((size_t)k * d * sizeof *hi);
  double *x = malloc((size_t)20 * d * sizeof *x);
  ss_err e;
  ss_err_clear(&e);
  for (int i = 0; i < k; i++) {
    for (int q = 0; q < 20 * d; q++) x[q] = ss_rng_normal(seed, SS_P_TEST, 50 + i, q);
    for (int j = 0; j < d; j++) th[i * d + j] = 0.3 + ss_rng_normal(seed, SS_P_TEST, 90 + i, j);
    rlhf_confidence(20, d, x, 0.1, th + i * d, 0.2, NULL, prec + (size_t)i * d * d, lo + i * d,
                    hi + i * d, &e);
  }
  rlhf_agg *agg = NULL;
  CU_ASSERT_EQUAL(rlhf_agg_build_exact(rlhf_agg_find(name), d, k, th, prec, lo, hi, 0.2,
                                       SS_MEDIAN_MEAN, &agg, &e), SS_OK);
  free(th), free(prec), free(lo), free(hi), free(x);
  return agg;
}

static void test_planner_vs_dense(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  int shapes[4][3] = {{30, 4, 3}, {25, 5, 6}, {40, 3, 8}, {12, 6, 4}}, checked = 0;
  for (int t = 0; t < 8; t++) {
    p.seed = 900 + t;
    p.S = shapes[t % 4][0];
    p.A = shapes[t % 4][1];
    p.d = shapes[t % 4][2];
    rlhf_env env;
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
    rlhf_states *st;
    CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 5, &st, &e), SS_OK);
    for (int a = 0; a < rlhf_agg_count(); a++) { /* every registered aggregator, none skipped */
      rlhf_agg *agg = random_agg(rlhf_agg_name_at(a), 1000 + t, p.d, 3 + t % 3);
      rlhf_policy exact, plan;
      rlhf_states_set_solver(st, rlhf_solver_find("dense"), NULL);
      CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-9, &exact, &e), SS_OK);
      CU_ASSERT(exact.converged && fabs(exact.rel_gap) <= 1e-9);
      rlhf_states_set_solver(st, rlhf_solver_find("planner"), NULL);
      CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-9, &plan, &e), SS_OK);
      double scale = fmax(fmax(fabs(exact.objective), fabs(exact.dual)), 1e-3);
      CU_ASSERT(plan.converged);
      CU_ASSERT(plan.rel_gap <= 1e-9);
      CU_ASSERT(plan.passes >= 1);
      /* the certified bracket contains the exact optimum */
      CU_ASSERT(plan.objective <= exact.dual + 1e-12 * scale);
      CU_ASSERT(plan.dual >= exact.objective - 1e-12 * scale);
      CU_ASSERT(fabs(plan.objective - exact.objective) <= 2e-9 * scale);
      /* the explicit mixture policy is a policy */
      for (int s = 0; s < p.S; s++) {
        double tot = 0;
        for (int b = 0; b < p.A; b++) {
          CU_ASSERT(plan.prob[s * p.A + b] >= 0);
          tot += plan.prob[s * p.A + b];
        }
        CU_ASSERT(fabs(tot - 1) < 1e-12);
      }
      rlhf_policy_free(&exact);
      rlhf_policy_free(&plan);
      rlhf_agg_destroy(&agg);
      checked++;
    }
    rlhf_states_destroy(&st);
    rlhf_env_destroy(&env);
  }
  /* the registry was walked: its 7 aggregators (dictator included) at least, 8 instances each */
  CU_ASSERT(rlhf_agg_count() >= 7 && rlhf_agg_find("dictator") != NULL);
  CU_ASSERT_EQUAL(checked, 8 * rlhf_agg_count());
}

static void use_shape(rlhf_params *p, uint64_t seed, const int shape[3])
{
  p->seed = seed;
  p->S = shape[0];
  p->A = shape[1];
  p->d = shape[2];
}

/* One solve (tolerance 1e-6) by the solver named method on the generated H = 1 instance of p with the aggregator
 * name built from explicit parameters of k labelers. */
static void plan_explicit(rlhf_params *p, const char *method, const char *name, int k, const double *th,
                          const double *prec, const double *lo, const double *hi, double radius,
                          rlhf_policy *plan)
{
  rlhf_env env;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create(p, &env, &e), SS_OK);
  rlhf_states *st;
  CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 5, &st, &e), SS_OK);
  rlhf_agg *agg = NULL;
  CU_ASSERT_EQUAL_FATAL(rlhf_agg_build_exact(rlhf_agg_find(name), p->d, k, th, prec, lo, hi, radius,
                                             SS_MEDIAN_MEAN, &agg, &e), SS_OK);
  rlhf_states_set_solver(st, rlhf_solver_find(method), NULL);
  CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-6, plan, &e), SS_OK);
  rlhf_agg_destroy(&agg);
  rlhf_states_destroy(&st);
  rlhf_env_destroy(&env);
}

/* A box of half-width R = 6e19 around MLE-like centres (the scaling MDP presets' box: the
 * radius carries exp(L_x B) with L_x = H L), so W(z) ~ -R sum_j |z_j| and the optimum is ~0
 * (a mixture with z ~ 0). The mixture's z is exact only to rounding, so W of the mixture is
 * ~ -R * 1e-16 while h = 0: under the plain floor max(|W|, |h|, 1e-3) the relative gap was 1
 * and no solve was ever certified. The planner's floor (1e-6 of the columns' largest |W|)
 * certifies the gap at the rounding level; the value itself must still be ~0 and bracket 0. */
static void test_planner_huge_box(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  const double R = 6e19;
  int shapes[3][3] = {{30, 4, 3}, {40, 5, 6}, {25, 10, 8}};
  for (int t = 0; t < 3; t++) {
    use_shape(&p, 950 + t, shapes[t]);
    int d = p.d, k = 3;
    double th[3 * 8], prec[3 * 8 * 8] = {0}, lo[3 * 8], hi[3 * 8]; /* d <= 8 */
    for (int q = 0; q < k * d; q++) {
      th[q] = 0.3 + ss_rng_normal(p.seed, SS_P_TEST, 7, q);
      lo[q] = th[q] - R;
      hi[q] = th[q] + R;
    }
    for (int i = 0; i < k; i++)
      for (int j = 0; j < d; j++) prec[(size_t)i * d * d + j * d + j] = 1;
    rlhf_policy plan;
    plan_explicit(&p, "planner", "pessimistic_momle", k, th, prec, lo, hi, 0.2, &plan);
    CU_ASSERT(plan.converged);
    CU_ASSERT(plan.rel_gap <= 1e-6);
    rlhf_plan_opts opt; /* the planner's defaults */
    rlhf_solver_find("planner")->setup(NULL, &opt);
    CU_ASSERT(plan.passes < opt.max_passes);
    /* W <= 0 on a box that contains 0 (every lo_j < 0 < hi_j); h >= W; both ~0 next to R */
    CU_ASSERT(plan.objective <= 0 && plan.objective <= plan.dual);
    CU_ASSERT(fabs(plan.objective) <= 1e-12 * R && fabs(plan.dual) <= 1e-12 * R);
    rlhf_policy_free(&plan);
  }
}

/* pessimistic_sw at its kink: with a radius so large that 0 lies inside Theta (the average of
 * the ellipsoids), W(z) = (1/k) sum_i <theta_i, z> - f ||z||_{P_i} <= 0 for every z, and the
 * mixture of policies with z = 0 (0 is inside the features' polytope) is optimal: the value is 0
 * and theta = 0 certifies it (h(0) = 0). W is not differentiable at z = 0, so grad W at the
 * master's rounding-sized mixture is an arbitrary point of Theta: before the smoothed master
 * dual (planner.c, master_smoothed_dual) the bound stayed at its first value and no such solve
 * was ever certified (the generated MDPs of pessimistic_sw with few comparisons). The dense
 * reference certifies by the smoothed problem's dual point too (certify_at_kink). */
static void test_planner_psw_kink(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  int shapes[3][3] = {{30, 4, 3}, {40, 5, 6}, {60, 10, 8}};
  /* f = 1e3: the smoothed dual point alone stops at |theta| ~ 1e-9 (relative gap ~1e-6 under
   * the 1e-3 floor); holds_zero proves 0 in Theta and certifies exactly */
  for (int t = 0; t < 6; t++) {
    const double f = t < 3 ? 20 : 1e3;
    use_shape(&p, 970 + t % 3, shapes[t % 3]);
    int d = p.d, k = 3;
    double th[3 * 8], prec[3 * 8 * 8] = {0}, lo[3 * 8], hi[3 * 8]; /* d <= 8 */
    for (int q = 0; q < k * d; q++) {
      th[q] = 0.3 + ss_rng_normal(p.seed, SS_P_TEST, 8, q);
      lo[q] = th[q] - 1, hi[q] = th[q] + 1;
    }
    for (int i = 0; i < k; i++)
      for (int j = 0; j < d; j++) prec[(size_t)i * d * d + j * d + j] = 1 + 0.5 * i + 0.1 * j;
    /* the planner, and the dense reference (active set over every state) */
    for (int method = 0; method < 2; method++) {
      rlhf_policy plan;
      plan_explicit(&p, method ? "dense" : "planner", "pessimistic_sw", k, th,
                    prec, lo, hi, f, &plan);
      CU_ASSERT(plan.converged);
      CU_ASSERT(plan.rel_gap <= 1e-6);
      CU_ASSERT(method || plan.passes < 200);
      /* the bracket [W, h] holds 0 and is at the rounding level of the values (f ||z|| ~ f) */
      CU_ASSERT(plan.objective <= 1e-12 * f && plan.dual >= -1e-12 * f);
      CU_ASSERT(plan.objective >= -1e-9 && plan.dual <= 1e-9);
      rlhf_policy_free(&plan);
    }
  }
}

SS_UNIT_SUITE(rlhf_planner_suite)
{
  ss_unit_suite("rlhf_planner");
  ss_unit_test("planner vs dense exact solvers, H = 1 (all aggregators)", test_planner_vs_dense);
  ss_unit_test("planner certifies a huge box whose value is ~0 (scaling MDP presets)",
               test_planner_huge_box);
  ss_unit_test("planner certifies pessimistic_sw at its kink z = 0 (value 0)", test_planner_psw_kink);
}
