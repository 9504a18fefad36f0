/* The registry of RLHF environment types (rlhf.env.type): where the S x A features come from.
 * Each type declares its keys, reads them into its own settings (setup), checks its inputs at
 * config time and makes the features (environment.c calls rlhf_params.env_type). An MDP reads
 * its features per state (mdp.c) from what the type's mdp_features names: generated (gaussian)
 * or the same file (csv); the csv type also checks an explicit MDP's two files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rng.h"
#include "stratsim/rlhf.h"
#include "mdp_settings.h"
#include "env_type.h"

static const ss_key gaussian_keys[] = {
  {"rlhf.env.L", SS_T_REAL, "1", 0, 1e6, SS_K_MIN_OPEN, NULL, "norm of generated features"},
};
static const ss_key explicit_keys[] = {
  {"rlhf.env.features", SS_T_REAL_MATRIX, NULL, -1e300, 1e300, 0, NULL, "explicit features: S*A rows (row s*A+a) of d values"},
};
static const ss_key csv_keys[] = {
  {"rlhf.env.file", SS_T_STRING, NULL, 0, 0, SS_K_PATH, NULL, "CSV of features (relative paths: from the config file's folder): rows 's,a,phi_1..phi_d' or 'phi_1..phi_d' (s-major), optional header; or a PETSc binary matrix of S*A x d (MatView; AIJ or dense), recognised by its class id"},
};

static int all_finite(const double *v, long n)
{
  for (long i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

/* i.i.d. Gaussian entries keyed by (seed, s*A+a), each row rescaled to norm L. */
static int gaussian_features(const rlhf_params *p, double **phi, ss_err *e)
{
  size_t rows = (size_t)p->S * (size_t)p->A, d = (size_t)p->d;
  double *out = ss_malloc(rows * d * sizeof *out, e);
  if (!(*phi = out)) return e->code;
  for (size_t r = 0; r < rows; r++) {
    double *v = out + r * d;
    ss_rng_normal_fill(p->seed, SS_P_RLHF_FEATURES, (uint32_t)r, 0, (uint64_t)d, v);
    double nrm = 0;
    for (size_t j = 0; j < d; j++) nrm += v[j] * v[j];
    nrm = sqrt(nrm);
    for (size_t j = 0; j < d; j++) v[j] = nrm > 0 ? v[j] * (p->L / nrm) : 0.0;
  }
  return SS_OK;
}

/* explicit: the matrix, borrowed from the config (which outlives the task) */
typedef struct {
  const double *phi;
} explicit_settings;

static int explicit_setup(const ss_config *cfg, void **data, ss_err *e)
{
  explicit_settings *s = ss_malloc(sizeof *s, e);
  if (!(*data = s)) return e->code;
  int r, c;
  s->phi = ss_cfg_matrix(cfg, "rlhf.env.features", &r, &c);
  return SS_OK;
}

static int explicit_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  int r, c;
  const double *f = ss_cfg_matrix(cfg, "rlhf.env.features", &r, &c);
  if (!f) return ss_cfg_error(cfg, "rlhf.env.features", e, "expected a matrix of features for env.type explicit, found none");
  if (c != p->d)
    return ss_cfg_error(cfg, "rlhf.env.features", e, "expected rows of d = %d values (rlhf.d), found %d", p->d, c);
  if (r != p->S * p->A)
    return ss_cfg_error(cfg, "rlhf.env.features", e, "expected S*A = %d*%d = %d rows (rlhf.env.states x rlhf.env.actions), found %d", p->S, p->A, p->S * p->A, r);
  if (!all_finite(f, (long)r * c)) return ss_cfg_error(cfg, "rlhf.env.features", e, "expected finite features, found NaN or Inf");
  return SS_OK;
}

static int explicit_features(const rlhf_params *p, double **phi, ss_err *e)
{
  const explicit_settings *s = p->env_data;
  if (!s || !s->phi) return ss_fail(e, SS_EINPUT, "rlhf: env.type explicit without rlhf.env.features");
  size_t n = (size_t)p->S * (size_t)p->A * (size_t)p->d;
  if (!(*phi = ss_malloc(n * sizeof **phi, e))) return e->code;
  memcpy(*phi, s->phi, n * sizeof **phi);
  return SS_OK;
}

/* gaussian: an MDP generates its transitions too; a transitions file is for env.type csv */
static int gaussian_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  if (p->mdp && rlhf_mdp_settings_of(p)->transitions)
    return ss_cfg_error(cfg, "rlhf.mdp.transitions", e, "expected no transitions file for generated features (rlhf.env.type gaussian); use env.type csv");
  return SS_OK;
}

