/* Exact policy optimisation for polyhedral aggregators (pessimistic_momle's box, maxmin) as
 * one small linear program (H = 1):
 *     max c_w^T w   s.t.  sum_a pi(a|s) = 1 (every s),  G w - T z_pi = 0,  pi >= 0, w >= 0,
 * with z_pi = sum_s rho(s) sum_a pi(a|s) phi(s,a) and (G, c_w, T) the aggregator's LP form.
 * S + r rows, S*A + nw columns. Every rank of the states' communicator builds the same LP from
 * the replicated features (exact copies) and solves it with the same deterministic simplex,
 * so the policy is identical for any rank count. The duals of the r rows give the certifying
 * point theta of Theta; the certificate (W of the explicit policy, h(theta)) is recomputed
 * from scratch, so it does not rely on the LP solver being right. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf_lp.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "certify.h"
#include "solver.h"
#include "states.h"

int rlhf_policy_solve_lp(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                         ss_err *e)
{
  int S = st->S, A = st->A, d = st->d, r, nw;
  agg->ops->lp_dims(agg, &r, &nw);
  int m = S + r, n = S * A + nw;
  double *Am = ss_calloc((size_t)m * n, sizeof *Am, e);
  double *b = ss_calloc((size_t)m, sizeof *b, e), *c = ss_calloc((size_t)n, sizeof *c, e);
  double *x = ss_calloc((size_t)n, sizeof *x, e), *y = ss_calloc((size_t)m, sizeof *y, e);
  double *G = ss_calloc((size_t)r * nw, sizeof *G, e), *T = ss_calloc((size_t)r * d, sizeof *T, e);
  int *basis = ss_calloc((size_t)m, sizeof *basis, e), *greedy = ss_calloc((size_t)S, sizeof *greedy, e);
  if (!Am || !b || !c || !x || !y || !G || !T || !basis || !greedy) {
    ss_fail(e, SS_ERUNTIME, "out of memory");
    free(Am), free(b), free(c), free(x), free(y), free(G), free(T), free(basis), free(greedy);
    return rlhf_policy_certify(st, agg, NULL, tol, pol, e); /* its pass agrees on the failure */
  }
  /* warm start: the greedy policy of the point of Theta the smoothed W picks at the uniform
   * policy (deterministic, from replicated data in state order) */
  double zu[RLHF_DMAX] = {0}, z0[RLHF_DMAX] = {0}, theta0[RLHF_DMAX], theta[RLHF_DMAX];
  for (int s = 0; s < S; s++)
    for (int a = 0; a < A; a++)
      for (int j = 0; j < d; j++) zu[j] += st->rho_all[s] / A * st->phi_all[((size_t)s * A + a) * d + j];
  rlhf_agg_smooth(agg, zu, 1.0, theta0, NULL);
  for (int s = 0; s < S; s++) {
    const double *ph = st->phi_all + (size_t)s * A * d;
    int best = rlhf_greedy_action(theta0, ph, A, d);
    greedy[s] = best;
    for (int j = 0; j < d; j++) z0[j] += st->rho_all[s] * ph[(size_t)best * d + j];
  }
  int *wbasis = basis + S;
  agg->ops->lp_fill(agg, z0, G, c + S * A, T, wbasis);
  for (int s = 0; s < S; s++) {
    b[s] = 1.0;
    basis[s] = s * A + greedy[s];
    for (int a = 0; a < A; a++) Am[(size_t)s * n + s * A + a] = 1.0;
  }
  for (int i = 0; i < r; i++) {
    double *row = Am + (size_t)(S + i) * n;
    for (int s = 0; s < S; s++)
      for (int a = 0; a < A; a++)
        row[s * A + a] = -st->rho_all[s] * rlhf_dot(T + (size_t)i * d, st->phi_all + ((size_t)s * A + a) * d, d);
    memcpy(row + S * A, G + (size_t)i * nw, (size_t)nw * sizeof *row);
    wbasis[i] += S * A;
  }
  rlhf_lp_info info;
  int lrc = rlhf_lp_solve(m, n, Am, b, c, basis, x, y, &info);
  if (lrc == RLHF_LP_OPTIMAL) {
    agg->ops->lp_theta(agg, y + S, theta);
  } else {
    /* cannot happen for these bounded feasible LPs; report the greedy start uncertified */
    memcpy(theta, theta0, (size_t)d * sizeof *theta);
    memset(x, 0, (size_t)n * sizeof *x);
    for (int s = 0; s < S; s++) x[s * A + greedy[s]] = 1.0;
  }
  for (int s = 0; s < st->s_count; s++) {
    const double *xs = x + (size_t)(st->s_first + s) * A;
    double tot = 0;
    for (int a = 0; a < A; a++) tot += xs[a] > 0 ? xs[a] : 0;
    for (int a = 0; a < A; a++) pol->prob[(size_t)s * A + a] = tot > 0 ? (xs[a] > 0 ? xs[a] / tot : 0) : (a == 0);
  }
  pol->levels = 1;
  pol->newton_its = info.iterations;
  free(Am), free(b), free(c), free(x), free(y), free(G), free(T), free(basis), free(greedy);
  if (lrc == RLHF_LP_NOMEM) ss_fail(e, SS_ERUNTIME, "rlhf: out of memory solving the policy LP");
  /* the certificate's pass agrees on a failure of the replicated LP on some rank */
  int rc = rlhf_policy_certify(st, agg, theta, tol, pol, e);
  if (!rc && lrc != RLHF_LP_OPTIMAL) pol->converged = 0;
  return rc;
}
