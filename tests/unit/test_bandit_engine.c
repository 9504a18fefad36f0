/* The bandit engine's fast paths give the bits of the plain computation: the unrolled ridge
 * kernels (d <= 8) against the straightforward loops they replace, the shared-context
 * block against per-round regeneration, and a batch of rollouts against the same rollouts
 * run one at a time (every mechanism, both context kinds, T across several blocks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_context.h"
#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"
#include "stratsim/rng.h"
#include "unit.h"

static int same_bits(const double *a, const double *b, size_t n)
{
  return !memcmp(a, b, n * sizeof(double));
}

/* ---- reference kernels: the plain loops, in the order the engine has always used ---- */
static double ref_qform(int d, const double *m, const double *x)
{
  const double *row = m;
  double q = 0;
  for (int i = 0; i < d; i++) {
    int len = d - i;
    q += x[i] * (row[0] * x[i] + 2.0 * ss_bandit_dot(row + 1, x + i + 1, len - 1));
    row += len;
  }
  return q;
}

static void ref_symv(int d, const double *m, const double *x, double *out)
{
  for (int i = 0; i < d; i++) out[i] = 0;
  const double *row = m;
  for (int i = 0; i < d; i++) {
    double acc = row[0] * x[i];
    for (int j = i + 1; j < d; j++) {
      acc += row[j - i] * x[j];
      out[j] += row[j - i] * x[i];
    }
    out[i] += acc;
    row += d - i;
  }
}

/* Sherman-Morrison, V, b and theta = V^{-1} b on plain arrays (no refactorisation). */
static void ref_update(int d, double *vinv, double *v, double *b, double *theta, const double *x,
                       double y)
{
  double u[16];
  ref_symv(d, vinv, x, u);
  double denom = 1.0 + ss_bandit_dot(x, u, d);
  double *mi = vinv, *vi = v;
  for (int i = 0; i < d; i++) {
    double ui = u[i] / denom;
    for (int j = i; j < d; j++) {
      mi[j - i] -= ui * u[j];
      vi[j - i] += x[i] * x[j];
    }
    mi += d - i;
    vi += d - i;
    b[i] += y * x[i];
  }
  ref_symv(d, vinv, b, theta);
}

static void test_kernels_match_plain_loops(void)
{
  for (int d = 1; d <= 12; d++) {
    size_t np = (size_t)d * (d + 1) / 2;
    double *mem = malloc(ss_ridge_ndoubles(d) * sizeof(double));
    double *work = malloc(ss_ridge_nwork(d) * sizeof(double));
    double vinv[78], v[78], b[12] = {0}, theta[12] = {0};
    ss_ridge r;
    ss_ridge_attach(&r, d, 0.7, mem);
    memcpy(vinv, r.vinv, np * sizeof(double));
    memcpy(v, r.v, np * sizeof(double));
    int ok = 1;
    for (int n = 0; n < 300; n++) {
      double x[12], base[12], y[12];
      ss_rng_u01_fill(11, SS_P_TEST, (uint32_t)d, (uint64_t)n * 3 * d, (uint64_t)d, base);
      ss_rng_u01_fill(11, SS_P_TEST, (uint32_t)d, (uint64_t)n * 3 * d + d, (uint64_t)d, y);
      for (int j = 0; j < d; j++) {
        base[j] = 2 * base[j] - 1;
        y[j] = n % 7 == 3 && j == 0 ? 0.0 : 2 * y[j] - 1; /* exact zeros too */
        x[j] = base[j] * y[j];
      }
      double s = 0.5 + n % 3;
      double want = ss_bandit_dot(theta, x, d) + s * sqrt(ref_qform(d, vinv, x));
      double lcb = ss_bandit_dot(theta, x, d) - s * sqrt(ref_qform(d, vinv, x));
      double q = ss_ridge_qform(&r, x), got = ss_ridge_bound(&r, x, s), got_lcb = ss_ridge_bound(&r, x, -s);
      double xr[12], got_rep = ss_ridge_bound_report(&r, base, y, s, xr);
      double qw = ref_qform(d, vinv, x);
      ok &= same_bits(&q, &qw, 1) && same_bits(&got, &want, 1) && same_bits(&got_lcb, &lcb, 1);
      ok &= same_bits(&got_rep, &want, 1) && same_bits(xr, x, (size_t)d);
      double yv = ss_rng_normal(11, SS_P_TEST, 100 + (uint32_t)d, (uint64_t)n);
      ref_update(d, vinv, v, b, theta, x, yv);
      if (n % 2) { /* the fused update and post-update bound (OptGTM's lower bound) */
        double got_post = ss_ridge_update_bound(&r, x, yv, 0, work, -s);
        double want_post = ss_bandit_dot(theta, x, d) - s * sqrt(ref_qform(d, vinv, x));
        ok &= same_bits(&got_post, &want_post, 1);
      } else {
        ss_ridge_update(&r, x, yv, 0, work);
      }
      ok &= same_bits(r.vinv, vinv, np) && same_bits(r.v, v, np) && same_bits(r.b, b, (size_t)d) &&
            same_bits(r.theta, theta, (size_t)d);
    }
    CU_ASSERT(ok);
    free(mem);
    free(work);
  }
}

