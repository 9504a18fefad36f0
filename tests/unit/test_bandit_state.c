/* The learners' saved states (the state ops of bandit_mech.h), for every mechanism in the
 * registry: a learner saved after some rounds and loaded into a fresh one (which first ran other
 * rounds, so that the load must overwrite everything) scores, plays and updates with the same
 * bits as the learner that never stopped, and both then save the same bytes. The rounds are
 * driven here, from the definition (forced arm, else the best score among active arms, ties to
 * the lowest), with cheating arms so that the eliminating mechanisms eliminate. A new
 * mechanism is covered by being registered. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/rng.h"
#include "unit.h"

enum { T_SAVE = 60, T_MORE = 1600 }; /* the round after which the state is saved */

typedef struct {
  ss_bandit_env env;
  double *yrep;
} world_t;

static void make(world_t *w, int64_t K, int64_t T, int contexts)
{
  ss_err e = {0};
  int d = 3;
  CU_ASSERT_FATAL(ss_bandit_env_alloc(&w->env, K, d, T, &e) == SS_OK);
  w->env.seed = 77;
  w->env.contexts = contexts;
  w->env.noise_sd = 0.5;
  const double theta[3] = {1.0, 0.8, 0.6};
  memcpy(w->env.theta, theta, sizeof theta);
  ss_bandit_random_features(w->env.seed, K, d, w->env.ytrue);
  for (int64_t i = 0; i < K * d; i++) w->env.ytrue[i] = 0.5 + 0.5 * fabs(w->env.ytrue[i]); /* positive means */
  ss_bandit_env_prepare(&w->env);
  w->yrep = malloc((size_t)K * d * sizeof(double));
  memcpy(w->yrep, w->env.ytrue, (size_t)K * d * sizeof(double));
}

/* The report of arm a in round t: base ⊙ y_a, positive base coordinates (in [0.2, 1]) and arms 0
 * and 1 inflating their reports more and more (a growing inflation, which a per-arm estimate
 * cannot absorb: OptGTM eliminates them). */
static void report(const world_t *w, int64_t t, int64_t a, double *base, double *x)
{
  ss_bandit_base(&w->env, t, a, base);
  for (int j = 0; j < w->env.d; j++) {
    base[j] = 0.6 + 0.4 * base[j];
    x[j] = base[j] * w->yrep[a * w->env.d + j] * (a < 2 ? 1.0 + (double)t / 50.0 : 1.0);
  }
}

/* Rounds t0..t1 of m: every active arm scored (the bits into log, K per round, -inf for an
 * inactive arm; log may be NULL), then the forced arm, or else arm t mod K if active (every arm
 * is updated often, so the inflating ones get eliminated), updated with its reward. */
static void play(ss_bandit_mech *m, const world_t *w, uint64_t rseed, int64_t t0, int64_t t1, double *log)
{
  const int64_t K = w->env.K;
  double base[8], x[8];
  for (int64_t t = t0; t <= t1; t++) {
    for (int64_t a = 0; a < K; a++) {
      double s = -INFINITY;
      if (ss_bandit_mech_active(m, a)) {
        report(w, t, a, base, x);
        s = m->ops->score(m, a, x);
      }
      if (log) log[(t - t0) * K + a] = s;
    }
    int64_t arm = m->ops->forced ? m->ops->forced(m, t) : -1;
    if (arm < 0) arm = ss_bandit_mech_active(m, t % K) ? t % K : -1;
    if (arm < 0) continue;
    report(w, t, arm, base, x);
    double r = ss_bandit_true_mean(&w->env, arm, base) +
               w->env.noise_sd * ss_rng_normal(rseed, SS_P_BANDIT_NOISE, (uint32_t)arm, (uint64_t)t);
    m->ops->update(m, arm, x, r, t);
  }
}

static ss_bandit_mech *fresh(const char *name, const world_t *w, int radius)
{
  ss_err e = {0};
  ss_bandit_mech_params p;
  ss_bandit_mech_params_default(&p);
  p.warmup = 5;
  p.refactor_every = 50; /* a refactorisation inside the continued rounds */
  p.radius = radius == 0 ? SS_BANDIT_RADIUS_AUTHORS : radius == 1 ? SS_BANDIT_RADIUS_ABBASI : SS_BANDIT_RADIUS_FIXED;
  p.beta = 0.5;
  ss_bandit_mech *m = NULL;
  CU_ASSERT_FATAL(ss_bandit_mech_create(name, ss_unit_world(), &w->env, &p, &m, &e) == SS_OK);
  return m;
}

