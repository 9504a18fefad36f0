/* The solvers' elementwise updates (src/rlhf/vec_ops.c) give the bits of their plain loops
 * for every length against the lane width, with values of varied magnitude, zeros and
 * subnormal products. */
#include <math.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "../../src/rlhf/linalg.h"
#include "stratsim/rng.h"
#include "unit.h"

static double entry(uint32_t key, uint64_t i)
{
  double u = ss_rng_u01(12, SS_P_TEST, key, i);
  if (u < 0.05) return 0.0;
  return ss_rng_normal(12, SS_P_TEST, key + 1000, i) * exp(600.0 * (u - 0.5));
}

static void test_vec_ops_bitwise(void)
{
  double y1[40], y2[40], x[40], p[40], pz[40];
  for (int n = 0; n <= 37; n++)
    for (int c = 0; c < 4; c++) {
      double f = entry(1, (uint64_t)(n * 4 + c)), r = fabs(entry(2, (uint64_t)(n * 4 + c))) + 1e-3;
      for (int j = 0; j < n; j++) {
        y1[j] = y2[j] = entry(3, (uint64_t)(n * 64 + j));
        x[j] = entry(4, (uint64_t)(n * 64 + j));
        p[j] = entry(5, (uint64_t)(n * 64 + j));
        pz[j] = entry(6, (uint64_t)(n * 64 + j));
      }
      rlhf_vec_sub_scaled(y1, f, x, n);
      for (int j = 0; j < n; j++) y2[j] -= f * x[j];
      CU_ASSERT(!memcmp(y1, y2, (size_t)n * sizeof *y1));
      rlhf_vec_scale(y1, f, n);
      for (int j = 0; j < n; j++) y2[j] *= f;
      CU_ASSERT(!memcmp(y1, y2, (size_t)n * sizeof *y1));
      double pa = x[0 < n ? n - 1 : 0], r3 = r * r * r;
      rlhf_vec_psw_hess_row(y1, p, pa, pz, r, r3, f, n);
      for (int j = 0; j < n; j++) y2[j] -= f * (p[j] / r - pa * pz[j] / r3);
      CU_ASSERT(!memcmp(y1, y2, (size_t)n * sizeof *y1));
    }
}

SS_UNIT_SUITE(vec_ops_suite)
{
  ss_unit_suite("vec_ops");
  ss_unit_test("bitwise", test_vec_ops_bitwise);
}
