/* RLHF with strategic labelers (MODELS section 1): the distributed states and certified policies.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_POLICY_H
#define STRATSIM_RLHF_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_agg.h"
#include "stratsim/rlhf_env.h"

/* The S x A feature matrix spread over the ranks of c by blocks of whole summation chunks
 * (each rank's rows s*A+a of phi and of rho), so that sums over states run in a fixed order that
 * does not depend on the number of ranks. */
typedef struct rlhf_states rlhf_states;
int rlhf_states_create(ss_comm *c, const rlhf_env *env, int chunk, rlhf_states **st, ss_err *e);
void rlhf_states_destroy(rlhf_states **st);
void rlhf_states_local(const rlhf_states *st, int *s_first, int *s_count);
/* max ||phi(s,a)|| over every state (collective value, known on every rank). */
double rlhf_states_L(const rlhf_states *st);
/* MDP environments: computes the trajectory design (env->design_x) and sets env->L and
 * env->Lx = H L from the distributed states. Collective over st's communicator. */
int rlhf_env_set_design(rlhf_env *env, rlhf_states *st, const rlhf_params *p, ss_err *e);

typedef struct {
  double z[64];          /* z_pi (d <= 64 is checked) */
  double objective;      /* W(z_pi) */
  double dual;           /* h(theta_dual) */
  double gap;            /* dual - objective */
  double rel_gap;        /* gap / max(|W|, |h|, 1e-3) */
  double theta_dual[64];
  double tau;            /* smoothing of the final policy (0: greedy) */
  int levels, newton_its;
  int passes;            /* planner: pricing passes (0: dense solver) */
  int columns;           /* planner: columns generated */
  double time_price, time_master; /* planner: seconds in pricing passes and in the master */
  int converged;
  const char *method;    /* the policy solver's name (rlhf.policy.method; a linear aggregator's
                          * greedy policy, H = 1: the default solver's, whose single pass it is) */
  double *prob;          /* local states x A policy (owned by the result) */
  int s_first, s_count, A;
} rlhf_policy;

/* Certified maximisation of W(z_pi) over stochastic tabular policies. Collective over the
 * states' communicator. Stops at rel_gap <= tol. */
int rlhf_policy_solve(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                      ss_err *e);
void rlhf_policy_free(rlhf_policy *pol);
/* The greedy policy of theta (ties to the lowest action): z and h(theta). Collective. */
int rlhf_policy_greedy(rlhf_states *st, const double *theta, rlhf_policy *pol, ss_err *e);
/* h(theta) = sum_s rho(s) max_a <theta, phi(s,a)>. Collective. */
double rlhf_policy_dual_value(rlhf_states *st, const double *theta);

#endif