static void round_trip(const char *name, int contexts, int radius)
{
  const int64_t K = 3, T1 = T_SAVE, T2 = T_MORE;
  world_t w;
  make(&w, K, T1 + T2, contexts);
  ss_err e = {0};
  ss_bandit_mech *a = fresh(name, &w, radius), *b = fresh(name, &w, radius);
  CU_ASSERT_FATAL(ss_bandit_mech_saves(a));
  ss_bandit_mech_reset(a, 11);
  play(a, &w, 11, 1, T1, NULL);
  char *st = NULL, *st2 = NULL;
  size_t len = 0, len2 = 0;
  CU_ASSERT_FATAL(ss_bandit_mech_save(ss_unit_world(), a, &st, &len, &e) == SS_OK);
  ss_bandit_mech_reset(b, 99); /* other rounds first: the load must overwrite them */
  play(b, &w, 99, 1, 90, NULL);
  ss_bandit_mech_reset(b, 11);
  CU_ASSERT_FATAL(ss_bandit_mech_load(b, st, len, &e) == SS_OK);
  CU_ASSERT(ss_bandit_mech_save(ss_unit_world(), b, &st2, &len2, &e) == SS_OK);
  CU_ASSERT(len2 == len && !memcmp(st, st2, len));
  free(st2);
  double *la = malloc((size_t)(K * T2) * sizeof(double)), *lb = malloc((size_t)(K * T2) * sizeof(double));
  play(a, &w, 11, T1 + 1, T1 + T2, la);
  play(b, &w, 11, T1 + 1, T1 + T2, lb);
  CU_ASSERT(!memcmp(la, lb, (size_t)(K * T2) * sizeof(double))); /* the same score bits */
  free(st);
  ss_bandit_mech_save(ss_unit_world(), a, &st, &len, &e);
  ss_bandit_mech_save(ss_unit_world(), b, &st2, &len2, &e);
  CU_ASSERT(len2 == len && !memcmp(st, st2, len));
  for (int64_t arm = 0; arm < K; arm++)
    CU_ASSERT_EQUAL(ss_bandit_mech_eliminated(a, arm), ss_bandit_mech_eliminated(b, arm));
  /* a state of another size is refused */
  CU_ASSERT(ss_bandit_mech_load(b, st, len - 1, &e) == SS_EINPUT);
  free(st);
  free(st2);
  free(la);
  free(lb);
  ss_bandit_mech_destroy(&a);
  ss_bandit_mech_destroy(&b);
  ss_bandit_env_free(&w.env);
  free(w.yrep);
}

static void test_round_trip(void)
{
  CU_ASSERT(ss_bandit_mech_count() >= 5);
  for (int i = 0; i < ss_bandit_mech_count(); i++) {
    for (int radius = 0; radius < 3; radius++) {
      round_trip(ss_bandit_mech_name_at(i), SS_BANDIT_CTX_SHARED, radius);
      round_trip(ss_bandit_mech_name_at(i), SS_BANDIT_CTX_IID, radius);
    }
  }
}

/* The eliminating mechanisms did eliminate in the rounds above (else the test proves less). */
static void test_eliminations_seen(void)
{
  const char *names[] = {"optgtm", "ggtm"};
  for (int i = 0; i < 2; i++) {
    world_t w;
    make(&w, 3, T_SAVE + T_MORE, SS_BANDIT_CTX_SHARED);
    ss_bandit_mech *m = fresh(names[i], &w, 2);
    ss_bandit_mech_reset(m, 11);
    play(m, &w, 11, 1, T_SAVE + T_MORE, NULL);
    int any = 0;
    for (int64_t a = 0; a < 3; a++) any |= ss_bandit_mech_eliminated(m, a) > T_SAVE;
    CU_ASSERT(any);
    ss_bandit_mech_destroy(&m);
    ss_bandit_env_free(&w.env);
    free(w.yrep);
  }
}

SS_UNIT_SUITE(bandit_state)
{
  ss_unit_suite("bandit_state");
  ss_unit_test("every mechanism: save, load into a fresh one, continue = never stopped", test_round_trip);
  ss_unit_test("eliminations happen after the save point", test_eliminations_seen);
}
