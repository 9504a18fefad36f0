/* Distributed order statistics on one rank, checked bit for bit against sorting: every
 * median kind, ties, zeros of both signs, extreme magnitudes, infinities, several
 * coordinates and several ranks at once, and the agreed errors for NaN and bad ranks.
 * The multi-rank version of these checks is tests/mpi/mpi_median.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rng.h"
#include "unit.h"

static const ss_median_kind kinds[3] = {SS_MEDIAN_LOWER, SS_MEDIAN_UPPER, SS_MEDIAN_MEAN};

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* A value source that copies stored rows, to check the streaming path against the array one. */
typedef struct {
  const double *x;
  int d;
} stored_rows;

static void rows_from_array(void *ctx, int64_t start, int64_t count, double *buf)
{
  const stored_rows *s = ctx;
  memcpy(buf, s->x + start * s->d, (size_t)(count * s->d) * sizeof *buf);
}

static double serial_column(const double *x, int64_t n, int d, int j, ss_median_kind kind)
{
  double *col = malloc((size_t)(n > 0 ? n : 1) * sizeof *col);
  for (int64_t i = 0; i < n; i++) col[i] = x[i * d + j];
  double m = ss_median_serial(col, n, kind);
  free(col);
  return m;
}

/* Every kind, array and callback paths, against the serial median of each column. */
static void check_medians(const double *x, int64_t n, int d)
{
  double *got = malloc((size_t)d * sizeof *got), *got_src = malloc((size_t)d * sizeof *got_src);
  stored_rows rows = {x, d};
  ss_value_source src = {n, d, rows_from_array, &rows};
  for (int t = 0; t < 3; t++) {
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(ss_par_median(ss_unit_world(), x, n, d, kinds[t], got, &e), SS_OK);
    CU_ASSERT_EQUAL_FATAL(ss_par_median_src(ss_unit_world(), &src, kinds[t], got_src, &e), SS_OK);
    for (int j = 0; j < d; j++) {
      double want = serial_column(x, n, d, j, kinds[t]);
      CU_ASSERT(same_bits(got[j], want));
      CU_ASSERT(same_bits(got_src[j], want));
    }
  }
  free(got);
  free(got_src);
}

static double *normal_data(int64_t n, int d, uint32_t entity)
{
  double *x = malloc((size_t)(n * d) * sizeof *x);
  ss_rng_normal_fill(1, SS_P_TEST, entity, 0, (uint64_t)(n * d), x);
  return x;
}

static void test_known_answers(void)
{
  const double odd[] = {3.0, 1.0, 2.0}, even[] = {4.0, 1.0, 3.0, 2.0};
  double m;
  ss_err e;
  ss_err_clear(&e);
  for (int t = 0; t < 3; t++) {
    CU_ASSERT_EQUAL(ss_par_median(ss_unit_world(), odd, 3, 1, kinds[t], &m, &e), SS_OK);
    CU_ASSERT_EQUAL(m, 2.0);
  }
  ss_par_median(ss_unit_world(), even, 4, 1, SS_MEDIAN_LOWER, &m, &e);
  CU_ASSERT_EQUAL(m, 2.0);
  ss_par_median(ss_unit_world(), even, 4, 1, SS_MEDIAN_UPPER, &m, &e);
  CU_ASSERT_EQUAL(m, 3.0);
  ss_par_median(ss_unit_world(), even, 4, 1, SS_MEDIAN_MEAN, &m, &e);
  CU_ASSERT_EQUAL(m, 2.5);
  CU_ASSERT_EQUAL(e.code, SS_OK);
}

static void test_ranks(void)
{
  int64_t r1, r2;
  ss_median_ranks(5, SS_MEDIAN_MEAN, &r1, &r2);
  CU_ASSERT(r1 == 3 && r2 == 3);
  ss_median_ranks(6, SS_MEDIAN_LOWER, &r1, &r2);
  CU_ASSERT(r1 == 3 && r2 == 3);
  ss_median_ranks(6, SS_MEDIAN_UPPER, &r1, &r2);
  CU_ASSERT(r1 == 4 && r2 == 4);
  ss_median_ranks(6, SS_MEDIAN_MEAN, &r1, &r2);
  CU_ASSERT(r1 == 3 && r2 == 4);
  ss_median_ranks(1, SS_MEDIAN_UPPER, &r1, &r2);
  CU_ASSERT(r1 == 1 && r2 == 1);
}

static void test_random(void)
{
  const int64_t sizes[] = {1, 2, 3, 10, 101, 1000, 5000};
  for (int s = 0; s < 7; s++) {
    double *x = normal_data(sizes[s], 1, (uint32_t)s);
    check_medians(x, sizes[s], 1);
    free(x);
  }
  /* More rows than one streaming block (4096) with several coordinates. */
  double *x = normal_data(9000, 3, 50);
  check_medians(x, 9000, 3);
  free(x);
}

