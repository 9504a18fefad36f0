/* Scores of many arms at once (include/stratsim/bandit_ridge.h): ridge.c's
 * bound_k(report_k(...)) with each double replaced by a vector of four (GCC vector
 * extensions), one arm per lane. Each lane performs exactly the scalar kernel's operations
 * in the scalar kernel's order (elementwise IEEE multiplies, adds and square roots, no fused
 * multiply-add), so each arm's bound has the bits of ss_ridge_bound_report whether the
 * vectors are AVX2 registers or pairs of SSE2 registers; tests/unit/test_ridge_lanes.c checks
 * this for d = 1..8. Per-arm estimates are read from a cache in lane layout (refreshed for
 * the arms whose update count changed), a pooled estimate is broadcast; reports come in lane
 * layout, transposed once per rollout. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_ridge.h"
#include "stratsim/simd.h"
#include "small_d.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define LANES_X86 1
#endif

/* The four-lane vectors below never cross a call boundary (every function taking or returning
 * one is static and inlined, or the AVX2 entry takes pointers), so GCC's note that passing them
 * by value without AVX changes the ABI does not apply. */
#if defined(__clang__)
#if __has_warning("-Wpsabi")
#pragma clang diagnostic ignored "-Wpsabi"
#endif
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

static size_t packed(int d) { return (size_t)d * (size_t)(d + 1) / 2; }

/* The cache: a header of 4 doubles (header[0] != 0: every lane stale), then groups of four
 * arms: V^{-1} (packed) x 4, theta x 4, radius x 4. */
enum { HEADER = 4 };
static size_t group_doubles(int d) { return 4 * (packed(d) + (size_t)d + 1); }

static int64_t groups(int64_t n) { return (n + 3) / 4; }

size_t ss_ridge_lanes_ny(int64_t n, int d) { return (size_t)groups(n) * 4 * (size_t)d; }

void ss_ridge_lanes_reports(int64_t n, int d, const double *y, double *yl)
{
  memset(yl, 0, ss_ridge_lanes_ny(n, d) * sizeof(double));
  for (int64_t a = 0; a < n; a++)
    for (int j = 0; j < d; j++) yl[(a / 4) * 4 * d + 4 * j + a % 4] = y[a * d + j];
}

size_t ss_ridge_lanes_ndoubles(int64_t n, int d) { return HEADER + (size_t)groups(n) * group_doubles(d); }

void ss_ridge_lanes_invalidate(double *cache, int64_t n, int d)
{
  memset(cache, 0, ss_ridge_lanes_ndoubles(n, d) * sizeof(double)); /* padding lanes stay 0 */
  cache[0] = 1.0;
}

/* V^{-1} and theta are contiguous in a state's storage (ss_ridge_attach), so one strided copy
 * moves both; with a literal count the copy is straight loads and stores (GCC does not unroll
 * a 20-iteration loop by itself at -O2: it ran as a loop, about 130 instructions at d = 5). */
#if defined(__GNUC__)
#define UNROLL_COPY _Pragma("GCC unroll 44")
#else
#define UNROLL_COPY
#endif
static inline __attribute__((always_inline)) void copy_strided(double *dst, const double *src, const size_t n)
{
  UNROLL_COPY
  for (size_t k = 0; k < n; k++) dst[4 * k] = src[k];
}

void ss_ridge_lanes_set(double *cache, int64_t i, const ss_ridge *r, double radius)
{
  const int d = r->d;
  const size_t pd = packed(d) + (size_t)d, u = (size_t)i; /* i >= 0: unsigned / and % */
  double *dst = cache + HEADER + (u / 4) * group_doubles(d) + u % 4;
  switch (d) {
  case 1: copy_strided(dst, r->vinv, 2); break;
  case 2: copy_strided(dst, r->vinv, 5); break;
  case 3: copy_strided(dst, r->vinv, 9); break;
  case 4: copy_strided(dst, r->vinv, 14); break;
  case 5: copy_strided(dst, r->vinv, 20); break;
  case 6: copy_strided(dst, r->vinv, 27); break;
  case 7: copy_strided(dst, r->vinv, 35); break;
  default: copy_strided(dst, r->vinv, pd); break;
  }
  dst[4 * pd] = radius;
}

#if defined(__GNUC__)
#define KERNEL static inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 8")
typedef double v4d __attribute__((vector_size(32), aligned(8)));

/* Element k of a lane-layout array (4 doubles per element), or element k of a pooled array
 * broadcast to every lane. */
KERNEL v4d el(const double *a, int k, const int pooled)
{
  if (pooled) return (v4d){a[k], a[k], a[k], a[k]};
  v4d v;
  memcpy(&v, a + 4 * k, sizeof v);
  return v;
}

/* dot_k of ridge.c in four lanes. */
KERNEL void dot4_k(const double *a, const v4d *x, const int n, const int pooled, v4d *out)
{
  v4d s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
  int k = 0;
  UNROLL
  for (; k + 4 <= n; k += 4) {
    s0 += el(a, k, pooled) * x[k];
    s1 += el(a, k + 1, pooled) * x[k + 1];
    s2 += el(a, k + 2, pooled) * x[k + 2];
    s3 += el(a, k + 3, pooled) * x[k + 3];
  }
  UNROLL
  for (; k < n; k++) s0 += el(a, k, pooled) * x[k];
  *out = (s0 + s1) + (s2 + s3);
}

