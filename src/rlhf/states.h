/* Private to src/rlhf: the distributed S x A states (states.c) and their passes: the greedy
 * and smoothed evaluations, the z of a policy, and the pricing oracle (policy_plan.c). */
#ifndef STRATSIM_RLHF_STATES_H
#define STRATSIM_RLHF_STATES_H

#include "stratsim/rlhf_policy.h"
#include "planner.h"

/* The S x A feature matrix spread over ranks (states.c). */
struct rlhf_states {
  ss_comm *comm;
  int S, A, d;
  int chunk, nchunks, c_first, c_count;
  int s_first, s_count;
  double *phi; /* this rank's rows, row-major: s_count*A*d */
  double *rho; /* s_count */
  double L;    /* max ||phi|| over all states */
  size_t m;    /* doubles per chunk partial: 1 + d + d*d */
  double *partial, *all;
  /* every state, replicated on each rank of comm (exact copies gathered in state order): the
   * small LP / active-set problems are solved redundantly and identically on every rank */
  double *phi_all; /* S*A*d for the dense solvers only (rlhf_states_replicate; NULL otherwise) */
  double *rho_all; /* S */
  /* the policy solver (solver.h; NULL: the registry's default) and its settings (what its
   * setup op read from the config; NULL: its defaults), borrowed: rlhf_states_set_solver */
  const struct rlhf_solver_ops *solver;
  const void *solver_settings;
  struct rlhf_mdp *mdp; /* H > 1 (or an explicit MDP): the distributed MDP; NULL: contextual */
};
/* Builds phi_all on first use (states.c). Collective over st->comm; agrees on a pending error. */
int rlhf_states_replicate(rlhf_states *st, ss_err *e);

int rlhf_states_z_policy(rlhf_states *st, const double *prob, double *z, ss_err *e);
/* One pass over the local states at theta with temperature tau (0: greedy) (states.c):
 * hmax = sum_s rho max_a q, z = sum_s rho E_p phi, H = (1/tau) sum_s rho Cov_p(phi) (if want_h).
 * prob (s_count x A) receives the policy when non-NULL. Collective. */
int rlhf_states_eval(rlhf_states *st, const double *theta, double tau, int want_h, double *hmax,
                     double *z, double *H, double *prob, ss_err *e);
/* The greedy action of one state: argmax_a <theta, phi(s,a)> over the A rows ph (ties to the
 * lowest action). */
int rlhf_greedy_action(const double *theta, const double *ph, int A, int d);
void rlhf_dot_rows(const double *theta, const double *ph, int A, int d, double *q);
/* The pricing oracle of st (contextual greedy pass, or the MDP's when st->mdp is set). */
void rlhf_states_oracle(rlhf_states *st, rlhf_oracle *o);
/* One greedy pass over the contextual states (states.c): h(theta), z of the greedy policy and,
 * if prob != NULL, the local policy. Collective (one allgather of 1 + d numbers per chunk). */
int rlhf_states_greedy_pass(rlhf_states *st, const double *theta, double *h, double *z,
                            double *prob, ss_err *e);

#endif