static void gaussian_mdp_features(const rlhf_params *p, const char **file) { *file = NULL; }

/* csv: the features file (a path already resolved from the config file's folder) */
typedef struct {
  const char *file;
} csv_settings;

static const char *csv_file(const rlhf_params *p)
{
  const csv_settings *s = p->env_data;
  return s ? s->file : NULL;
}

static int csv_setup(const ss_config *cfg, void **data, ss_err *e)
{
  csv_settings *s = ss_malloc(sizeof *s, e);
  if (!(*data = s)) return e->code;
  s->file = ss_cfg_str(cfg, "rlhf.env.file");
  return SS_OK;
}

/* An explicit MDP: both files are read and checked here, streaming (O(1) memory), so a bad
 * file is a config error naming the file, the line and the row before anything runs. */
static int csv_check_mdp(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  const rlhf_mdp_settings *m = rlhf_mdp_settings_of(p);
  if (!csv_file(p)) return ss_cfg_error(cfg, "rlhf.env.file", e, "expected a features file for an explicit MDP, found none");
  if (!m->transitions) return ss_cfg_error(cfg, "rlhf.mdp.transitions", e, "expected a transitions file for an explicit MDP (env.type csv), found none");
  if (m->regenerate) return ss_cfg_error(cfg, "rlhf.mdp.features", e, "expected store for an explicit MDP (only generated features can be regenerated), found regenerate");
  ss_err fe;
  ss_err_clear(&fe);
  /* a bad file is a config error; any other failure (out of memory) passes through unchanged */
  if (rlhf_read_features(csv_file(p), p->S, p->A, p->d, 0, 0, NULL, &fe))
    return fe.code != SS_EINPUT ? (*e = fe).code : ss_cfg_error(cfg, "rlhf.env.file", e, "%s", fe.msg);
  if (rlhf_mdp_scan_transitions(m->transitions, p->S, p->A, NULL, NULL, &fe))
    return fe.code != SS_EINPUT ? (*e = fe).code : ss_cfg_error(cfg, "rlhf.mdp.transitions", e, "%s", fe.msg);
  return SS_OK;
}

static int csv_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  if (p->mdp) return csv_check_mdp(cfg, p, e);
  if (!csv_file(p)) return ss_cfg_error(cfg, "rlhf.env.file", e, "expected a features file for env.type csv, found none");
  double *phi;
  ss_err fe;
  ss_err_clear(&fe);
  if (rlhf_env_read_csv(csv_file(p), p->S, p->A, p->d, &phi, &fe)) /* out of memory passes through */
    return fe.code != SS_EINPUT ? (*e = fe).code : ss_cfg_error(cfg, "rlhf.env.file", e, "%s", fe.msg);
  free(phi);
  return SS_OK;
}

static int csv_features(const rlhf_params *p, double **phi, ss_err *e)
{
  if (!csv_file(p)) return ss_fail(e, SS_EINPUT, "rlhf: env.type csv without rlhf.env.file");
  return rlhf_env_read_csv(csv_file(p), p->S, p->A, p->d, phi, e);
}

static void csv_mdp_features(const rlhf_params *p, const char **file) { *file = csv_file(p); }

static const rlhf_env_type_ops env_gaussian = {
  .name = "gaussian",
  .summary = "i.i.d. Gaussian features rescaled to norm L (keyed by seed, state, action)",
  .keys = gaussian_keys,
  .nkeys = SS_PLUGIN_COUNT(gaussian_keys),
  .check = gaussian_check,
  .features = gaussian_features,
  .mdp_features = gaussian_mdp_features,
};
static const rlhf_env_type_ops env_explicit = {
  .name = "explicit",
  .summary = "features given in the config (rlhf.env.features)",
  .keys = explicit_keys,
  .nkeys = SS_PLUGIN_COUNT(explicit_keys),
  .setup = explicit_setup,
  .check = explicit_check,
  .features = explicit_features,
};
static const rlhf_env_type_ops env_csv = {
  .name = "csv",
  .summary = "features read from a file (rlhf.env.file: CSV or PETSc binary)",
  .keys = csv_keys,
  .nkeys = SS_PLUGIN_COUNT(csv_keys),
  .setup = csv_setup,
  .check = csv_check,
  .features = csv_features,
  .mdp_features = csv_mdp_features,
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
  .keys_offset = SS_PLUGIN_KEYS(rlhf_env_type_ops),
};

const rlhf_env_type_ops *rlhf_env_type_find(const char *name) { return ss_plugin_find(&rlhf_env_types, name); }

