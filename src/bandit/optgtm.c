/* OptGTM, the Optimistic Grim Trigger Mechanism (MODELS 2.2): a ridge estimate per arm
 * from that arm's own reports, optimistic selection among active arms, and elimination
 * for good once the arm's summed lower confidence bounds exceed its summed rewards by
 * more than 2 sqrt(n log(1/delta)). Each rank keeps the state of the arms it owns. */
#include <math.h>
#include <stdlib.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"

#include "optgtm_impl.h"

static int create(ss_bandit_mech *m, ss_err *e)
{
  optgtm *s = ss_calloc(1, sizeof *s, e);
  if (!s) return e->code;
  m->data = s;
  s->narms = m->hi - m->lo;
  size_t n = (size_t)(s->narms > 0 ? s->narms : 1);
  /* the states, then their lane cache (score_all, d <= SS_RIDGE_LANES_MAX_D only) */
  size_t cache = m->d <= SS_RIDGE_LANES_MAX_D ? ss_ridge_lanes_ndoubles((int64_t)n, m->d) : 0;
  s->slab = ss_malloc((n * ss_ridge_ndoubles(m->d) + cache) * sizeof(double), e);
  s->ridge = ss_calloc(n, sizeof(ss_ridge), e);
  s->lcb_sum = ss_calloc(n, sizeof(double), e);
  s->reward_sum = ss_calloc(n, sizeof(double), e);
  s->radius = ss_calloc(n, sizeof(double), e);
  s->elim_round = ss_calloc(n, sizeof(int64_t), e);
  s->work = ss_malloc(ss_ridge_nwork(m->d) * sizeof(double), e);
  if (e->code) return e->code; /* destroy frees what was allocated */
  s->lanes = s->slab + (size_t)s->narms * ss_ridge_ndoubles(m->d);
  for (int64_t i = 0; i < s->narms; i++)
    ss_ridge_attach(&s->ridge[i], m->d, m->p.lambda, s->slab + (size_t)i * ss_ridge_ndoubles(m->d));
  return SS_OK;
}

static void destroy(ss_bandit_mech *m)
{
  optgtm *s = m->data;
  if (!s) return;
  free(s->slab);
  free(s->ridge);
  free(s->lcb_sum);
  free(s->reward_sum);
  free(s->radius);
  free(s->elim_round);
  free(s->work);
  free(s);
  m->data = NULL;
}

/* The lane cache of the owned arms' states (bandit_ridge.h), after their storage in the slab
 * (s->lanes, set at creation: this is read twice per round). */
static double *lanes(const ss_bandit_mech *m)
{
  const optgtm *s = m->data;
  return s->lanes;
}

static void reset(ss_bandit_mech *m)
{
  optgtm *s = m->data;
  s->log_inv_delta = log(1.0 / m->delta);
  for (int64_t i = 0; i < s->narms; i++) {
    ss_ridge_reset(&s->ridge[i]);
    s->lcb_sum[i] = s->reward_sum[i] = 0;
    s->radius[i] = ss_bandit_mech_radius(m, 0);
    s->elim_round[i] = -1;
  }
  if (m->d <= SS_RIDGE_LANES_MAX_D) ss_ridge_lanes_invalidate(lanes(m), s->narms, m->d);
}

static double score(ss_bandit_mech *m, int64_t arm, const double *x)
{
  optgtm *s = m->data;
  int64_t i = arm - m->lo;
  return ss_ridge_bound(&s->ridge[i], x, s->radius[i]);
}

static double score_report(ss_bandit_mech *m, int64_t arm, const double *base, const double *y,
                           double *x)
{
  optgtm *s = m->data;
  int64_t i = arm - m->lo;
  return ss_ridge_bound_report(&s->ridge[i], base, y, s->radius[i], x);
}

/* Every owned arm at once, four per vector; the engine calls it for d <= SS_RIDGE_LANES_MAX_D only. */
static void score_all(ss_bandit_mech *m, const double *base, const double *yl, double *scores)
{
  optgtm *s = m->data;
  ss_ridge_lanes_bounds(lanes(m), s->ridge, s->radius, s->narms, base, yl, scores);
}

static void update(ss_bandit_mech *m, int64_t arm, const double *x, double reward, int64_t t)
{
  if (!ss_bandit_mech_owns(m, arm)) return;
  optgtm *s = m->data;
  int64_t i = arm - m->lo;
  ss_ridge *r = &s->ridge[i];
  /* The lower bound uses the estimate after this round's update (MODELS 2.2), and the radius
   * at the updated count r->n + 1. */
  double radius = ss_bandit_mech_radius(m, r->n + 1);
  s->radius[i] = radius;
  s->lcb_sum[i] += ss_ridge_update_bound(r, x, reward, m->p.refactor_every, s->work, -radius);
  s->reward_sum[i] += reward;
  if (m->d <= SS_RIDGE_LANES_MAX_D) ss_ridge_lanes_set(lanes(m), i, r, radius);
  /* lcb_sum <= reward_sum cannot exceed reward_sum + 2 sqrt(.) >= reward_sum: no sqrt then */
  if (s->elim_round[i] < 0 && s->lcb_sum[i] > s->reward_sum[i] &&
      s->lcb_sum[i] > s->reward_sum[i] + 2.0 * sqrt((double)r->n * s->log_inv_delta))
    s->elim_round[i] = t;
}

static void theta_error(const ss_bandit_mech *m, const double *theta, ss_xsum *werr, ss_xsum *w)
{
  const optgtm *s = m->data;
  for (int64_t i = 0; i < s->narms; i++) {
    const ss_ridge *r = &s->ridge[i];
    if (!r->n) continue;
    double sq = 0;
    for (int j = 0; j < m->d; j++) sq += (r->theta[j] - theta[j]) * (r->theta[j] - theta[j]);
    ss_xsum_add(werr, (double)r->n * sqrt(sq));
    ss_xsum_add(w, (double)r->n);
  }
}

const ss_bandit_mech_ops ss_bandit_optgtm_ops = {
    .name = "optgtm",
    .summary = "Optimistic Grim Trigger Mechanism: per-arm ridge estimates, UCB selection, elimination",
    .estimates = 1,
    .create = create,
    .destroy = destroy,
    .reset = reset,
    .forced = NULL,
    .score = score,
    .score_report = score_report,
    .score_all = score_all,
    .update = update,
    .active = ss_bandit_elim_active,
    .eliminated = ss_bandit_elim_round,
    .theta_error = theta_error,
    .state_bytes = ss_bandit_optgtm_state_bytes,
    .save = ss_bandit_optgtm_save,
    .load = ss_bandit_optgtm_load,
};
