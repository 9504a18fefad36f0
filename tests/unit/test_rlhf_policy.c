/* RLHF aggregators and the certified policy optimiser on one rank. One conformance suite runs
 * against every aggregator: W(z) against a direct evaluation, the smoothed gradient lying in
 * Theta, and the optimiser's certified gap and value against enumeration (a fine grid over the
 * policy simplex of tiny environments). Then the Prop. 3.3 counterexamples (MODELS 1.8). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"
#include "../../src/rlhf/solver.h"
#include "rlhf_select.h"
#include "unit.h"

/* A random instance of every aggregator: k labelers in d dimensions. */
typedef struct {
  int d, k;
  double thetas[4 * 3], prec[4 * 9], lo[4 * 3], hi[4 * 3], radius;
} instance;

static void make_instance(instance *in, uint64_t seed, int d)
{
  in->d = d;
  in->k = 4;
  in->radius = 0.3;
  for (int i = 0; i < in->k; i++) {
    double x[10 * 3];
    for (int q = 0; q < 10 * d; q++) x[q] = ss_rng_normal(seed, SS_P_TEST, 50 + i, q);
    for (int j = 0; j < d; j++) in->thetas[i * d + j] = ss_rng_normal(seed, SS_P_TEST, 60 + i, j);
    ss_err e;
    ss_err_clear(&e);
    rlhf_confidence(10, d, x, 0.1, in->thetas + i * d, in->radius, NULL, in->prec + i * d * d,
                    in->lo + i * d, in->hi + i * d, &e);
  }
}

static rlhf_agg *build(const char *name, const instance *in)
{
  rlhf_agg *agg = NULL;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(rlhf_agg_build_exact(rlhf_agg_find(name), in->d, in->k, in->thetas, in->prec,
                                       in->lo, in->hi, in->radius, SS_MEDIAN_MEAN, &agg, &e),
                  SS_OK);
  return agg;
}

/* Direct evaluation of each objective from its definition. */
static double direct_value(const char *name, const instance *in, const double *z)
{
  int d = in->d, k = in->k;
  if (!strcmp(name, "naive_mle") || !strcmp(name, "oracle")) {
    double v = 0;
    for (int i = 0; i < k; i++) v += rlhf_dot(in->thetas + i * d, z, d);
    return v / k;
  }
  if (!strcmp(name, "median_mle")) {
    double v = 0;
    for (int j = 0; j < d; j++) {
      double col[4];
      for (int i = 0; i < k; i++) col[i] = in->thetas[i * d + j];
      v += ss_median_serial(col, k, SS_MEDIAN_MEAN) * z[j];
    }
    return v;
  }
  if (!strcmp(name, "maxmin")) {
    double v = INFINITY;
    for (int i = 0; i < k; i++) v = fmin(v, rlhf_dot(in->thetas + i * d, z, d));
    return v;
  }
  if (!strcmp(name, "pessimistic_momle")) { /* minimum over the 2^d corners of the box */
    double lo[3], hi[3], best = INFINITY;
    for (int j = 0; j < d; j++) {
      double a[4], b[4];
      for (int i = 0; i < k; i++) {
        a[i] = in->lo[i * d + j];
        b[i] = in->hi[i * d + j];
      }
      lo[j] = ss_median_serial(a, k, SS_MEDIAN_MEAN);
      hi[j] = ss_median_serial(b, k, SS_MEDIAN_MEAN);
    }
    for (int c = 0; c < (1 << d); c++) {
      double v = 0;
      for (int j = 0; j < d; j++) v += ((c >> j) & 1 ? hi[j] : lo[j]) * z[j];
      best = fmin(best, v);
    }
    return best;
  }
  /* pessimistic_sw: min over each ellipsoid by sampling its boundary densely is slow; use
   * the closed form <theta_hat, z> - f sqrt(z' P z) checked against boundary samples below. */
  double v = 0;
  for (int i = 0; i < k; i++) {
    const double *P = in->prec + i * d * d;
    double q = 0;
    for (int a = 0; a < d; a++)
      for (int b = 0; b < d; b++) q += z[a] * P[a * d + b] * z[b];
    v += rlhf_dot(in->thetas + i * d, z, d) - in->radius * sqrt(q);
  }
  return v / k;
}

