/* The registry of population models (rlhf.population.model): how labeler i's true parameter
 * theta_i* is drawn -- gaussian around a mean, clusters, an explicit list, or SP-RLHF Thm 3.5's
 * instance family -- keyed by (seed, labeler), so any rank can regenerate any labeler.
 * Each model declares its keys and reads them into its own settings (setup); rlhf_theta_star
 * calls the model rlhf_params.population points at. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rng.h"
#include "stratsim/rlhf.h"
#include "choices.h"
#include "population_model.h"

/* Entities above every labeler index for the population's shared draws. */
#define ENTITY_MEAN 0xffffffffu
#define ENTITY_CENTRE(g) (0xfffffffeu - (uint32_t)(g))

static void random_direction(uint64_t seed, uint32_t entity, int d, double norm, double *v)
{
  ss_rng_normal_fill(seed, SS_P_RLHF_THETA, entity, 0, (uint64_t)d, v);
  double nrm = 0;
  for (int j = 0; j < d; j++) nrm += v[j] * v[j];
  nrm = sqrt(nrm);
  for (int j = 0; j < d; j++) v[j] = nrm > 0 ? v[j] * norm / nrm : 0.0;
}

/* The centred models' keys: gaussian reads the first four, clusters the last six (the same
 * ss_key objects: the schema lists each once, and either model in effect accepts them). */
static const ss_key centred_keys[] = {
  {"rlhf.population.std", SS_T_REAL, "0.2", 0, 1e6, 0, NULL, "gaussian: per-coordinate standard deviation s"},
  {"rlhf.population.mean", SS_T_REAL_LIST, NULL, -1e6, 1e6, 0, NULL, "gaussian/clusters centre (d values); default a random direction of norm mean_norm"},
  {"rlhf.population.mean_norm", SS_T_REAL, "0.5", 0, 1e6, 0, NULL, "norm of the random centre"},
  {"rlhf.population.norm", SS_T_ENUM, "ball", 0, 0, 0, SS_PLUGIN_CHOICES, "gaussian/clusters: ball projects theta_i* onto ||theta|| <= B; sphere rescales it to ||theta|| = B"},
  {"rlhf.population.clusters", SS_T_INT, "2", 1, 1e6, 0, NULL, "clusters: number of centres G (labeler i in cluster i mod G)"},
  {"rlhf.population.cluster_spread", SS_T_REAL, "0.5", 0, 1e6, 0, NULL, "clusters: distance of each centre from the mean"},
  {"rlhf.population.cluster_std", SS_T_REAL, "0.1", 0, 1e6, 0, NULL, "clusters: per-coordinate spread around a centre"},
};
static const ss_key explicit_keys[] = {
  {"rlhf.population.thetas", SS_T_REAL_MATRIX, NULL, -1e6, 1e6, 0, NULL, "explicit: k rows of d values, each of norm <= B"},
};
static const ss_key ktimes_keys[] = {
  {"rlhf.population.delta", SS_T_REAL, "0.01", 0, 0.5, 0, NULL, "ktimes: the family's delta (second choice 1 - delta, j-th choice delta (d - j))"},
};

/* ------------------------------------------------------------------ ktimes */
typedef struct {
  double delta;
} ktimes_settings;

static int ktimes_setup(const ss_config *cfg, void **data, ss_err *e)
{
  ktimes_settings *s = ss_malloc(sizeof *s, e);
  if (!(*data = s)) return e->code;
  s->delta = ss_cfg_real(cfg, "rlhf.population.delta");
  return SS_OK;
}

/* SP-RLHF Thm 3.5's instance family (MODELS 1.9), with d = m actions valued through
 * phi(a_l) = e_l: labeler 0 ranks a_1 > a_2 > ... > a_m, every other labeler
 * a_2 > ... > a_m > a_1; a labeler values its top choice at 1, its second at 1 - delta and its
 * j-th (j > 2) at delta (m - j). Every row has the same norm; all are rescaled onto the sphere
 * of radius B (a common factor: no ratio of welfares changes). */
