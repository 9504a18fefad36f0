/* Ridge-regression state with Sherman-Morrison updates (include/stratsim/bandit_ridge.h).
 * Everything is plain loops in a fixed order, so the same inputs give the same bits on
 * every rank: the engine relies on that for rank-count independence. */
#include <math.h>
#include <string.h>
#include "stratsim/bandit.h"
#include "stratsim/bandit_ridge.h"
#include "small_d.h"

static size_t packed(int d) { return (size_t)d * (size_t)(d + 1) / 2; }

size_t ss_ridge_ndoubles(int d) { return 2 * packed(d) + 2 * (size_t)d; }

size_t ss_ridge_nwork(int d) { return 2 * (size_t)d * (size_t)d + 2 * (size_t)d; }

void ss_ridge_attach(ss_ridge *r, int d, double lambda, double *mem)
{
  r->d = d;
  r->lambda = lambda;
  /* What scoring reads (V^{-1}, theta) first and contiguous, so that a scan over many arms
   * streams it; V and b are read only by updates and refactorisations. */
  r->vinv = mem;
  r->theta = mem + packed(d);
  r->b = r->theta + d;
  r->v = r->b + d;
  ss_ridge_reset(r);
}

void ss_ridge_reset(ss_ridge *r)
{
  int d = r->d;
  memset(r->vinv, 0, ss_ridge_ndoubles(d) * sizeof(double));
  for (int i = 0; i < d; i++) {
    r->vinv[ss_ridge_at(d, i, i)] = 1.0 / r->lambda;
    r->v[ss_ridge_at(d, i, i)] = r->lambda;
  }
  r->n = 0;
  r->since_refactor = 0;
}

/* ---- the hot kernels ----
 * Each kernel is written once, for any d, as a static inline function. The dispatchers
 * below call it with a literal d for d <= 8, where the compiler unrolls it completely, and
 * with the run-time d otherwise. Every instance performs the same operations in the same
 * order (no reassociation: -std=c11 without -ffast-math), so every d gives the bits of the
 * general loop, on every rank. The kernels are forced inline and their loops unrolled where
 * the compiler supports it (GCC, Clang); elsewhere they are plain loops with the same result. */
#if defined(__GNUC__)
#define KERNEL static inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 8")
#else
#define KERNEL static inline
#define UNROLL
#endif

