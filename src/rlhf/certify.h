/* Private to src/rlhf: the certificate of a policy (policy_certify.c): its allocation, the
 * relative gap's denominators, and the certificate from a point of Theta. */
#ifndef STRATSIM_RLHF_CERTIFY_H
#define STRATSIM_RLHF_CERTIFY_H

#include "stratsim/rlhf_policy.h"

int rlhf_policy_alloc(rlhf_states *st, rlhf_policy *pol, ss_err *e);
double rlhf_rel_denominator(double w, double h);
/* The planner's denominator: rlhf_rel_denominator(w, h), but at least RLHF_ZERO_SCALE * scale,
 * scale = max |W(z_q)| over the planner's columns (docs/mdp.md): values below 1e-6 of the
 * problem's magnitude count as zero, so a gap at the rounding level of a huge box certifies. */
#define RLHF_ZERO_SCALE 1e-6
double rlhf_rel_denominator_scaled(double w, double h, double scale);
/* Fills the certificate of pol from its local policy pol->prob and the point theta of Theta:
 * z, objective W(z), dual h(theta), gap, rel_gap, converged (rel_gap <= tol). Collective. */
int rlhf_policy_certify(rlhf_states *st, const rlhf_agg *agg, const double *theta, double tol,
                        rlhf_policy *pol, ss_err *e);

#endif