/* With refactorisations (every 5 updates): ss_ridge_update_bound leaves the state of
 * ss_ridge_update and returns ss_ridge_bound of the updated state, bit for bit. */
static void test_update_bound_refactor(void)
{
  for (int d = 1; d <= 10; d++) {
    double *m1 = malloc(ss_ridge_ndoubles(d) * sizeof(double)), *m2 = malloc(ss_ridge_ndoubles(d) * sizeof(double));
    double *work = malloc(ss_ridge_nwork(d) * sizeof(double));
    ss_ridge r1, r2;
    ss_ridge_attach(&r1, d, 1.3, m1);
    ss_ridge_attach(&r2, d, 1.3, m2);
    int ok = 1;
    for (int n = 0; n < 40; n++) {
      double x[10];
      ss_rng_u01_fill(12, SS_P_TEST, (uint32_t)d, (uint64_t)n * d, (uint64_t)d, x);
      double yv = ss_rng_normal(12, SS_P_TEST, 200 + (uint32_t)d, (uint64_t)n);
      ss_ridge_update(&r1, x, yv, 5, work);
      double want = ss_ridge_bound(&r1, x, -0.8);
      double got = ss_ridge_update_bound(&r2, x, yv, 5, work, -0.8);
      ok &= same_bits(&got, &want, 1) && same_bits(m1, m2, ss_ridge_ndoubles(d)) && r1.n == r2.n &&
            r1.since_refactor == r2.since_refactor;
    }
    CU_ASSERT(ok);
    free(m1);
    free(m2);
    free(work);
  }
}

static void make_env(ss_bandit_env *env, int64_t K, int d, int64_t T, int contexts, uint64_t seed)
{
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_FATAL(ss_bandit_env_alloc(env, K, d, T, &e) == SS_OK);
  env->seed = seed;
  env->contexts = contexts;
  ss_bandit_random_theta(seed, d, env->theta);
  ss_bandit_random_features(seed, K, d, env->ytrue);
  ss_bandit_env_prepare(env);
}

static void test_context_block_matches_rounds(void)
{
  ss_bandit_env env;
  make_env(&env, 6, 5, 600, SS_BANDIT_CTX_SHARED, 4);
  ss_err e;
  ss_err_clear(&e);
  ss_bandit_context_block blk;
  CU_ASSERT_FATAL(ss_bandit_context_block_init(&blk, &env, 1, 5, &e) == SS_OK);
  int ok = 1;
  int64_t rounds = 0;
  for (int64_t t0 = 1; t0 <= env.T; t0 += SS_BANDIT_BLOCK_ROUNDS) {
    ss_bandit_context_block_fill(&blk, t0);
    for (int64_t k = 0; k < blk.n; k++, rounds++) {
      double base[5], best = -INFINITY;
      ss_bandit_base(&env, t0 + k, 0, base);
      for (int64_t a = 1; a < 5; a++) best = fmax(best, ss_bandit_true_mean(&env, a, base));
      ok &= same_bits(blk.base + k * 5, base, 5) && same_bits(&blk.max_mean[k], &best, 1);
    }
  }
  CU_ASSERT(ok);
  CU_ASSERT_EQUAL(rounds, env.T);
  ss_bandit_context_block_free(&blk);
  ss_bandit_env_free(&env);
}

