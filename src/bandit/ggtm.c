/* GGTM, the Greedy Grim Trigger Mechanism (MODELS 2.2): theta* is known, so the mechanism
 * plays the active arm with the highest reported value <theta*, x> and eliminates an arm
 * once its claimed values exceed its rewards by more than 2 sqrt(n log(1/delta)). */
#include <math.h>
#include <stdlib.h>
#include "stratsim/bandit_mech.h"

#include "ggtm_impl.h"

static void destroy(ss_bandit_mech *m)
{
  ggtm *s = m->data;
  if (!s) return;
  free(s->claimed_sum);
  free(s->reward_sum);
  free(s->n);
  free(s->elim_round);
  free(s);
  m->data = NULL;
}

static int create(ss_bandit_mech *m, ss_err *e)
{
  ggtm *s = ss_calloc(1, sizeof *s, e);
  if (!s) return e->code;
  m->data = s;
  s->narms = m->hi - m->lo;
  size_t n = (size_t)(s->narms > 0 ? s->narms : 1);
  s->claimed_sum = ss_calloc(n, sizeof(double), e);
  s->reward_sum = ss_calloc(n, sizeof(double), e);
  s->n = ss_calloc(n, sizeof(int64_t), e);
  s->elim_round = ss_calloc(n, sizeof(int64_t), e);
  return e->code;
}

static void reset(ss_bandit_mech *m)
{
  ggtm *s = m->data;
  s->log_inv_delta = log(1.0 / m->delta);
  for (int64_t i = 0; i < s->narms; i++) {
    s->claimed_sum[i] = s->reward_sum[i] = 0;
    s->n[i] = 0;
    s->elim_round[i] = -1;
  }
}

static double score(ss_bandit_mech *m, int64_t arm, const double *x)
{
  return ss_bandit_dot(m->theta_star, x, m->d);
}

static void update(ss_bandit_mech *m, int64_t arm, const double *x, double reward, int64_t t)
{
  if (!ss_bandit_mech_owns(m, arm)) return;
  ggtm *s = m->data;
  int64_t i = arm - m->lo;
  s->claimed_sum[i] += ss_bandit_dot(m->theta_star, x, m->d);
  s->reward_sum[i] += reward;
  s->n[i]++;
  if (s->elim_round[i] < 0 &&
      s->claimed_sum[i] > s->reward_sum[i] + 2.0 * sqrt((double)s->n[i] * s->log_inv_delta))
    s->elim_round[i] = t;
}

static double state_doubles(double owned, double d) { return 4 * owned; }

const ss_bandit_mech_ops ss_bandit_ggtm_ops = {
    .name = "ggtm",
    .summary = "Greedy Grim Trigger Mechanism: theta* known, greedy on reports, elimination",
    .estimates = 0,
    .create = create,
    .destroy = destroy,
    .reset = reset,
    .score = score,
    .update = update,
    .active = ss_bandit_elim_active,
    .eliminated = ss_bandit_elim_round,
    .state_doubles = state_doubles,
    .state_bytes = ss_bandit_ggtm_state_bytes,
    .save = ss_bandit_ggtm_save,
    .load = ss_bandit_ggtm_load,
};
