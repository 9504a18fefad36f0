/* Bandit unit tests: Sherman-Morrison against a direct solve, OptGTM and GGTM elimination
 * on hand-made sequences over many seeds, LinUCB against a direct implementation, regret
 * over all T rounds, the gradient arithmetic, and config errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"
#include "stratsim/config.h"
#include "stratsim/experiment.h"
#include "stratsim/rng.h"
#include "stratsim/plugin.h"
#include "unit.h"

/* Gauss-Jordan inverse of a d x d matrix (row-major) with partial pivoting. */
static void invert(int d, const double *a, double *inv)
{
  double *m = malloc((size_t)d * 2 * d * sizeof(double));
  for (int i = 0; i < d; i++)
    for (int j = 0; j < 2 * d; j++) m[i * 2 * d + j] = j < d ? a[i * d + j] : (j - d == i);
  for (int c = 0; c < d; c++) {
    int p = c;
    for (int i = c + 1; i < d; i++)
      if (fabs(m[i * 2 * d + c]) > fabs(m[p * 2 * d + c])) p = i;
    for (int j = 0; j < 2 * d; j++) {
      double t = m[c * 2 * d + j];
      m[c * 2 * d + j] = m[p * 2 * d + j];
      m[p * 2 * d + j] = t;
    }
    double piv = m[c * 2 * d + c];
    for (int j = 0; j < 2 * d; j++) m[c * 2 * d + j] /= piv;
    for (int i = 0; i < d; i++) {
      if (i == c) continue;
      double f = m[i * 2 * d + c];
      for (int j = 0; j < 2 * d; j++) m[i * 2 * d + j] -= f * m[c * 2 * d + j];
    }
  }
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) inv[i * d + j] = m[i * 2 * d + d + j];
  free(m);
}

static void ridge_case(int64_t refactor, double *err_vinv, double *err_theta, double *drift)
{
  enum { D = 6, N = 20000 };
  double *mem = malloc(ss_ridge_ndoubles(D) * sizeof(double));
  double *work = malloc(ss_ridge_nwork(D) * sizeof(double));
  ss_ridge r;
  ss_ridge_attach(&r, D, 0.5, mem);
  double V[D * D] = {0}, b[D] = {0}, inv[D * D], x[D];
  for (int i = 0; i < D; i++) V[i * D + i] = 0.5;
  for (int n = 0; n < N; n++) {
    ss_rng_normal_fill(7, SS_P_TEST, 1, (uint64_t)n * D, D, x);
    x[n % D] *= 5; /* uneven directions make V ill-conditioned */
    double y = ss_rng_normal(7, SS_P_TEST, 2, (uint64_t)n);
    ss_ridge_update(&r, x, y, refactor, work);
    for (int i = 0; i < D; i++) {
      b[i] += y * x[i];
      for (int j = 0; j < D; j++) V[i * D + j] += x[i] * x[j];
    }
  }
  invert(D, V, inv);
  double ev = 0, et = 0, scale = 0;
  for (int i = 0; i < D; i++) {
    double th = 0;
    for (int j = 0; j < D; j++) {
      double got = r.vinv[i <= j ? ss_ridge_at(D, i, j) : ss_ridge_at(D, j, i)];
      ev = fmax(ev, fabs(got - inv[i * D + j]));
      scale = fmax(scale, fabs(inv[i * D + j]));
      th += inv[i * D + j] * b[j];
    }
    et = fmax(et, fabs(r.theta[i] - th) / (1 + fabs(th)));
  }
  *err_vinv = ev / scale;
  *err_theta = et;
  *drift = ss_ridge_drift(&r, work);
  CU_ASSERT_EQUAL(r.n, N);
  free(mem);
  free(work);
}

static void test_sherman_morrison(void)
{
  double ev, et, dr;
  ridge_case(0, &ev, &et, &dr); /* pure Sherman-Morrison, 20000 updates */
  CU_ASSERT(ev < 1e-8);
  CU_ASSERT(et < 1e-8);
  CU_ASSERT(dr < 1e-8);
  ridge_case(1000, &ev, &et, &dr); /* with periodic refactorisation */
  CU_ASSERT(ev < 1e-10);
  CU_ASSERT(et < 1e-10);
  CU_ASSERT(dr < 1e-10);
}

