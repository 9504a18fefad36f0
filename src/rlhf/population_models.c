/* The registry of population models (rlhf.population.model): how labeler i's true parameter
 * theta_i* is drawn -- gaussian around a mean, clusters, an explicit list, or SP-RLHF Thm 3.5's
 * instance family -- keyed by (seed, labeler), so any rank can regenerate any labeler.
 * rlhf_theta_star calls the model of rlhf_params.pop_kind (tests set the kind directly). */
#include <math.h>
#include <string.h>
#include "stratsim/rng.h"
#include "stratsim/rlhf.h"
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

/* SP-RLHF Thm 3.5's instance family (MODELS 1.9), with d = m actions valued through
 * phi(a_l) = e_l: labeler 0 ranks a_1 > a_2 > ... > a_m, every other labeler
 * a_2 > ... > a_m > a_1; a labeler values its top choice at 1, its second at 1 - delta and its
 * j-th (j > 2) at delta (m - j). Every row has the same norm; all are rescaled onto the sphere
 * of radius B (a common factor: no ratio of welfares changes). */
static void ktimes_theta(const rlhf_params *p, int64_t i, double *theta)
{
  int m = p->d;
  double nrm = 0;
  for (int j = 1; j <= m; j++) { /* value of the j-th choice */
    double v = j == 1 ? 1.0 : j == 2 ? 1.0 - p->pop_delta : p->pop_delta * (m - j);
    theta[i == 0 ? j - 1 : j % m] = v; /* others: the j-th choice is a_{j+1}, the m-th a_1 */
    nrm += v * v;
  }
  nrm = sqrt(nrm);
  for (int j = 0; j < m; j++) theta[j] *= p->B / nrm;
}

static void explicit_theta(const rlhf_params *p, int64_t i, double *theta)
{
  memcpy(theta, p->pop_thetas + (size_t)i * p->d, (size_t)p->d * sizeof *theta);
}

/* Around the mean (given, or a keyed direction of norm mean_norm) with sd; clusters first
 * move the centre by their cluster's keyed offset. Then onto the sphere (norm: sphere) and
 * into the ball of radius B. */
static void centred_theta(const rlhf_params *p, int64_t i, int clustered, double *theta)
{
  int d = p->d;
  double centre[64], noise[64];
  if (p->pop_mean) memcpy(centre, p->pop_mean, (size_t)d * sizeof *centre);
  else random_direction(p->seed, ENTITY_MEAN, d, p->pop_mean_norm, centre);
  double sd = p->pop_std;
  if (clustered) {
    double off[64];
    random_direction(p->seed, ENTITY_CENTRE(i % p->clusters), d, p->cluster_spread, off);
    for (int j = 0; j < d; j++) centre[j] += off[j];
    sd = p->cluster_std;
  }
  ss_rng_normal_fill(p->seed, SS_P_RLHF_THETA, (uint32_t)i, 0, (uint64_t)d, noise);
  for (int j = 0; j < d; j++) theta[j] = centre[j] + sd * noise[j];
  if (p->pop_sphere) { /* every labeler at full strength: only the direction varies */
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
  .kind = RLHF_POP_GAUSSIAN,
  .theta = gaussian_theta,
};
static const rlhf_population_ops clusters = {
  .name = "clusters",
  .summary = "Gaussian around keyed cluster centres (rlhf.population.clusters, cluster_*)",
  .kind = RLHF_POP_CLUSTERS,
  .theta = clusters_theta,
};
static const rlhf_population_ops explicit_list = {
  .name = "explicit",
  .summary = "given in the config (rlhf.population.thetas)",
  .kind = RLHF_POP_EXPLICIT,
  .theta = explicit_theta,
};
static const rlhf_population_ops ktimes = {
  .name = "ktimes",
  .summary = "the instance family of SP-RLHF Thm 3.5 (rlhf.population.delta; docs/theory.md)",
  .kind = RLHF_POP_KTIMES,
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
};

const rlhf_population_ops *rlhf_population_of(int kind)
{
  return ss_plugin_of_kind(&rlhf_populations, offsetof(rlhf_population_ops, kind), kind);
}

void rlhf_theta_star(const rlhf_params *p, int64_t i, double *theta)
{
  rlhf_population_of(p->pop_kind)->theta(p, i, theta);
}
