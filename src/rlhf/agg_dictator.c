/* The dictatorship of labeler 0: W(z) = <theta_hat_0, z>, the greedy policy for labeler 0's
 * estimate alone. It is exactly strategyproof with exact parameters (no report of another
 * labeler changes the policy, and labeler 0 gets its own optimum by reporting the truth), so
 * it is the rule that SP-RLHF Thm 3.5's instance family forces onto 1/k of the optimal
 * welfare (Gibbard-Satterthwaite: a deterministic strategyproof rule onto >= 3 outcomes is a
 * dictatorship; docs/theory.md). */
#include "stratsim/xsum.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"

static double dictator_value(const rlhf_agg *agg, const double *z)
{
  return rlhf_dot(RLHF_AGG_LINEAR(agg)->theta, z, agg->d);
}

static void dictator_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad,
                            double *hess)
{
  for (int j = 0; j < agg->d; j++) grad[j] = RLHF_AGG_LINEAR(agg)->theta[j];
  if (hess)
    for (int j = 0; j < agg->d * agg->d; j++) hess[j] = 0;
}

/* labeler 0's row lives on the rank whose block starts at 0: an exact sum of that row and
 * zeros elsewhere replicates it bit for bit */
static int dictator_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est,
                          const double *tsm, ss_err *e)
{
  int d = est->d;
  ss_xsum acc[RLHF_DMAX];
  for (int j = 0; j < d; j++) {
    ss_xsum_init(&acc[j]);
    if (!e->code && est->first == 0 && est->count > 0) ss_xsum_add(&acc[j], est->theta[j]);
  }
  SS_TRY(ss_par_sum_xsum(c, acc, d, e)); /* agg is NULL when e was pending */
  for (int j = 0; j < d; j++) RLHF_AGG_LINEAR(agg)->theta[j] = ss_xsum_value(&acc[j]);
  return SS_OK;
}

static int dictator_exact(rlhf_agg *agg, const double *theta_hat, const double *prec,
                          const double *lo, const double *hi, ss_err *e)
{
  for (int j = 0; j < agg->d; j++) RLHF_AGG_LINEAR(agg)->theta[j] = theta_hat[j];
  return SS_OK;
}

const rlhf_agg_ops rlhf_agg_dictator = {
  .name = "dictator",
  .linear = 1,
  .data_size = sizeof(rlhf_agg_linear_data),
  .build = dictator_build,
  .build_exact = dictator_exact,
  .value = dictator_value,
  .smooth = dictator_smooth,
};
