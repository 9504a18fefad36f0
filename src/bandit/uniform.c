/* Uniform play, the reference with no learning: each round one arm drawn uniformly at
 * random from the rollout's keyed stream (the same draw on every rank). The draws are made a
 * block of rounds at a time (ss_rng_below_fill: the values of ss_rng_below round by round, each
 * Philox block serving two rounds) and kept until a round outside the block is asked for. */
#include <stdlib.h>
#include "stratsim/bandit_context.h"
#include "stratsim/bandit_mech.h"
#include "stratsim/rng.h"

typedef struct {
  int64_t t0, n;                          /* rounds t0 .. t0 + n - 1 drawn (n = 0: none) */
  uint64_t arm[SS_BANDIT_BLOCK_ROUNDS];
} draws;

static int create(ss_bandit_mech *m, ss_err *e)
{
  m->data = ss_calloc(1, sizeof(draws), e);
  return m->data ? SS_OK : e->code;
}

static void destroy(ss_bandit_mech *m)
{
  free(m->data);
  m->data = NULL;
}

/* A new rollout (a new rseed): nothing drawn yet. */
static void reset(ss_bandit_mech *m) { ((draws *)m->data)->n = 0; }

static int64_t forced(ss_bandit_mech *m, int64_t t)
{
  draws *s = m->data;
  if (t < s->t0 || t >= s->t0 + s->n) {
    s->t0 = t;
    s->n = SS_BANDIT_BLOCK_ROUNDS;
    ss_rng_below_fill(m->rseed, SS_P_BANDIT_UNIFORM, 0, (uint64_t)t, (uint64_t)s->n, (uint64_t)m->K, s->arm);
  }
  return (int64_t)s->arm[t - s->t0];
}

static double score(ss_bandit_mech *m, int64_t arm, const double *x) { return 0.0; }

static void update(ss_bandit_mech *m, int64_t arm, const double *x, double r, int64_t t) {}

static double state_doubles(double owned, double d) { return 0; }

const ss_bandit_mech_ops ss_bandit_uniform_ops = {
    .name = "uniform",
    .summary = "uniform random play (reference)",
    .estimates = 0,
    .ignores_reward = 1,
    .create = create,
    .destroy = destroy,
    .reset = reset,
    .forced = forced,
    .score = score,
    .update = update,
    .state_doubles = state_doubles,
    .state_bytes = ss_bandit_state_none_bytes,
    .save = ss_bandit_state_none_save,
    .load = ss_bandit_state_none_load,
};