static void ktimes_theta(const rlhf_params *p, int64_t i, double *theta)
{
  static const ktimes_settings defaults = {.delta = 0.01};
  const ktimes_settings *s = p->pop_data ? p->pop_data : &defaults;
  int m = p->d;
  double nrm = 0;
  for (int j = 1; j <= m; j++) { /* value of the j-th choice */
    double v = j == 1 ? 1.0 : j == 2 ? 1.0 - s->delta : s->delta * (m - j);
    theta[i == 0 ? j - 1 : j % m] = v; /* others: the j-th choice is a_{j+1}, the m-th a_1 */
    nrm += v * v;
  }
  nrm = sqrt(nrm);
  for (int j = 0; j < m; j++) theta[j] *= p->B / nrm;
}

/* ------------------------------------------------------------------ explicit */
typedef struct {
  const double *thetas; /* k x d, borrowed from the config (which outlives the task) */
} explicit_settings;

static int explicit_setup(const ss_config *cfg, void **data, ss_err *e)
{
  explicit_settings *s = ss_malloc(sizeof *s, e);
  if (!(*data = s)) return e->code;
  int r, c;
  s->thetas = ss_cfg_matrix(cfg, "rlhf.population.thetas", &r, &c);
  return SS_OK;
}

static int all_finite(const double *v, long n)
{
  for (long i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

/* k rows of d values, finite, each of norm <= B */
static int explicit_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  static const char key[] = "rlhf.population.thetas";
  int r, c;
  const double *t = ss_cfg_matrix(cfg, "rlhf.population.thetas", &r, &c);
  if (!t) return ss_cfg_error(cfg, key, e, "expected k rows of d values for population.model explicit, found none");
  if (c != p->d) return ss_cfg_error(cfg, key, e, "expected rows of d = %d values, found %d", p->d, c);
  if (r != p->k) return ss_cfg_error(cfg, key, e, "expected k = %lld rows (rlhf.k), found %d", (long long)p->k, r);
  if (!all_finite(t, (long)r * c)) return ss_cfg_error(cfg, key, e, "expected finite values, found NaN or Inf");
  for (int i = 0; i < r; i++) {
    double nrm = sqrt(rlhf_dot(t + (size_t)i * c, t + (size_t)i * c, c));
    if (nrm > p->B * (1 + 1e-12))
      return ss_cfg_error(cfg, key, e, "expected ||row|| <= B = %g (rlhf.B), found row %d with norm %g", p->B, i, nrm);
  }
  return SS_OK;
}

static void explicit_theta(const rlhf_params *p, int64_t i, double *theta)
{
  const explicit_settings *s = p->pop_data;
  if (s && s->thetas) memcpy(theta, s->thetas + (size_t)i * p->d, (size_t)p->d * sizeof *theta);
  else memset(theta, 0, (size_t)p->d * sizeof *theta); /* refused at config time (explicit_check) */
}

/* ------------------------------------------------------------------ gaussian, clusters */
typedef struct {
  const double *mean;  /* d values, borrowed from the config; NULL: a keyed random direction */
  double mean_norm, std;
  int clusters;
  double cluster_spread, cluster_std;
  int sphere;          /* 1: theta_i* rescaled onto the sphere ||theta|| = B (else the ball) */
} centred_settings;

static const centred_settings centred_defaults = {NULL, 0.5, 0.2, 2, 0.5, 0.1, 0};

static int centred_setup(const ss_config *cfg, int clustered, void **data, ss_err *e)
{
  centred_settings *s = ss_malloc(sizeof *s, e);
  if (!(*data = s)) return e->code;
  *s = centred_defaults;
  int n;
  s->mean = ss_cfg_list(cfg, "rlhf.population.mean", &n);
  s->mean_norm = ss_cfg_real(cfg, "rlhf.population.mean_norm");
  s->sphere = ss_plugin_choice_value(&rlhf_norm_kinds, cfg);
  if (!clustered) s->std = ss_cfg_real(cfg, "rlhf.population.std");
  if (clustered) {
    s->clusters = (int)ss_cfg_int(cfg, "rlhf.population.clusters");
    s->cluster_spread = ss_cfg_real(cfg, "rlhf.population.cluster_spread");
    s->cluster_std = ss_cfg_real(cfg, "rlhf.population.cluster_std");
  }
  return SS_OK;
}
static int gaussian_setup(const ss_config *cfg, void **data, ss_err *e) { return centred_setup(cfg, 0, data, e); }
static int clusters_setup(const ss_config *cfg, void **data, ss_err *e) { return centred_setup(cfg, 1, data, e); }

static int centred_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  int n;
  if (ss_cfg_list(cfg, "rlhf.population.mean", &n) && n != p->d)
    return ss_cfg_error(cfg, "rlhf.population.mean", e, "expected d = %d values, found %d", p->d, n);
  return SS_OK;
}

