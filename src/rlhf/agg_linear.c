/* The linear aggregators: W(z) = <theta, z> with theta the mean of the MLEs (naive_mle), their
 * coordinate-wise median (median_mle, an exact distributed median), or the mean of the true
 * parameters (oracle, the social-welfare optimum). Their greedy policy is exactly optimal. */
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/xsum.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"

static double linear_value(const rlhf_agg *agg, const double *z)
{
  return rlhf_dot(RLHF_AGG_LINEAR(agg)->theta, z, agg->d);
}

static void linear_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad,
                          double *hess)
{
  memcpy(grad, RLHF_AGG_LINEAR(agg)->theta, (size_t)agg->d * sizeof *grad);
  if (hess) memset(hess, 0, (size_t)agg->d * agg->d * sizeof *hess);
}

static int naive_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                       ss_err *e)
{
  int d = est->d;
  ss_xsum acc[RLHF_DMAX];
  for (int j = 0; j < d; j++) ss_xsum_init(&acc[j]);
  for (int64_t r = 0; !e->code && r < est->count; r++)
    for (int j = 0; j < d; j++) ss_xsum_add(&acc[j], est->theta[r * d + j]);
  SS_TRY(ss_par_sum_xsum(c, acc, d, e)); /* agg is NULL when e was pending */
  for (int j = 0; j < d; j++) RLHF_AGG_LINEAR(agg)->theta[j] = ss_xsum_value(&acc[j]) / (double)est->k;
  return SS_OK;
}

static int median_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                        ss_err *e)
{
  /* agg is NULL only with an error pending: the median then agrees and writes nothing */
  return ss_par_median(c, est->theta, est->count, est->d, agg ? agg->median_kind : SS_MEDIAN_LOWER,
                       agg ? RLHF_AGG_LINEAR(agg)->theta : NULL, e);
}

static int oracle_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                        ss_err *e)
{
  if (e->code) return e->code; /* local */
  memcpy(RLHF_AGG_LINEAR(agg)->theta, tsm, (size_t)agg->d * sizeof *tsm);
  return SS_OK;
}

/* The exact builders: column j of the k x d parameters, then its exact mean or serial median. */
static int exact_columns(rlhf_agg *agg, const double *theta_hat, int median, ss_err *e)
{
  int64_t k = agg->k;
  double *col = ss_malloc((size_t)k * sizeof *col, e);
  if (!col) return e->code;
  for (int j = 0; j < agg->d; j++) {
    for (int64_t i = 0; i < k; i++) col[i] = theta_hat[i * agg->d + j];
    double v = median ? ss_median_serial(col, k, agg->median_kind) : ss_sum_exact(col, k) / (double)k;
    RLHF_AGG_LINEAR(agg)->theta[j] = v;
  }
  free(col);
  return SS_OK;
}

static int mean_exact(rlhf_agg *agg, const double *theta_hat, const double *prec, const double *lo,
                          const double *hi, ss_err *e)
{
  return exact_columns(agg, theta_hat, 0, e);
}

static int median_exact(rlhf_agg *agg, const double *theta_hat, const double *prec, const double *lo,
                          const double *hi, ss_err *e)
{
  return exact_columns(agg, theta_hat, 1, e);
}

const rlhf_agg_ops rlhf_agg_naive_mle = {
  .name = "naive_mle",
  .linear = 1,
  .data_size = sizeof(rlhf_agg_linear_data),
  .build = naive_build,
  .build_exact = mean_exact,
  .value = linear_value,
  .smooth = linear_smooth,
};
const rlhf_agg_ops rlhf_agg_median_mle = {
  .name = "median_mle",
  .linear = 1,
  .data_size = sizeof(rlhf_agg_linear_data),
  .build = median_build,
  .build_exact = median_exact,
  .value = linear_value,
  .smooth = linear_smooth,
};
/* exact: the mean of the given parameters (the caller passes the true ones) */
const rlhf_agg_ops rlhf_agg_oracle = {
  .name = "oracle",
  .linear = 1,
  .data_size = sizeof(rlhf_agg_linear_data),
  .build = oracle_build,
  .build_exact = mean_exact,
  .value = linear_value,
  .smooth = linear_smooth,
};
