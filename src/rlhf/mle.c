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
#include "rlhf_impl.h"

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
  double *margin_w; /* n: sigma(m) sigma(-m) for the Hessian */
  double flops;
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

static PetscErrorCode form_fg(Tao tao, Vec X, PetscReal *f, Vec G, void *ctx)
{
  rlhf_mle *m = ctx;
  const PetscScalar *th;
  PetscScalar *g;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(X, &th));
  PetscCall(VecGetArray(G, &g));
  *f = rlhf_mle_objective(m->n, m->d, m->feat, m->label, m->lambda, th, g);
  PetscCall(VecRestoreArray(G, &g));
  PetscCall(VecRestoreArrayRead(X, &th));
  double fl = (double)m->n * (4.0 * m->d + 20.0) + 4.0 * m->d;
  m->flops += fl;
  PetscCall(PetscLogFlops(fl));
  PetscFunctionReturn(0);
}

static PetscErrorCode form_hessian(Tao tao, Vec X, Mat H, Mat Hpre, void *ctx)
{
  rlhf_mle *m = ctx;
  int d = m->d, n = m->n;
  const PetscScalar *th;
  PetscScalar *h;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(X, &th));
  for (int j = 0; j < n; j++) {
    double s = rlhf_sigmoid(rlhf_dot(th, m->feat + (size_t)j * d, d));
    m->margin_w[j] = s * (1.0 - s) / n;
  }
  PetscCall(VecRestoreArrayRead(X, &th));
  PetscCall(MatDenseGetArray(H, &h)); /* column-major; filled symmetric */
  /* lower triangle accumulated by rank-1 updates, one comparison at a time (contiguous rows) */
  double acc[64 * 64];
  memset(acc, 0, (size_t)d * d * sizeof *acc);
  for (int j = 0; j < n; j++) {
    const double *xj = m->feat + (size_t)j * d;
    double w = m->margin_w[j];
    for (int a = 0; a < d; a++) {
      double wa = w * xj[a];
      double *row = acc + (size_t)a * d;
      for (int b = 0; b <= a; b++) row[b] += wa * xj[b];
    }
  }
  for (int a = 0; a < d; a++)
    for (int b = 0; b <= a; b++) {
      double v = acc[(size_t)a * d + b] + (a == b ? m->lambda : 0.0);
      h[(size_t)a * d + b] = v;
      h[(size_t)b * d + a] = v;
    }
  PetscCall(MatDenseRestoreArray(H, &h));
  double fl = (double)n * (2.0 * d + 25.0) + (double)n * d * (d + 1) * 1.5;
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
  m->margin_w = ss_malloc((size_t)(nmax > 0 ? nmax : 1) * sizeof *m->margin_w, e);
  if (!m->margin_w) {
    free(m);
    return SS_ERUNTIME;
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
  free(m->margin_w);
  free(m);
  *pm = NULL;
}

double rlhf_mle_flops(const rlhf_mle *m) { return m->flops; }

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
  double g0[64], zero[64] = {0};
  rlhf_mle_objective(n, m->d, x, o, m->lambda, zero, g0);
  double g0n = sqrt(rlhf_dot(g0, g0, m->d));
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
  double g[64];
  rlhf_mle_objective(n, m->d, x, o, m->lambda, theta, g);
  double gn = sqrt(rlhf_dot(g, g, m->d));
  if (grad_norm) *grad_norm = gn;
  if (grad_rel) *grad_rel = g0n > 0 ? gn / g0n : gn;
  if (iterations) *iterations = (int)its;
  if (!isfinite(gn))
    return ss_fail(e, SS_ERUNTIME, "rlhf: MLE diverged (Tao reason %d)", (int)reason);
  return SS_OK;
}
