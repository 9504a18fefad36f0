/* RLHF with strategic labelers (MODELS section 1): the confidence radius and sets.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_CONFIDENCE_H
#define STRATSIM_RLHF_CONFIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_params.h"

/* f = c_f sqrt((d + log(k/delta)) / (gamma^2 n) + lambda B^2), gamma from L_x and B. */
double rlhf_radius(int d, int64_t k, int n, double delta, double lambda, double B, double Lx,
                   double c_f);
/* The radius the run uses: rlhf_radius from the parameters, or 0 with exact data. */
double rlhf_params_radius(const rlhf_params *p, double Lx);
/* Sigma = (1/n) sum x x^T + lambda I (d x d), its inverse, and the coordinate intervals
 * [lo, hi] = theta_hat -/+ f sqrt(diag(Sigma^{-1})). prec (d x d) may be NULL. */
int rlhf_confidence(int n, int d, const double *x, double lambda, const double *theta_hat,
                    double f, double *sigma, double *prec, double *lo, double *hi, ss_err *e);

#endif
