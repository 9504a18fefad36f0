/* The batched Philox blocks (rng_blocks.c) against the block function, the chunked uniform
 * fill against single draws, and the ziggurat normals (rng_zig.c): fills equal single draws,
 * and the distribution is the standard normal (moments, bins against Phi, and the tail beyond
 * R = 3.4426, which only the slow path produces). Bounds are generous: they catch a broken
 * transform or a wrong table, not subtle bias. */
#include <math.h>
#include <stdint.h>
#include "stratsim/rng.h"
#include "unit.h"

/* Every count 0..37 (vector groups and scalar tails), and block numbers whose low word wraps. */
static void test_blocks_equal_single(void)
{
  const uint64_t firsts[] = {0, 5, 0xfffffffeull, 0x1234567fffffffcull};
  static uint32_t w[4 * 40];
  int ok = 1;
  for (int f = 0; f < 4; f++)
    for (uint64_t n = 0; n <= 37; n++) {
      ss_rng_blocks(0x0123456789abcdefull, SS_P_TEST, 9, firsts[f], n, w);
      for (uint64_t b = 0; b < n; b++) {
        uint32_t one[4];
        ss_rng_block(0x0123456789abcdefull, SS_P_TEST, 9, firsts[f] + b, one);
        for (int j = 0; j < 4; j++) ok &= w[4 * b + j] == one[j];
      }
    }
  CU_ASSERT(ok);
}

/* Fills across chunk boundaries (SS_RNG_CHUNK blocks) equal single draws. */
static void test_long_fills_equal_single(void)
{
  static double u[300], z[300];
  const uint64_t starts[] = {0, 1, 63, 64, 1000001};
  const uint64_t lengths[] = {1, 63, 64, 65, 129, 300};
  int ok = 1;
  for (int s = 0; s < 5; s++)
    for (int l = 0; l < 6; l++) {
      ss_rng_u01_fill(42, SS_P_TEST, 3, starts[s], lengths[l], u);
      ss_rng_normal_zig_fill(42, SS_P_TEST, 3, starts[s], lengths[l], z);
      for (uint64_t k = 0; k < lengths[l]; k++) {
        ok &= u[k] == ss_rng_u01(42, SS_P_TEST, 3, starts[s] + k);
        ok &= z[k] == ss_rng_normal_zig(42, SS_P_TEST, 3, starts[s] + k);
      }
    }
  CU_ASSERT(ok);
}

static void test_zig_distribution(void)
{
  enum { N = 1000000, BINS = 32 };
  static double z[N];
  ss_rng_normal_zig_fill(2024, SS_P_TEST, 1, 0, N, z);
  double s1 = 0, s2 = 0, s4 = 0;
  long tail = 0, bins[BINS + 2] = {0};
  for (int i = 0; i < N; i++) {
    s1 += z[i];
    s2 += z[i] * z[i];
    s4 += z[i] * z[i] * z[i] * z[i];
    tail += fabs(z[i]) > 3.442619855899;
    int b = (int)floor((z[i] + 4.0) * 4.0); /* bins of width 1/4 on [-4, 4) */
    bins[b < 0 ? 0 : b >= BINS ? BINS + 1 : b + 1]++;
  }
  CU_ASSERT(fabs(s1 / N) < 0.005);           /* standard error 0.001 */
  CU_ASSERT(fabs(s2 / N - 1.0) < 0.008);     /* standard error 0.0014 */
  CU_ASSERT(fabs(s4 / N - 3.0) < 0.05);      /* standard error about 0.01 */
  /* P(|z| > R) = 2 (1 - Phi(R)) = 5.76e-4: 576 expected, sd 24 */
  CU_ASSERT(tail > 480 && tail < 680);
  double chi2 = 0;
  for (int b = 0; b < BINS; b++) {
    double lo = -4.0 + b / 4.0, p = 0.5 * (erfc(-(lo + 0.25) / sqrt(2.0)) - erfc(-lo / sqrt(2.0)));
    double want = p * N;
    chi2 += (bins[b + 1] - want) * (bins[b + 1] - want) / want;
  }
  CU_ASSERT(chi2 < 80); /* 32 degrees of freedom: mean 32, sd 8 */
}

/* A different index, entity, purpose or seed gives a different draw; the same key the same. */
static void test_zig_keys(void)
{
  double a = ss_rng_normal_zig(1, SS_P_TEST, 0, 0);
  CU_ASSERT(a != ss_rng_normal_zig(1, SS_P_TEST, 0, 1));
  CU_ASSERT(a != ss_rng_normal_zig(1, SS_P_TEST, 1, 0));
  CU_ASSERT(a != ss_rng_normal_zig(1, SS_P_TEST + 1, 0, 0));
  CU_ASSERT(a != ss_rng_normal_zig(2, SS_P_TEST, 0, 0));
  CU_ASSERT(a == ss_rng_normal_zig(1, SS_P_TEST, 0, 0));
}

SS_UNIT_SUITE(suite_rng_zig)
{
  ss_unit_suite("rng blocks and ziggurat");
  ss_unit_test("batched blocks equal single blocks", test_blocks_equal_single);
  ss_unit_test("long fills equal single draws", test_long_fills_equal_single);
  ss_unit_test("ziggurat distribution", test_zig_distribution);
  ss_unit_test("ziggurat keys", test_zig_keys);
}
