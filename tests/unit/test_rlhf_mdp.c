/* Tabular MDPs (src/rlhf/mdp*.c) against independent evidence, on one rank:
 *  - backward induction: h(theta) and the greedy policy's z against the enumeration of every
 *    deterministic non-stationary policy of tiny MDPs (exact occupancy recursions);
 *  - the occupancy pass: z_pi against Monte Carlo rollouts of the greedy policy, within 5
 *    standard errors per coordinate (keyed draws: the test is deterministic);
 *  - an H = 1 MDP gives the contextual path's pricing pass bit for bit, and the same certified
 *    planner values on the same features;
 *  - the planner's certified value against an LP over occupancy measures on tiny MDPs (H = 3),
 *    for every aggregator of the registry, with fixed and with automatic in-out smoothing
 *    (polyhedral and linear: the LP optimum; pessimistic_sw: the LP at the planner's dual point
 *    gives its dual value, and the bracket is valid; test_rlhf_mdp_psw.c adds independent
 *    checks of its dual point and value). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rlhf_lp.h"
#include "stratsim/rng.h"
#include "../../src/rlhf/rlhf_mdp.h"
#include "../../src/rlhf/agg_ops.h"
#include "../../src/rlhf/mdp_settings.h"
#include "../../src/rlhf/solver.h"
#include "../../src/rlhf/states.h"
#include "unit.h"

/* the MDP model's settings of the last tiny_params (b successors, stored features) */
static rlhf_mdp_settings tiny_mdp;

static rlhf_params tiny_params(uint64_t seed, int S, int A, int d, int H, int b)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.seed = seed;
  p.S = S, p.A = A, p.d = d, p.H = H;
  p.mdp = 1;
  tiny_mdp = (rlhf_mdp_settings){.successors = b};
  p.mdp_data = &tiny_mdp;
  return p;
}

/* z of the deterministic policy pol (H x S actions) by the exact occupancy recursion. */
static void exact_z(const rlhf_mdp *m, const int *pol, double *z)
{
  int S = m->S, A = m->A, d = m->d;
  double occ[16], nxt[16], f[RLHF_DMAX];
  for (int s = 0; s < S; s++) occ[s] = 1.0 / S;
  for (int j = 0; j < d; j++) z[j] = 0;
  for (int h = 0; h < m->H; h++) {
    memset(nxt, 0, sizeof nxt);
    for (int s = 0; s < S; s++) {
      int a = pol[h * S + s];
      rlhf_mdp_features(m, s, a, f);
      for (int j = 0; j < d; j++) z[j] += occ[s] * f[j];
      int64_t row = (int64_t)s * A + a;
      for (int64_t k = m->srow[row]; k < m->srow[row + 1]; k++) nxt[m->ghost[m->scol[k]]] += occ[s] * m->sprob[k];
    }
    memcpy(occ, nxt, sizeof occ);
  }
}

static void test_backward_vs_enumeration(void)
{
  for (int t = 0; t < 4; t++) {
    rlhf_params p = tiny_params(40 + t, 3, 2, 3, 3, 2);
    rlhf_mdp *m;
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(rlhf_mdp_create(ss_unit_world(), &p, 0, &m, &e), SS_OK);
    for (int r = 0; r < 3; r++) {
      double theta[3], h, z[3], zb[3];
      for (int j = 0; j < 3; j++) theta[j] = ss_rng_normal(t, SS_P_TEST, 7, 3 * r + j);
      CU_ASSERT_EQUAL_FATAL(rlhf_mdp_price(m, theta, &h, z, &e), SS_OK);
      int npol = 1 << (3 * 3), pol[9];
      double best = -INFINITY;
      for (int c = 0; c < npol; c++) { /* every deterministic non-stationary policy */
        for (int q = 0; q < 9; q++) pol[q] = (c >> q) & 1;
        exact_z(m, pol, zb);
        best = fmax(best, rlhf_dot(theta, zb, 3));
      }
      CU_ASSERT(fabs(h - best) <= 1e-12 * fmax(1, fabs(best)));
      /* the occupancy pass's z is the greedy policy's: its value is h */
      CU_ASSERT(fabs(rlhf_dot(theta, z, 3) - h) <= 1e-12 * fmax(1, fabs(h)));
      int greedy[9];
      for (int q = 0; q < 9; q++) greedy[q] = m->pi[q];
      exact_z(m, greedy, zb);
      for (int j = 0; j < 3; j++) CU_ASSERT(fabs(zb[j] - z[j]) <= 1e-13);
    }
    rlhf_mdp_destroy(&m);
  }
}

