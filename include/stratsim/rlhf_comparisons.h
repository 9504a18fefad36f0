/* RLHF with strategic labelers (MODELS section 1): the comparison design and Bradley-Terry labels.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_COMPARISONS_H
#define STRATSIM_RLHF_COMPARISONS_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_env.h"

/* Design of comparison j of labeler i: state and the two distinct actions. */
void rlhf_design(const rlhf_params *p, const rlhf_env *env, int64_t i, int j, int *s, int *a0,
                 int *a1);
/* The n comparisons of labeler i under reported parameter t: x (n x d) and labels o (0: first
 * option preferred). Labels use common random numbers u_ij (MODELS 1.3). */
double rlhf_label_u(const rlhf_params *p, int64_t i, int j);
void rlhf_comparisons(const rlhf_params *p, const rlhf_env *env, int64_t i, const double *t,
                      double *x, unsigned char *o);
double rlhf_sigmoid(double m);

#endif
