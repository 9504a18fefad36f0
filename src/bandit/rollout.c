/* Rollouts: T rounds of a mechanism against fixed reports. Each rank scores the active
 * arms it owns; one fused collective (ss_comm_argmax_max) finds the best score (ties to the
 * lowest arm) and the best true mean; then every rank regenerates the played arm's
 * contexts, so reward, update and regret are computed identically everywhere.
 * Several independent rollouts of one seed (a batch) advance together in blocks of rounds
 * and share one block of user contexts (bandit_context.h); each rollout's rounds still run
 * in order with its own state, so a rollout gives the same bits alone or in any batch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/argmax_max.h"
#include "stratsim/bandit_context.h"
#include "stratsim/interrupt.h"
#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"
#include "stratsim/rng.h"

int64_t ss_bandit_curve_len(int64_t T, int64_t stride)
{
  return stride > 0 ? (T + stride - 1) / stride : 0;
}

int64_t ss_bandit_curve_round(int64_t T, int64_t stride, int64_t k)
{
  int64_t t = (k + 1) * stride;
  return t < T ? t : T;
}

uint64_t ss_bandit_rollout_seed(uint64_t seed, int64_t epoch, int64_t rollout)
{
  /* A keyed draw of its own (entity 0xffffffff is never an arm) mixes seed, epoch and
   * rollout into one 64-bit key. */
  uint32_t w[4];
  uint64_t key = ((uint64_t)epoch << 40) ^ (uint64_t)rollout;
  ss_rng_block(seed, SS_P_BANDIT_NOISE, 0xffffffffu, key, w);
  return ((uint64_t)w[0] << 32) | w[1];
}

/* ||X* - X||_F^2 over all (t, a): with shared contexts it factors as
 * sum_j (sum_t c_tj^2) (sum_a (y_aj - ỹ_aj)^2); with i.i.d. contexts every owned arm keeps
 * sum_t z_taj^2 and the terms are summed exactly across ranks. */
static double manipulation(ss_comm *c, const ss_bandit_env *env, const ss_bandit_mech *m,
                           const double *yrep, const double *sq_base)
{
  int d = env->d;
  if (env->contexts == SS_BANDIT_CTX_SHARED) {
    double total = 0;
    for (int j = 0; j < d; j++) {
      double dev = 0;
      for (int64_t a = 0; a < env->K; a++) {
        double g = env->ytrue[a * d + j] - yrep[a * d + j];
        dev += g * g;
      }
      total += sq_base[j] * dev;
    }
    return sqrt(total);
  }
  ss_xsum acc;
  ss_xsum_init(&acc);
  for (int64_t a = m->lo; a < m->hi; a++) {
    double term = 0;
    for (int j = 0; j < d; j++) {
      double g = env->ytrue[a * d + j] - yrep[a * d + j];
      term += sq_base[(a - m->lo) * d + j] * g * g;
    }
    ss_xsum_add(&acc, term);
  }
  ss_comm_sum_xsum(c, &acc, 1);
  return sqrt(ss_xsum_value(&acc));
}

#include "rollout_lane.h"

/* The index of arm a for the report base ⊙ ya (x: scratch of d doubles). */
static inline double score_arm(ss_bandit_mech *m, int64_t a, const double *base, const double *ya,
                               double *x)
{
  if (m->ops->score_report) return m->ops->score_report(m, a, base, ya, x);
  for (int j = 0; j < m->d; j++) x[j] = base[j] * ya[j];
  return m->ops->score(m, a, x);
}

/* x = base ⊙ ya, with a literal d for d <= 8 (the same products). */
static inline void report(double *x, const double *base, const double *ya, int d)
{
#define REPORT(n)                                                                               \
  for (int j = 0; j < (n); j++) x[j] = base[j] * ya[j];                                         \
  break
  switch (d) {
  case 1: REPORT(1);
  case 2: REPORT(2);
  case 3: REPORT(3);
  case 4: REPORT(4);
  case 5: REPORT(5);
  case 6: REPORT(6);
  case 7: REPORT(7);
  case 8: REPORT(8);
  default: REPORT(d);
  }
#undef REPORT
}

/* Round t of one rollout. With shared contexts `shared_base` is c_t and `shared_max` the
 * best true mean over this rank's arms (from the context block); with i.i.d. contexts
 * both are regenerated here, arm by arm. z is the round's standard normal (if l->noise).
 * work holds 2 d + (hi - lo) doubles. */