static void test_z_vs_monte_carlo(void)
{
  rlhf_params p = tiny_params(77, 12, 3, 4, 5, 3);
  rlhf_mdp *m;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_mdp_create(ss_unit_world(), &p, 0, &m, &e), SS_OK);
  double theta[4] = {0.3, -0.7, 0.2, 0.5}, h, z[4], f[4];
  CU_ASSERT_EQUAL_FATAL(rlhf_mdp_price(m, theta, &h, z, &e), SS_OK);
  int N = 40000, S = p.S, A = p.A;
  double sum[4] = {0}, sq[4] = {0};
  for (int n = 0; n < N; n++) {
    int s = (int)ss_rng_below(5, SS_P_TEST, 1, (uint64_t)n * 8, (uint64_t)S);
    double tot[4] = {0};
    for (int h2 = 0; h2 < p.H; h2++) {
      int a = m->pi[h2 * S + s];
      rlhf_mdp_features(m, s, a, f);
      for (int j = 0; j < 4; j++) tot[j] += f[j];
      double u = ss_rng_u01(5, SS_P_TEST, 2, (uint64_t)n * 8 + h2), cum = 0;
      int64_t row = (int64_t)s * A + a, nx = m->ghost[m->scol[m->srow[row + 1] - 1]];
      for (int64_t k = m->srow[row]; k < m->srow[row + 1]; k++)
        if (u < (cum += m->sprob[k])) {
          nx = m->ghost[m->scol[k]];
          break;
        }
      s = (int)nx;
    }
    for (int j = 0; j < 4; j++) sum[j] += tot[j], sq[j] += tot[j] * tot[j];
  }
  for (int j = 0; j < 4; j++) {
    double mean = sum[j] / N, sd = sqrt(fmax(sq[j] / N - mean * mean, 0));
    CU_ASSERT(fabs(mean - z[j]) <= 5 * sd / sqrt(N) + 1e-12); /* 5 standard errors */
  }
  rlhf_mdp_destroy(&m);
}

/* The contextual-path comparison's aggregators (the H = 3 LP test walks the whole registry). */
static const char *names[] = {"naive_mle", "median_mle", "pessimistic_sw", "maxmin",
                              "pessimistic_momle"};

static rlhf_agg *random_agg(const char *name, uint64_t seed, int d, int k)
{
  double th[4 * 4], prec[4 * 16], lo[4 * 4], hi[4 * 4], x[20 * 4];
  ss_err e;
  ss_err_clear(&e);
  for (int i = 0; i < k; i++) {
    for (int q = 0; q < 20 * d; q++) x[q] = ss_rng_normal(seed, SS_P_TEST, 50 + i, q);
    for (int j = 0; j < d; j++) th[i * d + j] = 0.3 + ss_rng_normal(seed, SS_P_TEST, 90 + i, j);
    rlhf_confidence(20, d, x, 0.1, th + i * d, 0.2, NULL, prec + i * d * d, lo + i * d, hi + i * d, &e);
  }
  rlhf_agg *agg = NULL;
  CU_ASSERT_EQUAL(rlhf_agg_build_exact(rlhf_agg_find(name), d, k, th, prec, lo, hi, 0.2,
                                       SS_MEDIAN_MEAN, &agg, &e), SS_OK);
  return agg;
}

static void test_h1_equals_contextual(void)
{
  rlhf_params p = tiny_params(31, 37, 4, 4, 1, 3);
  p.L = 2;
  ss_err e;
  ss_err_clear(&e);
  rlhf_env env, menv;
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create_mdp(&p, &menv, &e), SS_OK);
  rlhf_states *st, *ms;
  CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 5, &st, &e), SS_OK);
  CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &menv, 5, &ms, &e), SS_OK);
  CU_ASSERT_EQUAL(rlhf_states_L(ms), env.L);
  for (size_t a = 0; a < sizeof names / sizeof names[0]; a++) {
    rlhf_agg *agg = random_agg(names[a], 60 + a, 4, 3);
    double theta[4] = {0.1, -0.4, 0.8, 0.3}, hc, hm, zc[4], zm[4];
    rlhf_oracle oc, om;
    rlhf_states_oracle(st, &oc);
    rlhf_states_oracle(ms, &om);
    CU_ASSERT_EQUAL_FATAL(oc.price(oc.ctx, theta, &hc, zc, &e), SS_OK);
    CU_ASSERT_EQUAL_FATAL(om.price(om.ctx, theta, &hm, zm, &e), SS_OK);
    CU_ASSERT(hc == hm && !memcmp(zc, zm, sizeof zc)); /* the same pass, bit for bit */
    rlhf_policy pc, pm;
    CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-9, &pc, &e), SS_OK);
    CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(ms, agg, 1e-9, &pm, &e), SS_OK);
    CU_ASSERT(pc.converged && pm.converged);
    CU_ASSERT(pc.passes == pm.passes);
    CU_ASSERT(pc.dual == pm.dual);
    CU_ASSERT(fabs(pc.objective - pm.objective) <= 1e-13 * fmax(1, fabs(pc.objective)));
    rlhf_policy_free(&pc);
    rlhf_policy_free(&pm);
    rlhf_agg_destroy(&agg);
  }
  rlhf_states_destroy(&st);
  rlhf_states_destroy(&ms);
  rlhf_env_destroy(&env);
  rlhf_env_destroy(&menv);
}

