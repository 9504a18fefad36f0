/* Per-labeler regularised Bradley-Terry MLE (MODELS 1.4): the state of one rank's estimator,
 * the data of the current labeler and the solve around the selected solver (rlhf.mle.solver:
 * newton, mle_newton.c, the default; tao, mle_tao.c; the evaluation they share: mle_eval.c).
 * A solve starts from theta = 0, or from a start the caller names (SPSA: the labeler's own
 * current estimate, a function of its reports only), so an estimate never
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
