/* The registry of theta* sources (bandit.theta_source): given in the config (bandit.theta) or
 * drawn uniformly on [-1,1]^d per seed. */
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"

static const ss_key given_keys[] = {
  {"bandit.theta", SS_T_REAL_LIST, "[1, 1, 0.8, 1, 1]", -1e6, 1e6, 0, NULL,
   "theta* (d values) when theta_source is given; the default is the paper's"},
};

static int given_check(const ss_config *cfg, long long d, ss_err *e)
{
  int n = 0;
  if (!ss_cfg_list(cfg, "bandit.theta", &n) || n != d)
    return ss_cfg_error(cfg, "bandit.theta", e,
                        "expected %lld values (bandit.d), found %d; or set bandit.theta_source: random", d, n);
  return SS_OK;
}

static void given_fill(const ss_config *cfg, uint64_t seed, int d, double *theta)
{
  int n = 0;
  memcpy(theta, ss_cfg_list(cfg, "bandit.theta", &n), (size_t)d * sizeof *theta);
}

static void random_fill(const ss_config *cfg, uint64_t seed, int d, double *theta)
{
  ss_bandit_random_theta(seed, d, theta);
}

static const ss_bandit_theta_ops given = {
  .name = "given",
  .summary = "theta* from bandit.theta",
  .keys = given_keys,
  .nkeys = SS_PLUGIN_COUNT(given_keys),
  .check = given_check,
  .fill = given_fill,
};
static const ss_bandit_theta_ops drawn = {
  .name = "random",
  .summary = "drawn uniformly on [-1,1]^d per seed",
  .fill = random_fill,
};

static const void *const sources[] = {
  &given,
  &drawn,
};

const ss_plugin_family ss_bandit_theta_sources = {
  .what = "theta source",
  .key = "bandit.theta_source",
  .items = sources,
  .n = SS_PLUGIN_COUNT(sources),
  .keys_offset = SS_PLUGIN_KEYS(ss_bandit_theta_ops),
};
