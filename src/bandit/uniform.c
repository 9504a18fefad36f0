/* Uniform play, the reference with no learning: each round one arm drawn uniformly at
 * random from the rollout's keyed stream (the same draw on every rank). */
#include "stratsim/bandit_mech.h"
#include "stratsim/rng.h"

static int64_t forced(ss_bandit_mech *m, int64_t t)
{
  return (int64_t)ss_rng_below(m->rseed, SS_P_BANDIT_UNIFORM, 0, (uint64_t)t, (uint64_t)m->K);
}

static double score(ss_bandit_mech *m, int64_t arm, const double *x) { return 0.0; }

static void update(ss_bandit_mech *m, int64_t arm, const double *x, double r, int64_t t) {}

static double state_doubles(double owned, double d) { return 0; }

const ss_bandit_mech_ops ss_bandit_uniform_ops = {
    .name = "uniform",
    .summary = "uniform random play (reference)",
    .estimates = 0,
    .ignores_reward = 1,
    .forced = forced,
    .score = score,
    .update = update,
    .state_doubles = state_doubles,
    .state_bytes = ss_bandit_state_none_bytes,
    .save = ss_bandit_state_none_save,
    .load = ss_bandit_state_none_load,
};
