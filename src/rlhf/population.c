/* Labeler populations: true parameters theta_i* (gaussian around a mean, clusters, or an
 * explicit list), projected onto the ball of radius B (or rescaled onto its sphere), and which labelers are
 * strategic. Every draw is keyed by (seed, labeler), so any rank can regenerate any labeler
 * and nothing about the population is ever stored for all k at once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"
#include "rlhf_impl.h"

/* Entities above every labeler index for the population's shared draws. */
#define ENTITY_MEAN 0xffffffffu
#define ENTITY_CENTRE(g) (0xfffffffeu - (uint32_t)(g))

void rlhf_project_ball(double *t, int d, double B)
{
  double nrm = 0;
  for (int j = 0; j < d; j++) nrm += t[j] * t[j];
  nrm = sqrt(nrm);
  if (nrm > B)
    for (int j = 0; j < d; j++) t[j] *= B / nrm;
}

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

void rlhf_theta_star(const rlhf_params *p, int64_t i, double *theta)
{
  int d = p->d;
  if (p->pop_kind == RLHF_POP_KTIMES) {
    ktimes_theta(p, i, theta);
    return;
  }
  if (p->pop_kind == RLHF_POP_EXPLICIT) {
    memcpy(theta, p->pop_thetas + (size_t)i * d, (size_t)d * sizeof *theta);
    return;
  }
  double centre[64], noise[64];
  if (p->pop_mean) memcpy(centre, p->pop_mean, (size_t)d * sizeof *centre);
  else random_direction(p->seed, ENTITY_MEAN, d, p->pop_mean_norm, centre);
  double sd = p->pop_std;
  if (p->pop_kind == RLHF_POP_CLUSTERS) {
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

typedef struct {
  double u;
  int64_t i;
} keyed;

static int by_key(const void *a, const void *b)
{
  const keyed *x = a, *y = b;
  if (x->u != y->u) return x->u < y->u ? -1 : 1;
  return x->i < y->i ? -1 : (x->i > y->i);
}

void rlhf_strategic_flags(const rlhf_params *p, double fraction, const long long *list, int nlist,
                          unsigned char *out)
{
  int64_t k = p->k;
  memset(out, 0, (size_t)k);
  if (list) {
    for (int q = 0; q < nlist; q++)
      if (list[q] >= 0 && list[q] < k) out[list[q]] = 1;
    return;
  }
  int64_t m = (int64_t)llround(fraction * (double)k);
  if (m >= k) {
    memset(out, 1, (size_t)k);
    return;
  }
  if (m <= 0) return;
  /* The m labelers with the smallest keyed uniforms: a fixed random subset of size m. */
  keyed *order = ss_malloc((size_t)k * sizeof *order, NULL);
  if (!order) { /* fall back to the first m: still deterministic */
    memset(out, 1, (size_t)m);
    return;
  }
  for (int64_t i = 0; i < k; i++) {
    order[i].u = ss_rng_u01(p->seed, SS_P_RLHF_STRATEGIC, (uint32_t)i, 0);
    order[i].i = i;
  }
  qsort(order, (size_t)k, sizeof *order, by_key);
  for (int64_t q = 0; q < m; q++) out[order[q].i] = 1;
  free(order);
}

void rlhf_block(int64_t k, int P, int r, int64_t *first, int64_t *count)
{
  int64_t base = k / P, extra = k % P;
  *first = r * base + (r < extra ? r : extra);
  *count = base + (r < extra);
}

double rlhf_dot(const double *a, const double *b, int d)
{
  double s = 0;
  for (int j = 0; j < d; j++) s += a[j] * b[j];
  return s;
}

static int by_ll(const void *a, const void *b)
{
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

int64_t rlhf_strategic_count(const ss_config *cfg, const rlhf_params *p)
{
  int n = 0;
  const long long *list = ss_cfg_int_list(cfg, "rlhf.strategic.labelers", &n);
  if (!list) {
    int64_t m = (int64_t)llround(ss_cfg_real(cfg, "rlhf.strategic.fraction") * (double)p->k);
    return m < 0 ? 0 : m > p->k ? p->k : m;
  }
  /* distinct labelers in [0, k), as rlhf_strategic_flags marks them */
  ss_err tmp;
  ss_err_clear(&tmp);
  long long *c = ss_malloc((size_t)(n ? n : 1) * sizeof *c, &tmp);
  if (!c) return n; /* only a count for a check: an upper bound will do */
  int64_t m = 0;
  for (int q = 0; q < n; q++)
    if (list[q] >= 0 && list[q] < p->k) c[m++] = list[q];
  qsort(c, (size_t)m, sizeof *c, by_ll);
  int64_t distinct = 0;
  for (int64_t q = 0; q < m; q++) distinct += q == 0 || c[q] != c[q - 1];
  free(c);
  return distinct;
}
