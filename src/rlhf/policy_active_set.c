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
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "certify.h"
#include "linalg.h"
#include "solver.h"
#include "states.h"

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

/* The working arrays of one active-set solve. */
typedef struct {
  aset *as;
  const rlhf_agg *agg;
  size_t SA;
  double *q, *pi_try; /* q(s,a) = <grad W, R(s,a)> (S*A); the line search's trial policy */
  int *vs;            /* the free variables (s, a), 2 per variable */
  double *D, *N, *rg, *dp; /* their rows R(s,a) - R(s,b_s), reduced Hessian, gradient, step */
  size_t ncap;
  int m; /* free variables */
  ss_err *e; /* an allocation failing mid-solve is reported here */
  double mu; /* > 0: maximise the smoothed W_mu (the agg's smooth_value) instead of W */
} aset_work;

static double aset_value(const aset_work *w, const double *z)
{
  return w->mu > 0 ? w->agg->ops->smooth_value(w->agg, z, w->mu) : rlhf_agg_value(w->agg, z);
}

static void aset_work_free(aset_work *w)
{
  free(w->q), free(w->pi_try), free(w->as->sup), free(w->as->base);
  free(w->vs), free(w->D), free(w->N), free(w->rg), free(w->dp);
}

static int aset_work_alloc(aset_work *w, ss_err *e)
{
  size_t SA = w->SA;
  int S = w->as->S, d = w->as->d;
  w->q = ss_malloc(SA * sizeof *w->q, e);
  w->pi_try = ss_malloc(SA * sizeof *w->pi_try, e);
  w->as->sup = ss_calloc(SA, 1, e);
  w->as->base = ss_malloc((size_t)S * sizeof *w->as->base, e);
  /* free variables: at most S*(A-1) */
  int vmax = (int)(SA - S) + 1;
  w->vs = ss_malloc((size_t)vmax * 2 * sizeof *w->vs, e);
  w->D = ss_malloc((size_t)vmax * d * sizeof *w->D, e);
  w->rg = ss_malloc((size_t)vmax * sizeof *w->rg, e);
  w->dp = ss_malloc((size_t)vmax * sizeof *w->dp, e);
  if (!w->q || !w->pi_try || !w->as->sup || !w->as->base || !w->vs || !w->D || !w->rg || !w->dp) {
    aset_work_free(w);
    return ss_fail(e, SS_ERUNTIME, "out of memory");
  }
  return SS_OK;
}

/* q(s,a) for the gradient g of W at the current policy; h = sum_s max_a q; *qs = max |q|. */
static double aset_prices(aset_work *w, const double *g, double *qs)
{
  const aset *as = w->as;
  int A = as->A, d = as->d;
  double h = 0;
  *qs = 0;
  for (int s = 0; s < as->S; s++) {
    double qm = -INFINITY;
    for (int a = 0; a < A; a++) {
      double v = rlhf_dot(g, as->R + ((size_t)s * A + a) * d, d);
      w->q[(size_t)s * A + a] = v;
      qm = v > qm ? v : qm;
      *qs = fabs(v) > *qs ? fabs(v) : *qs;
    }
    h += qm;
  }
  return h;
}

/* The free variables (non-base support actions), their reduced gradient and rows; returns
 * the largest |reduced gradient|. */
static double aset_free_vars(aset_work *w)
{
  const aset *as = w->as;
  int A = as->A, d = as->d, m = 0;
  double rmax = 0;
  for (int s = 0; s < as->S; s++)
    for (int a = 0; a < A; a++) {
      if (!as->sup[(size_t)s * A + a] || a == as->base[s]) continue;
      w->vs[2 * m] = s;
      w->vs[2 * m + 1] = a;
      w->rg[m] = w->q[(size_t)s * A + a] - w->q[(size_t)s * A + as->base[s]];
      rmax = fabs(w->rg[m]) > rmax ? fabs(w->rg[m]) : rmax;
      const double *ra = as->R + ((size_t)s * A + a) * d, *rb = as->R + ((size_t)s * A + as->base[s]) * d;
      for (int j = 0; j < d; j++) w->D[(size_t)m * d + j] = ra[j] - rb[j];
      m++;
    }
  w->m = m;
  return rmax;
}

/* Stationary on the support: the largest violation above eps_r joins it. Returns 0 when
 * there is none (KKT holds up to rounding). */