static void test_ties_and_duplicates(void)
{
  enum { N = 2001 };
  static double x[N];
  for (int64_t n = N - 1; n <= N; n++) { /* even and odd k */
    for (int64_t i = 0; i < n; i++) x[i] = (double)ss_rng_below(2, SS_P_TEST, 0, (uint64_t)i, 5);
    check_medians(x, n, 1);
    const double pool[] = {-1.5, 0.0, 2.25, 1e300, -1e-300};
    for (int64_t i = 0; i < n; i++) x[i] = pool[ss_rng_below(2, SS_P_TEST, 1, (uint64_t)i, 5)];
    check_medians(x, n, 1);
  }
  for (int64_t i = 0; i < N; i++) x[i] = 7.25; /* all equal */
  check_medians(x, N, 1);
  check_medians(x, N - 1, 1);
  double m;
  ss_err e;
  ss_err_clear(&e);
  ss_par_median(ss_unit_world(), x, N, 1, SS_MEDIAN_MEAN, &m, &e);
  CU_ASSERT_EQUAL(m, 7.25);
}

static void test_single_value(void)
{
  const double one = -3.5;
  check_medians(&one, 1, 1);
  double m;
  ss_err e;
  ss_err_clear(&e);
  for (int t = 0; t < 3; t++) {
    ss_par_median(ss_unit_world(), &one, 1, 1, kinds[t], &m, &e);
    CU_ASSERT_EQUAL(m, -3.5);
  }
}

static void test_zeros_and_negatives(void)
{
  const double zeros[] = {-0.0, 0.0, -0.0, 0.0, -0.0};
  check_medians(zeros, 5, 1);
  check_medians(zeros, 4, 1);
  double m;
  ss_err e;
  ss_err_clear(&e);
  const double negzeros[] = {-0.0, -0.0, -0.0};
  ss_par_median(ss_unit_world(), negzeros, 3, 1, SS_MEDIAN_LOWER, &m, &e);
  CU_ASSERT(same_bits(m, 0.0)); /* the two zeros are one value, reported as +0.0 */
  const double mixed[] = {-2.0, -0.0, 1.0, -7.5, 0.0, -1e-310, 1e-310, -3.0};
  check_medians(mixed, 8, 1);
  check_medians(mixed, 7, 1);
  check_medians(mixed + 1, 6, 1);
  const double all_negative[] = {-1.0, -2.0, -3.0, -4.0, -1e300, -1e-300};
  check_medians(all_negative, 6, 1);
  ss_par_median(ss_unit_world(), all_negative, 6, 1, SS_MEDIAN_MEAN, &m, &e);
  CU_ASSERT_EQUAL(m, -2.5);
}

static void test_extreme_magnitudes(void)
{
  const double x[] = {1.7976931348623157e308, -1.7976931348623157e308, 4.9e-324, -4.9e-324, 2.2250738585072014e-308,
                      -2.2250738585072014e-308, 1e308, 1e-308, 123.0, 1.7976931348623157e308};
  for (int n = 1; n <= 10; n++) check_medians(x, n, 1);
  /* Mean of two huge values must not overflow; of two tiny ones must not vanish. */
  const double huge[] = {1.7976931348623157e308, 1.7976931348623157e308};
  double m;
  ss_err e;
  ss_err_clear(&e);
  ss_par_median(ss_unit_world(), huge, 2, 1, SS_MEDIAN_MEAN, &m, &e);
  CU_ASSERT_EQUAL(m, 1.7976931348623157e308);
  const double tiny[] = {4.9e-324, 4.9e-324};
  ss_par_median(ss_unit_world(), tiny, 2, 1, SS_MEDIAN_MEAN, &m, &e);
  CU_ASSERT_EQUAL(m, 4.9e-324);
}

static void test_infinities(void)
{
  const double x[] = {INFINITY, -INFINITY, 1.0, INFINITY, -INFINITY, -INFINITY, 0.5};
  for (int n = 1; n <= 7; n++) check_medians(x, n, 1);
  double m;
  ss_err e;
  ss_err_clear(&e);
  ss_par_median(ss_unit_world(), x, 1, 1, SS_MEDIAN_LOWER, &m, &e);
  CU_ASSERT(isinf(m) && m > 0);
  ss_par_median(ss_unit_world(), x, 2, 1, SS_MEDIAN_MEAN, &m, &e); /* mean of -inf and +inf */
  CU_ASSERT(isnan(m));
}

