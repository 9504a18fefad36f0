/* MaxMin-RLHF (Chakraborty et al. 2024): W(z) = min_i <theta_hat_i, z>, i.e. Theta is the
 * convex hull of the MLEs. Smoothed by a soft-min over labelers; its gradient is a convex
 * combination of the theta_hat_i. Needs every labeler's MLE (replicated). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "agg_ops.h"

/* Its state: every labeler's parameter, k x d. */
typedef struct {
  double *thetas;
} maxmin_data;
#define MM(agg) ((maxmin_data *)(agg)->data)

static void maxmin_destroy(void *data) { free(((maxmin_data *)data)->thetas); }

static int maxmin_fill(rlhf_agg *agg, const double *theta, ss_err *e)
{
  size_t n = (size_t)agg->k * agg->d;
  MM(agg)->thetas = ss_malloc(n * sizeof *MM(agg)->thetas, e);
  if (!MM(agg)->thetas) return SS_ERUNTIME;
  memcpy(MM(agg)->thetas, theta, n * sizeof *MM(agg)->thetas);
  return SS_OK;
}

static int maxmin_exact(rlhf_agg *agg, const double *theta_hat, const double *prec, const double *lo,
                        const double *hi, ss_err *e)
{
  return maxmin_fill(agg, theta_hat, e);
}

static int maxmin_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                        ss_err *e)
{
  if (e->code) return e->code; /* local */
  return maxmin_fill(agg, est->theta, e);
}

static double maxmin_value(const rlhf_agg *agg, const double *z)
{
  double m = INFINITY;
  for (int64_t i = 0; i < agg->k; i++) {
    double v = rlhf_dot(MM(agg)->thetas + i * agg->d, z, agg->d);
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
    double v = rlhf_dot(MM(agg)->thetas + i * d, z, d);
    if (v < vmin) vmin = v;
  }
  double tot = 0;
  for (int j = 0; j < d; j++) grad[j] = 0;
  for (int64_t i = 0; i < k; i++) {
    double w = exp(-(rlhf_dot(MM(agg)->thetas + i * d, z, d) - vmin) / mu);
    tot += w;
    for (int j = 0; j < d; j++) grad[j] += w * MM(agg)->thetas[i * d + j];
  }
  for (int j = 0; j < d; j++) grad[j] /= tot;
  if (!hess) return;
  memset(hess, 0, (size_t)d * d * sizeof *hess);
  for (int64_t i = 0; i < k; i++) {
    double w = exp(-(rlhf_dot(MM(agg)->thetas + i * d, z, d) - vmin) / mu) / tot;
    if (w == 0) continue;
    const double *t = MM(agg)->thetas + i * d;
    for (int a = 0; a < d; a++)
      for (int b = 0; b < d; b++) hess[a * d + b] -= w * (t[a] - grad[a]) * (t[b] - grad[b]) / mu;
  }
}

/* The LP form: w = (t+, t-, s_1..s_k), rows t+ - t- + s_i = <theta_hat_i, z>, maximise t+ - t-.
 * The row duals y are weights (y >= 0, sum y = 1) of a convex combination of the MLEs. */
static void maxmin_lp_dims(const rlhf_agg *agg, int *r, int *nw)
{
  *r = (int)agg->k;
  *nw = (int)agg->k + 2;
}

static void maxmin_lp_fill(const rlhf_agg *agg, const double *z0, double *G, double *c,
                           double *T, int *wbasis)
{
  int d = agg->d, k = (int)agg->k, nw = k + 2, imin = 0;
  double vmin = INFINITY;
  memset(G, 0, (size_t)k * nw * sizeof *G);
  memset(c, 0, (size_t)nw * sizeof *c);
  c[0] = 1.0;
  c[1] = -1.0;
  for (int i = 0; i < k; i++) {
    G[i * nw] = 1.0;
    G[i * nw + 1] = -1.0;
    G[i * nw + 2 + i] = 1.0;
    memcpy(T + (size_t)i * d, MM(agg)->thetas + (size_t)i * d, (size_t)d * sizeof *T);
    double v = rlhf_dot(MM(agg)->thetas + (size_t)i * d, z0, d);
    if (v < vmin) vmin = v, imin = i;
  }
  /* t at the smallest value (t+ or t- by its sign), the other rows' slacks */
  for (int i = 0; i < k; i++) wbasis[i] = i == imin ? (vmin >= 0 ? 0 : 1) : 2 + i;
}

static void maxmin_lp_theta(const rlhf_agg *agg, const double *y, double *theta)
{
  int d = agg->d;
  double tot = 0;
  for (int64_t i = 0; i < agg->k; i++) tot += y[i] > 0 ? y[i] : 0;
  for (int j = 0; j < d; j++) theta[j] = 0;
  for (int64_t i = 0; i < agg->k; i++) {
    double w = y[i] > 0 ? y[i] / tot : 0;
    if (w == 0) continue;
    for (int j = 0; j < d; j++) theta[j] += w * MM(agg)->thetas[i * d + j];
  }
}

const rlhf_agg_ops rlhf_agg_maxmin = {
  .name = "maxmin",
  .needs_all = 1,
  .data_size = sizeof(maxmin_data),
  .destroy = maxmin_destroy,
  .build = maxmin_build,
  .build_exact = maxmin_exact,
  .value = maxmin_value,
  .smooth = maxmin_smooth,
  .lp_dims = maxmin_lp_dims,
  .lp_fill = maxmin_lp_fill,
  .lp_theta = maxmin_lp_theta,
};
