/* Exact summation: cancellation, rounding at the last bit (ties, sticky bits far below),
 * the subnormal and overflow ends, integer-valued data whose exact sum is known, and the
 * property results rely on: any order and any split give the same bits. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rng.h"
#include "stratsim/xsum.h"
#include "unit.h"

#define COUNT(a) ((long)(sizeof(a) / sizeof((a)[0])))

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void test_cancellation(void)
{
  const double a[] = {1e100, 1.0, -1e100};
  CU_ASSERT(same_bits(ss_sum_exact(a, COUNT(a)), 1.0));
  const double b[] = {1e308, 1e308, -1e308, -1e308, 0x1p-1074};
  CU_ASSERT(same_bits(ss_sum_exact(b, COUNT(b)), 0x1p-1074));
  const double c[] = {DBL_MAX, DBL_MAX, -DBL_MAX}; /* the partial sum overflows a double */
  CU_ASSERT(same_bits(ss_sum_exact(c, COUNT(c)), DBL_MAX));
  /* The doubles nearest 0.1, 0.2 and 0.3 do not cancel: exactly 2^-55 remains (checked with
   * Python's fractions), where naive summation gives 2^-54. */
  const double d[] = {0.1, 0.2, -0.3};
  CU_ASSERT(same_bits(ss_sum_exact(d, COUNT(d)), 0x1p-55));
  const double e[] = {5.0, -5.0};
  CU_ASSERT(same_bits(ss_sum_exact(e, COUNT(e)), 0.0));
  CU_ASSERT(same_bits(ss_sum_exact(NULL, 0), 0.0));
}

/* 10 copies of 1e-16 between +1 and -1: the exact answer is the correctly rounded 10*1e-16. */
static void test_small_between_large(void)
{
  double x[12];
  x[0] = 1.0;
  for (int i = 1; i <= 10; i++) x[i] = 1e-16;
  x[11] = -1.0;
  CU_ASSERT(same_bits(ss_sum_exact(x, 12), 10.0 * 1e-16));
}

static void test_rounding(void)
{
  const double tie_even_down[] = {1.0, 0x1p-53};
  CU_ASSERT(same_bits(ss_sum_exact(tie_even_down, 2), 1.0));
  const double tie_even_up[] = {1.0 + 0x1p-52, 0x1p-53};
  CU_ASSERT(same_bits(ss_sum_exact(tie_even_up, 2), 1.0 + 0x1p-51));
  /* A tie broken by a bit 1021 places further down: only a sticky bit sees it. */
  const double sticky[] = {1.0, 0x1p-53, 0x1p-1074};
  CU_ASSERT(same_bits(ss_sum_exact(sticky, 3), 1.0 + 0x1p-52));
  const double sticky_neg[] = {-1.0, -0x1p-53, -0x1p-1074};
  CU_ASSERT(same_bits(ss_sum_exact(sticky_neg, 3), -(1.0 + 0x1p-52)));
  const double below_tie[] = {1.0, 0x1p-53, -0x1p-1074};
  CU_ASSERT(same_bits(ss_sum_exact(below_tie, 3), 1.0));
  const double overflow[] = {DBL_MAX, DBL_MAX};
  CU_ASSERT(isinf(ss_sum_exact(overflow, 2)) && ss_sum_exact(overflow, 2) > 0);
  const double neg_overflow[] = {-DBL_MAX, -DBL_MAX};
  CU_ASSERT(isinf(ss_sum_exact(neg_overflow, 2)) && ss_sum_exact(neg_overflow, 2) < 0);
  /* DBL_MAX + half an ulp rounds up (to even) to 2^1024, i.e. +inf; less than half stays. */
  const double edge_up[] = {DBL_MAX, 0x1p970};
  CU_ASSERT(isinf(ss_sum_exact(edge_up, 2)));
  const double edge_stay[] = {DBL_MAX, 0x1p969};
  CU_ASSERT(same_bits(ss_sum_exact(edge_stay, 2), DBL_MAX));
}

static void test_subnormals(void)
{
  const double three[] = {0x1p-1074, 0x1p-1074, 0x1p-1074};
  CU_ASSERT(same_bits(ss_sum_exact(three, 3), 0x1.8p-1073));
  const double via_one[] = {1.0, 0x1p-1074, -1.0};
  CU_ASSERT(same_bits(ss_sum_exact(via_one, 3), 0x1p-1074));
  /* Largest subnormal plus smallest: the smallest normal. */
  const double to_normal[] = {DBL_MIN - 0x1p-1074, 0x1p-1074};
  CU_ASSERT(same_bits(ss_sum_exact(to_normal, 2), DBL_MIN));
  const double neg[] = {-0x1p-1074, 0.0};
  CU_ASSERT(same_bits(ss_sum_exact(neg, 2), -0x1p-1074));
}