/* d columns with unrelated distributions: the medians must not mix coordinates. */
static void test_columns(void)
{
  enum { N = 777, D = 6 };
  static double x[N * D];
  for (int64_t i = 0; i < N; i++) {
    x[i * D + 0] = ss_rng_normal(4, SS_P_TEST, 0, (uint64_t)i);
    x[i * D + 1] = 1000.0 + (double)i;                       /* sorted */
    x[i * D + 2] = -(double)i;                               /* reversed */
    x[i * D + 3] = (double)ss_rng_below(4, SS_P_TEST, 1, (uint64_t)i, 3); /* ties */
    x[i * D + 4] = i % 2 ? -0.0 : 1e-320;                    /* zeros and a subnormal */
    x[i * D + 5] = i == 0 ? INFINITY : ss_rng_u01(4, SS_P_TEST, 2, (uint64_t)i) * 1e200;
  }
  check_medians(x, N, D);
  check_medians(x, N - 1, D);
}

static int cmp_double(const void *pa, const void *pb)
{
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

static void test_order_stats(void)
{
  enum { N = 5000, D = 2, NQ = 7 };
  double *x = normal_data(N, D, 60);
  for (int64_t i = 0; i < N; i += 3) x[i * D + 1] = floor(x[i * D + 1]); /* ties in column 1 */
  const int64_t r[NQ] = {1, 2, 2500, 2501, 4999, N, 17};
  double out[NQ * D];
  stored_rows rows = {x, D};
  ss_value_source src = {N, D, rows_from_array, &rows};
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(ss_par_order_stats(ss_unit_world(), &src, NQ, r, out, &e), SS_OK);
  double *col = malloc(N * sizeof *col);
  for (int j = 0; j < D; j++) {
    for (int64_t i = 0; i < N; i++) col[i] = x[i * D + j];
    qsort(col, N, sizeof *col, cmp_double);
    for (int q = 0; q < NQ; q++) CU_ASSERT(same_bits(out[q * D + j], col[r[q] - 1]));
  }
  free(col);
  free(x);
}

static void test_errors(void)
{
  double x[] = {1.0, 2.0, NAN, 4.0}, out[4];
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_par_median(ss_unit_world(), x, 4, 1, SS_MEDIAN_LOWER, out, &e), SS_EINPUT);
  CU_ASSERT_EQUAL(e.code, SS_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "median: value is NaN"));
  ss_err_clear(&e); /* as 2 rows x 2 coordinates the NaN is in row 1, coordinate 0 */
  CU_ASSERT_EQUAL(ss_par_median(ss_unit_world(), x, 2, 2, SS_MEDIAN_MEAN, out, &e), SS_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "coordinate 0"));

  x[2] = 3.0;
  stored_rows rows = {x, 1};
  ss_value_source src = {4, 1, rows_from_array, &rows};
  const int64_t bad_low[] = {0}, bad_high[] = {5}, good[] = {4};
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_par_order_stats(ss_unit_world(), &src, 1, bad_low, out, &e), SS_EINPUT);
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_par_order_stats(ss_unit_world(), &src, 1, bad_high, out, &e), SS_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "outside [1, 4]"));
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_par_order_stats(ss_unit_world(), &src, 1, good, out, &e), SS_OK);
  CU_ASSERT_EQUAL(out[0], 4.0);
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_par_median(ss_unit_world(), x, 0, 1, SS_MEDIAN_LOWER, out, &e), SS_EINPUT);
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_par_median(ss_unit_world(), x, 4, 0, SS_MEDIAN_LOWER, out, &e), SS_ERUNTIME);
  /* The first error is kept: a later failure does not overwrite it. */
  ss_err_clear(&e);
  ss_fail(&e, SS_ERUNTIME, "earlier");
  ss_par_median(ss_unit_world(), x, 0, 1, SS_MEDIAN_LOWER, out, &e);
  CU_ASSERT_STRING_EQUAL(e.msg, "earlier");
}

SS_UNIT_SUITE(suite_median)
{
  ss_unit_suite("median");
  ss_unit_test("known answers", test_known_answers);
  ss_unit_test("median ranks", test_ranks);
  ss_unit_test("random data", test_random);
  ss_unit_test("ties and duplicates", test_ties_and_duplicates);
  ss_unit_test("single value", test_single_value);
  ss_unit_test("zeros and negatives", test_zeros_and_negatives);
  ss_unit_test("extreme magnitudes", test_extreme_magnitudes);
  ss_unit_test("infinities", test_infinities);
  ss_unit_test("independent columns", test_columns);
  ss_unit_test("several order statistics", test_order_stats);
  ss_unit_test("errors", test_errors);
}
