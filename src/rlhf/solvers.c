/* The registry of RLHF policy solvers (rlhf.policy.method): the distributed certified planner
 * (planner.c, every horizon) and the dense LP / active set over every state (policy_lp.c,
 * policy_active_set.c; H = 1, the reference). Built-in code paths, registered with their keys. */
#include "rlhf_impl.h"

static const ss_key planner_keys[] = {
  {"rlhf.policy.smoothing", SS_T_REAL, "0.7", 0, 1, SS_K_MAX_OPEN, NULL, "planner: in-out dual smoothing alpha (0: plain column generation)"},
  {"rlhf.policy.max_passes", SS_T_INT, "10000", 1, 1e9, 0, NULL, "planner: at most this many pricing passes per solve (then converged = 0)"},
};

static const rlhf_builtin_ops solver_planner = {
  .name = "planner",
  .summary = "column generation with a pricing oracle over the distributed states (docs/mdp.md)",
  .kind = RLHF_METHOD_PLANNER,
  .keys = planner_keys,
  .nkeys = SS_PLUGIN_COUNT(planner_keys),
};
static const rlhf_builtin_ops solver_dense = {
  .name = "dense",
  .summary = "the dense LP (polyhedral W) or active-set Newton (smooth W) over every state, H = 1",
  .kind = RLHF_METHOD_DENSE,
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
  .keys_offset = SS_PLUGIN_KEYS(rlhf_builtin_ops),
};
