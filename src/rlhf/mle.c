/* Per-labeler regularised Bradley-Terry MLE (MODELS 1.4) with PETSc Tao on PETSC_COMM_SELF.
 * One Tao (NLS by default; prefix "mle_", so -mle_tao_type ntr etc. work), one solution Vec
 * and one dense Hessian are created per rank and reused for every labeler it owns. The
 * objective, gradient and Hessian are analytic. A solve starts from theta = 0, or from a start
 * the caller names (SPSA: the labeler's own current estimate, a function of its reports only),
 * so an estimate never depends on what the rank solved before. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <petsctao.h>
#include "stratsim/rlhf_kern.h"
#include "stratsim/rlhf.h"
#include "petsc_call.h"
#include "rlhf_limits.h"

struct rlhf_mle {
  int d, nmax;
  double lambda;
  Tao tao;
  Vec x;
  Mat H;
  /* the current labeler's data */
  int n;
  const double *feat;
  const unsigned char *label;
  /* workspaces (nmax rows) and the last evaluation, reused by the Hessian at the same point */
  double *dot, *ex, *coef, *w, *wx, *acc;
  int have;             /* 1: th, f, g, dot, ex hold the evaluation at th */
  double th[RLHF_DMAX], f, g[RLHF_DMAX];
  double flops;
  int n_fg, n_hess;     /* evaluations computed (not served from the cache) in the last solve */
};

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
 * calls. The point, the dots and E are kept for the Hessian; a repeated point is served from
 * the cache (Tao evaluates the accepted point again, and the solve re-checks its result). */
static void mle_eval(rlhf_mle *m, const double *theta)
{
  int n = m->n, d = m->d;
  if (m->have && !memcmp(theta, m->th, (size_t)d * sizeof *theta)) return;
  static const double log1p_one = 0.69314718055994530942; /* log1p(1): checked at create */
  rlhf_kern_dots(n, d, m->feat, theta, m->dot);
  double f = 0;
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

static PetscErrorCode form_fg(Tao tao, Vec X, PetscReal *f, Vec G, void *ctx)
{
  rlhf_mle *m = ctx;
  const PetscScalar *th;
  PetscScalar *g;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(X, &th));
  mle_eval(m, th);
  PetscCall(VecRestoreArrayRead(X, &th));
  PetscCall(VecGetArray(G, &g));
  memcpy(g, m->g, (size_t)m->d * sizeof *g);
  PetscCall(VecRestoreArray(G, &g));
  *f = m->f;
  PetscFunctionReturn(0);
}

/* H = (1/n) sum_j s_j (1 - s_j) x_j x_j^T + lambda I with s_j = sigmoid(<theta, x_j>): the
 * sigmoid from the cached E (sigmoid(t) = 1 / (1 + E) for t >= 0, E / (1 + E) otherwise, the
 * bits of rlhf_sigmoid), the lower triangle by the blocked kernel, then mirrored. */
static PetscErrorCode form_hessian(Tao tao, Vec X, Mat H, Mat Hpre, void *ctx)
{
  rlhf_mle *m = ctx;
  int d = m->d, n = m->n;
  const PetscScalar *th;
  PetscScalar *h;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(X, &th));
  mle_eval(m, th);
  PetscCall(VecRestoreArrayRead(X, &th));
  for (int j = 0; j < n; j++) {
    double E = m->ex[j];
    double s = m->dot[j] >= 0 ? 1.0 / (1.0 + E) : E / (1.0 + E);
    m->w[j] = s * (1.0 - s) / n;
  }
  rlhf_kern_syrk_lower(n, d, m->feat, m->w, m->wx, m->acc);
  PetscCall(MatDenseGetArray(H, &h)); /* column-major; filled symmetric */
  for (int a = 0; a < d; a++)
    for (int b = 0; b <= a; b++) {
      double v = m->acc[(size_t)a * d + b] + (a == b ? m->lambda : 0.0);
      h[(size_t)a * d + b] = v;
      h[(size_t)b * d + a] = v;
    }
  PetscCall(MatDenseRestoreArray(H, &h));
  m->n_hess++;
  double fl = (double)n * (5.0 + d) + (double)n * d * (d + 1) + (double)d * (d + 1) / 2;
  m->flops += fl + (double)d * d * d / 3.0 + 2.0 * d * d; /* + the factorisation and solve */
  PetscCall(PetscLogFlops(fl));
  PetscFunctionReturn(0);
}