static const char *names[] = {"naive_mle", "median_mle", "pessimistic_sw", "maxmin",
                              "pessimistic_momle", "oracle"};

static void test_objectives(void)
{
  instance in;
  for (int t = 0; t < 5; t++) {
    make_instance(&in, 100 + t, 3);
    for (size_t a = 0; a < sizeof names / sizeof names[0]; a++) {
      rlhf_agg *agg = build(names[a], &in);
      CU_ASSERT_PTR_NOT_NULL_FATAL(agg);
      for (int r = 0; r < 20; r++) {
        double z[3], g[3], hess[9];
        for (int j = 0; j < 3; j++) z[j] = ss_rng_normal(200 + t, SS_P_TEST, r, j);
        double want = direct_value(names[a], &in, z);
        CU_ASSERT(fabs(rlhf_agg_value(agg, z) - want) <= 1e-12 * (1 + fabs(want)));
        /* The smoothed gradient is a point of Theta: <g, z> >= W(z); and it tends to the
         * minimiser as mu -> 0: <g, z> -> W(z). */
        rlhf_agg_smooth(agg, z, 1e-1, g, hess);
        CU_ASSERT(rlhf_dot(g, z, 3) >= want - 1e-12);
        rlhf_agg_smooth(agg, z, 1e-10, g, NULL);
        CU_ASSERT(fabs(rlhf_dot(g, z, 3) - want) < 1e-7);
        /* Hessian of W_mu against finite differences of its gradient */
        double gp[3], gm[3], zp[3], zm[3];
        for (int j = 0; j < 3; j++) {
          memcpy(zp, z, sizeof z);
          memcpy(zm, z, sizeof z);
          zp[j] += 1e-6;
          zm[j] -= 1e-6;
          rlhf_agg_smooth(agg, zp, 1e-1, gp, NULL);
          rlhf_agg_smooth(agg, zm, 1e-1, gm, NULL);
          for (int i = 0; i < 3; i++)
            CU_ASSERT(fabs((gp[i] - gm[i]) / 2e-6 - hess[i * 3 + j]) < 1e-5 * (1 + fabs(hess[i * 3 + j])));
        }
      }
      rlhf_agg_destroy(&agg);
    }
  }
}

/* pessimistic_sw's closed form is the minimum over each ellipsoid: boundary samples. */
static void test_psw_closed_form(void)
{
  instance in;
  make_instance(&in, 7, 2);
  int d = 2;
  double z[2] = {0.7, -0.4};
  for (int i = 0; i < in.k; i++) {
    const double *P = in.prec + i * d * d;
    double q = z[0] * (P[0] * z[0] + P[1] * z[1]) + z[1] * (P[2] * z[0] + P[3] * z[1]);
    double closed = rlhf_dot(in.thetas + i * d, z, d) - in.radius * sqrt(q);
    /* Sigma = P^{-1}; boundary: theta_hat + f Sigma^{-1/2} (cos, sin) via Cholesky of P. */
    double l00 = sqrt(P[0]), l10 = P[2] / l00, l11 = sqrt(P[3] - l10 * l10);
    double best = INFINITY;
    for (int s = 0; s < 200000; s++) {
      double a = 2 * M_PI * s / 200000.0, u0 = cos(a), u1 = sin(a);
      /* P = L L^T, Sigma^{-1/2}-like map: v = L u has v' P^{-1} v = 1 */
      double v0 = l00 * u0, v1 = l10 * u0 + l11 * u1;
      double th0 = in.thetas[i * d] + in.radius * v0, th1 = in.thetas[i * d + 1] + in.radius * v1;
      best = fmin(best, th0 * z[0] + th1 * z[1]);
    }
    CU_ASSERT(fabs(best - closed) < 1e-8);
  }
}

static rlhf_env tiny_env(int S, int A, int d, uint64_t seed)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.S = S;
  p.A = A;
  p.d = d;
  p.seed = seed;
  rlhf_env env;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(rlhf_env_create(&p, &env, &e), SS_OK);
  return env;
}