/* sum_k a_k b_k with ss_bandit_dot's four accumulators and order. */
KERNEL double dot_k(const double *a, const double *b, const int n)
{
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int k = 0;
  UNROLL
  for (; k + 4 <= n; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  UNROLL
  for (; k < n; k++) s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

/* x^T M x for packed symmetric M: sum_i x_i (M_ii x_i + 2 sum_{j>i} M_ij x_j). */
KERNEL double qform_k(const double *m, const double *x, const int d)
{
  const double *row = m;
  double q = 0;
  UNROLL
  for (int i = 0; i < d; i++) {
    int len = d - i;
    q += x[i] * (row[0] * x[i] + 2.0 * dot_k(row + 1, x + i + 1, len - 1));
    row += len;
  }
  return q;
}

/* out = M x for packed symmetric M. */
KERNEL void symv_k(const double *m, const double *x, double *out, const int d)
{
  UNROLL
  for (int i = 0; i < d; i++) out[i] = 0;
  const double *row = m;
  UNROLL
  for (int i = 0; i < d; i++) {
    double acc = row[0] * x[i];
    UNROLL
    for (int j = i + 1; j < d; j++) {
      acc += row[j - i] * x[j];
      out[j] += row[j - i] * x[i];
    }
    out[i] += acc;
    row += d - i;
  }
}

/* <theta, x> + s sqrt(x^T V^{-1} x), s = +beta or -beta. */
KERNEL double bound_k(const ss_ridge *r, const double *x, double s, const int d)
{
  return dot_k(r->theta, x, d) + s * sqrt(qform_k(r->vinv, x, d));
}

/* x = base ⊙ y: a report from a base context and reported features. */
KERNEL void report_k(double *x, const double *base, const double *y, const int d)
{
  UNROLL
  for (int j = 0; j < d; j++) x[j] = base[j] * y[j];
}

/* Sherman-Morrison with u = V^{-1} x: V^{-1} -= u u^T / (1 + x^T u); V += x x^T; b += y x.
 * u_i / denom is formed once per row. */
KERNEL void rank1_k(ss_ridge *r, const double *x, double y, double *u, const int d)
{
  symv_k(r->vinv, x, u, d);
  double denom = 1.0 + dot_k(x, u, d);
  double *mi = r->vinv, *vi = r->v;
  UNROLL
  for (int i = 0; i < d; i++) {
    double ui = u[i] / denom;
    UNROLL
    for (int j = i; j < d; j++) {
      mi[j - i] -= ui * u[j];
      vi[j - i] += x[i] * x[j];
    }
    mi += d - i;
    vi += d - i;
    r->b[i] += y * x[i];
  }
}

/* The dispatchers: one switch per call, the unrolled instance inside (d > 8: the generic one). */
#define SS_RIDGE_SMALL_D(call) SS_SMALL_D(call, d)

double ss_ridge_qform(const ss_ridge *r, const double *x)
{
  const int d = r->d;
  double q = 0;
#define CALL(n) q = qform_k(r->vinv, x, n)
  SS_RIDGE_SMALL_D(CALL)
#undef CALL
  return q;
}

double ss_ridge_bound(const ss_ridge *r, const double *x, double s)
{
  const int d = r->d;
  double v = 0;
#define CALL(n) v = bound_k(r, x, s, n)
  SS_RIDGE_SMALL_D(CALL)
#undef CALL
  return v;
}

double ss_ridge_bound_report(const ss_ridge *r, const double *base, const double *y, double s,
                             double *x)
{
  const int d = r->d;
  double v = 0;
#define CALL(n) (report_k(x, base, y, n), v = bound_k(r, x, s, n))
  SS_RIDGE_SMALL_D(CALL)
#undef CALL
  return v;
}

static void symv(int d, const double *m, const double *x, double *out)
{
#define CALL(n) symv_k(m, x, out, n)
  SS_RIDGE_SMALL_D(CALL)
#undef CALL
}

/* The whole update in one instance per d: Sherman-Morrison, the rare refactorisation (out of
 * line), theta = V^{-1} b; then, if want_bound, the bound <theta, x> + s sqrt(x^T V^{-1} x) of
 * the same x under the updated estimate (bound_k: the bits of ss_ridge_bound). After a
 * successful refactorisation theta is already V^{-1} b (the same symv), so it is not formed
 * twice. */
KERNEL double update_k(ss_ridge *r, const double *x, double y, int64_t refactor_every, double *work,
                       const int want_bound, double s, const int d)
{
  rank1_k(r, x, y, work, d);
  r->n++;
  r->since_refactor++;
  int fresh = 0;
  if (refactor_every > 0 && r->since_refactor >= refactor_every) {
    fresh = !ss_ridge_refactor(r, work); /* on failure the Sherman-Morrison state stays */
    r->since_refactor = 0;
  }
  if (!fresh) symv_k(r->vinv, r->b, r->theta, d);
  return want_bound ? bound_k(r, x, s, d) : 0.0;
}

void ss_ridge_update(ss_ridge *r, const double *x, double y, int64_t refactor_every, double *work)
{
  const int d = r->d;
#define CALL(n) update_k(r, x, y, refactor_every, work, 0, 0.0, n)
  SS_RIDGE_SMALL_D(CALL)
#undef CALL
}

double ss_ridge_update_bound(ss_ridge *r, const double *x, double y, int64_t refactor_every,
                             double *work, double s)
{
  const int d = r->d;
  double v = 0;
#define CALL(n) v = update_k(r, x, y, refactor_every, work, 1, s, n)
  SS_RIDGE_SMALL_D(CALL)
#undef CALL
  return v;
}

int ss_ridge_refactor(ss_ridge *r, double *work)
{
  int d = r->d;
  double *l = work;               /* d x d: Cholesky factor, lower, row-major */
  double *li = work + (size_t)d * d; /* d x d: its inverse, lower */
  for (int i = 0; i < d; i++)
    for (int j = 0; j <= i; j++) {
      double s = r->v[ss_ridge_at(d, j, i)];
      for (int k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i == j) {
        if (!(s > 0)) return -1;
        l[i * d + i] = sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  for (int j = 0; j < d; j++) {
    li[j * d + j] = 1.0 / l[j * d + j];
    for (int i = j + 1; i < d; i++) {
      double s = 0;
      for (int k = j; k < i; k++) s -= l[i * d + k] * li[k * d + j];
      li[i * d + j] = s / l[i * d + i];
    }
  }
  /* V^{-1} = L^{-T} L^{-1}: (i,j) = sum_{k >= max(i,j)} Li_ki Li_kj */
  for (int i = 0; i < d; i++)
    for (int j = i; j < d; j++) {
      double s = 0;
      for (int k = j; k < d; k++) s += li[k * d + i] * li[k * d + j];
      r->vinv[ss_ridge_at(d, i, j)] = s;
    }
  symv(d, r->vinv, r->b, r->theta);
  return 0;
}

double ss_ridge_drift(const ss_ridge *r, double *work)
{
  int d = r->d;
  double *col = work, *out = work + d;
  double worst = 0;
  for (int j = 0; j < d; j++) {
    for (int i = 0; i < d; i++) col[i] = r->vinv[i <= j ? ss_ridge_at(d, i, j) : ss_ridge_at(d, j, i)];
    symv(d, r->v, col, out);
    for (int i = 0; i < d; i++) {
      double dev = fabs(out[i] - (i == j ? 1.0 : 0.0));
      if (dev > worst) worst = dev;
    }
  }
  return worst;
}