static void test_special_values(void)
{
  const double pinf[] = {1.0, INFINITY, 3.0};
  CU_ASSERT(isinf(ss_sum_exact(pinf, 3)) && ss_sum_exact(pinf, 3) > 0);
  const double both[] = {INFINITY, -INFINITY};
  CU_ASSERT(isnan(ss_sum_exact(both, 2)));
  const double nan_in[] = {1.0, NAN};
  CU_ASSERT(isnan(ss_sum_exact(nan_in, 2)));
}

/* The long double reference needs x87's 64-bit mantissa; valgrind emulates long double
 * with 53 bits, so under it that reference is skipped (the int64 one still runs). */
static int long_double_is_wide(void)
{
  volatile long double one = 1.0L;
  return one + 0x1p-60L != one;
}

/* Integers scaled by 2^s: the exact sum is (the int64 sum) * 2^s, and converting an int64
 * to double rounds correctly, so the expected value is known exactly. */
static void check_scaled_integers(int scale, int64_t span, int n, uint32_t entity)
{
  double *x = malloc((size_t)n * sizeof *x);
  int64_t isum = 0;
  long double lsum = 0.0L;
  for (int i = 0; i < n; i++) {
    int64_t v = (int64_t)ss_rng_below(11, SS_P_TEST, entity, (uint64_t)i, (uint64_t)(2 * span + 1)) - span;
    isum += v;
    lsum += (long double)v; /* 64-bit mantissa: exact for these sums */
    x[i] = ldexp((double)v, scale);
  }
  double want = ldexp((double)isum, scale);
  double got = ss_sum_exact(x, n);
  CU_ASSERT(same_bits(got, want));
  if (long_double_is_wide()) CU_ASSERT(same_bits(got, ldexp((double)lsum, scale)));
  free(x);
}

static void test_integer_data(void)
{
  check_scaled_integers(0, (int64_t)1 << 50, 5000, 1);  /* sums beyond 2^53: rounding needed */
  check_scaled_integers(-30, (int64_t)1 << 40, 5000, 2);
  check_scaled_integers(700, (int64_t)1 << 52, 5000, 3);
  check_scaled_integers(-1074, (int64_t)1 << 36, 5000, 4); /* subnormal multiples */
  check_scaled_integers(-600, 3, 5000, 5);                 /* many ties and cancellations */
}

/* Values over a wide exponent range with random signs. */
static double wide_value(uint64_t i)
{
  double m = ss_rng_u01(3, SS_P_TEST, 7, i);
  int e = (int)ss_rng_below(3, SS_P_TEST, 8, i, 121) - 60;
  return (ss_rng_below(3, SS_P_TEST, 9, i, 2) ? -1.0 : 1.0) * ldexp(m, e);
}

static void shuffle(double *x, long n, uint32_t entity)
{
  for (long i = n - 1; i > 0; i--) {
    long j = (long)ss_rng_below(17, SS_P_TEST, entity, (uint64_t)i, (uint64_t)i + 1);
    double t = x[i];
    x[i] = x[j];
    x[j] = t;
  }
}

static int by_magnitude(const void *pa, const void *pb)
{
  double a = fabs(*(const double *)pa), b = fabs(*(const double *)pb);
  return (a > b) - (a < b);
}

static void test_order_independence(void)
{
  enum { N = 20000 };
  static double x[N];
  for (long i = 0; i < N; i++) x[i] = wide_value((uint64_t)i);
  double ref = ss_sum_exact(x, N);
  for (uint32_t t = 0; t < 5; t++) {
    shuffle(x, N, t);
    CU_ASSERT(same_bits(ss_sum_exact(x, N), ref));
  }
  /* A long double sum in increasing magnitude is accurate, though not exact: the exact
   * result must lie within its error bound. */
  qsort(x, N, sizeof x[0], by_magnitude);
  long double lsum = 0.0L, labs_sum = 0.0L;
  for (long i = 0; i < N; i++) {
    lsum += x[i];
    labs_sum += fabs(x[i]);
  }
  CU_ASSERT(fabsl((long double)ref - lsum) <= 0x1p-53L * fabsl(lsum) + N * 0x1p-64L * labs_sum);
}

