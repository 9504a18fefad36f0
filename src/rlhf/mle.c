/* Per-labeler regularised Bradley-Terry MLE (MODELS 1.4): the state of one rank's estimator,
 * the data of the current labeler, the fused evaluation every solver uses (mle_solver.h) and the
 * solve around the selected solver (rlhf.mle.solver: newton, mle_newton.c, the default; tao,
 * mle_tao.c). A solve starts from theta = 0, or from a start the caller names (SPSA: the
 * labeler's own current estimate, a function of its reports only), so an estimate never
 * depends on what the rank solved before. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf_kern.h"
#include "stratsim/rlhf.h"
#include "mle_solver.h"
/* log(1 + exp(-m)) without overflow */
static double softplus_neg(double m)
{
  return m >= 0 ? log1p(exp(-m)) : -m + log1p(exp(m));
}

double rlhf_mle_objective(int n, int d, const double *x, const unsigned char *o, double lambda,
                          const double *theta, double *g)
{
  double f = 0;
  if (g) for (int q = 0; q < d; q++) g[q] = 0;
  for (int j = 0; j < n; j++) {
    const double *xj = x + (size_t)j * d;
    double sgn = o[j] ? -1.0 : 1.0;
    double m = sgn * rlhf_dot(theta, xj, d);
    f += softplus_neg(m);
    if (g) {
      double c = -sgn * rlhf_sigmoid(-m);
      for (int q = 0; q < d; q++) g[q] += c * xj[q];
    }
  }
  f /= n;
  double nt = 0;
  for (int q = 0; q < d; q++) nt += theta[q] * theta[q];
  f += 0.5 * lambda * nt;
  if (g)
    for (int q = 0; q < d; q++) g[q] = g[q] / n + lambda * theta[q];
  return f;
}

/* rlhf_mle_objective with its gradient, the same bits, computed with the kernels and one exp
 * per comparison: with E = exp(-|m|), softplus_neg(m) = log1p(E) (m >= 0) or -m + log1p(E), and
 * sigmoid(-m) = E / (1 + E) (m >= 0) or 1 / (1 + E), exactly the values of the two separate
 * calls. With the solver's fast, E comes from our vector exp kernel (rlhf_kern_expneg, within
 * 2 ulp of exp, the same bits with or without SIMD) and the log1p terms are summed as the logs
 * of products of up to 512 factors 1 + E: one log per 512 comparisons, f within about 512
 * roundings of each chunk's sum (1e-16 of f per comparison on average). The point, the dots and E are kept for the Hessian; a repeated point is served from
 * the cache (Tao evaluates the accepted point again, and the solve re-checks its result). */
void mle_eval(rlhf_mle *m, const double *theta)
{
  int n = m->n, d = m->d;
  if (m->have && !memcmp(theta, m->th, (size_t)d * sizeof *theta)) return;
  static const double log1p_one = 0.69314718055994530942; /* log1p(1): checked at create */
  rlhf_kern_dots(n, d, m->feat, theta, m->dot);
  double f = 0;
  if (m->solver->fast) {
    /* E = exp(-|m|) by the vector kernel; sum_j log(1 + E_j) as the logs of products of up to
     * 512 factors in (1, 2] (no overflow) */
    rlhf_kern_expneg(n, m->dot, m->ex);
    double prod = 1.0;
    for (int j = 0; j < n; j++) {
      double sgn = m->label[j] ? -1.0 : 1.0, mm = sgn * m->dot[j], E = m->ex[j];
      double sg = mm >= 0 ? E / (1.0 + E) : 1.0 / (1.0 + E);
      if (mm < 0) f -= mm;
      prod *= 1.0 + E;
      if ((j & 511) == 511) {
        f += log(prod);
        prod = 1.0;
      }
      m->coef[j] = -sgn * sg;
    }
    f += log(prod);
  } else {
    for (int j = 0; j < n; j++) {
      double sgn = m->label[j] ? -1.0 : 1.0;
      double mm = sgn * m->dot[j], E, sp, sg;
      if (mm == 0) { /* theta = 0, the cold start: every comparison lands here */
        E = 1.0;
        sp = log1p_one;
        sg = 0.5;
      } else if (mm > 0) {
        E = exp(-mm);
        sp = log1p(E);
        sg = E / (1.0 + E);
      } else {
        E = exp(mm);
        sp = -mm + log1p(E);
        sg = 1.0 / (1.0 + E);
      }
      m->ex[j] = E;
      f += sp;
      m->coef[j] = -sgn * sg;
    }
  }
  rlhf_kern_gemv_t(n, d, m->feat, m->coef, m->g);
  f /= n;
  double nt = 0;
  for (int q = 0; q < d; q++) nt += theta[q] * theta[q];
  f += 0.5 * m->lambda * nt;
  for (int q = 0; q < d; q++) m->g[q] = m->g[q] / n + m->lambda * theta[q];
  m->f = f;
  memcpy(m->th, theta, (size_t)d * sizeof *theta);
  m->have = 1;
  m->n_fg++;
  m->flops += (double)n * (4.0 * d + 12.0) + 4.0 * d;
}

/* H = (1/n) sum_j s_j (1 - s_j) x_j x_j^T + lambda I with s_j = sigmoid(<theta, x_j>): the
 * sigmoid from the cached E (sigmoid(t) = 1 / (1 + E) for t >= 0, E / (1 + E) otherwise, the
 * bits of rlhf_sigmoid), the lower triangle by the blocked kernel. */
