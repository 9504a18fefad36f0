/* Bit-exact dense kernels of the MLE (include/stratsim/rlhf_kern.h): the plain loops, and AVX2
 * versions chosen at run time that run several of the same scalar sums side by side in vector
 * lanes. Multiplies and adds stay separate (no FMA, contraction off in this file), so every
 * output keeps its bits. The syrk is register-blocked (4 rows a x 8 columns b of accumulators,
 * comparisons in chunks that stay in L1): the Hessian X^T W X is the MLE's main cost. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf_kern.h"
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define KERN_X86 1
#endif

void rlhf_kern_dots_ref(int n, int d, const double *x, const double *theta, double *dot)
{
  for (int j = 0; j < n; j++) {
    const double *xj = x + (size_t)j * d;
    double s = 0;
    for (int q = 0; q < d; q++) s += theta[q] * xj[q];
    dot[j] = s;
  }
}

void rlhf_kern_gemv_t_ref(int n, int d, const double *x, const double *c, double *g)
{
  for (int q = 0; q < d; q++) g[q] = 0;
  for (int j = 0; j < n; j++) {
    const double *xj = x + (size_t)j * d;
    for (int q = 0; q < d; q++) g[q] += c[j] * xj[q];
  }
}

void rlhf_kern_syrk_lower_ref(int n, int d, const double *x, const double *w, double *acc)
{
  for (int a = 0; a < d; a++)
    for (int b = 0; b <= a; b++) acc[(size_t)a * d + b] = 0;
  for (int j = 0; j < n; j++) {
    const double *xj = x + (size_t)j * d;
    for (int a = 0; a < d; a++) {
      double wa = w ? w[j] * xj[a] : xj[a];
      double *row = acc + (size_t)a * d;
      for (int b = 0; b <= a; b++) row[b] += wa * xj[b];
    }
  }
}

/* exp(-|a|) (kernel rlhf_kern_expneg): k = nearest integer to -|a| / ln 2 (the 1.5 * 2^52
 * trick), r = (-|a| - k ln2_hi) - k ln2_lo (ln2_hi has 21 trailing zero bits, so k ln2_hi is
 * exact), e^r by Horner on the degree-13 Taylor polynomial (|r| <= 0.35: truncation below
 * 3e-18), times 2^k built from k's bits. Below -EXPNEG_MIN the result is 0 (exp < 1e-304). */
#define EXPNEG_MIN 700.0
static const double expneg_c[14] = {
  1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
  1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
static const double expneg_shift = 6755399441055744.0;      /* 1.5 * 2^52 */
static const double expneg_inv_ln2 = 1.4426950408889634074; /* 1 / ln 2 */
static const double expneg_ln2_hi = 0.693147180369123816490; /* ln 2, 21 trailing zero bits */
static const double expneg_ln2_lo = 1.90821492927058770002e-10;

void rlhf_kern_expneg_ref(int n, const double *a, double *E)
{
  uint64_t shift_bits;
  memcpy(&shift_bits, &expneg_shift, sizeof shift_bits);
  for (int j = 0; j < n; j++) {
    double x = -fabs(a[j]);
    if (x < -EXPNEG_MIN) {
      E[j] = 0.0;
      continue;
    }
    double t = x * expneg_inv_ln2 + expneg_shift;
    double k = t - expneg_shift;
    double r = (x - k * expneg_ln2_hi) - k * expneg_ln2_lo;
    double p = expneg_c[13];
    for (int i = 12; i >= 0; i--) p = p * r + expneg_c[i];
    uint64_t tb, sb;
    memcpy(&tb, &t, sizeof tb);
    sb = (tb - shift_bits + 1023) << 52;
    double scale;
    memcpy(&scale, &sb, sizeof scale);
    E[j] = p * scale;
  }
}

#ifdef KERN_X86
#define AVX2 __attribute__((target("avx2")))

/* 4 rows' dots: lanes are rows j..j+3, q runs in order (4 x 4 in-register transposes). */
AVX2 static __m256d dots4(int d, const double *x, const double *theta)
{
  __m256d s = _mm256_setzero_pd();
  const double *r0 = x, *r1 = x + d, *r2 = x + 2 * d, *r3 = x + 3 * d;
  int q = 0;
  for (; q + 4 <= d; q += 4) {
    __m256d a0 = _mm256_loadu_pd(r0 + q), a1 = _mm256_loadu_pd(r1 + q);
    __m256d a2 = _mm256_loadu_pd(r2 + q), a3 = _mm256_loadu_pd(r3 + q);
    __m256d t0 = _mm256_unpacklo_pd(a0, a1), t1 = _mm256_unpackhi_pd(a0, a1);
    __m256d t2 = _mm256_unpacklo_pd(a2, a3), t3 = _mm256_unpackhi_pd(a2, a3);
    __m256d c0 = _mm256_permute2f128_pd(t0, t2, 0x20), c1 = _mm256_permute2f128_pd(t1, t3, 0x20);
    __m256d c2 = _mm256_permute2f128_pd(t0, t2, 0x31), c3 = _mm256_permute2f128_pd(t1, t3, 0x31);
    s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(theta[q]), c0));
    s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(theta[q + 1]), c1));
    s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(theta[q + 2]), c2));
    s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(theta[q + 3]), c3));
  }
  for (; q < d; q++) {
    __m256d c = _mm256_set_pd(r3[q], r2[q], r1[q], r0[q]);
    s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(theta[q]), c));
  }
  return s;
}