static PetscErrorCode mle_setup(rlhf_mle *m)
{
  KSP ksp;
  PC pc;
  PetscFunctionBeginUser;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, m->d, &m->x));
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, m->d, m->d, NULL, &m->H));
  PetscCall(MatSetOption(m->H, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(m->H, MAT_SPD, PETSC_TRUE));
  PetscCall(TaoCreate(PETSC_COMM_SELF, &m->tao));
  PetscCall(TaoSetOptionsPrefix(m->tao, "mle_"));
  PetscCall(TaoSetType(m->tao, TAONLS));
  PetscCall(TaoSetSolution(m->tao, m->x));
  PetscCall(TaoSetObjectiveAndGradient(m->tao, NULL, form_fg, m));
  PetscCall(TaoSetHessian(m->tao, m->H, m->H, form_hessian, m));
  PetscCall(TaoSetTolerances(m->tao, 1e-12, 0.0, 0.0));
  PetscCall(TaoSetMaximumIterations(m->tao, 100));
  /* The Hessian is SPD (lambda > 0) and small: a direct Cholesky solve per Newton step. */
  PetscCall(TaoGetKSP(m->tao, &ksp));
  if (ksp) {
    PetscCall(KSPSetType(ksp, KSPCG));
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCCHOLESKY));
  }
  PetscCall(TaoSetFromOptions(m->tao));
  PetscFunctionReturn(0);
}

int rlhf_mle_create(int d, int nmax, double lambda, rlhf_mle **out, ss_err *e)
{
  *out = NULL;
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
  if (mle_setup(m)) {
    rlhf_mle_destroy(&m);
    return ss_fail(e, SS_ERUNTIME, "rlhf: creating the Tao MLE solver failed");
  }
  *out = m;
  return SS_OK;
}

void rlhf_mle_destroy(rlhf_mle **pm)
{
  rlhf_mle *m = *pm;
  if (!m) return;
  if (m->tao) (void)TaoDestroy(&m->tao);
  if (m->x) (void)VecDestroy(&m->x);
  if (m->H) (void)MatDestroy(&m->H);
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
  m->n = n;
  m->feat = x;
  m->label = o;
  m->flops = 0;
  m->n_fg = m->n_hess = 0;
  m->have = 0; /* new data */
  double zero[RLHF_DMAX] = {0};
  mle_eval(m, zero);
  double g0n = sqrt(rlhf_dot(m->g, m->g, m->d));
  if (theta0) {
    PetscScalar *x0;
    RLHF_PETSC(e, VecGetArray(m->x, &x0));
    memcpy(x0, theta0, (size_t)m->d * sizeof *x0);
    RLHF_PETSC(e, VecRestoreArray(m->x, &x0));
  } else {
    RLHF_PETSC(e, VecSet(m->x, 0.0));
  }
  RLHF_PETSC(e, TaoSolve(m->tao));
  PetscInt its;
  PetscReal f, gnorm, cnorm, xdiff;
  TaoConvergedReason reason;
  RLHF_PETSC(e, TaoGetSolutionStatus(m->tao, &its, &f, &gnorm, &cnorm, &xdiff, &reason));
  const PetscScalar *th;
  RLHF_PETSC(e, VecGetArrayRead(m->x, &th));
  memcpy(theta, th, (size_t)m->d * sizeof *theta);
  RLHF_PETSC(e, VecRestoreArrayRead(m->x, &th));
  /* Report the gradient norm recomputed at the returned point, not Tao's last estimate. */
  mle_eval(m, theta);
  double gn = sqrt(rlhf_dot(m->g, m->g, m->d));
  m->have = 0; /* the data pointers belong to the caller */
  if (grad_norm) *grad_norm = gn;
  if (grad_rel) *grad_rel = g0n > 0 ? gn / g0n : gn;
  if (iterations) *iterations = (int)its;
  if (!isfinite(gn))
    return ss_fail(e, SS_ERUNTIME, "rlhf: MLE diverged (Tao reason %d)", (int)reason);
  return SS_OK;
}
