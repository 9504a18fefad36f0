/* Exact policy optimisation for smooth concave aggregators (pessimistic_sw, an SOCP) by a
 * primal active-set Newton method over stochastic tabular policies (H = 1).
 *
 * Each state s keeps a support (the actions it may mix) and a base action b_s; the free
 * variables are p(s,a) = pi(a|s) for the non-base support actions, and
 *     z = sum_s rho(s) phi(s,b_s) + sum_(s,a) p(s,a) rho(s) (phi(s,a) - phi(s,b_s)).
 * On a support, W is smooth: a Newton step on the reduced gradient q(s,a) - q(s,b_s) (q =
 * <grad W(z), rho(s) phi(s,a)>) with the reduced Hessian, a ratio test that keeps pi a policy
 * (a variable that reaches 0 leaves the support) and an Armijo backtracking line search on W.
 * When the support is stationary, the action of largest violation q(s,a) > q(s,b_s) joins it
 * (with one variable added at a time the Newton step moves it inwards). Every iterate is a
 * policy, and W is positively homogeneous, so grad W(z) is a point of Theta (the average of the
 * ellipsoids C_i) with <grad W(z), z> = W(z): the gap h(grad W(z)) - W(z) certifies every iterate
 * and the method stops when it is below the tolerance (usually at the rounding level, once the
 * optimal support is found). Every rank solves the same problem from the replicated features,
 * so the result does not depend on the rank count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rlhf_impl.h"

typedef struct {
  int S, A, d;
  const double *R; /* S*A*d: rho(s) phi(s,a) */
  double *pi;      /* S*A */
  unsigned char *sup;
  int *base;       /* S */
} aset;

static void aset_z(const aset *as, const double *pi, double *z)
{
  int d = as->d;
  for (int j = 0; j < d; j++) z[j] = 0;
  for (int s = 0; s < as->S; s++)
    for (int a = 0; a < as->A; a++) {
      double w = pi[(size_t)s * as->A + a];
      if (w == 0) continue;
      const double *r = as->R + ((size_t)s * as->A + a) * d;
      for (int j = 0; j < d; j++) z[j] += w * r[j];
    }
}

/* support action with the largest probability becomes the base (conditioning) */
static void aset_rebase(aset *as)
{
  for (int s = 0; s < as->S; s++) {
    int b = -1;
    for (int a = 0; a < as->A; a++)
      if (as->sup[(size_t)s * as->A + a] && (b < 0 || as->pi[(size_t)s * as->A + a] > as->pi[(size_t)s * as->A + b]))
        b = a;
    as->base[s] = b;
  }
}

/* The active-set Newton method on a problem of S "states" with A "actions" each and the
 * per-action feature rows R (S*A*d, already weighted by rho). pi (S*A) holds a feasible start
 * (the support is where pi > 0) and receives the solution. Not collective. */