static void test_merge_equals_sequential(void)
{
  enum { N = 10000 };
  static double x[N];
  for (long i = 0; i < N; i++) x[i] = wide_value((uint64_t)i + 5 * N);
  ss_xsum whole;
  ss_xsum_init(&whole);
  for (long i = 0; i < N; i++) ss_xsum_add(&whole, x[i]);
  double ref = ss_xsum_value(&whole);
  const long cuts[] = {0, 1, 333, 4000, 4001, 9999, N};
  ss_xsum parts[6], merged;
  for (int p = 0; p < 6; p++) {
    ss_xsum_init(&parts[p]);
    for (long i = cuts[p]; i < cuts[p + 1]; i++) ss_xsum_add(&parts[p], x[i]);
  }
  ss_xsum_init(&merged);
  for (int p = 5; p >= 0; p--) ss_xsum_merge(&merged, &parts[p]); /* reverse order on purpose */
  CU_ASSERT(same_bits(ss_xsum_value(&merged), ref));
  /* Normalised forms are canonical: the limbs themselves agree. */
  ss_xsum_normalize(&merged);
  ss_xsum_normalize(&whole);
  CU_ASSERT(memcmp(merged.limb, whole.limb, sizeof merged.limb) == 0);
  /* Subtracting everything back gives exactly zero; merging with itself doubles exactly. */
  for (long i = 0; i < N; i++) ss_xsum_sub(&merged, x[i]);
  CU_ASSERT(same_bits(ss_xsum_value(&merged), 0.0));
  ss_xsum twice = whole;
  ss_xsum_merge(&twice, &twice);
  CU_ASSERT(same_bits(ss_xsum_value(&twice), 2.0 * ref));
}

/* Limbs that are negative or far above 2^32 (as between normalisations) still give the
 * right value. */
static void test_unnormalised_limbs(void)
{
  ss_xsum s;
  ss_xsum_init(&s);
  s.limb[0] = -1; /* -2^-1074 */
  CU_ASSERT(same_bits(ss_xsum_value(&s), -0x1p-1074));
  ss_xsum_init(&s);
  s.limb[33] = (int64_t)1 << 40; /* 2^40 * 2^(32*33 - 1074) = 2^22 */
  s.limb[32] = -((int64_t)1 << 40);
  CU_ASSERT(same_bits(ss_xsum_value(&s), 0x1p22 - 0x1p-10));
}

/* Many adds of a value whose three limbs are all near 2^32 - 1 (the worst case). */
static void test_many_adds(void)
{
  ss_xsum s;
  ss_xsum_init(&s);
  const double v = 0x1.fffffffffffffp-1000; /* 53 ones */
  const long n = 3L << 20;
  for (long i = 0; i < n; i++) ss_xsum_add(&s, v);
  CU_ASSERT(same_bits(ss_xsum_value(&s), v * (double)n)); /* the product is rounded once too */
}

/* Reaching the pending threshold (2^29 additions) normalises on its own: adding past it
 * resets the counter and keeps the value exact. Starting near the threshold avoids 2^29
 * real additions. */
static void test_pending_threshold(void)
{
  ss_xsum s;
  ss_xsum_init(&s);
  s.pending = (1 << 29) - 2;
  for (int i = 0; i < 5; i++) ss_xsum_add(&s, -0x1.fffffffffffffp+900);
  CU_ASSERT(s.pending < 5);
  CU_ASSERT(same_bits(ss_xsum_value(&s), 5 * -0x1.fffffffffffffp+900));
  ss_xsum t;
  ss_xsum_init(&t);
  t.pending = 1 << 29;
  ss_xsum_merge(&t, &s);
  CU_ASSERT(t.pending == 1);
  CU_ASSERT(same_bits(ss_xsum_value(&t), 5 * -0x1.fffffffffffffp+900));
}

SS_UNIT_SUITE(suite_xsum)
{
  ss_unit_suite("xsum");
  ss_unit_test("cancellation", test_cancellation);
  ss_unit_test("small values between large ones", test_small_between_large);
  ss_unit_test("rounding and sticky bits", test_rounding);
  ss_unit_test("subnormals", test_subnormals);
  ss_unit_test("inf and nan", test_special_values);
  ss_unit_test("integer-valued data", test_integer_data);
  ss_unit_test("order independence", test_order_independence);
  ss_unit_test("merge equals sequential", test_merge_equals_sequential);
  ss_unit_test("unnormalised limbs", test_unnormalised_limbs);
  ss_unit_test("many adds", test_many_adds);
  ss_unit_test("pending threshold", test_pending_threshold);
}