/* Best W over a fine grid of stochastic policies of S = 1 (A = 3) or S = 2 (A = 2). */
static double grid_best(const rlhf_env *env, const rlhf_agg *agg, int steps)
{
  int d = env->d;
  double best = -INFINITY, z[3];
  if (env->S == 1) {
    for (int i = 0; i <= steps; i++)
      for (int j = 0; i + j <= steps; j++) {
        double p0 = (double)i / steps, p1 = (double)j / steps, p2 = 1 - p0 - p1;
        for (int q = 0; q < d; q++) z[q] = p0 * env->phi[q] + p1 * env->phi[d + q] + p2 * env->phi[2 * d + q];
        best = fmax(best, rlhf_agg_value(agg, z));
      }
  } else {
    for (int i = 0; i <= steps; i++)
      for (int j = 0; j <= steps; j++) {
        double p = (double)i / steps, r = (double)j / steps;
        for (int q = 0; q < d; q++)
          z[q] = env->rho[0] * (p * env->phi[q] + (1 - p) * env->phi[d + q]) +
                 env->rho[1] * (r * env->phi[2 * d + q] + (1 - r) * env->phi[3 * d + q]);
        best = fmax(best, rlhf_agg_value(agg, z));
      }
  }
  return best;
}

static void test_optimiser_vs_enumeration(void)
{
  for (int shape = 0; shape < 2; shape++)
    for (int t = 0; t < 6; t++) {
      rlhf_env env = shape == 0 ? tiny_env(1, 3, 3, 300 + t) : tiny_env(2, 2, 3, 400 + t);
      rlhf_states *st;
      ss_err e;
      ss_err_clear(&e);
      CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 0, &st, &e), SS_OK);
      instance in;
      make_instance(&in, 500 + t, 3);
      for (size_t a = 0; a < sizeof names / sizeof names[0]; a++) {
        rlhf_agg *agg = build(names[a], &in);
        rlhf_policy pol;
        CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-6, &pol, &e), SS_OK);
        CU_ASSERT(pol.converged);
        CU_ASSERT(pol.rel_gap <= 1e-6);
        CU_ASSERT(pol.gap >= -1e-12);
        /* z of the reported policy reproduces the objective */
        double z[3] = {0, 0, 0};
        for (int s = 0; s < env.S; s++)
          for (int b = 0; b < env.A; b++)
            for (int q = 0; q < 3; q++)
              z[q] += env.rho[s] * pol.prob[s * env.A + b] * env.phi[(s * env.A + b) * 3 + q];
        CU_ASSERT(fabs(rlhf_agg_value(agg, z) - pol.objective) < 1e-12);
        double gb = grid_best(&env, agg, shape == 0 ? 600 : 1000);
        /* the grid is feasible: the certified upper bound covers it; and the solver is at
         * least as good as the grid up to the grid's resolution */
        CU_ASSERT(pol.dual >= gb - 1e-12);
        CU_ASSERT(pol.objective >= gb - 1e-12 - 1e-6 * fabs(gb));
        rlhf_policy_free(&pol);
        rlhf_agg_destroy(&agg);
      }
      rlhf_states_destroy(&st);
      rlhf_env_destroy(&env);
    }
}

/* Larger random environments: every aggregator's dense solver certifies a gap at the rounding
 * level. */
static void test_optimiser_gap(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.S = 40;
  p.A = 5;
  p.d = 3;
  for (int t = 0; t < 4; t++) {
    p.seed = 700 + t;
    rlhf_env env;
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
    rlhf_states *st;
    CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 7, &st, &e), SS_OK);
    /* the exact reference solvers (planner: test_rlhf_planner.c), by name through the registry */
    rlhf_states_set_solver(st, rlhf_solver_find("dense"), NULL);
    instance in;
    make_instance(&in, 800 + t, 3);
    for (size_t a = 0; a < sizeof names / sizeof names[0]; a++) {
      rlhf_agg *agg = build(names[a], &in);
      rlhf_policy pol;
      CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-6, &pol, &e), SS_OK);
      CU_ASSERT(pol.gap >= -1e-12); /* the certificate is always a valid bracket */
      /* exact solvers (LP for box/maxmin, active-set Newton for pessimistic_sw): the gap is
       * at the rounding level, far below the 1e-6 tolerance */
      CU_ASSERT(pol.converged && fabs(pol.rel_gap) <= 1e-12);
      rlhf_policy_free(&pol);
      rlhf_agg_destroy(&agg);
    }
    rlhf_states_destroy(&st);
    rlhf_env_destroy(&env);
  }
}