/* Hand-made sequences for one arm of a K = 2 mechanism: contexts in [0.2, 1]^3 (positive
 * means), rewards theta . x* + N(0, 0.5^2); the arm reports x* scaled by `inflate(t)`. */
static int64_t eliminated_after(const char *mech, uint64_t seed, int cheat, int radius_fixed)
{
  ss_err e;
  ss_err_clear(&e);
  ss_bandit_env env;
  ss_bandit_env_alloc(&env, 2, 3, 3000, &e);
  env.seed = seed;
  const double th[3] = {1.0, 0.8, 0.6};
  memcpy(env.theta, th, sizeof th);
  ss_bandit_paper_features(2, 3, env.ytrue);
  ss_bandit_env_prepare(&env);
  ss_bandit_mech_params p;
  ss_bandit_mech_params_default(&p);
  if (radius_fixed) {
    p.radius = SS_BANDIT_RADIUS_FIXED;
    p.beta = 1.0;
  }
  ss_bandit_mech *m = NULL;
  CU_ASSERT_FATAL(ss_bandit_mech_create(mech, ss_unit_world(), &env, &p, &m, &e) == SS_OK);
  ss_bandit_mech_reset(m, seed);
  for (int64_t t = 1; t <= 3000; t++) {
    double base[3], xs[3], xr[3];
    ss_bandit_base(&env, t, 1, base);
    double s = 1.0;
    if (cheat == 1) s = t > 200 ? 1.0 + (double)(t - 200) / 200.0 : 1.0; /* ever more inflated */
    if (cheat == 2) s = 2.0;                                              /* doubled throughout */
    for (int j = 0; j < 3; j++) {
      xs[j] = 0.6 + 0.4 * base[j];
      xr[j] = s * xs[j];
    }
    double r = ss_bandit_dot(th, xs, 3) + 0.5 * ss_rng_normal(seed, SS_P_TEST, 3, (uint64_t)t);
    m->ops->update(m, 1, xr, r, t);
  }
  int64_t when = ss_bandit_mech_eliminated(m, 1);
  CU_ASSERT(ss_bandit_mech_active(m, 0)); /* never played, never eliminated */
  ss_bandit_mech_destroy(&m);
  ss_bandit_env_free(&env);
  return when;
}

static void test_optgtm_elimination(void)
{
  /* delta = 1/T: a truthful arm is eliminated with probability at most about delta per
   * run; over 40 seeds none may be. The over-reporter must be caught every time. */
  int caught = 0, wrong = 0;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    caught += eliminated_after("optgtm", seed, 1, 1) > 200;
    wrong += eliminated_after("optgtm", seed, 0, 1) >= 0;
  }
  CU_ASSERT_EQUAL(caught, 40);
  CU_ASSERT_EQUAL(wrong, 0);
  /* With the authors' radius the truthful arm is never eliminated either. */
  for (uint64_t seed = 1; seed <= 10; seed++) CU_ASSERT(eliminated_after("optgtm", seed, 0, 0) < 0);
}

static void test_ggtm_elimination(void)
{
  int caught = 0, wrong = 0;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    caught += eliminated_after("ggtm", seed, 2, 0) > 0;
    wrong += eliminated_after("ggtm", seed, 0, 0) >= 0;
  }
  CU_ASSERT_EQUAL(caught, 40);
  CU_ASSERT_EQUAL(wrong, 0);
}

/* ---- LinUCB against a direct implementation (explicit V, Gauss-Jordan inverse) ---- */
typedef struct {
  int64_t *arms;
} trace;

static void record(void *ctx, const ss_bandit_round *r, const ss_bandit_mech *m)
{
  ((trace *)ctx)->arms[r->t - 1] = r->arm;
}

