/* MaxMin-RLHF (Chakraborty et al. 2024): W(z) = min_i <theta_hat_i, z>, i.e. Theta is the
 * convex hull of the MLEs. Smoothed by a soft-min over labelers; its gradient is a convex
 * combination of the theta_hat_i. Needs every labeler's MLE (replicated). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rlhf_impl.h"

static int maxmin_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                        ss_err *e)
{
  size_t n = (size_t)agg->k * agg->d;
  agg->thetas = ss_malloc(n * sizeof *agg->thetas, e);
  if (!agg->thetas) return SS_ERUNTIME;
  memcpy(agg->thetas, est->theta, n * sizeof *agg->thetas);
  return SS_OK;
}

static double maxmin_value(const rlhf_agg *agg, const double *z)
{
  double m = INFINITY;
  for (int64_t i = 0; i < agg->k; i++) {
    double v = rlhf_dot(agg->thetas + i * agg->d, z, agg->d);
    if (v < m) m = v;
  }
  return m;
}

static void maxmin_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad,
                          double *hess)
{
  int d = agg->d;
  int64_t k = agg->k;
  double vmin = INFINITY;
  for (int64_t i = 0; i < k; i++) {
    double v = rlhf_dot(agg->thetas + i * d, z, d);
    if (v < vmin) vmin = v;
  }
  double tot = 0;
  for (int j = 0; j < d; j++) grad[j] = 0;
  for (int64_t i = 0; i < k; i++) {
    double w = exp(-(rlhf_dot(agg->thetas + i * d, z, d) - vmin) / mu);
    tot += w;
    for (int j = 0; j < d; j++) grad[j] += w * agg->thetas[i * d + j];
  }
  for (int j = 0; j < d; j++) grad[j] /= tot;
  if (!hess) return;
  memset(hess, 0, (size_t)d * d * sizeof *hess);
  for (int64_t i = 0; i < k; i++) {
    double w = exp(-(rlhf_dot(agg->thetas + i * d, z, d) - vmin) / mu) / tot;
    if (w == 0) continue;
    const double *t = agg->thetas + i * d;
    for (int a = 0; a < d; a++)
      for (int b = 0; b < d; b++) hess[a * d + b] -= w * (t[a] - grad[a]) * (t[b] - grad[b]) / mu;
  }
}

/* The labelers whose soft-min weight is not negligible are active: theta is a convex
 * combination theta_i0 + sum_c y_c (theta_ic - theta_i0) of their MLEs. */
static int maxmin_face(const rlhf_agg *agg, const double *z, double mu, rlhf_face *face)
{
  int d = agg->d;
  int64_t k = agg->k;
  double vmin = INFINITY;
  for (int64_t i = 0; i < k; i++) vmin = fmin(vmin, rlhf_dot(agg->thetas + i * d, z, d));
  int nact = 0, first = -1;
  face->r = 0;
  for (int64_t i = 0; i < k; i++) {
    if (exp(-(rlhf_dot(agg->thetas + i * d, z, d) - vmin) / mu) < 1e-6) continue;
    if (nact++ == 0) {
      first = (int)i;
      continue;
    }
    if (face->r >= d) return -1;
    face->idx[face->r++] = (int)i;
  }
  if (first < 0) return -1;
  memcpy(face->theta0, agg->thetas + (int64_t)first * d, (size_t)d * sizeof(double));
  for (int c = 0; c < face->r; c++)
    for (int j = 0; j < d; j++)
      face->M[j * RLHF_DMAX + c] = agg->thetas[(int64_t)face->idx[c] * d + j] - face->theta0[j];
  face->idx[RLHF_DMAX - 1] = first;
  return 0;
}

static void maxmin_face_point(const rlhf_agg *agg, const rlhf_face *face, const double *y,
                              double *theta)
{
  int d = agg->d;
  double w[RLHF_DMAX], w0 = 1.0, tot = 0;
  for (int c = 0; c < face->r; c++) {
    w[c] = y[c] > 0 ? y[c] : 0;
    w0 -= y[c];
  }
  if (w0 < 0) w0 = 0;
  tot = w0;
  for (int c = 0; c < face->r; c++) tot += w[c];
  const double *t0 = agg->thetas + (int64_t)face->idx[RLHF_DMAX - 1] * d;
  for (int j = 0; j < d; j++) {
    double v = w0 * t0[j];
    for (int c = 0; c < face->r; c++) v += w[c] * agg->thetas[(int64_t)face->idx[c] * d + j];
    theta[j] = v / tot;
  }
}

const rlhf_agg_ops rlhf_agg_maxmin = {"maxmin", 0, 0, 1, maxmin_build, maxmin_value,
                                      maxmin_smooth, maxmin_face, maxmin_face_point};
