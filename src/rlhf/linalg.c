/* Small dense linear algebra for d x d problems (d <= 64): Cholesky, SPD inverse and LU with
 * partial pivoting. Plain loops in a fixed order, so results are bit-reproducible and do not
 * depend on which BLAS PETSc was linked with. Row-major storage. */
#include <math.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "linalg.h"

int rlhf_cholesky(double *a, int n)
{
  for (int j = 0; j < n; j++) {
    double s = a[j * n + j];
    for (int k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
    if (!(s > 0)) return -1;
    double l = sqrt(s);
    a[j * n + j] = l;
    for (int i = j + 1; i < n; i++) {
      double t = a[i * n + j];
      for (int k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / l;
    }
    for (int i = 0; i < j; i++) a[i * n + j] = 0.0;
  }
  return 0;
}

void rlhf_cholesky_solve(const double *l, int n, double *b)
{
  for (int i = 0; i < n; i++) {
    double t = b[i];
    for (int k = 0; k < i; k++) t -= l[i * n + k] * b[k];
    b[i] = t / l[i * n + i];
  }
  for (int i = n - 1; i >= 0; i--) {
    double t = b[i];
    for (int k = i + 1; k < n; k++) t -= l[k * n + i] * b[k];
    b[i] = t / l[i * n + i];
  }
}

int rlhf_spd_inverse(const double *a, int n, double *inv, double *work)
{
  memcpy(work, a, (size_t)n * n * sizeof *work);
  if (rlhf_cholesky(work, n)) return -1;
  double col[64];
  for (int j = 0; j < n; j++) {
    for (int i = 0; i < n; i++) col[i] = (i == j);
    rlhf_cholesky_solve(work, n, col);
    for (int i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  /* Symmetrise so that prec is exactly symmetric. */
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) {
      double m = 0.5 * (inv[i * n + j] + inv[j * n + i]);
      inv[i * n + j] = inv[j * n + i] = m;
    }
  return 0;
}

int rlhf_lu_solve(double *a, int n, double *b, int *piv)
{
  for (int k = 0; k < n; k++) {
    int p = k;
    double best = fabs(a[k * n + k]);
    for (int i = k + 1; i < n; i++)
      if (fabs(a[i * n + k]) > best) {
        best = fabs(a[i * n + k]);
        p = i;
      }
    if (!(best > 0)) return -1;
    piv[k] = p;
    if (p != k) {
      for (int j = 0; j < n; j++) {
        double t = a[k * n + j];
        a[k * n + j] = a[p * n + j];
        a[p * n + j] = t;
      }
      double t = b[k];
      b[k] = b[p];
      b[p] = t;
    }
    for (int i = k + 1; i < n; i++) {
      double m = a[i * n + k] / a[k * n + k];
      a[i * n + k] = m;
      rlhf_vec_sub_scaled(a + i * n + k + 1, m, a + k * n + k + 1, n - k - 1);
      b[i] -= m * b[k];
    }
  }
  for (int i = n - 1; i >= 0; i--) {
    double t = b[i];
    for (int j = i + 1; j < n; j++) t -= a[i * n + j] * b[j];
    b[i] = t / a[i * n + i];
  }
  return 0;
}

double rlhf_dot_strided(const double *a, const double *b, int n, int stride)
{
  double s = 0;
  for (int j = 0; j < n; j++) s += a[j] * b[(size_t)j * stride];
  return s;
}
