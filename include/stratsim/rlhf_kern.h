/* Bit-exact dense kernels of the per-labeler MLE and confidence sets (src/rlhf/mle_kernels.c).
 * Every kernel computes each output with exactly the operations, in exactly the order, of the
 * plain loop named beside it (one rounded multiply, then one rounded add, sums running over
 * the comparisons j in increasing order); the AVX2 versions only run several such sums at once
 * in vector lanes and never fuse a multiply with an add. So results are the same bits whichever
 * version runs (checked by a unit test), and the same as before these kernels existed.
 * x is n x d row-major (comparison j in row j). */
#ifndef STRATSIM_RLHF_KERN_H
#define STRATSIM_RLHF_KERN_H

/* dot[j] = rlhf_dot(theta, x_j): s = 0; s += theta[q] * x_jq for q = 0..d-1. */
void rlhf_kern_dots(int n, int d, const double *x, const double *theta, double *dot);
/* g[q] = 0; g[q] += c[j] * x_jq for j = 0..n-1. */
void rlhf_kern_gemv_t(int n, int d, const double *x, const double *c, double *g);
/* Lower triangle (b <= a) of acc (d x d row-major; entries above the diagonal are
 * unspecified afterwards): acc[a][b] = 0; acc[a][b] += (w_j * x_ja) * x_jb for j = 0..n-1, or
 * += x_ja * x_jb when w is NULL. wx: workspace of n x d doubles (only min(n, 32) x d used). */
void rlhf_kern_syrk_lower(int n, int d, const double *x, const double *w, double *wx,
                          double *acc);

/* E[j] = exp(-|a[j]|), within 2 ulp (0 below exp(-700)): our own range reduction and
 * polynomial (rlhf_kern_expneg_ref), the same bits in vector lanes; not glibc's bits. */
void rlhf_kern_expneg(int n, const double *a, double *E);

/* Cholesky factor, in place, of the symmetric positive definite a (d x d row-major; only the
 * lower triangle b <= a is read): a = L L^T with L in the lower triangle (the entries above the
 * diagonal are left alone). Plain loops in a fixed order, so the same bits on every CPU.
 * Returns 0, or -1 if a pivot is not positive and finite (a is then partly overwritten). */
int rlhf_kern_chol(int d, double *a);
/* b := (L L^T)^{-1} b, with L from rlhf_kern_chol (forward then back substitution). */
void rlhf_kern_chol_solve(int d, const double *l, double *b);

/* The same with the plain loops, whatever the CPU (for tests). */
void rlhf_kern_dots_ref(int n, int d, const double *x, const double *theta, double *dot);
void rlhf_kern_gemv_t_ref(int n, int d, const double *x, const double *c, double *g);
void rlhf_kern_syrk_lower_ref(int n, int d, const double *x, const double *w, double *acc);
void rlhf_kern_expneg_ref(int n, const double *a, double *E);
/* 1 if the AVX2 versions are in use (the CPU has AVX2 and STRATSIM_NO_SIMD is unset). */
int rlhf_kern_simd(void);

#endif