/* For four arms: mean = <theta, x> and q = x^T V^{-1} x of x = base ⊙ y (yl: d x 4). */
KERNEL void mean_q4_k(const double *vinv, const double *theta, const double *base, const double *yl,
                      v4d *mean, v4d *q, const int d, const int pooled)
{
  v4d x[SS_RIDGE_LANES_MAX_D];
  UNROLL
  for (int j = 0; j < d; j++) {
    v4d y;
    memcpy(&y, yl + 4 * j, sizeof y);
    x[j] = (v4d){base[j], base[j], base[j], base[j]} * y;
  }
  dot4_k(theta, x, d, pooled, mean);
  const double *row = vinv;
  const v4d two = {2.0, 2.0, 2.0, 2.0};
  v4d acc = {0, 0, 0, 0};
  UNROLL
  for (int i = 0; i < d; i++) {
    const int len = d - i;
    v4d inner;
    dot4_k(row + (pooled ? 1 : 4), x + i + 1, len - 1, pooled, &inner);
    acc += x[i] * (el(row, 0, pooled) * x[i] + two * inner);
    row += pooled ? len : 4 * len;
  }
  *q = acc;
}

/* The dispatch on d (a literal d <= 8 unrolls the kernel completely; d is at most 8 here). */
#define LANES_SMALL_D(call) SS_SMALL_D(call, 8)

/* Every group's bounds: mean + s sqrt(q) per lane, SQRT4 the four-lane square root, pooled
 * a literal. Scores of padding lanes are computed (from zeros) and not stored. */
#define KCALL(dd) mean_q4_k(vinv, theta, base, yk, &mean, &q, dd, pooled)
#define DEFINE_BOUNDS(NAME, ATTR, SQRT4, POOLED)                                                  \
  ATTR static void NAME(const double *cache, const ss_ridge *r, double radius, int64_t n,         \
                        const double *base, const double *yl, double *out, const int d)          \
  {                                                                                               \
    const int pooled = POOLED;                                                                    \
    const size_t p = packed(d), g = pooled ? 0 : group_doubles(d);                                \
    for (int64_t k = 0; k < groups(n); k++) {                                                     \
      const double *grp = pooled ? NULL : cache + HEADER + (size_t)k * g;                                  \
      const double *vinv = pooled ? r->vinv : grp, *theta = pooled ? r->theta : grp + 4 * p;      \
      const double *yk = yl + (size_t)k * 4 * (size_t)d;                                          \
      v4d mean, q, s = {radius, radius, radius, radius};                                          \
      if (!pooled) memcpy(&s, grp + 4 * (p + (size_t)d), sizeof s);                               \
      LANES_SMALL_D(KCALL)                                                                        \
      v4d v = mean + s * SQRT4(q);                                                                \
      int64_t m = n - 4 * k < 4 ? n - 4 * k : 4;                                                  \
      if (m == 4) memcpy(out + 4 * k, &v, sizeof v); /* a full group: one store */                \
      else for (int l = 0; l < m; l++) out[4 * k + l] = v[l];                                     \
    }                                                                                             \
  }

#define sqrt4_generic(q) ((v4d){sqrt((q)[0]), sqrt((q)[1]), sqrt((q)[2]), sqrt((q)[3])})

DEFINE_BOUNDS(bounds_cached, , sqrt4_generic, 0)
DEFINE_BOUNDS(bounds_pooled, , sqrt4_generic, 1)

#if defined(LANES_X86)
#define AVX2 __attribute__((target("avx2")))
AVX2 static inline v4d sqrt4_avx2(v4d q) { return (v4d)_mm256_sqrt_pd((__m256d)q); }

DEFINE_BOUNDS(bounds_cached_avx2, AVX2, sqrt4_avx2, 0)
DEFINE_BOUNDS(bounds_pooled_avx2, AVX2, sqrt4_avx2, 1)
#endif

static void bounds(const double *cache, const ss_ridge *r, double radius, int64_t n, const double *base,
                   const double *yl, double *out, int d)
{
#if defined(LANES_X86)
  if (ss_use_avx2()) {
    if (r) bounds_pooled_avx2(NULL, r, radius, n, base, yl, out, d);
    else bounds_cached_avx2(cache, NULL, 0, n, base, yl, out, d);
    return;
  }
#endif
  if (r) bounds_pooled(NULL, r, radius, n, base, yl, out, d);
  else bounds_cached(cache, NULL, 0, n, base, yl, out, d);
}
#else
#error "ridge_lanes.c needs GCC vector extensions (GCC or Clang)"
#endif

void ss_ridge_lanes_bounds(double *cache, const ss_ridge *states, const double *radius, int64_t n,
                           const double *base, const double *yl, double *out)
{
  if (n <= 0) return;
  if (cache[0] != 0) { /* after a reset (and whatever was loaded since) */
    for (int64_t i = 0; i < n; i++) ss_ridge_lanes_set(cache, i, &states[i], radius[i]);
    cache[0] = 0;
  }
  bounds(cache, NULL, 0, n, base, yl, out, states[0].d);
}

void ss_ridge_pooled_bounds(const ss_ridge *r, double radius, int64_t n, const double *base,
                            const double *yl, double *out)
{
  if (n > 0) bounds(NULL, r, radius, n, base, yl, out, r->d);
}