AVX2 static void dots_avx2(int n, int d, const double *x, const double *theta, double *dot)
{
  int j = 0;
  for (; j + 8 <= n; j += 8) { /* two independent blocks hide the add latency */
    __m256d s0 = dots4(d, x + (size_t)j * d, theta);
    __m256d s1 = dots4(d, x + (size_t)(j + 4) * d, theta);
    _mm256_storeu_pd(dot + j, s0);
    _mm256_storeu_pd(dot + j + 4, s1);
  }
  for (; j + 4 <= n; j += 4) _mm256_storeu_pd(dot + j, dots4(d, x + (size_t)j * d, theta));
  if (j < n) rlhf_kern_dots_ref(n - j, d, x + (size_t)j * d, theta, dot + j);
}

/* columns [q0, q0 + 16) of g, 4 accumulators in registers over all j */
AVX2 static void gemv_cols16(int n, int d, const double *x, const double *c, double *g, int q0)
{
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  for (int j = 0; j < n; j++) {
    __m256d cj = _mm256_set1_pd(c[j]);
    const double *xj = x + (size_t)j * d + q0;
    a0 = _mm256_add_pd(a0, _mm256_mul_pd(cj, _mm256_loadu_pd(xj)));
    a1 = _mm256_add_pd(a1, _mm256_mul_pd(cj, _mm256_loadu_pd(xj + 4)));
    a2 = _mm256_add_pd(a2, _mm256_mul_pd(cj, _mm256_loadu_pd(xj + 8)));
    a3 = _mm256_add_pd(a3, _mm256_mul_pd(cj, _mm256_loadu_pd(xj + 12)));
  }
  _mm256_storeu_pd(g + q0, a0);
  _mm256_storeu_pd(g + q0 + 4, a1);
  _mm256_storeu_pd(g + q0 + 8, a2);
  _mm256_storeu_pd(g + q0 + 12, a3);
}

/* columns [q0, q0 + 4) */
AVX2 static void gemv_cols4(int n, int d, const double *x, const double *c, double *g, int q0)
{
  __m256d a0 = _mm256_setzero_pd();
  for (int j = 0; j < n; j++)
    a0 = _mm256_add_pd(a0, _mm256_mul_pd(_mm256_set1_pd(c[j]), _mm256_loadu_pd(x + (size_t)j * d + q0)));
  _mm256_storeu_pd(g + q0, a0);
}

AVX2 static void gemv_t_avx2(int n, int d, const double *x, const double *c, double *g)
{
  int q = 0;
  for (; q + 16 <= d; q += 16) gemv_cols16(n, d, x, c, g, q);
  for (; q + 4 <= d; q += 4) gemv_cols4(n, d, x, c, g, q);
  for (; q < d; q++) { /* the last d % 4 columns */
    double s = 0;
    for (int j = 0; j < n; j++) s += c[j] * x[(size_t)j * d + q];
    g[q] = s;
  }
}

enum { KERN_JC = 32 }; /* comparisons per chunk: x and wx chunks (2 x 32 x d doubles) in L1 */

#define LD(r, v) _mm256_loadu_pd(acc + (size_t)(a0 + (r)) * d + b0 + 4 * (v))
#define ST(r, v, c) _mm256_storeu_pd(acc + (size_t)(a0 + (r)) * d + b0 + 4 * (v), c)
#define UPD(c, w, xv) c = _mm256_add_pd(c, _mm256_mul_pd(w, xv))