static void test_linucb_direct(void)
{
  enum { K = 4, D = 3, T = 300 };
  ss_err e;
  ss_err_clear(&e);
  ss_bandit_env env;
  ss_bandit_env_alloc(&env, K, D, T, &e);
  env.seed = 21;
  env.contexts = SS_BANDIT_CTX_IID;
  ss_bandit_random_theta(21, D, env.theta);
  ss_bandit_random_features(21, K, D, env.ytrue);
  ss_bandit_env_prepare(&env);
  ss_bandit_mech_params p;
  ss_bandit_mech_params_default(&p);
  p.refactor_every = 0;
  ss_bandit_mech *m = NULL;
  CU_ASSERT_FATAL(ss_bandit_mech_create("linucb", ss_unit_world(), &env, &p, &m, &e) == SS_OK);
  int64_t sel[K], got[T];
  trace tr = {got};
  const uint64_t rseed = 77;
  ss_bandit_rollout_opts o = {.rseed = rseed, .observe = record, .observe_ctx = &tr};
  ss_bandit_outcome out = {.selections = sel};
  CU_ASSERT(ss_bandit_rollout(ss_unit_world(), &env, m, env.ytrue, &o, &out, &e) == SS_OK);

  double beta = ss_bandit_beta_authors(D, T, 1.0, 1.0 / T);
  double V[D * D] = {0}, b[D] = {0}, inv[D * D], theta[D];
  for (int i = 0; i < D; i++) V[i * D + i] = 1.0;
  int agree = 0;
  for (int64_t t = 1; t <= T; t++) {
    invert(D, V, inv);
    for (int i = 0; i < D; i++) {
      theta[i] = 0;
      for (int j = 0; j < D; j++) theta[i] += inv[i * D + j] * b[j];
    }
    int64_t arm = -1;
    double best = -INFINITY;
    if (t <= 10) {
      arm = (int64_t)ss_rng_below(rseed, SS_P_BANDIT_WARMUP, 0, (uint64_t)t, K);
    } else {
      for (int64_t a = 0; a < K; a++) {
        double base[D], x[D], q = 0, mu = 0;
        ss_bandit_base(&env, t, a, base);
        for (int j = 0; j < D; j++) x[j] = base[j] * env.ytrue[a * D + j];
        for (int i = 0; i < D; i++) {
          mu += theta[i] * x[i];
          for (int j = 0; j < D; j++) q += x[i] * inv[i * D + j] * x[j];
        }
        double s = mu + beta * sqrt(q);
        if (s > best) {
          best = s;
          arm = a;
        }
      }
    }
    agree += arm == got[t - 1];
    /* Follow the engine's choice so that one near-tie cannot derail the comparison. */
    arm = got[t - 1];
    double base[D], x[D];
    ss_bandit_base(&env, t, arm, base);
    double mean = 0;
    for (int j = 0; j < D; j++) {
      x[j] = base[j] * env.ytrue[arm * D + j];
      mean += env.theta[j] * x[j];
    }
    double z;
    ss_bandit_noise_fill(rseed, t, 1, &z);
    double r = mean + 0.5 * z;
    for (int i = 0; i < D; i++) {
      b[i] += r * x[i];
      for (int j = 0; j < D; j++) V[i * D + j] += x[i] * x[j];
    }
  }
  CU_ASSERT_EQUAL(agree, T);
  ss_bandit_mech_destroy(&m);
  ss_bandit_env_free(&env);
}

/* Regret counts every round, the last one included (the authors' code dropped it). */
static void regret_watch(void *ctx, const ss_bandit_round *r, const ss_bandit_mech *m)
{
  *(double *)ctx += r->best_mean - r->chosen_mean;
}

static void test_regret_all_rounds(void)
{
  for (int64_t T = 1; T <= 5; T += 4) {
    ss_err e;
    ss_err_clear(&e);
    ss_bandit_env env;
    ss_bandit_env_alloc(&env, 4, 5, T, &e);
    env.seed = 3;
    const double th[5] = {1, 1, 0.8, 1, 1};
    memcpy(env.theta, th, sizeof th);
    ss_bandit_paper_features(4, 5, env.ytrue);
    ss_bandit_env_prepare(&env);
    ss_bandit_mech_params p;
    ss_bandit_mech_params_default(&p);
    ss_bandit_mech *m = NULL;
    ss_bandit_mech_create("uniform", ss_unit_world(), &env, &p, &m, &e);
    int64_t sel[4];
    double sum = 0, curve[5];
    ss_bandit_rollout_opts o = {.rseed = 5, .observe = regret_watch, .observe_ctx = &sum,
                                .curve_stride = 1, .curve = curve};
    ss_bandit_outcome out = {.selections = sel};
    ss_bandit_rollout(ss_unit_world(), &env, m, env.ytrue, &o, &out, &e);
    CU_ASSERT_EQUAL(sel[0] + sel[1] + sel[2] + sel[3], T);
    CU_ASSERT_DOUBLE_EQUAL(out.regret, sum, 1e-12);
    CU_ASSERT_EQUAL(curve[T - 1], out.regret);
    CU_ASSERT(out.regret > 0); /* uniform play on these seeds misses the best arm somewhere */
    ss_bandit_mech_destroy(&m);
    ss_bandit_env_free(&env);
  }
}

