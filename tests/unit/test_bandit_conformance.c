/* One conformance suite for every bandit mechanism in the registry (SUNDIALS style):
 * only active arms are played, the regret over all T rounds equals a brute-force
 * recomputation, runs are deterministic, ties go to the lowest arm, and a round with every
 * arm eliminated plays nothing and costs the best mean. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/rng.h"
#include "unit.h"

typedef struct {
  const ss_bandit_env *env;
  int64_t K;
  int *dead;             /* arms seen eliminated after an earlier round */
  int inactive_played;
  int64_t rounds, none_rounds, first_scored_arm;
  double regret;         /* brute force */
  double max_mean_err;
} watcher;

/* Brute force: x* = base ⊙ y_a, mean = sum_j theta_j x*_j, straight from the definition. */
static double brute_mean(const ss_bandit_env *env, int64_t t, int64_t a)
{
  double base[64];
  ss_bandit_base(env, t, a, base);
  double s = 0;
  for (int j = 0; j < env->d; j++) s += env->theta[j] * (base[j] * env->ytrue[a * env->d + j]);
  return s;
}

static void watch(void *ctx, const ss_bandit_round *r, const ss_bandit_mech *m)
{
  watcher *w = ctx;
  w->rounds++;
  if (r->arm >= 0 && w->dead[r->arm]) w->inactive_played++;
  if (r->arm < 0) w->none_rounds++;
  if (!r->forced && r->arm >= 0 && w->first_scored_arm < -1) w->first_scored_arm = r->arm;
  double best = -INFINITY;
  for (int64_t a = 0; a < w->K; a++) {
    double mu = brute_mean(w->env, r->t, a);
    if (mu > best) best = mu;
  }
  double chosen = r->arm >= 0 ? brute_mean(w->env, r->t, r->arm) : 0.0;
  double err = fabs(best - r->best_mean) + (r->arm >= 0 ? fabs(chosen - r->chosen_mean) : 0);
  if (err > w->max_mean_err) w->max_mean_err = err;
  w->regret += best - chosen;
  for (int64_t a = 0; a < w->K; a++)
    if (!ss_bandit_mech_active(m, a)) w->dead[a] = 1;
}

typedef struct {
  ss_bandit_env env;
  double *yrep;
} setup;

/* K arms, d = 3, random theta and features; `inflate` multiplies the reports of the first
 * `ncheat` arms; `same` makes every arm identical. */
static void make(setup *s, int64_t K, int64_t T, int ncheat, double inflate, int same, uint64_t seed)
{
  ss_err e;
  ss_err_clear(&e);
  int d = 3;
  CU_ASSERT_FATAL(ss_bandit_env_alloc(&s->env, K, d, T, &e) == SS_OK);
  s->env.seed = seed;
  s->env.contexts = SS_BANDIT_CTX_SHARED;
  s->env.noise_sd = 0.5;
  const double theta[3] = {1.0, 0.8, 0.6};
  memcpy(s->env.theta, theta, sizeof theta);
  ss_bandit_random_features(seed, K, d, s->env.ytrue);
  if (same)
    for (int64_t a = 1; a < K; a++) memcpy(s->env.ytrue + a * d, s->env.ytrue, (size_t)d * sizeof(double));
  ss_bandit_env_prepare(&s->env);
  s->yrep = malloc((size_t)K * d * sizeof(double));
  for (int64_t i = 0; i < K * d; i++) s->yrep[i] = s->env.ytrue[i] * (i / d < ncheat ? inflate : 1.0);
}

static void unmake(setup *s)
{
  ss_bandit_env_free(&s->env);
  free(s->yrep);
}

typedef struct {
  double regret;
  int64_t none;
  int64_t *sel, *elim;
  double *curve;
  watcher w;
} result;

static void run_one(const char *mech, setup *s, int64_t warmup, uint64_t rseed, result *res)
{
  ss_err e;
  ss_err_clear(&e);
  ss_bandit_mech_params p;
  ss_bandit_mech_params_default(&p);
  p.warmup = warmup;
  ss_bandit_mech *m = NULL;
  CU_ASSERT_FATAL(ss_bandit_mech_create(mech, ss_unit_world(), &s->env, &p, &m, &e) == SS_OK);
  int64_t K = s->env.K, T = s->env.T;
  memset(res, 0, sizeof *res);
  res->sel = calloc((size_t)K, sizeof(int64_t));
  res->elim = calloc((size_t)K, sizeof(int64_t));
  res->curve = calloc((size_t)ss_bandit_curve_len(T, 7), sizeof(double));
  res->w.env = &s->env;
  res->w.K = K;
  res->w.dead = calloc((size_t)K, sizeof(int));
  res->w.first_scored_arm = -2;
  ss_bandit_rollout_opts o = {.rseed = rseed, .details = 1, .curve_stride = 7, .curve = res->curve,
                              .observe = watch, .observe_ctx = &res->w};
  ss_bandit_outcome out = {.selections = res->sel, .eliminated = res->elim};
  CU_ASSERT(ss_bandit_rollout(ss_unit_world(), &s->env, m, s->yrep, &o, &out, &e) == SS_OK);
  res->regret = out.regret;
  res->none = out.all_eliminated_rounds;
  ss_bandit_mech_destroy(&m);
}

