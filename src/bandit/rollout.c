/* One rollout: T rounds of a mechanism against fixed reports. Each rank scores the active
 * arms it owns; one fused collective (ss_bandit_select) finds the best score (ties to the
 * lowest arm) and the best true mean; then every rank regenerates the played arm's
 * contexts, so reward, update and regret are computed identically everywhere. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_coll.h"
#include "stratsim/bandit_mech.h"
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

int ss_bandit_rollout(ss_comm *c, const ss_bandit_env *env, ss_bandit_mech *m, const double *yrep,
                      const ss_bandit_rollout_opts *o, ss_bandit_outcome *out, ss_err *e)
{
  const int d = env->d;
  const int64_t T = env->T, lo = m->lo, hi = m->hi;
  const int shared = env->contexts == SS_BANDIT_CTX_SHARED;
  const ss_bandit_mech_ops *ops = m->ops;
  size_t nsq = o->details ? (shared ? (size_t)d : (size_t)(hi - lo) * (size_t)d) : 0;
  double *base = ss_malloc(2 * (size_t)d * sizeof(double), e);
  double *sq_base = ss_calloc(nsq ? nsq : 1, sizeof(double), e);
  int rc = ss_comm_agree(c, e);
  if (rc) {
    free(base);
    free(sq_base);
    return rc;
  }
  double *x = base + d;

  ss_bandit_mech_reset(m, o->rseed);
  memset(out->selections, 0, (size_t)env->K * sizeof(int64_t));
  double regret = 0;
  int64_t all_eliminated = 0, ncurve = 0;
  ss_bandit_round round = {0};

  for (int64_t t = 1; t <= T; t++) {
    if (shared) ss_bandit_base(env, t, 0, base);
    int64_t forced = ops->forced ? ops->forced(m, t) : -1;
    double best = -INFINITY, max_mean = -INFINITY;
    int64_t best_arm = -1;
    for (int64_t a = lo; a < hi; a++) {
      if (!shared) {
        ss_bandit_base(env, t, a, base);
        if (o->details) {
          double *sq = sq_base + (a - lo) * d;
          for (int j = 0; j < d; j++) sq[j] += base[j] * base[j];
        }
      }
      double mean = ss_bandit_true_mean(env, a, base);
      if (mean > max_mean) max_mean = mean;
      if (forced >= 0 || !ss_bandit_mech_active(m, a)) continue;
      const double *ya = yrep + a * d;
      for (int j = 0; j < d; j++) x[j] = base[j] * ya[j];
      double s = ops->score(m, a, x);
      if (best_arm < 0 || s > best) {
        best = s;
        best_arm = a;
      }
    }
    double best_score, best_mean;
    int64_t arm = ss_bandit_select(c, best, best_arm, max_mean, &best_score, &best_mean);
    if (forced >= 0) arm = forced;
    round.t = t;
    round.arm = arm;
    round.forced = forced >= 0;
    round.best_mean = best_mean;
    if (arm >= 0) {
      if (!shared) ss_bandit_base(env, t, arm, base);
      double mean = ss_bandit_true_mean(env, arm, base);
      double reward = mean + env->noise_sd * ss_rng_normal(o->rseed, SS_P_BANDIT_NOISE, (uint32_t)arm, (uint64_t)t);
      const double *ya = yrep + arm * d;
      for (int j = 0; j < d; j++) x[j] = base[j] * ya[j];
      ops->update(m, arm, x, reward, t);
      out->selections[arm]++;
      regret += best_mean - mean;
      round.chosen_mean = mean;
      round.reward = reward;
    } else {
      /* Every arm eliminated: no arm is played and the round costs the best mean. */
      regret += best_mean;
      all_eliminated++;
      round.chosen_mean = 0;
      round.reward = 0;
    }
    if (shared && o->details) {
      for (int j = 0; j < d; j++) sq_base[j] += base[j] * base[j];
    }
    if (o->curve && o->curve_stride > 0 && (t % o->curve_stride == 0 || t == T))
      o->curve[ncurve++] = regret;
    if (o->observe) o->observe(o->observe_ctx, &round, m);
    if (o->progress && (t & 0xffff) == 0) o->progress(o->progress_ctx, (double)t / (double)T);
  }

  out->regret = regret;
  out->all_eliminated_rounds = all_eliminated;
  out->manipulation = NAN;
  out->theta_error = NAN;
  if (o->details) {
    if (out->eliminated) {
      for (int64_t a = 0; a < env->K; a++)
        out->eliminated[a] = ss_bandit_mech_owns(m, a) ? ss_bandit_mech_eliminated(m, a) : -1;
      ss_comm_max_i64(c, out->eliminated, (int)env->K);
    }
    out->manipulation = manipulation(c, env, m, yrep, sq_base);
    if (ops->theta_error) {
      ss_xsum acc[2];
      ss_xsum_init(&acc[0]);
      ss_xsum_init(&acc[1]);
      ops->theta_error(m, env->theta, &acc[0], &acc[1]);
      ss_comm_sum_xsum(c, acc, 2);
      double w = ss_xsum_value(&acc[1]);
      out->theta_error = w > 0 ? ss_xsum_value(&acc[0]) / w : NAN;
    }
  }
  free(base);
  free(sq_base);
  return SS_OK;
}