/* MODELS 1.8: one state, phi(a) = (1/2, 1/2), phi(b) = (3/4, 0). Labeler 1 (theta* = (1,0))
 * gains from 1/2 to 3/4 by reporting (1,-1), under pessimistic_sw and under maxmin. */
static void prop33(const char *name, const double *theta2)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.S = 1;
  p.A = 2;
  p.d = 2;
  ss_unit_rlhf_inputs sel; /* env.type explicit, selected by name */
  ss_err e;
  CU_ASSERT_EQUAL_FATAL(ss_unit_rlhf_select("  d: 2\n  env:\n    type: explicit\n    states: 1\n    actions: 2\n"
                                            "    features: [[0.5, 0.5], [0.75, 0.0]]\n", &p, &sel, &e), SS_OK);
  rlhf_env env;
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
  rlhf_states *st;
  CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 0, &st, &e), SS_OK);
  double star1[2] = {1, 0};
  double prec[8] = {1, 0, 0, 1, 1, 0, 0, 1};
  for (int lie = 0; lie < 2; lie++) {
    double th[4] = {lie ? 1 : 1, lie ? -1 : 0, theta2[0], theta2[1]};
    rlhf_agg *agg;
    /* exact parameters: the infinite-data limit, radius 0 */
    CU_ASSERT_EQUAL_FATAL(rlhf_agg_build_exact(rlhf_agg_find(name), 2, 2, th, prec, th, th, 0.0,
                                               SS_MEDIAN_MEAN, &agg, &e), SS_OK);
    rlhf_policy pol;
    CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-9, &pol, &e), SS_OK);
    double u1 = rlhf_dot(star1, pol.z, 2);
    /* Among deterministic policies (the paper's statement) the rule picks a, then b. */
    double za[2] = {0.5, 0.5}, zb[2] = {0.75, 0.0};
    double wa = rlhf_agg_value(agg, za), wb = rlhf_agg_value(agg, zb);
    if (!lie) {
      CU_ASSERT(wa > wb);
      CU_ASSERT(fabs(u1 - 0.5) < 1e-6);
      CU_ASSERT(pol.prob[0] > 1 - 1e-6); /* the stochastic optimum is a as well */
    } else {
      CU_ASSERT(wb > wa);
      CU_ASSERT(fabs(rlhf_dot(star1, zb, 2) - 0.75) < 1e-15);
      /* Over stochastic policies: pessimistic_sw still picks b (gain 1/2 -> 3/4); maxmin mixes,
       * p(a) = 3/7 equalises the two labelers, and labeler 1 still gains: 1/2 -> 9/14. */
      if (!strcmp(name, "maxmin")) {
        CU_ASSERT(fabs(pol.prob[0] - 3.0 / 7.0) < 1e-9);
        CU_ASSERT(fabs(u1 - 9.0 / 14.0) < 1e-9);
      } else {
        CU_ASSERT(fabs(u1 - 0.75) < 1e-6);
        CU_ASSERT(pol.prob[1] > 1 - 1e-6);
      }
    }
    rlhf_policy_free(&pol);
    rlhf_agg_destroy(&agg);
  }
  rlhf_states_destroy(&st);
  rlhf_env_destroy(&env);
  ss_unit_rlhf_release(&sel);
}

static void test_prop33_pessimistic_sw(void)
{
  double t2[2] = {0, 1};
  prop33("pessimistic_sw", t2);
}

static void test_prop33_maxmin(void)
{
  double t2[2] = {0.5, 0.5};
  prop33("maxmin", t2);
}

SS_UNIT_SUITE(rlhf_policy_suite)
{
  ss_unit_suite("rlhf_policy");
  ss_unit_test("aggregator objectives (all aggregators)", test_objectives);
  ss_unit_test("pessimistic_sw closed form", test_psw_closed_form);
  ss_unit_test("optimiser vs enumeration (all aggregators)", test_optimiser_vs_enumeration);
  ss_unit_test("optimiser certified gap (all aggregators)", test_optimiser_gap);
  ss_unit_test("prop 3.3 pessimistic_sw", test_prop33_pessimistic_sw);
  ss_unit_test("prop 3.3 maxmin", test_prop33_maxmin);
}