/* Uniform play draws its arms a block of rounds at a time: every round's arm is still
 * ss_rng_below(rseed, uniform, 0, t, K), across blocks, asked out of order (a resumed rollout)
 * and after a reset with another rseed. */
static void test_uniform_draws(void)
{
  ss_err e;
  ss_err_clear(&e);
  ss_bandit_env env;
  CU_ASSERT_FATAL(ss_bandit_env_alloc(&env, 7, 3, 1000, &e) == SS_OK);
  env.seed = 4;
  ss_bandit_random_theta(4, 3, env.theta);
  ss_bandit_random_features(4, 7, 3, env.ytrue);
  ss_bandit_env_prepare(&env);
  ss_bandit_mech_params p;
  ss_bandit_mech_params_default(&p);
  ss_bandit_mech *m = NULL;
  CU_ASSERT_FATAL(ss_bandit_mech_create("uniform", ss_unit_world(), &env, &p, &m, &e) == SS_OK);
  int ok = 1;
  const uint64_t seeds[] = {11, 12};
  for (int r = 0; r < 2; r++) {
    ss_bandit_mech_reset(m, seeds[r]);
    const int64_t ts[] = {1, 2, 255, 256, 257, 600, 300, 5, 999, 1000, 512, 513};
    for (int64_t t = 1; t <= 1000; t++)
      ok &= m->ops->forced(m, t) == (int64_t)ss_rng_below(seeds[r], SS_P_BANDIT_UNIFORM, 0, (uint64_t)t, 7);
    for (size_t k = 0; k < sizeof ts / sizeof ts[0]; k++)
      ok &= m->ops->forced(m, ts[k]) ==
            (int64_t)ss_rng_below(seeds[r], SS_P_BANDIT_UNIFORM, 0, (uint64_t)ts[k], 7);
  }
  CU_ASSERT(ok);
  ss_bandit_mech_destroy(&m);
  ss_bandit_env_free(&env);
}

static void test_gradient_arithmetic(void)
{
  const ss_bandit_strategy_ops *g = ss_bandit_strategy_find("gradient");
  ss_bandit_strategy_params sp = {.eps = 0.2, .eta = 0.2, .step_scale = 1e-4, .step_clip = 0.1};
  int sign;
  CU_ASSERT_DOUBLE_EQUAL(g->perturb(&sp, 0.1, &sign), 0.3, 1e-15);
  CU_ASSERT_EQUAL(sign, 1);
  CU_ASSERT_DOUBLE_EQUAL(g->perturb(&sp, 0.995, &sign), 0.795, 1e-15);
  CU_ASSERT_EQUAL(sign, -1);
  CU_ASSERT_DOUBLE_EQUAL(g->perturb(&sp, 0.9, &sign), 1.0, 0); /* clipped */
  /* 0.2 * 1e-4 * (+1) * (600 - 500) / 0.2 / (0 + 1) = 0.01 */
  CU_ASSERT_DOUBLE_EQUAL(g->step(&sp, 0, 1, 500, 600), 0.01, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(g->step(&sp, 1, -1, 500, 600), -0.005, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(g->step(&sp, 0, 1, 0, 100000), 0.1, 0); /* clipped */
  CU_ASSERT_FALSE(ss_bandit_strategy_find("truthful")->adaptive);
}

static void test_registries_match_schema(void)
{
  const ss_experiment_ops *x = ss_experiment_find("bandit");
  CU_ASSERT_FATAL(x != NULL);
  const char *mech = NULL, *strat = NULL;
  for (int i = 0; i < ss_schema_nkeys(x); i++) { /* the schema with the registry's choices */
    if (!strcmp(ss_schema_key(x, i)->path, "bandit.mechanism")) mech = ss_schema_key(x, i)->choices;
    if (!strcmp(ss_schema_key(x, i)->path, "bandit.strategy")) strat = ss_schema_key(x, i)->choices;
  }
  char buf[256] = "";
  for (int i = 0; i < ss_bandit_mech_count(); i++)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "", ss_bandit_mech_name_at(i));
  CU_ASSERT_STRING_EQUAL(buf, mech);
  buf[0] = 0;
  for (int i = 0; i < ss_bandit_strategy_count(); i++)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "", ss_bandit_strategy_name_at(i));
  CU_ASSERT_STRING_EQUAL(buf, strat);
}

