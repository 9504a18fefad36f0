/* The linear aggregators: W(z) = <theta, z> with theta the mean of the MLEs (naive_mle), their
 * coordinate-wise median (median_mle, an exact distributed median), or the mean of the true
 * parameters (oracle, the social-welfare optimum). Their greedy policy is exactly optimal. */
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/xsum.h"
#include "rlhf_impl.h"

static double linear_value(const rlhf_agg *agg, const double *z)
{
  return rlhf_dot(agg->theta, z, agg->d);
}

static void linear_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad,
                          double *hess)
{
  memcpy(grad, agg->theta, (size_t)agg->d * sizeof *grad);
  if (hess) memset(hess, 0, (size_t)agg->d * agg->d * sizeof *hess);
}

static int naive_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                       ss_err *e)
{
  int d = agg->d;
  ss_xsum acc[RLHF_DMAX];
  for (int j = 0; j < d; j++) ss_xsum_init(&acc[j]);
  for (int64_t r = 0; r < est->count; r++)
    for (int j = 0; j < d; j++) ss_xsum_add(&acc[j], est->theta[r * d + j]);
  ss_comm_sum_xsum(c, acc, d);
  for (int j = 0; j < d; j++) agg->theta[j] = ss_xsum_value(&acc[j]) / (double)est->k;
  return SS_OK;
}

static int median_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                        ss_err *e)
{
  return ss_par_median(c, est->theta, est->count, agg->d, agg->median_kind, agg->theta, e);
}

static int oracle_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                        ss_err *e)
{
  memcpy(agg->theta, tsm, (size_t)agg->d * sizeof *tsm);
  return SS_OK;
}

const rlhf_agg_ops rlhf_agg_naive_mle = {"naive_mle", 1, 0, 0, naive_build, linear_value,
                                         linear_smooth, NULL, NULL, NULL};
const rlhf_agg_ops rlhf_agg_median_mle = {"median_mle", 1, 0, 0, median_build, linear_value,
                                          linear_smooth, NULL, NULL, NULL};
const rlhf_agg_ops rlhf_agg_oracle = {"oracle", 1, 0, 0, oracle_build, linear_value,
                                      linear_smooth, NULL, NULL, NULL};
