/* RLHF with strategic labelers (MODELS section 1): aggregators: the registry and the built objective W.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_AGG_H
#define STRATSIM_RLHF_AGG_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_estimates.h"

typedef struct rlhf_agg rlhf_agg;
typedef struct rlhf_agg_ops rlhf_agg_ops;

const rlhf_agg_ops *rlhf_agg_find(const char *name);
int rlhf_agg_count(void);
const char *rlhf_agg_name_at(int i);
/* Does the aggregator need Sigma_i^{-1} in the estimates? */
int rlhf_agg_needs_prec(const rlhf_agg_ops *ops);
int rlhf_agg_is_linear(const rlhf_agg_ops *ops);

/* Builds the aggregate from a block of estimates spread over c (collective). theta_star_mean
 * is used by `oracle` only. */
int rlhf_agg_build(const rlhf_agg_ops *ops, ss_comm *c, const rlhf_params *p,
                   const rlhf_estimates *est, const double *theta_star_mean, rlhf_agg **agg,
                   ss_err *e);
/* Builds from explicit parameters (theta_hat k x d, prec k x d x d or NULL, lo/hi k x d or NULL)
 * on one rank: for tests and the Prop. 3.3 checks. Not collective. */
int rlhf_agg_build_exact(const rlhf_agg_ops *ops, int d, int64_t k, const double *theta_hat,
                         const double *prec, const double *lo, const double *hi, double radius,
                         int median_kind, rlhf_agg **agg, ss_err *e);
void rlhf_agg_destroy(rlhf_agg **agg);
const char *rlhf_agg_name(const rlhf_agg *agg);
/* W(z): the aggregator's objective. */
double rlhf_agg_value(const rlhf_agg *agg, const double *z);
/* Smoothed objective W_mu: gradient (a point of Theta) and Hessian (d x d, may be NULL). */
void rlhf_agg_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad, double *hess);
/* The linear objective's parameter (linear aggregators only), else NULL. */
const double *rlhf_agg_linear_theta(const rlhf_agg *agg);

#endif