static int play_round(ss_comm *c, const ss_bandit_env *env, lane *l, int64_t t,
                      const double *shared_base, double shared_max, double z, double *work, ss_err *e)
{
  ss_bandit_mech *m = l->m;
  const ss_bandit_mech_ops *ops = m->ops;
  const ss_bandit_rollout_opts *o = l->o;
  const int d = env->d;
  const int64_t T = env->T, lo = m->lo, hi = m->hi;
  double *x = work + d;
  const double *base = shared_base ? shared_base : work;

  int64_t forced = ops->forced ? ops->forced(m, t) : -1;
  double best = -INFINITY, max_mean = shared_base ? shared_max : -INFINITY;
  int64_t best_arm = -1;
  if (shared_base && forced < 0) {
    double *scores = work + 2 * d;
    if (l->yl) ops->score_all(m, base, l->yl, scores);
    for (int64_t a = lo; a < hi; a++) {
      if (!ss_bandit_mech_active(m, a)) continue;
      double s = l->yl ? scores[a - lo] : score_arm(m, a, base, l->yrep + a * d, x);
      if (best_arm < 0 || s > best) {
        best = s;
        best_arm = a;
      }
    }
  } else if (!shared_base) {
    for (int64_t a = lo; a < hi; a++) {
      ss_bandit_base(env, t, a, work);
      if (o->details) {
        double *sq = l->sq_base + (a - lo) * d;
        for (int j = 0; j < d; j++) sq[j] += work[j] * work[j];
      }
      double mean = ss_bandit_true_mean(env, a, work);
      if (mean > max_mean) max_mean = mean;
      if (forced >= 0 || !ss_bandit_mech_active(m, a)) continue;
      double s = score_arm(m, a, work, l->yrep + a * d, x);
      if (best_arm < 0 || s > best) {
        best = s;
        best_arm = a;
      }
    }
  }
  double best_mean = max_mean;
  int64_t arm = best_arm;
  if (m->size > 1) { /* alone, this rank's best is the best */
    double best_score;
    arm = ss_comm_argmax_max(c, best, best_arm, max_mean, &best_score, &best_mean, e);
    if (e->code) return e->code; /* another rank's pending error, agreed on */
  }
  if (forced >= 0) arm = forced;
  double chosen_mean = 0, reward = 0;
  if (arm >= 0) {
    if (!shared_base) ss_bandit_base(env, t, arm, work);
    double mean = ss_bandit_true_mean(env, arm, base);
    reward = mean;
    if (l->noise) reward += env->noise_sd * z;
    report(x, base, l->yrep + arm * d, d);
    ops->update(m, arm, x, reward, t);
    l->out->selections[arm]++;
    l->regret += best_mean - mean;
    chosen_mean = mean;
  } else {
    /* Every arm eliminated: no arm is played and the round costs the best mean. */
    l->regret += best_mean;
    l->all_eliminated++;
  }
  if (shared_base && o->details)
    for (int j = 0; j < d; j++) l->sq_base[j] += base[j] * base[j];
  if (o->curve && o->curve_stride > 0 && (t % o->curve_stride == 0 || t == T))
    o->curve[l->ncurve++] = l->regret;
  if (o->observe) {
    ss_bandit_round round = {.t = t, .arm = arm, .forced = forced >= 0, .best_mean = best_mean,
                             .chosen_mean = chosen_mean, .reward = reward};
    o->observe(o->observe_ctx, &round, m);
  }
  if (o->progress && (t & 0xffff) == 0) o->progress(o->progress_ctx, (double)t / (double)T);
  return SS_OK;
}

/* Eliminations, manipulation and theta error at the end of a rollout (details only). */
static void finish_details(ss_comm *c, const ss_bandit_env *env, lane *l)
{
  ss_bandit_mech *m = l->m;
  ss_bandit_outcome *out = l->out;
  if (out->eliminated) {
    for (int64_t a = 0; a < env->K; a++)
      out->eliminated[a] = ss_bandit_mech_owns(m, a) ? ss_bandit_mech_eliminated(m, a) : -1;
    ss_comm_max_i64(c, out->eliminated, (int)env->K);
  }
  out->manipulation = manipulation(c, env, m, l->yrep, l->sq_base);
  if (m->ops->theta_error) {
    ss_xsum acc[2];
    ss_xsum_init(&acc[0]);
    ss_xsum_init(&acc[1]);
    m->ops->theta_error(m, env->theta, &acc[0], &acc[1]);
    ss_comm_sum_xsum(c, acc, 2);
    double w = ss_xsum_value(&acc[1]);
    out->theta_error = w > 0 ? ss_xsum_value(&acc[0]) / w : NAN;
  }
}