/* max W(z(q)) over occupancy measures q_h(s,a) >= 0 of the MDP (rows: flow conservation;
 * polyhedral W through the aggregator's LP form, linear W directly). theta_lin != NULL:
 * maximise <theta_lin, z(q)> instead (h(theta)). */
static double occupancy_lp(const rlhf_mdp *m, const rlhf_agg *agg, const double *theta_lin)
{
  int S = m->S, A = m->A, d = m->d, H = m->H, r = 0, nw = 0;
  const double *lin = theta_lin ? theta_lin : rlhf_agg_linear_theta(agg);
  if (!lin) agg->ops->lp_dims(agg, &r, &nw);
  int nq = H * S * A, rows = H * S + r, cols = nq + nw;
  double *Am = calloc((size_t)rows * cols, sizeof *Am), *b = calloc(rows, sizeof *b);
  double *c = calloc(cols, sizeof *c), *G = calloc((size_t)r * nw + 1, sizeof *G);
  double *T = calloc((size_t)r * d + 1, sizeof *T), f[RLHF_DMAX], z0[RLHF_DMAX] = {0};
  int *wb = calloc(r + 1, sizeof *wb);
  for (int h = 0; h < H; h++)
    for (int s = 0; s < S; s++) {
      for (int a = 0; a < A; a++) {
        int col = (h * S + s) * A + a;
        Am[(size_t)(h * S + s) * cols + col] = 1.0;
        rlhf_mdp_features(m, s, a, f);
        if (lin) c[col] = rlhf_dot(lin, f, d);
        if (h + 1 < H) {
          int64_t row = (int64_t)s * A + a;
          for (int64_t k = m->srow[row]; k < m->srow[row + 1]; k++)
            Am[(size_t)((h + 1) * S + m->ghost[m->scol[k]]) * cols + col] -= m->sprob[k];
        }
      }
      if (h == 0) b[s] = 1.0 / S;
    }
  if (!lin) {
    agg->ops->lp_fill(agg, z0, G, c + nq, T, wb);
    for (int i = 0; i < r; i++) {
      double *row = Am + (size_t)(H * S + i) * cols;
      memcpy(row + nq, G + (size_t)i * nw, (size_t)nw * sizeof *row);
      for (int h = 0; h < H; h++)
        for (int s = 0; s < S; s++)
          for (int a = 0; a < A; a++) {
            rlhf_mdp_features(m, s, a, f);
            row[(h * S + s) * A + a] = -rlhf_dot(T + (size_t)i * d, f, d);
          }
    }
  }
  rlhf_lp_info info;
  int rc = rlhf_lp_solve(rows, cols, Am, b, c, NULL, NULL, NULL, &info);
  CU_ASSERT_EQUAL(rc, RLHF_LP_OPTIMAL);
  free(Am), free(b), free(c), free(G), free(T), free(wb);
  return info.objective;
}

