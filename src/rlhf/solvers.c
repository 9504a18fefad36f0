/* The registry of RLHF policy solvers (rlhf.policy.method): the distributed certified planner
 * (policy_plan.c -> planner.c, every horizon) and the dense LP / active set over every state
 * (policy_lp.c, policy_active_set.c; H = 1, the reference). policy.c reaches them through the
 * states' solver, never by name. */
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "certify.h"
#include "solver.h"
#include "states.h"

static const ss_key planner_keys[] = {
  {"rlhf.policy.smoothing", SS_T_REAL, "0.7", 0, 1, SS_K_MAX_OPEN, NULL, "planner: in-out dual smoothing alpha (0: plain column generation)"},
  {"rlhf.policy.max_passes", SS_T_INT, "10000", 1, 1e9, 0, NULL, "planner: at most this many pricing passes per solve (then converged = 0)"},
};

/* Polyhedral W: the exact LP; smooth W: active-set Newton. */
static int dense_solve(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol, ss_err *e)
{
  if (rlhf_states_replicate(st, e)) return rlhf_policy_certify(st, agg, NULL, tol, pol, e); /* agrees on it */
  return agg->ops->lp_dims ? rlhf_policy_solve_lp(st, agg, tol, pol, e) : rlhf_policy_solve_smooth(st, agg, tol, pol, e);
}

static const rlhf_solver_ops solver_planner = {
  .name = "planner",
  .summary = "column generation with a pricing oracle over the distributed states (docs/mdp.md)",
  .kind = RLHF_METHOD_PLANNER,
  .keys = planner_keys,
  .nkeys = SS_PLUGIN_COUNT(planner_keys),
  .solve = rlhf_policy_solve_planner,
};
static const rlhf_solver_ops solver_dense = {
  .name = "dense",
  .summary = "the dense LP (polyhedral W) or active-set Newton (smooth W) over every state, H = 1",
  .kind = RLHF_METHOD_DENSE,
  .solve = dense_solve,
};

static const void *const solvers[] = {
  &solver_planner,
  &solver_dense,
};

const ss_plugin_family rlhf_solvers = {
  .what = "policy solver",
  .key = "rlhf.policy.method",
  .items = solvers,
  .n = SS_PLUGIN_COUNT(solvers),
  .keys_offset = SS_PLUGIN_KEYS(rlhf_solver_ops),
};

const rlhf_solver_ops *rlhf_solver_find(const char *name) { return ss_plugin_find(&rlhf_solvers, name); }

const rlhf_solver_ops *rlhf_solver_of(int kind)
{
  return ss_plugin_of_kind(&rlhf_solvers, offsetof(rlhf_solver_ops, kind), kind);
}

void rlhf_states_configure(rlhf_states *st, const rlhf_params *p)
{
  st->solver = rlhf_solver_of(st->mdp ? RLHF_METHOD_PLANNER : p->policy_method);
  st->plan.smoothing = p->policy_smoothing;
  st->plan.smoothing_auto = p->policy_smoothing_auto;
  st->plan.max_passes = p->policy_max_passes;
}
