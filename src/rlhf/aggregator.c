/* The verbs shared by every aggregator (the registry is agg_registry.c). An aggregator turns
 * the labelers' estimates into a concave objective W(z) over policy feature expectations; it
 * also exposes a smoothed W_mu whose gradient is a point of its pessimism set Theta, which is
 * what the certified policy optimiser (policy.c and the solvers below it) needs. These verbs
 * reach an aggregator only through its ops table, so the policy layer that calls them does not
 * depend on the plug-ins (which read the config: no circle, scripts/check_arch.py --objects). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"

int rlhf_agg_needs_prec(const rlhf_agg_ops *ops) { return ops->needs_prec; }
int rlhf_agg_is_linear(const rlhf_agg_ops *ops) { return ops->linear; }

static rlhf_agg *agg_new(const rlhf_agg_ops *ops, int d, int64_t k, ss_err *e)
{
  rlhf_agg *agg = ss_calloc(1, sizeof *agg, e);
  if (!agg) return NULL;
  agg->ops = ops;
  agg->d = d;
  agg->k = k;
  if (ops->data_size && !(agg->data = ss_calloc(1, ops->data_size, e))) {
    free(agg);
    return NULL;
  }
  return agg;
}

int rlhf_agg_build(const rlhf_agg_ops *ops, ss_comm *c, const rlhf_params *p,
                   const rlhf_estimates *est, const double *theta_star_mean, rlhf_agg **out,
                   ss_err *e)
{
  *out = NULL;
  if (est->d > RLHF_DMAX) return ss_fail(e, SS_EINPUT, "rlhf: d must be <= %d", RLHF_DMAX);
  /* With an error pending (the caller's or agg_new's), agg is NULL: the build then only takes
   * part in its collectives, which agree on the error first (agg_ops.h). A local build's
   * failure stays pending for the caller's next collective (the policy solve). */
  rlhf_agg *agg = e->code ? NULL : agg_new(ops, est->d, est->k, e);
  if (agg) {
    agg->median_kind = p->median_kind;
    agg->radius = est->radius;
  }
  int rc;
  if (ops->needs_all && ss_comm_size(c) > 1) {
    rlhf_estimates all;
    rc = rlhf_estimates_allgather(c, est, &all, e);
    if (!rc) rc = ops->build(agg, c, &all, theta_star_mean, e);
    rlhf_estimates_free(&all);
  } else {
    rc = ops->build(agg, c, est, theta_star_mean, e);
  }
  if (rc) rlhf_agg_destroy(&agg);
  *out = agg;
  return rc;
}

/* The exact builder fills the aggregate directly from parameters held on one rank (serial
 * medians and exact sums), with the same formulas as the collective builders. */
int rlhf_agg_build_exact(const rlhf_agg_ops *ops, int d, int64_t k, const double *theta_hat,
                         const double *prec, const double *lo, const double *hi, double radius,
                         int median_kind, rlhf_agg **out, ss_err *e)
{
  *out = NULL;
  rlhf_agg *agg = agg_new(ops, d, k, e);
  if (!agg) return SS_ERUNTIME;
  agg->median_kind = median_kind;
  agg->radius = radius;
  /* the aggregator's own builder, from the parameters it needs (prec: pessimistic_sw) */
  if (ops->build_exact(agg, theta_hat, prec, lo, hi, e)) {
    rlhf_agg_destroy(&agg);
    return e->code;
  }
  *out = agg;
  return SS_OK;
}

void rlhf_agg_destroy(rlhf_agg **pa)
{
  rlhf_agg *a = *pa;
  if (!a) return;
  if (a->data && a->ops->destroy) a->ops->destroy(a->data);
  free(a->data);
  free(a);
  *pa = NULL;
}

const char *rlhf_agg_name(const rlhf_agg *agg) { return agg->ops->name; }
double rlhf_agg_value(const rlhf_agg *agg, const double *z) { return agg->ops->value(agg, z); }
void rlhf_agg_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad, double *hess)
{
  agg->ops->smooth(agg, z, mu, grad, hess);
}
const double *rlhf_agg_linear_theta(const rlhf_agg *agg)
{
  return agg->ops->linear ? RLHF_AGG_LINEAR(agg)->theta : NULL;
}