/* acc rows a0..a0+3, columns b0..b0+7, over comparisons [j0, j1): 8 accumulators in registers */
AVX2 static void syrk_tile8(int d, const double *x, const double *wx, double *acc, int a0, int b0,
                            int j0, int j1)
{
  __m256d c00 = LD(0, 0), c01 = LD(0, 1), c10 = LD(1, 0), c11 = LD(1, 1);
  __m256d c20 = LD(2, 0), c21 = LD(2, 1), c30 = LD(3, 0), c31 = LD(3, 1);
  for (int j = j0; j < j1; j++) {
    const double *xj = x + (size_t)j * d + b0, *wj = wx + (size_t)j * d + a0;
    __m256d x0 = _mm256_loadu_pd(xj), x1 = _mm256_loadu_pd(xj + 4);
    __m256d w0 = _mm256_broadcast_sd(wj), w1 = _mm256_broadcast_sd(wj + 1);
    UPD(c00, w0, x0);
    UPD(c01, w0, x1);
    UPD(c10, w1, x0);
    UPD(c11, w1, x1);
    __m256d w2 = _mm256_broadcast_sd(wj + 2), w3 = _mm256_broadcast_sd(wj + 3);
    UPD(c20, w2, x0);
    UPD(c21, w2, x1);
    UPD(c30, w3, x0);
    UPD(c31, w3, x1);
  }
  ST(0, 0, c00); ST(0, 1, c01); ST(1, 0, c10); ST(1, 1, c11);
  ST(2, 0, c20); ST(2, 1, c21); ST(3, 0, c30); ST(3, 1, c31);
}

/* the same for columns b0..b0+3 */
AVX2 static void syrk_tile4(int d, const double *x, const double *wx, double *acc, int a0, int b0,
                            int j0, int j1)
{
  __m256d c0 = LD(0, 0), c1 = LD(1, 0), c2 = LD(2, 0), c3 = LD(3, 0);
  for (int j = j0; j < j1; j++) {
    const double *wj = wx + (size_t)j * d + a0;
    __m256d x0 = _mm256_loadu_pd(x + (size_t)j * d + b0);
    UPD(c0, _mm256_broadcast_sd(wj), x0);
    UPD(c1, _mm256_broadcast_sd(wj + 1), x0);
    UPD(c2, _mm256_broadcast_sd(wj + 2), x0);
    UPD(c3, _mm256_broadcast_sd(wj + 3), x0);
  }
  ST(0, 0, c0); ST(1, 0, c1); ST(2, 0, c2); ST(3, 0, c3);
}

/* The columns a vector tile covers for row block a0: [0, *bend) */
static int syrk_cover(int d, int a0)
{
  int b = 0;
  while (b + 4 <= d && b <= a0 + 3) b += 4;
  return b;
}

/* What the tiles leave (the last d % 4 rows, the columns past each block's cover), for
 * comparisons [j0, j1), added in order to the partial sums in acc. */
static void syrk_rest(int d, const double *x, const double *wsrc, double *acc, int ab, int j0,
                      int j1)
{
  for (int a = 0; a < d; a++)
    for (int b = a < ab ? syrk_cover(d, a / 4 * 4) : 0; b <= a; b++) {
      double s = acc[(size_t)a * d + b];
      for (int j = j0; j < j1; j++) s += wsrc[(size_t)j * d + a] * x[(size_t)j * d + b];
      acc[(size_t)a * d + b] = s;
    }
}

/* wx rows [j0, j1) = w_j * x_j, into a chunk buffer that stays in L1 */
AVX2 static void scale_rows(int d, const double *x, const double *w, int j0, int j1, double *wx)
{
  for (int j = j0; j < j1; j++) {
    const double *xj = x + (size_t)j * d;
    double *o = wx + (size_t)(j - j0) * d;
    __m256d wj = _mm256_set1_pd(w[j]);
    int a = 0;
    for (; a + 4 <= d; a += 4) _mm256_storeu_pd(o + a, _mm256_mul_pd(wj, _mm256_loadu_pd(xj + a)));
    for (; a < d; a++) o[a] = w[j] * xj[a];
  }
}

AVX2 static void syrk_avx2(int n, int d, const double *x, const double *w, double *wx, double *acc)
{
  int ab = d / 4 * 4; /* rows in full blocks of 4 */
  memset(acc, 0, (size_t)d * d * sizeof *acc);
  for (int j0 = 0; j0 < n; j0 += KERN_JC) {
    int j1 = j0 + KERN_JC < n ? j0 + KERN_JC : n;
    const double *wsrc = x; /* row j of the weighted rows at wsrc + j * d */
    if (w) {
      scale_rows(d, x, w, j0, j1, wx);
      wsrc = wx - (size_t)j0 * d;
    }
    for (int a0 = 0; a0 < ab; a0 += 4) {
      int bend = syrk_cover(d, a0), b0 = 0;
      for (; b0 + 8 <= bend; b0 += 8) syrk_tile8(d, x, wsrc, acc, a0, b0, j0, j1);
      if (b0 < bend) syrk_tile4(d, x, wsrc, acc, a0, b0, j0, j1);
    }
    syrk_rest(d, x, wsrc, acc, ab, j0, j1);
  }
}