int ss_bandit_rollouts(ss_comm *c, const ss_bandit_env *env, int n, ss_bandit_mech *const *m,
                       const double *const *yrep, const ss_bandit_rollout_opts *o,
                       ss_bandit_outcome *out, ss_err *e)
{
  const int d = env->d;
  const int64_t T = env->T;
  const int shared = env->contexts == SS_BANDIT_CTX_SHARED;
  const int64_t lo = n > 0 ? m[0]->lo : 0, hi = n > 0 ? m[0]->hi : 0;
  ss_bandit_context_block block = {0};
  lane *lanes = ss_calloc((size_t)(n > 0 ? n : 1), sizeof(lane), e);
  double *work = ss_malloc((2 * (size_t)d + (size_t)(hi - lo)) * sizeof(double), e);
  if (!e->code && shared) ss_bandit_context_block_init(&block, env, lo, hi, e);
  for (int k = 0; k < n && !e->code; k++) {
    size_t nsq = o[k].details ? (shared ? (size_t)d : (size_t)(hi - lo) * (size_t)d) : 0;
    lanes[k] = (lane){.m = m[k], .yrep = yrep[k], .o = &o[k], .out = &out[k]};
    lanes[k].sq_base = ss_calloc(nsq ? nsq : 1, sizeof(double), e);
    /* The noise costs a Philox block, a log, a sine and a cosine per two rounds: not drawn
     * when nobody reads it (uniform play). */
    if (!m[k]->ops->ignores_reward || o[k].observe)
      lanes[k].noise = ss_malloc(SS_BANDIT_BLOCK_ROUNDS * sizeof(double), e);
    /* Scoring every arm at once needs the reports transposed, once per rollout. */
    if (shared && m[k]->ops->score_all && d <= SS_RIDGE_LANES_MAX_D) {
      lanes[k].yl = ss_malloc(ss_ridge_lanes_ny(hi - lo, d) * sizeof(double), e);
      if (lanes[k].yl) ss_ridge_lanes_reports(hi - lo, d, yrep[k] + lo * d, lanes[k].yl);
    }
  }
  for (int k = 0; !e->code && k < n; k++) {
    ss_bandit_mech_reset(m[k], o[k].rseed);
    memset(out[k].selections, 0, (size_t)env->K * sizeof(int64_t));
  }
  ss_bandit_rollout_ckpt *ck = n > 0 ? o[0].ckpt : NULL;
  int64_t start = 1; /* the first round to play (a resumed batch: after its saved round) */
  /* with ck: the saved state loaded, and every rank of ck->task agrees on the setup */
  int rc = ck ? ss_bandit_lanes_begin(c, env, ck, lanes, n, &start, e) : e->code;
  if (rc && !ck && n > 0 && T > 0 && m[0]->size > 1) {
    /* a local failure above: the first round's selection (every other rank's first
     * collective here) carries it to every rank */
    double bs, bm;
    ss_comm_argmax_max(c, -INFINITY, -1, -INFINITY, &bs, &bm, e);
    rc = e->code; /* the agreed error */
  } else if (!rc) {
    /* Rounds in blocks; within a block, every rollout in turn. A safe point after each block
     * (collective over c, or ck->task): without ck a stopped rollout restarts its epoch; with
     * it the batch's state is saved there (rollout_state.c, interrupt.h). */
    ss_safepoint sp;
    ss_safepoint_init(&sp);
    for (int64_t t0 = start; n > 0 && t0 <= T && !rc; t0 += SS_BANDIT_BLOCK_ROUNDS) {
      int64_t t1 = t0 + SS_BANDIT_BLOCK_ROUNDS - 1 < T ? t0 + SS_BANDIT_BLOCK_ROUNDS - 1 : T;
      if (shared) ss_bandit_context_block_fill(&block, t0);
      for (int k = 0; k < n; k++) {
        const double *z = lanes[k].noise;
        if (z) ss_bandit_noise_fill(o[k].rseed, t0, t1 - t0 + 1, lanes[k].noise);
        for (int64_t t = t0; t <= t1 && !rc; t++) {
          const double *base = shared ? block.base + (t - t0) * d : NULL;
          rc = play_round(c, env, &lanes[k], t, base, shared ? block.max_mean[t - t0] : 0.0,
                          z ? z[t - t0] : 0.0, work, e);
        }
      }
      if (!rc && t1 < T)
        rc = ck ? ss_bandit_lanes_point(c, env, ck, lanes, n, &sp, t1, e) : ss_safepoint_check(&sp, c, "bandit round", t1, T, e);
    }
    for (int k = 0; !rc && k < n; k++) {
      out[k].regret = lanes[k].regret;
      out[k].all_eliminated_rounds = lanes[k].all_eliminated;
      out[k].manipulation = NAN;
      out[k].theta_error = NAN;
      if (o[k].details) finish_details(c, env, &lanes[k]);
    }
  }
  for (int k = 0; lanes && k < n; k++) {
    free(lanes[k].sq_base);
    free(lanes[k].noise);
    free(lanes[k].yl);
  }
  free(lanes);
  free(work);
  if (shared) ss_bandit_context_block_free(&block);
  return rc;
}

int ss_bandit_rollout(ss_comm *c, const ss_bandit_env *env, ss_bandit_mech *m, const double *yrep,
                      const ss_bandit_rollout_opts *o, ss_bandit_outcome *out, ss_err *e)
{
  return ss_bandit_rollouts(c, env, 1, &m, &yrep, o, out, e);
}
