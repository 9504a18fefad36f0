/* A policy and its certificate (H = 1 and the MDP): allocation, the greedy policy of a point
 * theta, and the primal/dual bounds of an explicit policy. W(z_pi) of the policy and h(theta)
 * of a point of Theta bound the optimum from both sides; the relative gap is
 * (h - W) / max(|W|, |h|, 1e-3). Called by the solvers (policy_lp.c, policy_active_set.c,
 * policy_plan.c) and by policy.c; calls only the states (states.c) and the MDP. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rlhf_mdp.h"
#include "certify.h"
#include "states.h"

void rlhf_policy_free(rlhf_policy *pol)
{
  free(pol->prob);
  pol->prob = NULL;
}

int rlhf_policy_alloc(rlhf_states *st, rlhf_policy *pol, ss_err *e)
{
  memset(pol, 0, sizeof *pol);
  pol->s_first = st->s_first;
  pol->s_count = st->s_count;
  pol->A = st->A;
  pol->prob = ss_malloc((size_t)(st->s_count ? st->s_count : 1) * st->A * sizeof *pol->prob, e);
  /* local: the caller's next pass over the states agrees on a failure */
  return e->code;
}

double rlhf_rel_denominator(double w, double h)
{
  double m = fabs(w) > fabs(h) ? fabs(w) : fabs(h);
  return m > 1e-3 ? m : 1e-3;
}

double rlhf_rel_denominator_scaled(double w, double h, double scale)
{
  double m = rlhf_rel_denominator(w, h), f = RLHF_ZERO_SCALE * scale;
  return m > f ? m : f;
}

int rlhf_policy_greedy(rlhf_states *st, const double *theta, rlhf_policy *pol, ss_err *e)
{
  rlhf_policy_alloc(st, pol, e); /* a failure is agreed on by the pass below */
  double h;
  if (st->mdp) SS_TRY(rlhf_mdp_price(st->mdp, theta, &h, pol->z, e));
  else SS_TRY(rlhf_states_eval(st, theta, 0.0, 0, &h, pol->z, NULL, pol->prob, e));
  pol->objective = rlhf_dot(theta, pol->z, st->d);
  pol->dual = h;
  pol->gap = h - pol->objective;
  pol->rel_gap = pol->gap / rlhf_rel_denominator(pol->objective, h);
  memcpy(pol->theta_dual, theta, (size_t)st->d * sizeof *theta);
  pol->converged = 1;
  return SS_OK;
}

int rlhf_policy_certify(rlhf_states *st, const rlhf_agg *agg, const double *theta, double tol,
                        rlhf_policy *pol, ss_err *e)
{
  int d = st->d;
  SS_TRY(rlhf_states_z_policy(st, pol->prob, pol->z, e));
  pol->objective = rlhf_agg_value(agg, pol->z);
  double h;
  SS_TRY(rlhf_states_eval(st, theta, 0.0, 0, &h, NULL, NULL, NULL, e));
  pol->dual = h;
  pol->gap = h - pol->objective;
  pol->rel_gap = pol->gap / rlhf_rel_denominator(pol->objective, h);
  memcpy(pol->theta_dual, theta, (size_t)d * sizeof *theta);
  pol->tau = 0;
  pol->converged = pol->rel_gap <= tol;
  return SS_OK;
}
