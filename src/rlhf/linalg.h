/* Private to src/rlhf: small dense linear algebra (linalg.c) and vector kernels (vec_ops.c). */
#ifndef STRATSIM_RLHF_LINALG_H
#define STRATSIM_RLHF_LINALG_H

/* Small dense linear algebra (row-major), used by the MLE, confidence sets and the policy
 * Newton solver. Returns 0 on success, -1 if the matrix is not positive definite/singular. */
int rlhf_cholesky(double *a, int n);
void rlhf_cholesky_solve(const double *l, int n, double *b);
int rlhf_spd_inverse(const double *a, int n, double *inv, double *work);
int rlhf_lu_solve(double *a, int n, double *b, int *piv);
/* y_j -= f x_j and y_j *= f for j < n, the same bits as the plain loops (vec_ops.c); y and x
 * must not overlap. */
void rlhf_vec_sub_scaled(double *restrict y, double f, const double *restrict x, int n);
void rlhf_vec_scale(double *y, double f, int n);
/* One row of pessimistic_sw's smoothed Hessian: h_j -= f (p_j / r - pa pz_j / r3). */
void rlhf_vec_psw_hess_row(double *restrict h, const double *restrict p, double pa,
                           const double *restrict pz, double r, double r3, double f, int n);
/* sum_j a[j] * b[j * stride] */
double rlhf_dot_strided(const double *a, const double *b, int n, int stride);

#endif
