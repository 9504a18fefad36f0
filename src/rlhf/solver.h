/* Private to src/rlhf: the policy solvers (rlhf.policy.method): their ops table and registry
 * (solvers.c), and the solve functions they reach (policy_lp.c, policy_active_set.c,
 * policy_plan.c) and SPSA's entry point (policy.c). */
#ifndef STRATSIM_RLHF_SOLVER_H
#define STRATSIM_RLHF_SOLVER_H

#include "stratsim/plugin.h"
#include "stratsim/rlhf_policy.h"

/* A policy solver (rlhf.policy.method; registry: solvers.c).
 *   required:                    name, summary, kind (its RLHF_METHOD_* constant, the value
 *                                of rlhf_params.policy_method), solve
 *   optional without a default:  keys/nkeys */
typedef struct rlhf_solver_ops {
  const char *name;
  const char *summary;
  int kind;
  const ss_key *keys;
  int nkeys;
  /* The certified policy of agg on the states (pol allocated by the caller: rlhf_policy_alloc).
   * Collective over the states' communicator. */
  int (*solve)(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol, ss_err *e);
} rlhf_solver_ops;

extern const ss_plugin_family rlhf_solvers;
/* The registered solver by name (NULL if unknown) and by kind (the schema has checked it;
 * NULL if unknown). */
const rlhf_solver_ops *rlhf_solver_find(const char *name);
const rlhf_solver_ops *rlhf_solver_of(int kind);

/* The exact policy solvers for concave aggregators; pol is allocated by the caller
 * (rlhf_policy_alloc). Collective over the states' communicator. */
int rlhf_policy_solve_lp(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                         ss_err *e);
int rlhf_policy_solve_planner(rlhf_states *st, const rlhf_agg *agg, double tol,
                              rlhf_policy *pol, ss_err *e);
int rlhf_policy_solve_smooth(rlhf_states *st, const rlhf_agg *agg, double tol,
                             rlhf_policy *pol, ss_err *e);
/* Active-set Newton over S simplices of A weights (policy_active_set.c): maximises W(sum R pi)
 * from the feasible start pi (support: pi > 0). Not collective. */
int rlhf_aset_maximise(int S, int A, int d, const double *R, const rlhf_agg *agg, double mu,
                       double *pi, int *iterations, ss_err *e);

/* The one-labeler utility of the policy an aggregate picks (for SPSA): solves the policy
 * problem and returns z. */
int rlhf_solve_aggregate(rlhf_states *st, const rlhf_agg *agg, double tol, double *z,
                         ss_err *e);

#endif