/* ---- bad input ---- */
static void expect_error(const char *yaml, const char *needle)
{
  ss_config *c = NULL;
  ss_err e;
  ss_err_clear(&e);
  int rc = ss_config_parse("bad.yaml", yaml, strlen(yaml), NULL, 0, &c, &e);
  CU_ASSERT_EQUAL(rc, SS_EINPUT);
  if (!strstr(e.msg, needle)) fprintf(stderr, "\n  expected '%s' in: %s\n", needle, e.msg);
  CU_ASSERT(strstr(e.msg, needle) != NULL);
  CU_ASSERT(strstr(e.msg, "bad.yaml:") != NULL);
  ss_config_free(&c);
}

static void test_config_errors(void)
{
  expect_error("experiment: bandit\nbandit:\n  K: 0\n", "bandit.K");
  expect_error("experiment: bandit\nbandit:\n  K: 1000000\n  d: 1000\n  theta_source: random\n"
               "  features: random\n  strategy: truthful\n", "K d = 1000000000");
  expect_error("experiment: bandit\nbandit:\n  d: 0\n", "bandit.d");
  expect_error("experiment: bandit\nbandit:\n  T: 0\n", "bandit.T");
  expect_error("experiment: bandit\nbandit:\n  theta: [1, 2, 3]\n", "bandit.theta");
  expect_error("experiment: bandit\nbandit:\n  d: 3\n", "bandit.theta");
  expect_error("experiment: bandit\nbandit:\n  theta: [1, .nan, 1, 1, 1]\n", "bandit.theta");
  expect_error("experiment: bandit\nbandit:\n  noise_sd: .nan\n", "bandit.noise_sd");
  expect_error("experiment: bandit\nbandit:\n  strategy: fixed\n", "bandit.reported");
  expect_error("experiment: bandit\nbandit:\n  strategy: fixed\n  K: 2\n  reported: [[1, 2, 3, 4, 5]]\n",
               "bandit.reported");
  expect_error("experiment: bandit\nbandit:\n  strategy: fixed\n  K: 1\n  reported: [[1, 2, 3]]\n",
               "bandit.reported");
  expect_error("experiment: bandit\nbandit:\n  features: given\n", "bandit.true_features");
  expect_error("experiment: bandit\nbandit:\n  mechanism: linucbb\n", "bandit.mechanism");
  ss_config *c = NULL;
  ss_err e;
  ss_err_clear(&e);
  const char *ok = "experiment: bandit\nbandit:\n  strategy: fixed\n  K: 1\n  reported: [[1, 2, 3, 4, 5]]\n";
  CU_ASSERT_EQUAL(ss_config_parse("ok.yaml", ok, strlen(ok), NULL, 0, &c, &e), SS_OK);
  ss_config_free(&c);
}

SS_UNIT_SUITE(bandit)
{
  ss_unit_suite("bandit");
  ss_unit_test("Sherman-Morrison matches a direct solve after 20000 updates", test_sherman_morrison);
  ss_unit_test("OptGTM eliminates an over-reporter, not a truthful arm", test_optgtm_elimination);
  ss_unit_test("GGTM eliminates an over-reporter, not a truthful arm", test_ggtm_elimination);
  ss_unit_test("LinUCB matches a direct implementation", test_linucb_direct);
  ss_unit_test("regret counts all T rounds", test_regret_all_rounds);
  ss_unit_test("uniform play's block of draws equals round-by-round draws", test_uniform_draws);
  ss_unit_test("gradient strategy arithmetic", test_gradient_arithmetic);
  ss_unit_test("registries match the schema", test_registries_match_schema);
  ss_unit_test("bad configs are clear errors", test_config_errors);
}
