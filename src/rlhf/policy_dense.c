/* The dense policy solver (rlhf.policy.method dense; solver.h), the reference at H = 1: every
 * rank replicates every state's features and solves the same problem redundantly, the exact
 * LP for a polyhedral W (policy_lp.c) or active-set Newton for a smooth one
 * (policy_active_set.c). Contextual problems only (no .mdp). */
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "certify.h"
#include "solver.h"
#include "states.h"

static int dense_solve(rlhf_states *st, const void *settings, const rlhf_agg *agg, double tol,
                       rlhf_policy *pol, ss_err *e)
{
  (void)settings; /* it has none */
  if (rlhf_states_replicate(st, e)) return rlhf_policy_certify(st, agg, NULL, tol, pol, e); /* agrees on it */
  return agg->ops->lp_dims ? rlhf_policy_solve_lp(st, agg, tol, pol, e) : rlhf_policy_solve_smooth(st, agg, tol, pol, e);
}

/* Each set of policy states keeps a replicated copy of every state's features (S A d). */
static double dense_states_memory(double S, double A, double d) { return 8 * S * A * d; }

const rlhf_solver_ops rlhf_solver_dense = {
  .name = "dense",
  .summary = "the dense LP (polyhedral W) or active-set Newton (smooth W) over every state, H = 1",
  .states_memory = dense_states_memory,
  .solve = dense_solve,
};