static void test_planner_vs_occupancy_lp(void)
{
  int checked = 0;
  for (int t = 0; t < 3; t++) {
    rlhf_params p = tiny_params(120 + t, 5, 3, 3, 3, 2);
    rlhf_env env;
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(rlhf_env_create_mdp(&p, &env, &e), SS_OK);
    rlhf_states *st;
    CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 0, &st, &e), SS_OK);
    rlhf_mdp *m = st->mdp;
    int n = rlhf_agg_count(); /* every registered aggregator, none skipped */
    const rlhf_solver_ops *planner = rlhf_solver_find("planner");
    rlhf_plan_opts opt; /* the planner's settings: its defaults, then the alpha rule */
    planner->setup(NULL, &opt);
    rlhf_states_set_solver(st, planner, &opt);
    for (int q = 0; q < 2 * n; q++) { /* fixed, automatic alpha */
      int a = q % n;
      opt.smoothing_auto = q >= n;
      rlhf_agg *agg = random_agg(rlhf_agg_name_at(a), 200 + 10 * t + a, 3, 4);
      rlhf_policy pol;
      CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-10, &pol, &e), SS_OK);
      double scale = fmax(fmax(fabs(pol.objective), fabs(pol.dual)), 1e-3);
      CU_ASSERT(pol.converged && pol.rel_gap <= 1e-10 && pol.gap >= -1e-13 * scale);
      /* the dual value is h at the certifying point: the LP at that point agrees */
      CU_ASSERT(fabs(occupancy_lp(m, agg, pol.theta_dual) - pol.dual) <= 1e-10 * scale);
      /* LP-representable W (linear or polyhedral): the exact optimum. pessimistic_sw is neither:
       * its independent checks are in test_rlhf_mdp_psw.c (dual point in Theta, optimum over
       * the occupancy polytope by enumeration) */
      if (rlhf_agg_linear_theta(agg) || agg->ops->lp_dims) {
        checked++;
        double opt = occupancy_lp(m, agg, NULL);
        CU_ASSERT(fabs(opt - pol.objective) <= 2e-10 * scale);
        CU_ASSERT(opt <= pol.dual + 1e-12 * scale);
      }
      else CU_ASSERT_STRING_EQUAL(rlhf_agg_name_at(a), "pessimistic_sw");
      rlhf_policy_free(&pol);
      rlhf_agg_destroy(&agg);
    }
    rlhf_states_destroy(&st);
    rlhf_env_destroy(&env);
  }
  /* every registered aggregator but pessimistic_sw had its exact LP optimum (dictator included) */
  CU_ASSERT(rlhf_agg_count() >= 7 && rlhf_agg_find("dictator") != NULL);
  CU_ASSERT_EQUAL(checked, 3 * 2 * (rlhf_agg_count() - 1));
}

/* The pass's z sums (chunk by chunk, regenerated rows reused while a state's greedy action
 * repeats) against the plain step-by-step loop over the pass's own occupancies and actions,
 * bit for bit; stored and regenerated features give the same bits (several chunks of 16
 * states; b = 3: rows with offsets, b = 4: the unrolled rows). */
static void test_z_sums_order(void)
{
  for (int b = 3; b <= 4; b++) {
    rlhf_params p = tiny_params(70 + b, 100, 4, 5, 6, b);
    rlhf_mdp *m[2];
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(rlhf_mdp_create(ss_unit_world(), &p, 16, &m[0], &e), SS_OK);
    tiny_mdp.regenerate = 1;
    CU_ASSERT_EQUAL_FATAL(rlhf_mdp_create(ss_unit_world(), &p, 16, &m[1], &e), SS_OK);
    CU_ASSERT(m[0]->phi != NULL && m[1]->phi == NULL && m[1]->zrow != NULL);
    for (int r = 0; r < 3; r++) {
      double theta[5], h[2], z[2][5], ref[5] = {0}, f[RLHF_DMAX];
      for (int j = 0; j < 5; j++) theta[j] = ss_rng_normal(b, SS_P_TEST, 9, 5 * r + j);
      for (int i = 0; i < 2; i++) CU_ASSERT_EQUAL_FATAL(rlhf_mdp_price(m[i], theta, &h[i], z[i], &e), SS_OK);
      CU_ASSERT(memcmp(&h[0], &h[1], sizeof h[0]) == 0 && memcmp(z[0], z[1], sizeof z[0]) == 0);
      for (int c = 0; c * 16 < 100; c++) { /* chunk partials: h outer, states inner */
        double part[5] = {0};
        for (int hh = 0; hh < 6; hh++)
          for (int s = 16 * c; s < 16 * c + 16 && s < 100; s++) {
            double o = m[0]->occ[hh * 100 + s];
            if (o == 0) continue;
            rlhf_mdp_features(m[0], s, m[0]->pi[hh * 100 + s], f);
            for (int j = 0; j < 5; j++) part[j] += o * f[j];
          }
        for (int j = 0; j < 5; j++) ref[j] += part[j];
      }
      CU_ASSERT(memcmp(ref, z[0], sizeof ref) == 0);
    }
    rlhf_mdp_destroy(&m[0]);
    rlhf_mdp_destroy(&m[1]);
  }
}

SS_UNIT_SUITE(rlhf_mdp_suite)
{
  ss_unit_suite("rlhf_mdp");
  ss_unit_test("backward induction vs enumeration of deterministic policies", test_backward_vs_enumeration);
  ss_unit_test("occupancy z_pi vs Monte Carlo rollouts (5 s.e.)", test_z_vs_monte_carlo);
  ss_unit_test("H = 1 MDP equals the contextual path", test_h1_equals_contextual);
  ss_unit_test("z sums: chunk by chunk = step by step, stored = regenerated (bits)", test_z_sums_order);
  ss_unit_test("planner vs occupancy-measure LP, H = 3 (all aggregators, fixed and automatic alpha)",
               test_planner_vs_occupancy_lp);
}
