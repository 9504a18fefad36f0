/* Private to src/rlhf: the policy solvers (rlhf.policy.method): their ops table and registry
 * (solvers.c, one line per solver; each solver is one file: policy_plan.c, policy_dense.c),
 * the solve functions they reach (policy_lp.c, policy_active_set.c) and SPSA's entry point
 * (policy.c). */
#ifndef STRATSIM_RLHF_SOLVER_H
#define STRATSIM_RLHF_SOLVER_H

#include "stratsim/plugin.h"
#include "stratsim/rlhf_params.h"
#include "stratsim/rlhf_policy.h"

/* A policy solver (rlhf.policy.method; registry: solvers.c). Ops, with designated
 * initialisers:
 *   required:                    name, summary, solve
 *   optional, with a default:    settings_size + setup (default: no settings; solve gets
 *                                NULL), mdp (default 0: contextual problems (H = 1) only; a
 *                                config selecting it for an MDP is refused, naming the solvers
 *                                that set it), states_memory (default: 0 bytes)
 *   optional, without a default: keys/nkeys (its config keys, gathered into the schema after
 *                                rlhf.policy.method; a key of a solver that is not selected
 *                                belongs to no run) */
typedef struct rlhf_solver_ops {
  const char *name;
  const char *summary;
  const ss_key *keys; /* paths "rlhf.policy.*"; declared next to the code */
  int nkeys;
  int mdp;            /* 1: solves MDPs (H > 1) as well as the contextual problem */
  /* Its settings: a plain struct of settings_size bytes (copied by value) that setup fills from
   * cfg, or, for cfg NULL, with its keys' defaults. Not collective; deterministic. */
  size_t settings_size;
  void (*setup)(const ss_config *cfg, void *settings);
  /* Bytes each set of policy states replicates for it beyond its own rows (the memory
   * estimate, contextual problems; S, A, d of the config). */
  double (*states_memory)(double S, double A, double d);
  /* The certified policy of agg on the states (pol allocated by the caller: rlhf_policy_alloc);
   * settings: what setup filled, or NULL (then its defaults). Collective over the states'
   * communicator. */
  int (*solve)(rlhf_states *st, const void *settings, const rlhf_agg *agg, double tol,
               rlhf_policy *pol, ss_err *e);
} rlhf_solver_ops;

extern const ss_plugin_family rlhf_solvers;
/* The registered solver by name (NULL if unknown). The first registered one is the default:
 * the schema's default of rlhf.policy.method, and the solver of states given none. */
const rlhf_solver_ops *rlhf_solver_find(const char *name);
const rlhf_solver_ops *rlhf_solver_default(void);

/* The config's solver (rlhf.policy.method) and its settings read from cfg: *settings is a new
 * block owned by the caller (free), NULL when the solver has none. Not collective. */
int rlhf_solver_setup(const ss_config *cfg, const rlhf_solver_ops **solver, void **settings,
                      ss_err *e);
/* Config errors of the selected solver given p: a key of another solver set (the registry's
 * generic rule, ss_plugin_check_unread); an MDP needs a solver with .mdp. */
int rlhf_solver_check(const ss_config *cfg, const rlhf_params *p, ss_err *e);
/* The memory estimate's term of the config's solver (states_memory, 0 without one). */
double rlhf_solver_states_memory(const ss_config *cfg, double S, double A, double d);
/* st solves with solver (NULL: the default) and settings (NULL: its defaults; borrowed: they
 * outlive st). Not collective. */
void rlhf_states_set_solver(rlhf_states *st, const rlhf_solver_ops *solver, const void *settings);
/* st solves as from does: the same solver and settings (borrowed from from's owner; from
 * NULL: the default). */
void rlhf_states_use_solver_of(rlhf_states *st, const rlhf_states *from);

/* The exact policy solvers for concave aggregators; pol is allocated by the caller
 * (rlhf_policy_alloc). Collective over the states' communicator. */
int rlhf_policy_solve_lp(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                         ss_err *e);
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