static void free_result(result *r)
{
  free(r->sel);
  free(r->elim);
  free(r->curve);
  free(r->w.dead);
}

static void check_bookkeeping(setup *s, result *r)
{
  int64_t T = s->env.T, total = 0;
  CU_ASSERT_EQUAL(r->w.rounds, T);
  CU_ASSERT_EQUAL(r->w.inactive_played, 0);
  CU_ASSERT_EQUAL(r->w.none_rounds, r->none);
  for (int64_t a = 0; a < s->env.K; a++) total += r->sel[a];
  CU_ASSERT_EQUAL(total + r->none, T);
  CU_ASSERT(r->w.max_mean_err < 1e-12);
  CU_ASSERT(fabs(r->regret - r->w.regret) <= 1e-9 * (1 + fabs(r->w.regret)));
  CU_ASSERT(r->regret >= -1e-9);
  CU_ASSERT_EQUAL(r->curve[ss_bandit_curve_len(T, 7) - 1], r->regret); /* the curve ends at T */
  /* No arm is played after the round it was eliminated in. */
  for (int64_t a = 0; a < s->env.K; a++) CU_ASSERT(r->elim[a] == -1 || r->elim[a] >= 1);
}

static void test_bookkeeping_truthful(void)
{
  for (int i = 0; i < ss_bandit_mech_count(); i++) {
    setup s;
    make(&s, 5, 301, 0, 1.0, 0, 11);
    result r;
    run_one(ss_bandit_mech_name_at(i), &s, 10, 99, &r);
    check_bookkeeping(&s, &r);
    free_result(&r);
    unmake(&s);
  }
}

static void test_only_active_when_cheating(void)
{
  for (int i = 0; i < ss_bandit_mech_count(); i++) {
    setup s;
    make(&s, 6, 400, 3, 3.0, 0, 12);
    result r;
    run_one(ss_bandit_mech_name_at(i), &s, 10, 5, &r);
    check_bookkeeping(&s, &r);
    for (int64_t a = 0; a < s.env.K; a++)
      if (r.elim[a] >= 0) CU_ASSERT(r.w.dead[a]);
    free_result(&r);
    unmake(&s);
  }
}

static void test_deterministic(void)
{
  for (int i = 0; i < ss_bandit_mech_count(); i++) {
    setup s;
    make(&s, 4, 250, 1, 2.0, 0, 13);
    result a, b;
    run_one(ss_bandit_mech_name_at(i), &s, 10, 42, &a);
    run_one(ss_bandit_mech_name_at(i), &s, 10, 42, &b);
    CU_ASSERT(a.regret == b.regret);
    CU_ASSERT(!memcmp(a.sel, b.sel, (size_t)s.env.K * sizeof(int64_t)));
    CU_ASSERT(!memcmp(a.elim, b.elim, (size_t)s.env.K * sizeof(int64_t)));
    free_result(&a);
    free_result(&b);
    unmake(&s);
  }
}

static void test_ties_lowest_arm(void)
{
  /* Identical arms with identical reports: the first scored round is a tie of all arms. */
  for (int i = 0; i < ss_bandit_mech_count(); i++) {
    setup s;
    make(&s, 5, 20, 0, 1.0, 1, 14);
    result r;
    run_one(ss_bandit_mech_name_at(i), &s, 0, 1, &r);
    if (r.w.first_scored_arm > -2) CU_ASSERT_EQUAL(r.w.first_scored_arm, 0);
    check_bookkeeping(&s, &r);
    free_result(&r);
    unmake(&s);
  }
}

/* A test mechanism that eliminates every arm after round 50: the engine must then play
 * nothing, count the rounds, and charge the best mean (checked by the brute force). */
typedef struct { int64_t last; } grim_state;
static int grim_create(ss_bandit_mech *m, ss_err *e) { m->data = calloc(1, sizeof(grim_state)); return SS_OK; }
static void grim_destroy(ss_bandit_mech *m) { free(m->data); }
static void grim_reset(ss_bandit_mech *m) { ((grim_state *)m->data)->last = 0; }
static double grim_score(ss_bandit_mech *m, int64_t arm, const double *x) { return -(double)arm; }
static void grim_update(ss_bandit_mech *m, int64_t arm, const double *x, double r, int64_t t)
{
  ((grim_state *)m->data)->last = t;
}
static int grim_active(const ss_bandit_mech *m, int64_t arm) { return ((grim_state *)m->data)->last < 50; }
static int64_t grim_eliminated(const ss_bandit_mech *m, int64_t arm)
{
  return ((grim_state *)m->data)->last < 50 ? -1 : 50;
}
static const ss_bandit_mech_ops grim_ops = {.name = "grim_test", .create = grim_create,
    .destroy = grim_destroy, .reset = grim_reset, .score = grim_score, .update = grim_update,
    .active = grim_active, .eliminated = grim_eliminated};

