/* The Tao MLE solver (rlhf.mle.solver tao; mle_solver.h): PETSc Tao on PETSC_COMM_SELF (NLS by
 * default; prefix "mle_", so -mle_tao_type ntr etc. work) with the analytic objective, gradient
 * and dense Hessian of mle.c. One Tao, one solution Vec and one dense Hessian per rlhf_mle,
 * created by setup and reused for every labeler. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <petsctao.h>
#include "stratsim/rlhf.h"
#include "mle_solver.h"
#include "petsc_call.h"

typedef struct {
  Tao tao;
  Vec x;
  Mat H;
} mle_tao;

/* mle_eval at Tao's point X */
static PetscErrorCode eval_at(rlhf_mle *m, Vec X)
{
  const PetscScalar *th;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(X, &th));
  mle_eval(m, th);
  PetscCall(VecRestoreArrayRead(X, &th));
  PetscFunctionReturn(0);
}

static PetscErrorCode form_fg(Tao tao, Vec X, PetscReal *f, Vec G, void *ctx)
{
  rlhf_mle *m = ctx;
  PetscScalar *g;
  PetscFunctionBeginUser;
  PetscCall(eval_at(m, X));
  PetscCall(VecGetArray(G, &g));
  memcpy(g, m->g, (size_t)m->d * sizeof *g);
  PetscCall(VecRestoreArray(G, &g));
  *f = m->f;
  PetscFunctionReturn(0);
}

/* The Hessian of mle_hessian, mirrored into the column-major dense matrix. */
static PetscErrorCode form_hessian(Tao tao, Vec X, Mat H, Mat Hpre, void *ctx)
{
  rlhf_mle *m = ctx;
  int d = m->d;
  PetscScalar *h;
  PetscFunctionBeginUser;
  PetscCall(eval_at(m, X));
  mle_hessian(m);
  PetscCall(MatDenseGetArray(H, &h)); /* column-major; filled symmetric */
  for (int a = 0; a < d; a++)
    for (int b = 0; b <= a; b++) {
      double v = m->acc[(size_t)a * d + b];
      h[(size_t)a * d + b] = v;
      h[(size_t)b * d + a] = v;
    }
  PetscCall(MatDenseRestoreArray(H, &h));
  m->flops += (double)d * d * d / 3.0 + 2.0 * d * d; /* the factorisation and solve */
  PetscCall(PetscLogFlops((double)m->n * (5.0 + d) + (double)m->n * d * (d + 1)));
  PetscFunctionReturn(0);
}

static PetscErrorCode tao_create(rlhf_mle *m, mle_tao *t)
{
  KSP ksp;
  PC pc;
  PetscFunctionBeginUser;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, m->d, &t->x));
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, m->d, m->d, NULL, &t->H));
  PetscCall(MatSetOption(t->H, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(t->H, MAT_SPD, PETSC_TRUE));
  PetscCall(TaoCreate(PETSC_COMM_SELF, &t->tao));
  PetscCall(TaoSetOptionsPrefix(t->tao, "mle_"));
  PetscCall(TaoSetType(t->tao, TAONLS));
  PetscCall(TaoSetSolution(t->tao, t->x));
  PetscCall(TaoSetObjectiveAndGradient(t->tao, NULL, form_fg, m));
  PetscCall(TaoSetHessian(t->tao, t->H, t->H, form_hessian, m));
  PetscCall(TaoSetTolerances(t->tao, RLHF_MLE_GATOL, 0.0, 0.0));
  PetscCall(TaoSetMaximumIterations(t->tao, RLHF_MLE_MAXIT));
  /* The Hessian is SPD (lambda > 0) and small: a direct Cholesky solve per Newton step. */
  PetscCall(TaoGetKSP(t->tao, &ksp));
  if (ksp) {
    PetscCall(KSPSetType(ksp, KSPCG));
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCCHOLESKY));
  }
  PetscCall(TaoSetFromOptions(t->tao));
  PetscFunctionReturn(0);
}

static void tao_teardown(rlhf_mle *m)
{
  mle_tao *t = m->solver_data;
  if (!t) return;
  if (t->tao) (void)TaoDestroy(&t->tao);
  if (t->x) (void)VecDestroy(&t->x);
  if (t->H) (void)MatDestroy(&t->H);
  free(t);
  m->solver_data = NULL;
}

static int tao_setup(rlhf_mle *m, ss_err *e)
{
  mle_tao *t = ss_calloc(1, sizeof *t, e);
  if (!t) return SS_ERUNTIME;
  m->solver_data = t;
  if (tao_create(m, t)) {
    tao_teardown(m);
    return ss_fail(e, SS_ERUNTIME, "rlhf: creating the Tao MLE solver failed");
  }
  return SS_OK;
}

static int tao_solve(rlhf_mle *m, double *theta, int *its, ss_err *e)
{
  mle_tao *t = m->solver_data;
  PetscScalar *x0;
  RLHF_PETSC(e, VecGetArray(t->x, &x0));
  memcpy(x0, theta, (size_t)m->d * sizeof *x0);
  RLHF_PETSC(e, VecRestoreArray(t->x, &x0));
  RLHF_PETSC(e, TaoSolve(t->tao));
  PetscInt it;
  RLHF_PETSC(e, TaoGetIterationNumber(t->tao, &it));
  const PetscScalar *th;
  RLHF_PETSC(e, VecGetArrayRead(t->x, &th));
  memcpy(theta, th, (size_t)m->d * sizeof *theta);
  RLHF_PETSC(e, VecRestoreArrayRead(t->x, &th));
  *its = (int)it;
  return SS_OK;
}

int mle_petsc_options_given(const char *prefix)
{
  char *all = NULL, opt[64];
  PetscBool up = PETSC_FALSE;
  /* a config checked without PETSc (the fuzz harness, schema tools) has no PETSc options */
  if (PetscInitialized(&up) || !up || PetscOptionsGetAll(NULL, &all)) return 0;
  snprintf(opt, sizeof opt, "-%s", prefix); /* "-mle_tao_type nls -log_view ..." */
  int found = 0;
  for (const char *p = all ? strstr(all, opt) : NULL; p && !found; p = strstr(p + 1, opt))
    found = p == all || p[-1] == ' ';
  (void)PetscFree(all);
  return found;
}

const rlhf_mle_solver_ops rlhf_mle_tao = {
  .name = "tao",
  .summary = "PETSc Tao (NLS unless -mle_tao_type says otherwise; options prefix mle_)",
  .petsc_prefix = "mle_",
  .setup = tao_setup,
  .teardown = tao_teardown,
  .solve = tao_solve,
};