void mle_hessian(rlhf_mle *m)
{
  int d = m->d, n = m->n;
  for (int j = 0; j < n; j++) {
    double E = m->ex[j];
    double s = m->dot[j] >= 0 ? 1.0 / (1.0 + E) : E / (1.0 + E);
    m->w[j] = s * (1.0 - s) / n;
  }
  rlhf_kern_syrk_lower(n, d, m->feat, m->w, m->wx, m->acc);
  for (int a = 0; a < d; a++) m->acc[(size_t)a * d + a] += m->lambda;
  m->n_hess++;
  m->flops += (double)n * (5.0 + d) + (double)n * d * (d + 1) + (double)d * (d + 1) / 2;
}

int rlhf_mle_create(int d, int nmax, double lambda, rlhf_mle **out, ss_err *e)
{
  *out = NULL;
  if (d < 1 || d > RLHF_DMAX)
    return ss_fail(e, SS_ERUNTIME, "rlhf_mle_create: d %d outside 1..%d", d, RLHF_DMAX);
  rlhf_mle *m = ss_calloc(1, sizeof *m, e);
  if (!m) return SS_ERUNTIME;
  m->d = d;
  m->nmax = nmax;
  m->lambda = lambda;
  size_t rows = (size_t)(nmax > 0 ? nmax : 1);
  m->dot = ss_malloc(rows * sizeof(double), e);
  m->ex = ss_malloc(rows * sizeof(double), e);
  m->coef = ss_malloc(rows * sizeof(double), e);
  m->w = ss_malloc(rows * sizeof(double), e);
  m->wx = ss_malloc(rows * d * sizeof(double), e);
  m->acc = ss_malloc((size_t)d * d * sizeof(double), e);
  if (!m->dot || !m->ex || !m->coef || !m->w || !m->wx || !m->acc) {
    rlhf_mle_destroy(&m);
    return SS_ERUNTIME;
  }
  if (log1p(1.0) != 0.69314718055994530942) { /* the constant mle_eval uses for m = 0 */
    rlhf_mle_destroy(&m);
    return ss_fail(e, SS_ERUNTIME, "rlhf: log1p(1) is not the nearest double to log 2");
  }
  if (rlhf_mle_use(m, NULL, e)) {
    rlhf_mle_destroy(&m);
    return SS_ERUNTIME;
  }
  *out = m;
  return SS_OK;
}

void rlhf_mle_destroy(rlhf_mle **pm)
{
  rlhf_mle *m = *pm;
  if (!m) return;
  if (m->solver && m->solver->teardown) m->solver->teardown(m);
  free(m->dot);
  free(m->ex);
  free(m->coef);
  free(m->w);
  free(m->wx);
  free(m->acc);
  free(m);
  *pm = NULL;
}

double rlhf_mle_flops(const rlhf_mle *m) { return m->flops; }

void rlhf_mle_counts(const rlhf_mle *m, int *fg, int *hess)
{
  *fg = m->n_fg;
  *hess = m->n_hess;
}

/* ||gradient at 0||, the bits of mle_eval at 0 (every margin 0, so sigmoid = 1/2; + lambda * 0
 * adds nothing) without its dots; leaves the cache alone. */
static double grad0_norm(rlhf_mle *m)
{
  int d = m->d;
  double g[RLHF_DMAX];
  for (int j = 0; j < m->n; j++) m->coef[j] = m->label[j] ? 0.5 : -0.5;
  rlhf_kern_gemv_t(m->n, d, m->feat, m->coef, g);
  for (int q = 0; q < d; q++) g[q] = g[q] / m->n;
  m->flops += 2.0 * m->n * d;
  return sqrt(rlhf_dot(g, g, d));
}

int rlhf_mle_solve(rlhf_mle *m, int n, const double *x, const unsigned char *o, double *theta,
                   double *grad_norm, double *grad_rel, int *iterations, ss_err *e)
{
  return rlhf_mle_solve_from(m, n, x, o, NULL, theta, grad_norm, grad_rel, iterations, e);
}

int rlhf_mle_solve_from(rlhf_mle *m, int n, const double *x, const unsigned char *o,
                        const double *theta0, double *theta, double *grad_norm, double *grad_rel,
                        int *iterations, ss_err *e)
{
  if (n > m->nmax) return ss_fail(e, SS_ERUNTIME, "rlhf_mle_solve: n %d > capacity %d", n, m->nmax);
  int d = m->d;
  m->n = n;
  m->feat = x;
  m->label = o;
  m->flops = 0;
  m->n_fg = m->n_hess = 0;
  m->have = 0; /* new data */
  double th[RLHF_DMAX] = {0};
  if (theta0) {
    m->g0n = grad0_norm(m);
    memcpy(th, theta0, (size_t)d * sizeof *th);
  } else { /* 0 is the first iterate: its evaluation is cached for the solver */
    mle_eval(m, th);
    m->g0n = sqrt(rlhf_dot(m->g, m->g, d));
  }
  int its = 0;
  int rc = m->solver->solve(m, th, &its, e);
  if (rc) {
    m->have = 0;
    return rc;
  }
  memcpy(theta, th, (size_t)d * sizeof *theta);
  /* Report the gradient norm recomputed at the returned point, not the solver's estimate. */
  mle_eval(m, theta);
  double gn = sqrt(rlhf_dot(m->g, m->g, d));
  m->have = 0; /* the data pointers belong to the caller */
  if (grad_norm) *grad_norm = gn;
  if (grad_rel) *grad_rel = m->g0n > 0 ? gn / m->g0n : gn;
  if (iterations) *iterations = its;
  if (!isfinite(gn))
    return ss_fail(e, SS_ERUNTIME, "rlhf: MLE diverged (solver %s)", m->solver->name);
  return SS_OK;
}
