/* Labeler populations: the projection onto the ball of radius B and which labelers are
 * strategic (the true parameters theta_i* are drawn by the population models,
 * population_models.c). Every draw is keyed by (seed, labeler), so any rank can regenerate
 * any labeler and nothing about the population is ever stored for all k at once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"

void rlhf_project_ball(double *t, int d, double B)
{
  double nrm = 0;
  for (int j = 0; j < d; j++) nrm += t[j] * t[j];
  nrm = sqrt(nrm);
  if (nrm > B)
    for (int j = 0; j < d; j++) t[j] *= B / nrm;
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