static int aset_add_violator(aset_work *w, double eps_r)
{
  aset *as = w->as;
  int A = as->A, bs = -1, ba = -1;
  double bv = eps_r;
  for (int s = 0; s < as->S; s++)
    for (int a = 0; a < A; a++) {
      if (as->sup[(size_t)s * A + a]) continue;
      double v = w->q[(size_t)s * A + a] - w->q[(size_t)s * A + as->base[s]];
      if (v > bv) bv = v, bs = s, ba = a;
    }
  if (bs < 0) return 0;
  as->sup[(size_t)bs * A + ba] = 1;
  return 1;
}

/* N = -D H D^T (m x m); returns its largest diagonal entry, or -1 if N cannot be allocated. */
static double aset_reduced_hessian(aset_work *w, const double *H)
{
  int m = w->m, d = w->as->d;
  if ((size_t)m * m > w->ncap) {
    free(w->N);
    w->ncap = (size_t)m * m;
    w->N = ss_malloc(w->ncap * sizeof *w->N, w->e);
    if (!w->N) return -1;
  }
  double dmax = 0;
  for (int u = 0; u < m; u++) {
    double hv[RLHF_DMAX];
    for (int a = 0; a < d; a++) hv[a] = rlhf_dot(H + (size_t)a * d, w->D + (size_t)u * d, d);
    for (int v = 0; v <= u; v++) {
      double val = -rlhf_dot(hv, w->D + (size_t)v * d, d);
      w->N[(size_t)u * m + v] = w->N[(size_t)v * m + u] = val;
    }
    dmax = w->N[(size_t)u * m + u] > dmax ? w->N[(size_t)u * m + u] : dmax;
  }
  return dmax;
}

/* Newton: (N + delta I) dp = rg by Cholesky, delta raised until it factors. Returns -1 when
 * the factor cannot be allocated. */
static int aset_newton_step(aset_work *w, double dmax)
{
  int m = w->m;
  double delta = 1e-12 * (dmax > 0 ? dmax : 1);
  for (int tries = 0; tries < 8; tries++) {
    double *C = ss_malloc((size_t)m * m * sizeof *C, w->e);
    if (!C) return -1;
    memcpy(C, w->N, (size_t)m * m * sizeof *C);
    for (int u = 0; u < m; u++) C[(size_t)u * m + u] += delta;
    int bad = rlhf_cholesky(C, m);
    if (!bad) {
      memcpy(w->dp, w->rg, (size_t)m * sizeof *w->dp);
      rlhf_cholesky_solve(C, m, w->dp);
    }
    free(C);
    if (!bad) break;
    delta *= 100;
  }
  return 0;
}

/* Ratio test: the largest step <= 1 that keeps every pi >= 0, and the variable (block) or
 * base action (block_base) that reaches 0 there. */
static double aset_ratio_test(const aset_work *w, int *block, int *block_base)
{
  const aset *as = w->as;
  int A = as->A, m = w->m;
  double amax = 1.0;
  *block = *block_base = -1;
  for (int u = 0; u < m; u++) {
    double p = as->pi[(size_t)w->vs[2 * u] * A + w->vs[2 * u + 1]];
    if (w->dp[u] < 0 && p / -w->dp[u] < amax) amax = p / -w->dp[u], *block = u, *block_base = -1;
  }
  for (int s = 0, u = 0; s < as->S; s++) {
    double tot = 0;
    int any = 0;
    while (u < m && w->vs[2 * u] == s) tot += w->dp[u++], any = 1;
    if (!any || tot <= 0) continue;
    double pb = as->pi[(size_t)s * A + as->base[s]];
    if (pb / tot < amax) amax = pb / tot, *block = -1, *block_base = s;
  }
  return amax;
}

/* Armijo backtracking on W from step amax: pi_try receives the accepted policy, zt its z and
 * *Wt its value. Returns 1 if a step was accepted. */
