/* The registry of true arm features (bandit.features): the paper's, keyed uniform draws, all
 * ones, or given in the config. One table line per kind. */
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"

static void paper_fill(const ss_config *cfg, uint64_t seed, int64_t K, int d, double *y)
{
  ss_bandit_paper_features(K, d, y);
}

static void random_fill(const ss_config *cfg, uint64_t seed, int64_t K, int d, double *y)
{
  ss_bandit_random_features(seed, K, d, y);
}

static void ones_fill(const ss_config *cfg, uint64_t seed, int64_t K, int d, double *y)
{
  for (int64_t i = 0; i < K * d; i++) y[i] = 1.0;
}

static const ss_key given_keys[] = {
  {"bandit.true_features", SS_T_REAL_MATRIX, NULL, -1e3, 1e3, 0, NULL,
   "K x d true features when features is given"},
};

/* the shape is checked by the experiment (K x d) */
static void given_fill(const ss_config *cfg, uint64_t seed, int64_t K, int d, double *y)
{
  int rows, cols;
  memcpy(y, ss_cfg_matrix(cfg, "bandit.true_features", &rows, &cols), (size_t)K * d * sizeof *y);
}

static int given_check(const ss_config *cfg, long long K, long long d, ss_err *e)
{
  return ss_bandit_check_matrix(cfg, "bandit.true_features", K, d, "bandit.features is given", e);
}

static const ss_bandit_features_ops paper = {
  .name = "paper",
  .summary = "+0.1 at coordinate a mod d, -0.1 elsewhere (the paper's)",
  .fill = paper_fill,
};
static const ss_bandit_features_ops uniform = {
  .name = "random",
  .summary = "uniform on [-1,1]^d, keyed by (seed, arm)",
  .fill = random_fill,
};
static const ss_bandit_features_ops ones = {
  .name = "ones",
  .summary = "all ones",
  .fill = ones_fill,
};
static const ss_bandit_features_ops given = {
  .name = "given",
  .summary = "given in the config (bandit.true_features)",
  .keys = given_keys,
  .nkeys = SS_PLUGIN_COUNT(given_keys),
  .check = given_check,
  .fill = given_fill,
};

static const void *const kinds[] = {
  &paper,
  &uniform,
  &ones,
  &given,
};

const ss_plugin_family ss_bandit_features = {
  .what = "features",
  .key = "bandit.features",
  .items = kinds,
  .n = SS_PLUGIN_COUNT(kinds),
  .keys_offset = SS_PLUGIN_KEYS(ss_bandit_features_ops),
};
