/* Private to src/rlhf: the ops tables of aggregators and strategies, and the glue that turns
 * PETSc error codes into ss_err. Implementations plug in by name through the registries in
 * aggregator.c and strategy.c. */
#ifndef STRATSIM_RLHF_IMPL_H
#define STRATSIM_RLHF_IMPL_H

#include <petscmat.h>
#include "stratsim/rlhf.h"

#define RLHF_DMAX 64

/* Calls a PETSc function; on error records it in e and returns SS_ERUNTIME. */
#define RLHF_PETSC(e, call)                                                              \
  do {                                                                                   \
    PetscErrorCode rlhf_ierr_ = (call);                                                  \
    if (rlhf_ierr_) return ss_fail((e), SS_ERUNTIME, "%s:%d: PETSc error %d in %s", __FILE__, \
                                   __LINE__, (int)rlhf_ierr_, #call);                   \
  } while (0)

/* The S x A feature matrix spread over ranks (policy.c). */
struct rlhf_states {
  ss_comm *comm;
  int S, A, d;
  int chunk, nchunks, c_first, c_count;
  int s_first, s_count;
  Mat phi_mat; /* (S*A) x d, rows of this rank's states */
  Vec rho_vec;
  double *phi; /* local row-major copy for the hot loops: s_count*A*d */
  double *rho; /* s_count */
  double L;    /* max ||phi|| over all states */
  size_t m;    /* doubles per chunk partial: 1 + d + d*d */
  double *partial, *all;
  /* every state, replicated on each rank of comm (exact copies gathered in state order): the
   * small LP / active-set problems are solved redundantly and identically on every rank */
  double *phi_all; /* S*A*d */
  double *rho_all; /* S */
};


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
  /* Polyhedral aggregators (NULL otherwise): W(z) = max { c^T w : G w = T z, w >= 0 } with
   * r rows and nw columns w. lp_fill writes G (r x nw), c (nw), T (r x d) and, for the point z0
   * (the features of a warm-start policy), r columns of w that complete a feasible basis.
   * lp_theta maps the duals y of the r rows to the certifying point theta = T^T y of Theta
   * (projected onto Theta against rounding). */
  void (*lp_dims)(const rlhf_agg *agg, int *r, int *nw);
  void (*lp_fill)(const rlhf_agg *agg, const double *z0, double *G, double *c, double *T,
                  int *wbasis);
  void (*lp_theta)(const rlhf_agg *agg, const double *y, double *theta);
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
    rlhf_strategy_spsa, rlhf_strategy_fixed;

/* Small dense linear algebra (row-major), used by the MLE, confidence sets and the policy
 * Newton solver. Returns 0 on success, -1 if the matrix is not positive definite/singular. */
int rlhf_cholesky(double *a, int n);
void rlhf_cholesky_solve(const double *l, int n, double *b);
int rlhf_spd_inverse(const double *a, int n, double *inv, double *work);
int rlhf_lu_solve(double *a, int n, double *b, int *piv);
/* sum_j a[j] * b[j * stride] */
double rlhf_dot_strided(const double *a, const double *b, int n, int stride);

/* Certificate helpers and the two exact policy solvers for concave aggregators (policy.c,
 * policy_lp.c, policy_active_set.c). pol is allocated by the caller (rlhf_policy_alloc). */
int rlhf_policy_alloc(rlhf_states *st, rlhf_policy *pol, ss_err *e);
double rlhf_rel_denominator(double w, double h);
int rlhf_states_z_policy(rlhf_states *st, const double *prob, double *z, ss_err *e);
int rlhf_policy_solve_lp(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                         ss_err *e);
int rlhf_policy_solve_smooth(rlhf_states *st, const rlhf_agg *agg, double tol,
                             rlhf_policy *pol, ss_err *e);
/* Fills the certificate of pol from its local policy pol->prob and the point theta of Theta:
 * z, objective W(z), dual h(theta), gap, rel_gap, converged (rel_gap <= tol). Collective. */
int rlhf_policy_certify(rlhf_states *st, const rlhf_agg *agg, const double *theta, double tol,
                        rlhf_policy *pol, ss_err *e);

/* The one-labeler utility of the policy an aggregate picks (for SPSA): solves the policy
 * problem and returns z. */
int rlhf_solve_aggregate(rlhf_states *st, const rlhf_agg *agg, double tol, double *z,
                         ss_err *e);

#endif