/* rlhf_kern_expneg_ref's operations, four comparisons per vector */
AVX2 static void expneg_avx2(int n, const double *a, double *E)
{
  const __m256d sign = _mm256_set1_pd(-0.0), lim = _mm256_set1_pd(-EXPNEG_MIN);
  const __m256d shift = _mm256_set1_pd(expneg_shift), il2 = _mm256_set1_pd(expneg_inv_ln2);
  const __m256d hi = _mm256_set1_pd(expneg_ln2_hi), lo = _mm256_set1_pd(expneg_ln2_lo);
  const __m256i sbits = _mm256_castpd_si256(shift), bias = _mm256_set1_epi64x(1023);
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256d x = _mm256_or_pd(_mm256_loadu_pd(a + j), sign); /* -|a| */
    __m256d t = _mm256_add_pd(_mm256_mul_pd(x, il2), shift);
    __m256d k = _mm256_sub_pd(t, shift);
    __m256d r = _mm256_sub_pd(_mm256_sub_pd(x, _mm256_mul_pd(k, hi)), _mm256_mul_pd(k, lo));
    __m256d p = _mm256_set1_pd(expneg_c[13]);
    for (int i = 12; i >= 0; i--) p = _mm256_add_pd(_mm256_mul_pd(p, r), _mm256_set1_pd(expneg_c[i]));
    __m256i kb = _mm256_add_epi64(_mm256_sub_epi64(_mm256_castpd_si256(t), sbits), bias);
    __m256d y = _mm256_mul_pd(p, _mm256_castsi256_pd(_mm256_slli_epi64(kb, 52)));
    __m256d under = _mm256_cmp_pd(x, lim, _CMP_LT_OQ);
    _mm256_storeu_pd(E + j, _mm256_andnot_pd(under, y));
  }
  if (j < n) rlhf_kern_expneg_ref(n - j, a + j, E + j);
}

static int simd_state = -1;

int rlhf_kern_simd(void)
{
  if (simd_state < 0) {
    const char *off = getenv("STRATSIM_NO_SIMD");
    simd_state = __builtin_cpu_supports("avx2") && !(off && *off && *off != '0');
  }
  return simd_state;
}
#else
int rlhf_kern_simd(void) { return 0; }
#define dots_avx2 rlhf_kern_dots_ref
#define gemv_t_avx2 rlhf_kern_gemv_t_ref
#define syrk_avx2(n, d, x, w, wx, acc) rlhf_kern_syrk_lower_ref(n, d, x, w, acc)
#define expneg_avx2 rlhf_kern_expneg_ref
#endif

void rlhf_kern_dots(int n, int d, const double *x, const double *theta, double *dot)
{
  if (rlhf_kern_simd()) dots_avx2(n, d, x, theta, dot);
  else rlhf_kern_dots_ref(n, d, x, theta, dot);
}

void rlhf_kern_gemv_t(int n, int d, const double *x, const double *c, double *g)
{
  if (rlhf_kern_simd()) gemv_t_avx2(n, d, x, c, g);
  else rlhf_kern_gemv_t_ref(n, d, x, c, g);
}

void rlhf_kern_syrk_lower(int n, int d, const double *x, const double *w, double *wx,
                          double *acc)
{
  if (rlhf_kern_simd()) syrk_avx2(n, d, x, w, wx, acc);
  else rlhf_kern_syrk_lower_ref(n, d, x, w, acc);
}

/* Cholesky-Banachiewicz by rows, plain loops (contraction off: one rounded multiply, then one
 * rounded subtract), the same bits on every CPU and with or without SIMD. */
int rlhf_kern_chol(int d, double *a)
{
  for (int j = 0; j < d; j++) {
    double *rj = a + (size_t)j * d;
    double s = rj[j];
    for (int k = 0; k < j; k++) s -= rj[k] * rj[k];
    if (!(s > 0) || !isfinite(s)) return -1;
    double l = sqrt(s);
    rj[j] = l;
    for (int i = j + 1; i < d; i++) {
      double *ri = a + (size_t)i * d;
      double t = ri[j];
      for (int k = 0; k < j; k++) t -= ri[k] * rj[k];
      ri[j] = t / l;
    }
  }
  return 0;
}

void rlhf_kern_chol_solve(int d, const double *l, double *b)
{
  for (int i = 0; i < d; i++) { /* L y = b */
    const double *ri = l + (size_t)i * d;
    double s = b[i];
    for (int k = 0; k < i; k++) s -= ri[k] * b[k];
    b[i] = s / ri[i];
  }
  for (int i = d - 1; i >= 0; i--) { /* L^T x = y */
    double s = b[i];
    for (int k = i + 1; k < d; k++) s -= l[(size_t)k * d + i] * b[k];
    b[i] = s / l[(size_t)i * d + i];
  }
}

void rlhf_kern_expneg(int n, const double *a, double *E)
{
  if (rlhf_kern_simd()) expneg_avx2(n, a, E);
  else rlhf_kern_expneg_ref(n, a, E);
}