/* One rollout's results, for comparison. */
typedef struct {
  double regret, manipulation, theta_error;
  int64_t none;
  int64_t sel[5], elim[5];
  double curve[64];
} outcome_copy;

static void keep(outcome_copy *c, const ss_bandit_outcome *out, const double *curve, int64_t ncurve)
{
  memset(c, 0, sizeof *c);
  c->regret = out->regret;
  c->manipulation = out->manipulation;
  c->theta_error = out->theta_error;
  c->none = out->all_eliminated_rounds;
  memcpy(c->sel, out->selections, sizeof c->sel);
  memcpy(c->elim, out->eliminated, sizeof c->elim);
  if (curve) memcpy(c->curve, curve, (size_t)ncurve * sizeof(double));
}

static void test_batch_matches_single_rollouts(void)
{
  enum { K = 5, D = 3, N = 3 };
  const int64_t T = 2 * SS_BANDIT_BLOCK_ROUNDS + 37, stride = 13;
  const int64_t ncurve = ss_bandit_curve_len(T, stride);
  CU_ASSERT_FATAL(ncurve <= 64);
  for (int ctx = 0; ctx < 2; ctx++)
    for (int i = 0; i < ss_bandit_mech_count(); i++) {
      const char *name = ss_bandit_mech_name_at(i);
      ss_bandit_env env;
      make_env(&env, K, D, T, ctx == 0 ? SS_BANDIT_CTX_SHARED : SS_BANDIT_CTX_IID, 9);
      ss_err e;
      ss_err_clear(&e);
      ss_bandit_mech_params p;
      ss_bandit_mech_params_default(&p);
      p.refactor_every = 50;
      ss_bandit_mech *m[N];
      double yrep[N][K * D], curve[N][64];
      int64_t sel[N][K], elim[N][K];
      ss_bandit_rollout_opts o[N];
      ss_bandit_outcome out[N];
      const double *reps[N];
      for (int k = 0; k < N; k++) {
        CU_ASSERT_FATAL(ss_bandit_mech_create(name, ss_unit_world(), &env, &p, &m[k], &e) == SS_OK);
        for (int j = 0; j < K * D; j++) yrep[k][j] = env.ytrue[j] * (j == 4 + k ? 1.5 : 1.0);
        reps[k] = yrep[k];
        o[k] = (ss_bandit_rollout_opts){.rseed = 100 + (uint64_t)k, .details = 1, .curve_stride = stride,
                                        .curve = curve[k]};
        out[k] = (ss_bandit_outcome){.selections = sel[k], .eliminated = elim[k]};
      }
      outcome_copy alone[N], together[N];
      for (int k = 0; k < N; k++) {
        CU_ASSERT(ss_bandit_rollout(ss_unit_world(), &env, m[k], yrep[k], &o[k], &out[k], &e) == SS_OK);
        keep(&alone[k], &out[k], curve[k], ncurve);
      }
      CU_ASSERT(ss_bandit_rollouts(ss_unit_world(), &env, N, m, reps, o, out, &e) == SS_OK);
      for (int k = 0; k < N; k++) {
        keep(&together[k], &out[k], curve[k], ncurve);
        CU_ASSERT(!memcmp(&alone[k], &together[k], sizeof alone[k]));
        ss_bandit_mech_destroy(&m[k]);
      }
      ss_bandit_env_free(&env);
    }
}

SS_UNIT_SUITE(bandit_engine)
{
  ss_unit_suite("bandit_engine");
  ss_unit_test("unrolled ridge kernels give the bits of the plain loops", test_kernels_match_plain_loops);
  ss_unit_test("fused update and post-update bound equal update then bound, with refactorisations", test_update_bound_refactor);
  ss_unit_test("the shared-context block matches per-round regeneration", test_context_block_matches_rounds);
  ss_unit_test("a batch of rollouts matches the rollouts run alone", test_batch_matches_single_rollouts);
}
