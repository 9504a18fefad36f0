/* The policy solve through the planner (planner.c) on the states of rlhf_states: the pricing
 * oracle of the contextual bandit (H = 1: the greedy policy per state, one reduction of the
 * chunk partials of h and z) or of the distributed MDP (mdp_plan.c), and, for H = 1, the
 * explicit mixture policy pi(a|s) = sum_q lambda_q [a = greedy_q(s)], rebuilt from the active
 * columns' pricing points so that the certificate is recomputed from the policy itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "certify.h"
#include "solver.h"
#include "states.h"

static int context_price(void *ctx, const double *theta, double *h, double *z, ss_err *e)
{
  rlhf_states *st = ctx;
  return rlhf_states_greedy_pass(st, theta, h, z, NULL, e);
}

/* Adds weight w to the greedy action of theta in every local state. */
static void add_greedy(const rlhf_states *st, const double *theta, double w, double *prob)
{
  int A = st->A, d = st->d;
  for (int s = 0; s < st->s_count; s++) {
    prob[(size_t)s * A + rlhf_greedy_action(theta, st->phi + (size_t)s * A * d, A, d)] += w;
  }
}

void rlhf_states_oracle(rlhf_states *st, rlhf_oracle *o)
{
  o->d = st->d;
  o->comm = st->comm;
  if (st->mdp) {
    rlhf_mdp_oracle(st->mdp, o);
    return;
  }
  o->ctx = st;
  o->price = context_price;
}

int rlhf_policy_solve_planner(rlhf_states *st, const rlhf_agg *agg, double tol,
                              rlhf_policy *pol, ss_err *e)
{
  rlhf_oracle o;
  rlhf_states_oracle(st, &o);
  rlhf_plan_opts opt = st->plan;
  opt.tol = tol;
  rlhf_plan res;
  SS_TRY(rlhf_plan_solve(&o, agg, &opt, &res, e));
  pol->passes = res.passes;
  pol->columns = res.columns;
  pol->time_price = res.time_price;
  pol->time_master = res.time_master;
  pol->levels = 1;
  if (st->mdp) { /* the certificate of the mixture: z from the columns' occupancy passes */
    memcpy(pol->z, res.z, (size_t)st->d * sizeof *pol->z);
    pol->objective = res.objective;
    pol->dual = res.dual;
    pol->gap = res.gap;
    pol->rel_gap = res.rel_gap;
    memcpy(pol->theta_dual, res.theta_dual, (size_t)st->d * sizeof *pol->theta_dual);
    pol->converged = res.converged;
    rlhf_plan_free(&res);
    return SS_OK;
  }
  memset(pol->prob, 0, (size_t)(st->s_count ? st->s_count : 1) * st->A * sizeof *pol->prob);
  for (int q = 0; q < res.ncols; q++)
    add_greedy(st, res.col_theta + (size_t)q * st->d, res.col_weight[q], pol->prob);
  double theta[RLHF_DMAX], scale = res.scale;
  memcpy(theta, res.theta_dual, (size_t)st->d * sizeof *theta);
  rlhf_plan_free(&res);
  SS_TRY(rlhf_policy_certify(st, agg, theta, tol, pol, e));
  pol->rel_gap = pol->gap / rlhf_rel_denominator_scaled(pol->objective, pol->dual, scale);
  pol->converged = pol->rel_gap <= tol;
  return SS_OK;
}
