/* Private to src/rlhf: the ops tables of aggregators and strategies, and the glue that turns
 * PETSc error codes into ss_err. Implementations plug in by name through the registries in
 * aggregator.c and strategy.c. */
#ifndef STRATSIM_RLHF_IMPL_H
#define STRATSIM_RLHF_IMPL_H

#include <petscsys.h>
#include "stratsim/rlhf.h"

#define RLHF_DMAX 64

/* Calls a PETSc function; on error records it in e and returns SS_ERUNTIME. */
#define RLHF_PETSC(e, call)                                                              \
  do {                                                                                   \
    PetscErrorCode rlhf_ierr_ = (call);                                                  \
    if (rlhf_ierr_) return ss_fail((e), SS_ERUNTIME, "%s:%d: PETSc error %d in %s", __FILE__, \
                                   __LINE__, (int)rlhf_ierr_, #call);                   \
  } while (0)

/* A face of a polyhedral Theta near the optimum: theta = theta0 + M y with y in R^r. The
 * complementary condition on z is M^T z = 0 (the active pieces of W stay tied). */
typedef struct {
  int r;
  int idx[RLHF_DMAX];               /* which coordinates / labelers are free */
  double theta0[RLHF_DMAX];
  double M[RLHF_DMAX * RLHF_DMAX];  /* d x r, row-major with row stride RLHF_DMAX */
} rlhf_face;

struct rlhf_agg_ops {
  const char *name;
  int linear;      /* W(z) = <theta, z>: the greedy policy is exact */
  int needs_prec;  /* needs Sigma_i^{-1} */
  int needs_all;   /* needs every labeler's estimate replicated (maxmin, pessimistic_sw) */
  /* Fills agg's data from the estimates. est holds all k rows when needs_all, else this
   * rank's block (collective over c). */
  int (*build)(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est,
               const double *theta_star_mean, ss_err *e);
  double (*value)(const rlhf_agg *agg, const double *z);
  void (*smooth)(const rlhf_agg *agg, const double *z, double mu, double *grad, double *hess);
  /* Polyhedral aggregators: the face identified from the smoothed solution (returns -1 when
   * it cannot be identified), and the point of Theta for face coordinates y (projected onto
   * Theta when y is slightly outside). NULL for smooth or linear aggregators. */
  int (*face)(const rlhf_agg *agg, const double *z, double mu, rlhf_face *face);
  void (*face_point)(const rlhf_agg *agg, const rlhf_face *face, const double *y, double *theta);
};

struct rlhf_agg {
  const rlhf_agg_ops *ops;
  int d;
  int64_t k;
  int median_kind;
  double radius;
  double theta[RLHF_DMAX];           /* linear: the parameter */
  double lo[RLHF_DMAX], hi[RLHF_DMAX]; /* box */
  double *thetas;  /* k x d (maxmin, pessimistic_sw) */
  double *prec;    /* k x d x d (pessimistic_sw) */
};

extern const rlhf_agg_ops rlhf_agg_naive_mle, rlhf_agg_median_mle, rlhf_agg_oracle,
    rlhf_agg_pessimistic_sw, rlhf_agg_maxmin, rlhf_agg_pessimistic_momle;

struct rlhf_strategy_ops {
  const char *name;
  int (*run)(rlhf_strategy_ctx *ctx, double *reports, ss_err *e);
};
extern const rlhf_strategy_ops rlhf_strategy_truthful, rlhf_strategy_exaggerate,
    rlhf_strategy_spsa;

/* Small dense linear algebra (row-major), used by the MLE, confidence sets and the policy
 * Newton solver. Returns 0 on success, -1 if the matrix is not positive definite/singular. */
int rlhf_cholesky(double *a, int n);
void rlhf_cholesky_solve(const double *l, int n, double *b);
int rlhf_spd_inverse(const double *a, int n, double *inv, double *work);
int rlhf_lu_solve(double *a, int n, double *b, int *piv);
/* sum_j a[j] * b[j * stride] */
double rlhf_dot_strided(const double *a, const double *b, int n, int stride);

/* The one-labeler utility of the policy an aggregate picks (for SPSA): solves the policy
 * problem and returns z. */
int rlhf_solve_aggregate(rlhf_states *st, const rlhf_agg *agg, double tol, double *z,
                         ss_err *e);

#endif
