/* Keyed randomness: Philox4x32-10 (Salmon et al., SC'11) turns (counter, key) into four
 * random words with no state, so any draw can be recomputed anywhere. The seed is the
 * key; (block, entity, purpose) is the counter. Each block feeds two draws. */
#include <math.h>
#include "stratsim/rng.h"

#define PHILOX_M0 0xD2511F53u /* round multipliers */
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u /* key schedule increments (golden ratio, sqrt(3)-1) */
#define PHILOX_W1 0xBB67AE85u

/* One round on (x0, x1, x2, x3) with round key (k0, k1): two 32x32->64 products. */
#define PHILOX_ROUND(k0, k1)                                                         \
  do {                                                                               \
    uint64_t p0 = (uint64_t)PHILOX_M0 * x0, p1 = (uint64_t)PHILOX_M1 * x2;           \
    uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ (k0), y2 = (uint32_t)(p0 >> 32) ^ x3 ^ (k1); \
    x1 = (uint32_t)p1;                                                               \
    x3 = (uint32_t)p0;                                                               \
    x0 = y0;                                                                         \
    x2 = y2;                                                                         \
  } while (0)

/* The ten rounds written out (the key is bumped between rounds, not before the first): no
 * loop, no branch, the round keys are constants plus the key. Integer arithmetic only, so the
 * words are those of the textbook loop (checked against the reference vectors in test_rng). */
void ss_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
  uint32_t x0 = ctr[0], x1 = ctr[1], x2 = ctr[2], x3 = ctr[3];
  const uint32_t a = key[0], b = key[1];
  PHILOX_ROUND(a, b);
  PHILOX_ROUND(a + 1u * PHILOX_W0, b + 1u * PHILOX_W1);
  PHILOX_ROUND(a + 2u * PHILOX_W0, b + 2u * PHILOX_W1);
  PHILOX_ROUND(a + 3u * PHILOX_W0, b + 3u * PHILOX_W1);
  PHILOX_ROUND(a + 4u * PHILOX_W0, b + 4u * PHILOX_W1);
  PHILOX_ROUND(a + 5u * PHILOX_W0, b + 5u * PHILOX_W1);
  PHILOX_ROUND(a + 6u * PHILOX_W0, b + 6u * PHILOX_W1);
  PHILOX_ROUND(a + 7u * PHILOX_W0, b + 7u * PHILOX_W1);
  PHILOX_ROUND(a + 8u * PHILOX_W0, b + 8u * PHILOX_W1);
  PHILOX_ROUND(a + 9u * PHILOX_W0, b + 9u * PHILOX_W1);
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

void ss_rng_block(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t block, uint32_t out[4])
{
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), entity, purpose};
  ss_philox4x32_10(ctr, key, out);
}

static inline double u01_words(uint32_t w0, uint32_t w1)
{
  uint64_t bits53 = ((uint64_t)(w0 >> 5) << 26) | (w1 >> 6);
  /* Adding 0.5 keeps 0 out. It rounds (ties to even) once bits53 >= 2^52, and only the
   * very top value rounds up to exactly 1.0; map that one to the largest double below 1. */
  double u = ((double)bits53 + 0.5) * 0x1p-53;
  return u < 1.0 ? u : 0x1.fffffffffffffp-1;
}

double ss_rng_u01_words(uint32_t w0, uint32_t w1) { return u01_words(w0, w1); }

/* Words {0,1} of the block feed even draws, words {2,3} odd ones. */
static double u01_half(const uint32_t w[4], uint64_t index)
{
  int h = (int)(index & 1) * 2;
  return u01_words(w[h], w[h + 1]);
}

double ss_rng_u01(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t index)
{
  uint32_t w[4];
  ss_rng_block(seed, purpose, entity, index / 2, w);
  return u01_half(w, index);
}

/* Box-Muller on one block: radius from words {0,1}, angle from words {2,3}. Single draws
 * and fills both go through these two helpers, so they give the same bits. */
static double box_muller_radius(const uint32_t w[4])
{
  return sqrt(-2.0 * log(ss_rng_u01_words(w[0], w[1])));
}

static double box_muller_angle(const uint32_t w[4])
{
  return 6.283185307179586476925 * ss_rng_u01_words(w[2], w[3]);
}

double ss_rng_normal(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t index)
{
  uint32_t w[4];
  ss_rng_block(seed, purpose, entity, index / 2, w);
  double r = box_muller_radius(w), t = box_muller_angle(w);
  return (index & 1) ? r * sin(t) : r * cos(t);
}

void ss_rng_normal_fill(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t start, uint64_t n,
                        double *out)
{
  uint32_t w[4];
  double r = 0.0, t = 0.0;
  for (uint64_t k = 0; k < n; k++) {
    uint64_t i = start + k;
    if (k == 0 || i % 2 == 0) {
      ss_rng_block(seed, purpose, entity, i / 2, w);
      r = box_muller_radius(w);
      t = box_muller_angle(w);
    }
    out[k] = (i & 1) ? r * sin(t) : r * cos(t);
  }
}

uint64_t ss_rng_below(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t index, uint64_t n)
{
  uint32_t w[4];
  ss_rng_block(seed, purpose, entity, index / 2, w);
  int h = (int)(index & 1) * 2;
  return ss_rng_below_words(w[h], w[h + 1], n);
}
