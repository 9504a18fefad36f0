/* RLHF with strategic labelers (MODELS section 1): the labelers' true parameters and the strategic subset.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_POPULATION_H
#define STRATSIM_RLHF_POPULATION_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_params.h"

/* True parameter of labeler i (keyed: any rank can regenerate any labeler). */
void rlhf_theta_star(const rlhf_params *p, int64_t i, double *theta);
/* Project onto the Euclidean ball of radius B. */
void rlhf_project_ball(double *t, int d, double B);
/* Strategic flags for labelers 0..k-1 (fraction or explicit list); out has k entries. */
void rlhf_strategic_flags(const rlhf_params *p, double fraction, const long long *list, int nlist,
                          unsigned char *out);

#endif
