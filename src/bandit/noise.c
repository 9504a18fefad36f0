/* The reward noise of a rollout (include/stratsim/bandit.h): standard normals keyed by
 * (rseed, SS_P_BANDIT_NOISE, entity 0, round). rseed already mixes the seed, the epoch and
 * the rollout (ss_bandit_rollout_seed), so entity 0 is the rollout's own stream; the played
 * arm is not part of the key, so rounds 2k and 2k + 1 share one Philox block whichever arms
 * they play, and the normals come from the ziggurat (ss_rng_normal_zig), which needs no log,
 * sqrt or sine for about 98.8 % of them. The engine fills a block of rounds at once. */
#include "stratsim/bandit.h"
#include "stratsim/rng.h"

void ss_bandit_noise_fill(uint64_t rseed, int64_t t0, int64_t n, double *z)
{
  if (n > 0) ss_rng_normal_zig_fill(rseed, SS_P_BANDIT_NOISE, 0, (uint64_t)t0, (uint64_t)n, z);
}
