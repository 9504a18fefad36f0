/* Keyed randomness: Philox4x32-10 against the Random123 known-answer vectors, the layout
 * of (seed, purpose, entity, block) in key and counter, the word-to-uniform mapping, and
 * that fills equal single draws. Statistical checks use generous bounds: they catch a
 * broken transform, not subtle bias. */
#include <math.h>
#include <stdint.h>
#include "stratsim/rng.h"
#include "unit.h"

static void check_philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1,
                         uint32_t e0, uint32_t e1, uint32_t e2, uint32_t e3)
{
  const uint32_t ctr[4] = {c0, c1, c2, c3}, key[2] = {k0, k1}, want[4] = {e0, e1, e2, e3};
  uint32_t out[4];
  ss_philox4x32_10(ctr, key, out);
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(out[i], want[i]);
}

/* Random123 examples/kat_vectors, the three "philox4x32 10" lines (ctr[4] key[2] -> out[4]). */
static void test_philox_kat(void)
{
  check_philox(0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
  check_philox(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
               0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
  check_philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
               0x94fdcceb, 0x5001e420, 0x24126ea1);
}

/* key = seed halves, counter = {block low, block high, entity, purpose}. */
static void test_block_layout(void)
{
  uint64_t seed = 0x0123456789abcdefull, block = 0xfedcba9876543210ull;
  const uint32_t ctr[4] = {0x76543210u, 0xfedcba98u, 77u, SS_P_TEST};
  const uint32_t key[2] = {0x89abcdefu, 0x01234567u};
  uint32_t want[4], got[4];
  ss_philox4x32_10(ctr, key, want);
  ss_rng_block(seed, SS_P_TEST, 77, block, got);
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(got[i], want[i]);
}

static void test_u01_words(void)
{
  CU_ASSERT_EQUAL(ss_rng_u01_words(0, 0), 0x1p-54);
  double top = ss_rng_u01_words(0xffffffffu, 0xffffffffu);
  CU_ASSERT(top < 1.0);
  CU_ASSERT(top > 1.0 - 0x1p-52);
  /* (2^26 + 1 + 0.5) / 2^53: the first word contributes its top 27 bits, the second 26. */
  CU_ASSERT_EQUAL(ss_rng_u01_words(1u << 5, 1u << 6), (0x1p26 + 1.5) * 0x1p-53);
  CU_ASSERT_EQUAL(ss_rng_u01_words(31u, 63u), 0x1p-54); /* the dropped low bits do not matter */
}

/* Draw i reads words {0,1} (even i) or {2,3} (odd i) of block i/2. */
static void test_u01_uses_block_halves(void)
{
  uint64_t seed = 99;
  for (uint64_t i = 0; i < 20; i++) {
    uint32_t w[4];
    ss_rng_block(seed, SS_P_TEST, 5, i / 2, w);
    int h = (int)(i % 2) * 2;
    CU_ASSERT_EQUAL(ss_rng_u01(seed, SS_P_TEST, 5, i), ss_rng_u01_words(w[h], w[h + 1]));
  }
}

static void test_fill_equals_single(void)
{
  const uint64_t starts[] = {0, 1, 2, 7, 1000001};
  const uint64_t lengths[] = {0, 1, 2, 3, 16, 33, 129, 256}; /* 129, 256: across chunks of blocks */
  double u[256], z[256];
  uint64_t b[256], c[256];
  for (int s = 0; s < 5; s++)
    for (int l = 0; l < 8; l++) {
      uint64_t start = starts[s], n = lengths[l];
      ss_rng_u01_fill(42, SS_P_TEST, 3, start, n, u);
      ss_rng_normal_fill(42, SS_P_TEST, 3, start, n, z);
      ss_rng_below_fill(42, SS_P_TEST, 3, start, n, 4, b);
      ss_rng_below_fill(42, SS_P_TEST, 3, start, n, (1ull << 40) + 3, c);
      for (uint64_t k = 0; k < n; k++) {
        CU_ASSERT_EQUAL(u[k], ss_rng_u01(42, SS_P_TEST, 3, start + k));
        CU_ASSERT_EQUAL(z[k], ss_rng_normal(42, SS_P_TEST, 3, start + k));
        CU_ASSERT_EQUAL(b[k], ss_rng_below(42, SS_P_TEST, 3, start + k, 4));
        CU_ASSERT_EQUAL(c[k], ss_rng_below(42, SS_P_TEST, 3, start + k, (1ull << 40) + 3));
      }
    }
}

/* The normal pair of one block is (r cos t, r sin t), so z0^2 + z1^2 = -2 ln u0. */
static void test_normal_box_muller(void)
{
  for (uint64_t b = 0; b < 50; b++) {
    uint32_t w[4];
    ss_rng_block(7, SS_P_TEST, 1, b, w);
    double z0 = ss_rng_normal(7, SS_P_TEST, 1, 2 * b), z1 = ss_rng_normal(7, SS_P_TEST, 1, 2 * b + 1);
    double r2 = -2.0 * log(ss_rng_u01_words(w[0], w[1]));
    CU_ASSERT_DOUBLE_EQUAL(z0 * z0 + z1 * z1, r2, 1e-12 * (1.0 + r2));
  }
}

static void test_u01_open_interval_and_mean(void)
{
  enum { N = 200000 };
  static double u[N];
  ss_rng_u01_fill(2024, SS_P_TEST, 0, 0, N, u);
  double sum = 0.0;
  int inside = 1;
  for (int i = 0; i < N; i++) {
    inside &= u[i] > 0.0 && u[i] < 1.0;
    sum += u[i];
  }
  CU_ASSERT(inside);
  CU_ASSERT(fabs(sum / N - 0.5) < 0.01); /* the standard error is 0.00065 */
}

static void test_normal_moments(void)
{
  enum { N = 200000 };
  static double z[N];
  ss_rng_normal_fill(2024, SS_P_TEST, 1, 0, N, z);
  double sum = 0.0, sumsq = 0.0;
  for (int i = 0; i < N; i++) {
    sum += z[i];
    sumsq += z[i] * z[i];
  }
  double mean = sum / N, var = sumsq / N - mean * mean;
  CU_ASSERT(fabs(mean) < 0.02);      /* standard error 0.0022 */
  CU_ASSERT(fabs(var - 1.0) < 0.05); /* standard error 0.0032 */
}

static void test_below(void)
{
  int counts[10] = {0}, ok = 1;
  for (uint64_t i = 0; i < 100000; i++) {
    uint64_t v = ss_rng_below(5, SS_P_TEST, 2, i, 10);
    ok &= v < 10;
    if (v < 10) counts[v]++;
    ok &= ss_rng_below(5, SS_P_TEST, 2, i, 1) == 0;
    ok &= ss_rng_below(5, SS_P_TEST, 2, i, 7) < 7;
    ok &= ss_rng_below(5, SS_P_TEST, 2, i, (1ull << 40) + 3) < (1ull << 40) + 3;
  }
  CU_ASSERT(ok);
  for (int v = 0; v < 10; v++) CU_ASSERT(counts[v] > 9400 && counts[v] < 10600); /* sd ~95 */
  /* With n = 2^64 - 1 the result is the 64-bit word itself (minus at most 1). */
  uint32_t w[4];
  ss_rng_block(5, SS_P_TEST, 2, 0, w);
  uint64_t word = (uint64_t)w[0] | ((uint64_t)w[1] << 32);
  uint64_t big = ss_rng_below(5, SS_P_TEST, 2, 0, UINT64_MAX);
  CU_ASSERT(big == word || big + 1 == word);
}

/* Different purposes, entities and seeds give different streams. */
static void test_streams_differ(void)
{
  double a = ss_rng_u01(1, SS_P_TEST, 0, 0);
  CU_ASSERT(a != ss_rng_u01(1, SS_P_TEST, 1, 0));
  CU_ASSERT(a != ss_rng_u01(1, SS_P_TEST + 1, 0, 0));
  CU_ASSERT(a != ss_rng_u01(2, SS_P_TEST, 0, 0));
  CU_ASSERT(a != ss_rng_u01(1ull << 32 | 1, SS_P_TEST, 0, 0)); /* the seed's high half counts */
  CU_ASSERT(a == ss_rng_u01(1, SS_P_TEST, 0, 0));
}

SS_UNIT_SUITE(suite_rng)
{
  ss_unit_suite("rng");
  ss_unit_test("philox4x32-10 known answers", test_philox_kat);
  ss_unit_test("block key/counter layout", test_block_layout);
  ss_unit_test("u01 word mapping", test_u01_words);
  ss_unit_test("u01 uses block halves", test_u01_uses_block_halves);
  ss_unit_test("fill equals single draws", test_fill_equals_single);
  ss_unit_test("normal is box-muller", test_normal_box_muller);
  ss_unit_test("u01 in (0,1), mean", test_u01_open_interval_and_mean);
  ss_unit_test("normal moments", test_normal_moments);
  ss_unit_test("below range and balance", test_below);
  ss_unit_test("streams differ", test_streams_differ);
}