int rlhf_aset_maximise(int S, int A, int d, const double *R, const rlhf_agg *agg, double *pi,
                       int *iterations, ss_err *e)
{
  size_t SA = (size_t)S * A;
  aset as = {S, A, d, R, pi, NULL, NULL};
  double *q = ss_malloc(SA * sizeof *q, e);
  double *pi_try = ss_malloc(SA * sizeof *pi_try, e);
  as.sup = ss_calloc(SA, 1, e);
  as.base = ss_malloc((size_t)S * sizeof *as.base, e);
  /* free variables: at most S*(A-1) */
  int vmax = (int)(SA - S) + 1;
  int *vs = ss_malloc((size_t)vmax * 2 * sizeof *vs, e);
  double *D = ss_malloc((size_t)vmax * d * sizeof *D, e), *N = NULL;
  size_t ncap = 0;
  double *rg = ss_malloc((size_t)vmax * sizeof *rg, e), *dp = ss_malloc((size_t)vmax * sizeof *dp, e);
  if (!q || !pi_try || !as.sup || !as.base || !vs || !D || !rg || !dp) {
    free(q), free(pi_try), free(as.sup), free(as.base), free(vs), free(D), free(rg), free(dp);
    return ss_fail(e, SS_ERUNTIME, "out of memory");
  }
  for (size_t q0 = 0; q0 < SA; q0++) as.sup[q0] = pi[q0] > 0;
  double z[RLHF_DMAX], g[RLHF_DMAX], H[RLHF_DMAX * RLHF_DMAX], zt[RLHF_DMAX];
  aset_rebase(&as);
  int stalled = 0; /* the last Newton step did not raise W: the support is stationary */
  int it, max_it = 200 + 4 * (int)SA;
  for (it = 0; it < max_it; it++) {
    aset_z(&as, as.pi, z);
    double W = rlhf_agg_value(agg, z);
    rlhf_agg_smooth(agg, z, 0.0, g, H);
    double h = 0, qs = 0;
    for (int s = 0; s < S; s++) {
      double qm = -INFINITY;
      for (int a = 0; a < A; a++) {
        double v = rlhf_dot(g, R + ((size_t)s * A + a) * d, d);
        q[(size_t)s * A + a] = v;
        qm = v > qm ? v : qm;
        qs = fabs(v) > qs ? fabs(v) : qs;
      }
      h += qm;
    }
    if (h - W <= 1e-14 * rlhf_rel_denominator(W, h)) break;
    double eps_r = 1e-13 * (qs > 0 ? qs : 1);
    /* free variables and the reduced gradient */
    int m = 0;
    double rmax = 0;
    for (int s = 0; s < S; s++)
      for (int a = 0; a < A; a++) {
        if (!as.sup[(size_t)s * A + a] || a == as.base[s]) continue;
        vs[2 * m] = s;
        vs[2 * m + 1] = a;
        rg[m] = q[(size_t)s * A + a] - q[(size_t)s * A + as.base[s]];
        rmax = fabs(rg[m]) > rmax ? fabs(rg[m]) : rmax;
        const double *ra = R + ((size_t)s * A + a) * d, *rb = R + ((size_t)s * A + as.base[s]) * d;
        for (int j = 0; j < d; j++) D[(size_t)m * d + j] = ra[j] - rb[j];
        m++;
      }
    if (m == 0 || rmax <= eps_r || stalled) {
      stalled = 0;
      /* stationary on the support: the largest violation joins it */
      int bs = -1, ba = -1;
      double bv = eps_r;
      for (int s = 0; s < S; s++)
        for (int a = 0; a < A; a++) {
          if (as.sup[(size_t)s * A + a]) continue;
          double v = q[(size_t)s * A + a] - q[(size_t)s * A + as.base[s]];
          if (v > bv) bv = v, bs = s, ba = a;
        }
      if (bs < 0) break; /* KKT holds up to rounding */
      as.sup[(size_t)bs * A + ba] = 1;
      continue;
    }
    /* Newton: (-D H D^T + delta I) dp = rg, Cholesky */
    if ((size_t)m * m > ncap) {
      free(N);
      ncap = (size_t)m * m;
      N = ss_malloc(ncap * sizeof *N, e);
      if (!N) break;
    }
    double dmax = 0;
    for (int u = 0; u < m; u++) {
      double hv[RLHF_DMAX];
      for (int a = 0; a < d; a++) hv[a] = rlhf_dot(H + (size_t)a * d, D + (size_t)u * d, d);
      for (int v = 0; v <= u; v++) {
        double val = -rlhf_dot(hv, D + (size_t)v * d, d);
        N[(size_t)u * m + v] = N[(size_t)v * m + u] = val;
      }
      dmax = N[(size_t)u * m + u] > dmax ? N[(size_t)u * m + u] : dmax;
    }
    double delta = 1e-12 * (dmax > 0 ? dmax : 1);
    for (int tries = 0; tries < 8; tries++) {
      double *C = ss_malloc((size_t)m * m * sizeof *C, e);
      if (!C) {
        it = max_it;
        break;
      }
      memcpy(C, N, (size_t)m * m * sizeof *C);
      for (int u = 0; u < m; u++) C[(size_t)u * m + u] += delta;
      int bad = rlhf_cholesky(C, m);
      if (!bad) {
        memcpy(dp, rg, (size_t)m * sizeof *dp);
        rlhf_cholesky_solve(C, m, dp);
      }
      free(C);
      if (!bad) break;
      delta *= 100;
    }
    /* ratio test: keep every pi >= 0 */
    double amax = 1.0;
    int block = -1, block_base = -1;
    for (int u = 0; u < m; u++) {
      double p = as.pi[(size_t)vs[2 * u] * A + vs[2 * u + 1]];
      if (dp[u] < 0 && p / -dp[u] < amax) amax = p / -dp[u], block = u, block_base = -1;
    }
    for (int s = 0, u = 0; s < S; s++) {
      double tot = 0;
      int any = 0;
      while (u < m && vs[2 * u] == s) tot += dp[u++], any = 1;
      if (!any || tot <= 0) continue;
      double pb = as.pi[(size_t)s * A + as.base[s]];
      if (pb / tot < amax) amax = pb / tot, block = -1, block_base = s;
    }
    double slope = 0;
    for (int u = 0; u < m; u++) slope += rg[u] * dp[u];
    double alpha = amax;
    int accepted = 0;
    for (int ls = 0; ls < 40; ls++) {
      memcpy(pi_try, as.pi, SA * sizeof *pi_try);
      for (int u = 0; u < m; u++) {
        int s = vs[2 * u], a = vs[2 * u + 1];
        pi_try[(size_t)s * A + a] += alpha * dp[u];
        pi_try[(size_t)s * A + as.base[s]] -= alpha * dp[u];
      }
      if (alpha == amax) {
        if (block >= 0) pi_try[(size_t)vs[2 * block] * A + vs[2 * block + 1]] = 0;
        if (block_base >= 0) pi_try[(size_t)block_base * A + as.base[block_base]] = 0;
      }
      for (size_t q0 = 0; q0 < SA; q0++)
        if (pi_try[q0] < 0) pi_try[q0] = 0;
      aset_z(&as, pi_try, zt);
      double Wt = rlhf_agg_value(agg, zt);
      if (Wt >= W + 1e-4 * alpha * slope || (alpha * slope <= 1e-15 * fabs(W) && Wt >= W)) {
        accepted = 1;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) {
      stalled = 1; /* no ascent on this support at this precision: look for violators */
      continue;
    }
    stalled = !(rlhf_agg_value(agg, zt) > W) && block < 0 && block_base < 0;
    memcpy(as.pi, pi_try, SA * sizeof *pi_try);
    for (size_t q0 = 0; q0 < SA; q0++)
      if (as.sup[q0] && as.pi[q0] == 0) as.sup[q0] = 0;
    for (int s = 0; s < S; s++) { /* a state keeps at least one supported action */
      int any = 0;
      for (int a = 0; a < A; a++) any |= as.sup[(size_t)s * A + a];
      if (!any) as.sup[(size_t)s * A + as.base[s]] = 1;
    }
    aset_rebase(&as);
  }
  *iterations = it;
  free(q), free(pi_try), free(as.sup), free(as.base);
  free(vs), free(D), free(N), free(rg), free(dp);
  return SS_OK;
}

int rlhf_policy_solve_smooth(rlhf_states *st, const rlhf_agg *agg, double tol,
                             rlhf_policy *pol, ss_err *e)
{
  int S = st->S, A = st->A, d = st->d;
  size_t SA = (size_t)S * A;
  double *R = ss_malloc(SA * d * sizeof *R, e), *pi = ss_calloc(SA, sizeof *pi, e);
  if (!R || !pi) ss_fail(e, SS_ERUNTIME, "out of memory");
  if (ss_par_check(st->comm, e)) { /* every rank goes on to the collective certificate */
    free(R), free(pi);
    return e->code;
  }
  for (int s = 0; s < S; s++)
    for (int a = 0; a < A; a++)
      for (int j = 0; j < d; j++)
        R[((size_t)s * A + a) * d + j] = st->rho_all[s] * st->phi_all[((size_t)s * A + a) * d + j];
  double z[RLHF_DMAX], g[RLHF_DMAX];
  /* start: greedy for grad W at the uniform policy */
  for (size_t q0 = 0; q0 < SA; q0++) pi[q0] = 1.0 / A;
  aset as = {S, A, d, R, pi, NULL, NULL};
  aset_z(&as, pi, z);
  rlhf_agg_smooth(agg, z, 0.0, g, NULL);
  for (int s = 0; s < S; s++) {
    int best = 0;
    double qb = rlhf_dot(g, R + (size_t)s * A * d, d);
    for (int a = 1; a < A; a++) {
      double v = rlhf_dot(g, R + ((size_t)s * A + a) * d, d);
      if (v > qb) qb = v, best = a;
    }
    for (int a = 0; a < A; a++) pi[(size_t)s * A + a] = a == best;
  }
  int it = 0;
  ss_err le;
  ss_err_clear(&le);
  /* out of memory inside leaves pi at the start: still a policy, certified below */
  (void)rlhf_aset_maximise(S, A, d, R, agg, pi, &it, &le);
  /* the certifying point: grad W at the final policy (a point of Theta) */
  aset_z(&as, pi, z);
  rlhf_agg_smooth(agg, z, 0.0, g, NULL);
  for (int s = 0; s < st->s_count; s++)
    memcpy(pol->prob + (size_t)s * A, pi + (size_t)(st->s_first + s) * A, (size_t)A * sizeof *pol->prob);
  pol->levels = 1;
  pol->newton_its = it;
  free(R), free(pi);
  return rlhf_policy_certify(st, agg, g, tol, pol, e);
}
