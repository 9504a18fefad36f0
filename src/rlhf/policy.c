/* Certified policy optimisation (MODELS 1.5): the dispatch to a solver. Linear aggregators
 * get the greedy policy (exact); otherwise the states' policy solver (solver.h: the planner,
 * policy_plan.c -> planner.c, every H; or, with rlhf.policy.method dense and H = 1, the dense
 * LP or active-set Newton method, policy_dense.c). The layers below, none of which calls back
 * up: the solvers, then the certificate (policy_certify.c), then the states (states.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rlhf_mdp.h"
#include "certify.h"
#include "solver.h"
#include "states.h"

/* A solve with an error pending (a build or an allocation that failed on this rank) takes
 * part in the first collective of every solver, a pricing pass over the states, whose
 * reduction agrees on the error first (docs/errors.md); it writes nothing. */
static int solve_pending(rlhf_states *st, ss_err *e)
{
  double theta[RLHF_DMAX] = {0}, z[RLHF_DMAX], h;
  if (st->mdp) return rlhf_mdp_price(st->mdp, theta, &h, z, e);
  return rlhf_states_eval(st, theta, 0.0, 0, &h, z, NULL, NULL, e);
}

int rlhf_policy_solve(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                      ss_err *e)
{
  memset(pol, 0, sizeof *pol);
  if (e->code) return solve_pending(st, e); /* agg may be NULL */
  const double *lin = rlhf_agg_linear_theta(agg);
  if (lin && !st->mdp) { /* the planner's single pricing pass, as a greedy policy */
    SS_TRY(rlhf_policy_greedy(st, lin, pol, e));
    pol->passes = pol->columns = 1;
    pol->method = rlhf_solver_default()->name;
    pol->objective = rlhf_agg_value(agg, pol->z);
    pol->gap = pol->dual - pol->objective;
    pol->rel_gap = pol->gap / rlhf_rel_denominator(pol->objective, pol->dual);
    return SS_OK;
  }
  const rlhf_solver_ops *solver = st->solver ? st->solver : rlhf_solver_default();
  if (st->mdp && !solver->mdp) /* the same on every rank (a config is refused before: check) */
    return ss_fail(e, SS_EINPUT, "rlhf: the %s policy solver does not solve MDPs", solver->name);
  if (rlhf_policy_alloc(st, pol, e)) return solve_pending(st, e);
  int rc = solver->solve(st, st->solver_settings, agg, tol, pol, e);
  pol->method = solver->name;
  if (rc) rlhf_policy_free(pol); /* a failed solve leaves nothing to free */
  return rc;
}

int rlhf_solve_aggregate(rlhf_states *st, const rlhf_agg *agg, double tol, double *z, ss_err *e)
{
  rlhf_policy pol;
  int rc = rlhf_policy_solve(st, agg, tol, &pol, e);
  if (!rc) memcpy(z, pol.z, (size_t)st->d * sizeof *z);
  rlhf_policy_free(&pol);
  return rc;
}
