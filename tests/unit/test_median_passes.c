/* The selection stops early exactly when it may: distinct smooth values are isolated after a
 * few key bytes (then one pass fetches them), ties keep every round; the answers match the
 * serial reference either way. */
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rng.h"
#include "unit.h"

static void median_case(int ties, int *passes, int *exact)
{
  enum { N = 2001, D = 3 };
  double *x = malloc(N * D * sizeof *x), *col = malloc(N * sizeof *col), med[D];
  for (int i = 0; i < N * D; i++)
    x[i] = ties ? (double)(i % 7) : ss_rng_normal(9, SS_P_TEST, 3, (uint64_t)i);
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(ss_par_median(ss_unit_world(), x, N, D, SS_MEDIAN_MEAN, med, &e), SS_OK);
  *passes = ss_median_last_passes;
  *exact = 1;
  for (int j = 0; j < D; j++) {
    for (int i = 0; i < N; i++) col[i] = x[i * D + j];
    double want = ss_median_serial(col, N, SS_MEDIAN_MEAN);
    *exact &= !memcmp(&want, &med[j], sizeof want);
  }
  free(x);
  free(col);
}

static void test_passes(void)
{
  int p, ok;
  median_case(0, &p, &ok);
  CU_ASSERT(ok);
  CU_ASSERT(p >= 2 && p <= 5); /* 2001 normals: isolated within 4 bytes, then one fetch */
  median_case(1, &p, &ok);
  CU_ASSERT(ok);
  CU_ASSERT_EQUAL(p, 8); /* ~286 copies of each value: every byte must be fixed */
}

SS_UNIT_SUITE(median_passes_suite)
{
  ss_unit_suite("median_passes");
  ss_unit_test("early_stop", test_passes);
}
