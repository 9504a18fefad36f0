/* RLHF with strategic labelers (MODELS section 1): the per-labeler maximum-likelihood estimator.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_MLE_H
#define STRATSIM_RLHF_MLE_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_params.h"

/* A per-rank MLE solver with workspaces for up to nmax comparisons, created once and reused.
 * The solver is a plug-in (rlhf.mle.solver): newton (the default: damped Newton with our own
 * Cholesky and Armijo backtracking) or tao (PETSc Tao NLS on PETSC_COMM_SELF, options prefix
 * "mle_", so -mle_tao_type ntr etc. work). */
typedef struct rlhf_mle rlhf_mle;
#define RLHF_MLE_GATOL 1e-12
#define RLHF_MLE_MAXIT 100
typedef struct rlhf_mle_solver_ops rlhf_mle_solver_ops;
int rlhf_mle_create(int d, int nmax, double lambda, rlhf_mle **m, ss_err *e);
void rlhf_mle_destroy(rlhf_mle **m);
/* Selects the solver by name (NULL: the default, newton); creates its objects. */
int rlhf_mle_use(rlhf_mle *m, const char *solver, ss_err *e);
/* Selects the config's solver (rlhf.mle.solver). */
int rlhf_mle_configure(rlhf_mle *m, const ss_config *cfg, ss_err *e);
/* Config errors of the config's solver: PETSc options of another solver (-mle_tao_* without
 * rlhf.mle.solver tao). Not collective (every rank has the same options). */
int rlhf_mle_check(const ss_config *cfg, ss_err *e);
/* The name of the solver in use. */
const char *rlhf_mle_solver_name(const rlhf_mle *m);
/* Solves for one labeler's data (starting from 0 every time, so results never depend on
 * history). theta: d. grad_norm: final ||gradient||_2; grad_rel: divided by ||gradient at 0||.
 * Every solver stops at ||gradient||_2 <= RLHF_MLE_GATOL (absolute, Tao's gatol). */
int rlhf_mle_solve(rlhf_mle *m, int n, const double *x, const unsigned char *o, double *theta,
                   double *grad_norm, double *grad_rel, int *iterations, ss_err *e);
/* The same from the start theta0 (NULL: 0). theta0 may alias theta. */
int rlhf_mle_solve_from(rlhf_mle *m, int n, const double *x, const unsigned char *o,
                        const double *theta0, double *theta, double *grad_norm, double *grad_rel,
                        int *iterations, ss_err *e);
/* Objective (and gradient if g != NULL) at theta, for tests. */
double rlhf_mle_objective(int n, int d, const double *x, const unsigned char *o, double lambda,
                          const double *theta, double *g);
/* Flops of the last solve (objective, gradient and Hessian evaluations, factorisations). */
double rlhf_mle_flops(const rlhf_mle *m);
/* Objective/gradient and Hessian evaluations computed in the last solve (repeated points are
 * served from a cache and not counted). */
void rlhf_mle_counts(const rlhf_mle *m, int *fg, int *hess);

#endif
