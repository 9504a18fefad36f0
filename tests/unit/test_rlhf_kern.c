/* The MLE kernels give the bits of their plain loops (include/stratsim/rlhf_kern.h) for every
 * remainder of n and d against the vector widths, and the solver's fused objective (one exp per
 * comparison, cached for the Hessian) gives the bits of rlhf_mle_objective. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "stratsim/rlhf_kern.h"
#include "stratsim/rng.h"
#include "unit.h"

/* entries of varied magnitude and sign, with exact zeros */
static double entry(uint64_t key, uint64_t i)
{
  double u = ss_rng_u01(11, SS_P_TEST, (uint32_t)key, i);
  if (u < 0.05) return 0.0;
  return ss_rng_normal(11, SS_P_TEST, (uint32_t)key + 1000, i) * exp(4.0 * (u - 0.5));
}

static void kern_case(int n, int d)
{
  double *x = malloc((size_t)n * d * sizeof *x), *w = malloc((size_t)n * sizeof *w);
  double *wx = malloc((size_t)n * d * sizeof *wx), *c = malloc((size_t)n * sizeof *c);
  double *d1 = malloc((size_t)n * sizeof *d1), *d2 = malloc((size_t)n * sizeof *d2);
  double *a1 = calloc((size_t)d * d, sizeof *a1), *a2 = calloc((size_t)d * d, sizeof *a2);
  double th[64], g1[64], g2[64];
  for (int i = 0; i < n * d; i++) x[i] = entry(1, (uint64_t)i);
  for (int j = 0; j < n; j++) {
    w[j] = fabs(entry(2, (uint64_t)j));
    c[j] = entry(3, (uint64_t)j);
  }
  for (int q = 0; q < d; q++) th[q] = entry(4, (uint64_t)q);
  rlhf_kern_dots(n, d, x, th, d1);
  rlhf_kern_dots_ref(n, d, x, th, d2);
  CU_ASSERT(!memcmp(d1, d2, (size_t)n * sizeof *d1));
  for (int j = 0; j < n; j++) CU_ASSERT(d1[j] == rlhf_dot(th, x + (size_t)j * d, d));
  rlhf_kern_gemv_t(n, d, x, c, g1);
  rlhf_kern_gemv_t_ref(n, d, x, c, g2);
  CU_ASSERT(!memcmp(g1, g2, (size_t)d * sizeof *g1));
  for (int pass = 0; pass < 2; pass++) {
    const double *wp = pass ? w : NULL;
    rlhf_kern_syrk_lower(n, d, x, wp, wx, a1);
    rlhf_kern_syrk_lower_ref(n, d, x, wp, a2);
    int same = 1;
    for (int a = 0; a < d; a++)
      for (int b = 0; b <= a; b++) same &= !memcmp(&a1[a * d + b], &a2[a * d + b], sizeof *a1);
    CU_ASSERT(same);
  }
  free(x); free(w); free(wx); free(c); free(d1); free(d2); free(a1); free(a2);
}

static void test_kernels_bitwise(void)
{
  static const int ns[] = {1, 3, 4, 7, 8, 31, 33, 70};
  static const int ds[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 31, 32, 33, 64};
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) kern_case(ns[i], ds[k]);
}

/* The gradient norm the solver reports is computed by its own fused path at the returned point;
 * with the Tao solver (glibc's exp and log1p) it must equal the plain rlhf_mle_objective's
 * there, bit for bit, cold and warm started; with Newton (our exp kernel, within 2 ulp) to
 * rounding, and both meet the stopping rule. */
static void test_fused_objective(void)
{
  int n = 300, d = 16;
  double *x = malloc((size_t)n * d * sizeof *x);
  unsigned char *o = malloc((size_t)n);
  for (int i = 0; i < n * d; i++) x[i] = ss_rng_normal(5, SS_P_TEST, 7, (uint64_t)i);
  for (int j = 0; j < n; j++) o[j] = ss_rng_u01(5, SS_P_TEST, 8, (uint64_t)j) < 0.3;
  rlhf_mle *mle;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_create(d, n, 0.01, &mle, &e), SS_OK);
  double th[16], g[16], gn, gr, t0[16];
  for (int q = 0; q < d; q++) t0[q] = 0.1 * (q - 8);
  for (int run = 0; run < 4; run++) {
    int warm = run & 1, tao = run >> 1;
    CU_ASSERT_EQUAL_FATAL(rlhf_mle_use(mle, tao ? "tao" : "newton", &e), SS_OK);
    CU_ASSERT_EQUAL_FATAL(rlhf_mle_solve_from(mle, n, x, o, warm ? t0 : NULL, th, &gn, &gr, NULL, &e),
                          SS_OK);
    rlhf_mle_objective(n, d, x, o, 0.01, th, g);
    double ref = sqrt(rlhf_dot(g, g, d));
    if (tao) CU_ASSERT(gn == ref);
    CU_ASSERT(fabs(gn - ref) <= 1e-15);
    CU_ASSERT(gn <= RLHF_MLE_GATOL && ref <= 1.5 * RLHF_MLE_GATOL);
    CU_ASSERT(gr < 1e-10);
    int fg, h;
    rlhf_mle_counts(mle, &fg, &h);
    CU_ASSERT(fg >= 2 && h >= 1);
  }
  rlhf_mle_destroy(&mle);
  free(x);
  free(o);
}

SS_UNIT_SUITE(rlhf_kern_suite)
{
  ss_unit_suite("rlhf_kern");
  ss_unit_test("kernels_bitwise", test_kernels_bitwise);
  ss_unit_test("fused_objective", test_fused_objective);
}
