/* LinUCB (MODELS 2.2), incentive-unaware: one pooled ridge estimate from every played
 * report, optimistic selection, uniform warm-up rounds. The pooled state is replicated on
 * every rank and updated identically from the played report (which every rank can
 * regenerate): an O(d^2) update per round is cheaper than a broadcast per round and
 * needs no communication at all. LinGreedy (lingreedy.c) is the same with radius 0. */
#include <math.h>
#include <stdlib.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"
#include "stratsim/rng.h"

#include "pooled_impl.h"

void ss_bandit_pooled_destroy(ss_bandit_mech *m)
{
  pooled *s = m->data;
  if (!s) return;
  free(s->mem);
  free(s->work);
  free(s);
  m->data = NULL;
}

double ss_bandit_pooled_doubles(double owned, double d) { return (d * (d + 1) + 2 * d) + (2 * d * d + 2 * d); }

int ss_bandit_pooled_create(ss_bandit_mech *m, int optimistic, ss_err *e)
{
  pooled *s = ss_calloc(1, sizeof *s, e);
  if (!s) return e->code;
  m->data = s;
  s->optimistic = optimistic;
  s->mem = ss_malloc(ss_ridge_ndoubles(m->d) * sizeof(double), e);
  s->work = ss_malloc(ss_ridge_nwork(m->d) * sizeof(double), e);
  if (e->code) return e->code;
  ss_ridge_attach(&s->ridge, m->d, m->p.lambda, s->mem);
  return SS_OK;
}

static int create(ss_bandit_mech *m, ss_err *e) { return ss_bandit_pooled_create(m, 1, e); }

void ss_bandit_pooled_reset(ss_bandit_mech *m)
{
  pooled *s = m->data;
  ss_ridge_reset(&s->ridge);
  s->radius = ss_bandit_mech_radius(m, 0);
}

int64_t ss_bandit_pooled_forced(ss_bandit_mech *m, int64_t t)
{
  if (t > m->p.warmup) return -1;
  return (int64_t)ss_rng_below(m->rseed, SS_P_BANDIT_WARMUP, 0, (uint64_t)t, (uint64_t)m->K);
}

double ss_bandit_pooled_score(ss_bandit_mech *m, int64_t arm, const double *x)
{
  pooled *s = m->data;
  return s->optimistic ? ss_ridge_bound(&s->ridge, x, s->radius) : ss_ridge_mean(&s->ridge, x);
}

/* LinUCB only (LinGreedy scores without the quadratic form). */
static double score_report(ss_bandit_mech *m, int64_t arm, const double *base, const double *y,
                           double *x)
{
  pooled *s = m->data;
  return ss_ridge_bound_report(&s->ridge, base, y, s->radius, x);
}

/* Every owned arm at once against the pooled estimate, four per vector (d <= SS_RIDGE_LANES_MAX_D). */
static void score_all(ss_bandit_mech *m, const double *base, const double *yl, double *scores)
{
  pooled *s = m->data;
  ss_ridge_pooled_bounds(&s->ridge, s->radius, m->hi - m->lo, base, yl, scores);
}

void ss_bandit_pooled_update(ss_bandit_mech *m, int64_t arm, const double *x, double r, int64_t t)
{
  pooled *s = m->data;
  ss_ridge_update(&s->ridge, x, r, m->p.refactor_every, s->work);
  if (s->optimistic) s->radius = ss_bandit_mech_radius(m, s->ridge.n);
}

void ss_bandit_pooled_theta_error(const ss_bandit_mech *m, const double *theta, ss_xsum *werr,
                                  ss_xsum *w)
{
  const pooled *s = m->data;
  if (m->rank != 0) return; /* replicated: count it once */
  double sq = 0;
  for (int j = 0; j < m->d; j++) sq += (s->ridge.theta[j] - theta[j]) * (s->ridge.theta[j] - theta[j]);
  ss_xsum_add(werr, sqrt(sq));
  ss_xsum_add(w, 1.0);
}

const ss_bandit_mech_ops ss_bandit_linucb_ops = {
    .name = "linucb",
    .summary = "LinUCB on one pooled estimate (incentive-unaware), uniform warm-up",
    .create = create,
    .score_report = score_report,
    .score_all = score_all,
    SS_BANDIT_POOLED_OPS,
};