static int aset_line_search(aset_work *w, double W, double amax, int block, int block_base, double *zt,
                            double *Wt)
{
  const aset *as = w->as;
  int A = as->A, m = w->m;
  double slope = 0;
  for (int u = 0; u < m; u++) slope += w->rg[u] * w->dp[u];
  double alpha = amax;
  for (int ls = 0; ls < 40; ls++) {
    memcpy(w->pi_try, as->pi, w->SA * sizeof *w->pi_try);
    for (int u = 0; u < m; u++) {
      int s = w->vs[2 * u], a = w->vs[2 * u + 1];
      w->pi_try[(size_t)s * A + a] += alpha * w->dp[u];
      w->pi_try[(size_t)s * A + as->base[s]] -= alpha * w->dp[u];
    }
    if (alpha == amax) {
      if (block >= 0) w->pi_try[(size_t)w->vs[2 * block] * A + w->vs[2 * block + 1]] = 0;
      if (block_base >= 0) w->pi_try[(size_t)block_base * A + as->base[block_base]] = 0;
    }
    for (size_t q0 = 0; q0 < w->SA; q0++)
      if (w->pi_try[q0] < 0) w->pi_try[q0] = 0;
    aset_z(as, w->pi_try, zt);
    *Wt = aset_value(w, zt);
    if (*Wt >= W + 1e-4 * alpha * slope || (alpha * slope <= 1e-15 * fabs(W) && *Wt >= W)) return 1;
    alpha *= 0.5;
  }
  return 0;
}

/* The accepted policy becomes the iterate; actions that reached 0 leave the support (a state
 * keeps at least one) and the bases are chosen again. */
static void aset_accept(aset_work *w)
{
  aset *as = w->as;
  int A = as->A;
  memcpy(as->pi, w->pi_try, w->SA * sizeof *w->pi_try);
  for (size_t q0 = 0; q0 < w->SA; q0++)
    if (as->sup[q0] && as->pi[q0] == 0) as->sup[q0] = 0;
  for (int s = 0; s < as->S; s++) {
    int any = 0;
    for (int a = 0; a < A; a++) any |= as->sup[(size_t)s * A + a];
    if (!any) as->sup[(size_t)s * A + as->base[s]] = 1;
  }
  aset_rebase(as);
}

/* The active-set Newton method on a problem of S "states" with A "actions" each and the
 * per-action feature rows R (S*A*d, already weighted by rho). pi (S*A) holds a feasible start
 * (the support is where pi > 0) and receives the solution. mu > 0 maximises the smoothed W_mu
 * (the aggregator's smooth_value) instead of W. Not collective. */
int rlhf_aset_maximise(int S, int A, int d, const double *R, const rlhf_agg *agg, double mu,
                       double *pi, int *iterations, ss_err *e)
{
  aset as = {S, A, d, R, pi, NULL, NULL};
  aset_work w = {.as = &as, .agg = agg, .SA = (size_t)S * A, .e = e, .mu = mu};
  SS_TRY(aset_work_alloc(&w, e));
  for (size_t q0 = 0; q0 < w.SA; q0++) as.sup[q0] = pi[q0] > 0;
  double z[RLHF_DMAX], g[RLHF_DMAX], H[RLHF_DMAX * RLHF_DMAX], zt[RLHF_DMAX];
  aset_rebase(&as);
  int stalled = 0; /* the last Newton step did not raise W: the support is stationary */
  int it, max_it = 200 + 4 * (int)w.SA;
  /* the policy's z, W, gradient, Hessian and prices, computed again only when pi changes (a
   * support change or a failed line search keeps pi; an accepted step's z and W are known) */
  int known = 0;
  double W = 0, h = 0, qs = 0;
  for (it = 0; it < max_it; it++) {
    if (known < 2) {
      if (!known) aset_z(&as, as.pi, z), W = aset_value(&w, z);
      rlhf_agg_smooth(agg, z, mu, g, H);
      h = aset_prices(&w, g, &qs);
      known = 2;
    }
    /* W is positively homogeneous: <grad W(z), z> = W(z); W_mu is not, its reference is <g, z> */
    double Wref = mu > 0 ? rlhf_dot(g, z, d) : W;
    if (h - Wref <= 1e-14 * rlhf_rel_denominator(Wref, h)) break;
    double eps_r = 1e-13 * (qs > 0 ? qs : 1);
    double rmax = aset_free_vars(&w);
    if (w.m == 0 || rmax <= eps_r || stalled) {
      stalled = 0;
      if (!aset_add_violator(&w, eps_r)) break; /* KKT holds up to rounding */
      continue;
    }
    double dmax = aset_reduced_hessian(&w, H);
    if (dmax < 0) break;
    if (aset_newton_step(&w, dmax)) it = max_it;
    int block, block_base;
    double amax = aset_ratio_test(&w, &block, &block_base);
    double Wt;
    if (!aset_line_search(&w, W, amax, block, block_base, zt, &Wt)) {
      stalled = 1; /* no ascent on this support at this precision: look for violators */
      continue;
    }
    stalled = !(Wt > W) && block < 0 && block_base < 0;
    aset_accept(&w); /* pi = pi_try, whose z and W are zt and Wt */
    memcpy(z, zt, (size_t)d * sizeof *z);
    W = Wt;
    known = 1;
  }
  *iterations = it;
  aset_work_free(&w);
  return SS_OK;
}

