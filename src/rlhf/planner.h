/* Private to src/rlhf: the certified planner (planner.c): column generation over a pricing
 * oracle (the contextual states' greedy pass, or the MDP's: mdp_plan.c). */
#ifndef STRATSIM_RLHF_PLANNER_H
#define STRATSIM_RLHF_PLANNER_H

#include "stratsim/rlhf_agg.h"
#include "rlhf_limits.h"

typedef struct {
  double tol;       /* stop at (min h - V) <= tol * max(|V|, |h|, 1e-3) */
  double smoothing; /* in-out alpha in [0, 1): 0 is plain column generation */
  int smoothing_auto; /* adapt alpha from the priced column's direction (planner.c) */
  int max_passes;   /* pricing passes */
} rlhf_plan_opts;

/* Pricing oracle: plans under the reward <theta, phi>, returning h(theta) = max_pi <theta, z_pi>
 * and the z of an optimal deterministic policy (ties to the lowest action). Collective over
 * comm; a local error pending in e is agreed on inside (then every rank returns it). */
typedef struct {
  int d;
  ss_comm *comm;
  void *ctx;
  int (*price)(void *ctx, const double *theta, double *h, double *z, ss_err *e);
} rlhf_oracle;

typedef struct {
  double z[RLHF_DMAX];          /* z of the mixture policy */
  double objective, dual, gap, rel_gap, master_value;
  double scale;                 /* max |W| of the columns (rlhf_rel_denominator_scaled) */
  double theta_dual[RLHF_DMAX]; /* the best dual point (in Theta) */
  int passes, columns, converged;
  double time_price, time_master; /* seconds (first pass excluded from time_price) */
  int ncols;                    /* active columns: their pricing points and weights */
  double *col_theta, *col_weight;
} rlhf_plan;

int rlhf_plan_solve(const rlhf_oracle *o, const rlhf_agg *agg, const rlhf_plan_opts *opt,
                    rlhf_plan *res, ss_err *e);
void rlhf_plan_free(rlhf_plan *res);
struct rlhf_mdp;
void rlhf_mdp_oracle(struct rlhf_mdp *mdp, rlhf_oracle *o);
/* z = sum_q lambda_q Z_q (Z: m x d), in column order */
void rlhf_mix(const double *Z, const double *lambda, int m, int d, double *z);

#endif
