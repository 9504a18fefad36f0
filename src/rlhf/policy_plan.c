/* The planner, a policy solver (rlhf.policy.method planner, the default; solver.h): its keys
 * and settings, and its solve through the column generation of planner.c on the states of
 * rlhf_states: the pricing oracle of the contextual bandit (H = 1: the greedy policy per state,
 * one reduction of the chunk partials of h and z) or of the distributed MDP (mdp_plan.c), and,
 * for H = 1, the explicit mixture policy pi(a|s) = sum_q lambda_q [a = greedy_q(s)], rebuilt
 * from the active columns' pricing points so that the certificate is recomputed from the
 * policy itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/config.h"
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

static const ss_key planner_keys[] = {
  {"rlhf.policy.smoothing", SS_T_REAL, "0.7", 0, 1, SS_K_MAX_OPEN, NULL, "planner: in-out dual smoothing alpha (0: plain column generation)"},
  {"rlhf.policy.max_passes", SS_T_INT, "10000", 1, 1e9, 0, NULL, "planner: at most this many pricing passes per solve (then converged = 0)"},
};

/* Its settings (rlhf_plan_opts, planner.h) from cfg, or from its keys' defaults (cfg NULL).
 * The automatic smoothing is not a key (docs/mdp.md): off, unless a tool or test sets it. */
static void planner_setup(const ss_config *cfg, void *settings)
{
  rlhf_plan_opts *o = settings;
  memset(o, 0, sizeof *o);
  o->smoothing = cfg ? ss_cfg_real(cfg, "rlhf.policy.smoothing") : strtod(planner_keys[0].def, NULL);
  o->max_passes = (int)(cfg ? ss_cfg_int(cfg, "rlhf.policy.max_passes") : strtol(planner_keys[1].def, NULL, 10));
}

static int planner_solve(rlhf_states *st, const void *settings, const rlhf_agg *agg, double tol,
                         rlhf_policy *pol, ss_err *e)
{
  rlhf_oracle o;
  rlhf_states_oracle(st, &o);
  rlhf_plan_opts opt;
  if (settings) opt = *(const rlhf_plan_opts *)settings;
  else planner_setup(NULL, &opt);
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

const rlhf_solver_ops rlhf_solver_planner = {
  .name = "planner",
  .summary = "column generation with a pricing oracle over the distributed states (docs/mdp.md)",
  .keys = planner_keys,
  .nkeys = SS_PLUGIN_COUNT(planner_keys),
  .mdp = 1,
  .settings_size = sizeof(rlhf_plan_opts),
  .setup = planner_setup,
  .solve = planner_solve,
};