/* At W's kink z = 0 (the optimum is the policy with z ~ 0 and value 0, docs/mdp.md "the kink"),
 * grad W at the rounding-sized z is an arbitrary point of Theta and does not certify: the dual
 * point of the smoothed problem (W_mu, mu a tenth of the gap over the radius) is tried instead,
 * while it lowers the bound. Every rank takes the same path (the problem is replicated). */
static int certify_at_kink(rlhf_states *st, const rlhf_agg *agg, const double *R, const double *pi,
                           double tol, rlhf_policy *pol, ss_err *e)
{
  int S = st->S, A = st->A, d = st->d, it;
  size_t SA = (size_t)S * A;
  double *pis = NULL, z[RLHF_DMAX], g[RLHF_DMAX];
  for (int round = 0; round < 20 && !pol->converged && agg->ops->smooth_value && agg->radius > 0 &&
                      fabs(pol->objective) <= 1e-10 * rlhf_rel_denominator(pol->objective, pol->dual);
       round++) {
    double mu = 0.1 * pol->gap / agg->radius, h;
    if (!pis) pis = ss_malloc(SA * sizeof *pis, e); /* a failure is agreed on by the pass below */
    if (pis) {
      memcpy(pis, pi, SA * sizeof *pis);
      ss_err le;
      ss_err_clear(&le);
      (void)rlhf_aset_maximise(S, A, d, R, agg, mu, pis, &it, &le);
      aset z_of = {S, A, d, R, pis, NULL, NULL};
      aset_z(&z_of, pis, z);
      rlhf_agg_smooth(agg, z, mu, g, NULL);
      if (agg->ops->holds_zero && agg->ops->holds_zero(agg, z, mu, g)) memset(g, 0, (size_t)d * sizeof *g);
    }
    if (rlhf_states_eval(st, g, 0.0, 0, &h, NULL, NULL, NULL, e) || !(h < pol->dual)) break;
    pol->dual = h;
    pol->gap = h - pol->objective;
    pol->rel_gap = pol->gap / rlhf_rel_denominator(pol->objective, h);
    memcpy(pol->theta_dual, g, (size_t)d * sizeof *g);
    pol->converged = pol->rel_gap <= tol;
  }
  free(pis);
  return e->code;
}

int rlhf_policy_solve_smooth(rlhf_states *st, const rlhf_agg *agg, double tol,
                             rlhf_policy *pol, ss_err *e)
{
  int S = st->S, A = st->A, d = st->d;
  size_t SA = (size_t)S * A;
  double *R = ss_malloc(SA * d * sizeof *R, e), *pi = ss_calloc(SA, sizeof *pi, e);
  if (!R || !pi) {
    ss_fail(e, SS_ERUNTIME, "out of memory");
    free(R), free(pi);
    return rlhf_policy_certify(st, agg, NULL, tol, pol, e); /* its pass agrees on the failure */
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
  (void)rlhf_aset_maximise(S, A, d, R, agg, 0.0, pi, &it, &le);
  /* the certifying point: grad W at the final policy (a point of Theta) */
  aset_z(&as, pi, z);
  rlhf_agg_smooth(agg, z, 0.0, g, NULL);
  for (int s = 0; s < st->s_count; s++)
    memcpy(pol->prob + (size_t)s * A, pi + (size_t)(st->s_first + s) * A, (size_t)A * sizeof *pol->prob);
  pol->levels = 1;
  pol->newton_its = it;
  int rc = rlhf_policy_certify(st, agg, g, tol, pol, e);
  if (!rc) rc = certify_at_kink(st, agg, R, pi, tol, pol, e);
  free(R), free(pi);
  return rc;
}
