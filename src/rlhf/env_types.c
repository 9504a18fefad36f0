/* The registry of RLHF environment types (rlhf.env.type): where the S x A features come from.
 * Each type is a built-in code path of environment.c (rlhf_env_create), registered here with
 * its own keys. */
#include "rlhf_impl.h"

static const ss_key gaussian_keys[] = {
  {"rlhf.env.L", SS_T_REAL, "1", 0, 1e6, SS_K_MIN_OPEN, NULL, "norm of generated features"},
};
static const ss_key explicit_keys[] = {
  {"rlhf.env.features", SS_T_REAL_MATRIX, NULL, -1e300, 1e300, 0, NULL, "explicit features: S*A rows (row s*A+a) of d values"},
};
static const ss_key csv_keys[] = {
  {"rlhf.env.file", SS_T_STRING, NULL, 0, 0, SS_K_PATH, NULL, "CSV of features (relative paths: from the config file's folder): rows 's,a,phi_1..phi_d' or 'phi_1..phi_d' (s-major), optional header; or a PETSc binary matrix of S*A x d (MatView; AIJ or dense), recognised by its class id"},
};

static const rlhf_builtin_ops env_gaussian = {
  .name = "gaussian",
  .summary = "i.i.d. Gaussian features rescaled to norm L (keyed by seed, state, action)",
  .kind = RLHF_ENV_GAUSSIAN,
  .keys = gaussian_keys,
  .nkeys = SS_PLUGIN_COUNT(gaussian_keys),
};
static const rlhf_builtin_ops env_explicit = {
  .name = "explicit",
  .summary = "features given in the config (rlhf.env.features)",
  .kind = RLHF_ENV_EXPLICIT,
  .keys = explicit_keys,
  .nkeys = SS_PLUGIN_COUNT(explicit_keys),
};
static const rlhf_builtin_ops env_csv = {
  .name = "csv",
  .summary = "features read from a file (rlhf.env.file: CSV or PETSc binary)",
  .kind = RLHF_ENV_CSV,
  .keys = csv_keys,
  .nkeys = SS_PLUGIN_COUNT(csv_keys),
};

static const void *const env_types[] = {
  &env_gaussian,
  &env_explicit,
  &env_csv,
};

const ss_plugin_family rlhf_env_types = {
  .what = "environment type",
  .key = "rlhf.env.type",
  .items = env_types,
  .n = SS_PLUGIN_COUNT(env_types),
  .keys_offset = SS_PLUGIN_KEYS(rlhf_builtin_ops),
};

int rlhf_builtin_kind(const ss_plugin_family *f, const char *name)
{
  const rlhf_builtin_ops *ops = ss_plugin_find(f, name);
  return ops ? ops->kind : -1;
}