/* Around the mean (given, or a keyed direction of norm mean_norm) with sd; clusters first
 * move the centre by their cluster's keyed offset. Then onto the sphere (norm: sphere) and
 * into the ball of radius B. */
static void centred_theta(const rlhf_params *p, int64_t i, int clustered, double *theta)
{
  const centred_settings *s = p->pop_data ? p->pop_data : &centred_defaults;
  int d = p->d;
  double centre[64], noise[64];
  if (s->mean) memcpy(centre, s->mean, (size_t)d * sizeof *centre);
  else random_direction(p->seed, ENTITY_MEAN, d, s->mean_norm, centre);
  double sd = s->std;
  if (clustered) {
    double off[64];
    random_direction(p->seed, ENTITY_CENTRE(i % s->clusters), d, s->cluster_spread, off);
    for (int j = 0; j < d; j++) centre[j] += off[j];
    sd = s->cluster_std;
  }
  ss_rng_normal_fill(p->seed, SS_P_RLHF_THETA, (uint32_t)i, 0, (uint64_t)d, noise);
  for (int j = 0; j < d; j++) theta[j] = centre[j] + sd * noise[j];
  if (s->sphere) { /* every labeler at full strength: only the direction varies */
    double nrm = sqrt(rlhf_dot(theta, theta, d));
    for (int j = 0; j < d && nrm > 0; j++) theta[j] *= p->B / nrm;
  }
  rlhf_project_ball(theta, d, p->B); /* also catches the rounding of the rescaling */
}

static void gaussian_theta(const rlhf_params *p, int64_t i, double *theta) { centred_theta(p, i, 0, theta); }
static void clusters_theta(const rlhf_params *p, int64_t i, double *theta) { centred_theta(p, i, 1, theta); }

static const rlhf_population_ops gaussian = {
  .name = "gaussian",
  .summary = "Gaussian around a mean (rlhf.population.mean/mean_norm, std)",
  .keys = centred_keys,
  .nkeys = 4,
  .setup = gaussian_setup,
  .check = centred_check,
  .theta = gaussian_theta,
};
static const rlhf_population_ops clusters = {
  .name = "clusters",
  .summary = "Gaussian around keyed cluster centres (rlhf.population.clusters, cluster_*)",
  .keys = centred_keys + 1,
  .nkeys = SS_PLUGIN_COUNT(centred_keys) - 1,
  .setup = clusters_setup,
  .check = centred_check,
  .theta = clusters_theta,
};
static const rlhf_population_ops explicit_list = {
  .name = "explicit",
  .summary = "given in the config (rlhf.population.thetas)",
  .keys = explicit_keys,
  .nkeys = SS_PLUGIN_COUNT(explicit_keys),
  .setup = explicit_setup,
  .check = explicit_check,
  .theta = explicit_theta,
};
static const rlhf_population_ops ktimes = {
  .name = "ktimes",
  .summary = "the instance family of SP-RLHF Thm 3.5 (rlhf.population.delta; docs/theory.md)",
  .keys = ktimes_keys,
  .nkeys = SS_PLUGIN_COUNT(ktimes_keys),
  .setup = ktimes_setup,
  .theta = ktimes_theta,
};

static const void *const models[] = {
  &gaussian,
  &clusters,
  &explicit_list,
  &ktimes,
};

const ss_plugin_family rlhf_populations = {
  .what = "population model",
  .key = "rlhf.population.model",
  .items = models,
  .n = SS_PLUGIN_COUNT(models),
  .keys_offset = SS_PLUGIN_KEYS(rlhf_population_ops),
};

void rlhf_theta_star(const rlhf_params *p, int64_t i, double *theta)
{
  p->population->theta(p, i, theta);
}