static void test_engine_all_eliminated(void)
{
  setup s;
  make(&s, 4, 120, 0, 1.0, 0, 15);
  ss_err e;
  ss_err_clear(&e);
  ss_bandit_mech m = {.ops = &grim_ops, .K = 4, .T = 120, .d = 3, .lo = 0, .hi = 4, .rank = 0, .size = 1,
                      .theta_star = s.env.theta, .delta = 1.0 / 120, .beta = 1};
  grim_create(&m, &e);
  int64_t sel[4], elim[4];
  watcher w = {.env = &s.env, .K = 4, .dead = calloc(4, sizeof(int)), .first_scored_arm = -2};
  ss_bandit_rollout_opts o = {.rseed = 3, .details = 1, .observe = watch, .observe_ctx = &w};
  ss_bandit_outcome out = {.selections = sel, .eliminated = elim};
  CU_ASSERT(ss_bandit_rollout(ss_unit_world(), &s.env, &m, s.yrep, &o, &out, &e) == SS_OK);
  CU_ASSERT_EQUAL(out.all_eliminated_rounds, 70);
  CU_ASSERT_EQUAL(w.none_rounds, 70);
  CU_ASSERT_EQUAL(sel[0], 50); /* ties of score 0 ... and -arm: arm 0 wins */
  CU_ASSERT_EQUAL(w.rounds, 120);
  CU_ASSERT_EQUAL(w.inactive_played, 0);
  CU_ASSERT(fabs(out.regret - w.regret) <= 1e-9 * (1 + fabs(w.regret)));
  for (int a = 0; a < 4; a++) CU_ASSERT_EQUAL(elim[a], 50);
  grim_destroy(&m);
  free(w.dead);
  unmake(&s);
}

/* Every mechanism that eliminates must be able to eliminate every arm: a hand-made
 * sequence where both arms report truthfully, then inflate their reports more and more
 * (positive contexts, so the inflation shows in the claimed values; a one-off constant
 * inflation would be absorbed by a per-arm estimate, a growing one cannot be). OptGTM runs with a
 * fixed radius of 1: with the authors' radius (about 10 here) its lower bounds are so low
 * that this short sequence never triggers it (docs/bandit.md). */
static void test_mechanisms_eliminate_all(void)
{
  for (int i = 0; i < ss_bandit_mech_count(); i++) {
    const ss_bandit_mech_ops *ops = ss_bandit_mech_find(ss_bandit_mech_name_at(i));
    if (!ops->eliminated) continue;
    setup s;
    make(&s, 2, 4000, 0, 1.0, 0, 16);
    ss_err e;
    ss_err_clear(&e);
    ss_bandit_mech_params p;
    ss_bandit_mech_params_default(&p);
    p.radius = SS_BANDIT_RADIUS_FIXED;
    p.beta = 1.0;
    ss_bandit_mech *m = NULL;
    CU_ASSERT_FATAL(ss_bandit_mech_create(ops->name, ss_unit_world(), &s.env, &p, &m, &e) == SS_OK);
    ss_bandit_mech_reset(m, 1);
    for (int64_t t = 1; t <= 4000; t++) {
      int64_t a = t % 2;
      double base[3], xs[3], xr[3];
      ss_bandit_base(&s.env, t, a, base);
      for (int j = 0; j < 3; j++) {
        xs[j] = 0.6 + 0.4 * base[j]; /* in [0.2, 1] */
        xr[j] = xs[j] * (t > 400 ? 1.0 + (double)(t - 400) / 200.0 : 1.0);
      }
      double r = ss_bandit_dot(s.env.theta, xs, 3) + 0.5 * ss_rng_normal(1, SS_P_TEST, 0, (uint64_t)t);
      ops->update(m, a, xr, r, t);
    }
    CU_ASSERT(!ss_bandit_mech_active(m, 0));
    CU_ASSERT(!ss_bandit_mech_active(m, 1));
    CU_ASSERT(ss_bandit_mech_eliminated(m, 0) > 400);
    CU_ASSERT(ss_bandit_mech_eliminated(m, 1) > 400);
    ss_bandit_mech_destroy(&m);
    unmake(&s);
  }
}

SS_UNIT_SUITE(bandit_conformance)
{
  ss_unit_suite("bandit_conformance");
  ss_unit_test("bookkeeping over all T rounds, truthful arms", test_bookkeeping_truthful);
  ss_unit_test("only active arms are played when arms cheat", test_only_active_when_cheating);
  ss_unit_test("same inputs give the same bits", test_deterministic);
  ss_unit_test("ties go to the lowest arm", test_ties_lowest_arm);
  ss_unit_test("engine: every arm eliminated", test_engine_all_eliminated);
  ss_unit_test("eliminating mechanisms can eliminate every arm", test_mechanisms_eliminate_all);
}
