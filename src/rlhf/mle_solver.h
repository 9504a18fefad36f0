/* Private to src/rlhf: the per-labeler MLE's state and its solvers (rlhf.mle.solver; registry
 * mle_solvers.c, one line per solver; each solver one file: mle_newton.c, the default, and
 * mle_tao.c). mle.c owns the state and the data of the current labeler; mle_eval.c the fused
 * evaluation shared by every solver. */
#ifndef STRATSIM_RLHF_MLE_SOLVER_H
#define STRATSIM_RLHF_MLE_SOLVER_H

#include "stratsim/plugin.h"
#include "stratsim/rlhf_mle.h"
#include "rlhf_limits.h"

/* An MLE solver. Ops, with designated initialisers:
 *   required:                    name, summary, solve
 *   optional, with a default:    fast (default 0: mle_eval with glibc's exp and log1p per
 *                                comparison, the bits of rlhf_mle_objective; 1: our vector exp
 *                                kernel and the logs of products of 512 factors, see mle_eval:
 *                                several times cheaper, g within an ulp or two, f within about
 *                                1e-16 per comparison), setup/teardown (default: no objects of its own; setup creates
 *                                them once per rlhf_mle and stores them in m->solver_data,
 *                                teardown frees them)
 *   optional, without a default: keys/nkeys (config keys "rlhf.mle.*"; none so far),
 *                                petsc_prefix (the prefix of the PETSc options it reads, "mle_"
 *                                for tao: such options given to a run of another solver are a
 *                                config error, as a key nothing reads) */
struct rlhf_mle_solver_ops {
  const char *name;
  const char *summary;
  const ss_key *keys;
  int nkeys;
  const char *petsc_prefix;
  int fast;
  int (*setup)(rlhf_mle *m, ss_err *e);
  void (*teardown)(rlhf_mle *m);
  /* Minimises the objective of the data in m from theta (in: the start; out: the solution);
   * *its: iterations (Newton steps). Uses mle_eval / mle_hessian; the caller checks the
   * returned point's gradient. */
  int (*solve)(rlhf_mle *m, double *theta, int *its, ss_err *e);
};

struct rlhf_mle {
  int d, nmax;
  double lambda;
  const rlhf_mle_solver_ops *solver;
  void *solver_data;    /* the solver's objects (Tao's), NULL for none */
  /* the current labeler's data */
  int n;
  const double *feat;
  const unsigned char *label;
  /* workspaces (nmax rows) and the last evaluation, reused by the Hessian at the same point */
  double *dot, *ex, *coef, *w, *wx, *acc;
  int have;             /* 1: th, f, g, dot, ex hold the evaluation at th */
  double th[RLHF_DMAX], f, g[RLHF_DMAX];
  double g0n;           /* ||gradient at 0|| of the current data */
  double flops;
  int n_fg, n_hess;     /* evaluations computed (not served from the cache) in the last solve */
};

/* f and g at theta into m->f, m->g (with the dots and exp(-|margin|) kept for mle_hessian);
 * served from the cache when theta is the last point evaluated. */
void mle_eval(rlhf_mle *m, const double *theta);
/* The lower triangle of the Hessian at the last point evaluated into m->acc (d x d row-major),
 * lambda on the diagonal; the entries above the diagonal are unspecified. */
void mle_hessian(rlhf_mle *m);

extern const rlhf_mle_solver_ops rlhf_mle_newton, rlhf_mle_tao;
/* 1 if PETSc's options database holds an option -PREFIX... (mle_tao.c) */
int mle_petsc_options_given(const char *prefix);
/* The registry (mle_solvers.c): newton first, the default. */
extern const ss_plugin_family rlhf_mle_solvers;

#endif
