/* Keyed randomness: Philox4x32-10, a counter-based generator.
 * Every draw is a pure function of (seed, purpose, entity, index), so results never
 * depend on rank counts, group layouts or the order of the schedule. */
#ifndef STRATSIM_RNG_H
#define STRATSIM_RNG_H

#include <stdint.h>

/* One draw site per purpose; never reuse a number for two purposes. */
enum ss_purpose {
  SS_P_FACILITY_LOCATION = 1,
  SS_P_RLHF_FEATURES = 10,
  SS_P_RLHF_RHO,
  SS_P_RLHF_THETA,
  SS_P_RLHF_DESIGN,
  SS_P_RLHF_LABEL,
  SS_P_RLHF_SPSA,
  SS_P_RLHF_STRATEGIC,
  SS_P_RLHF_TRANSITION,
  SS_P_RLHF_TRAJECTORY,
  SS_P_BANDIT_USER = 30,
  SS_P_BANDIT_CONTEXT,
  SS_P_BANDIT_NOISE,
  SS_P_BANDIT_THETA,
  SS_P_BANDIT_FEATURES,
  SS_P_BANDIT_WARMUP,
  SS_P_BANDIT_UNIFORM,
  SS_P_TEST = 1000
};
/* Marks a purpose's second stream (draws that need more words than their block: ss_rng_normal_zig). */
#define SS_RNG_RETRY 0x80000000u

/* The raw block function: out = Philox4x32-10(ctr, key). */
void ss_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* The block of 4 words for (seed, purpose, entity, block). */
void ss_rng_block(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t block, uint32_t out[4]);

/* Blocks first .. first + n - 1 of (seed, purpose, entity) into out[0 .. 4n): the words of n
 * calls of ss_rng_block, four blocks per AVX2 vector where the CPU has it (rng_blocks.c). */
void ss_rng_blocks(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t first, uint64_t n, uint32_t *out);
/* How many blocks the fills make at once. */
enum { SS_RNG_CHUNK = 32 };

/* The uniform that two raw words map to: ((w0>>5)*2^26 + (w1>>6) + 0.5) / 2^53, always in
 * the open interval (0,1). Exposed so the mapping itself can be tested at its extremes. */
double ss_rng_u01_words(uint32_t w0, uint32_t w1);

/* Uniform in the open interval (0,1), 53 bits. Draw i uses half i%2 of block i/2. */
double ss_rng_u01(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t index);
/* Fills out[0..n) with draws start..start+n-1; identical to n calls of ss_rng_u01. */
void ss_rng_u01_fill(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t start, uint64_t n,
                     double *out);
/* The integer in [0, n) that two raw words (low, high) map to: Lemire's multiply-shift of the
 * 64-bit word without the rejection step (bias at most n / 2^64). */
static inline uint64_t ss_rng_below_words(uint32_t lo, uint32_t hi, uint64_t n)
{
  uint64_t x = (uint64_t)lo | ((uint64_t)hi << 32);
  return (uint64_t)(((unsigned __int128)x * n) >> 64);
}
/* Fills out[0..count) with draws start..start+count-1 below n; identical to count calls of
 * ss_rng_below (rng_blocks.c: the blocks made SS_RNG_CHUNK at a time, each serving two draws). */
void ss_rng_below_fill(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t start, uint64_t count,
                       uint64_t n, uint64_t *out);
/* Standard normal by Box-Muller on block i/2 (cos for even i, sin for odd i). */
double ss_rng_normal(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t index);
void ss_rng_normal_fill(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t start, uint64_t n,
                        double *out);
/* Standard normal by the ziggurat (rng_zig.c): draw i from half i%2 of block i/2 about 98.8% of
 * the time, otherwise from retry blocks keyed by (purpose | SS_RNG_RETRY, (i << 6) | k). About
 * three times cheaper than Box-Muller; a different sequence. */
double ss_rng_normal_zig(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t index);
void ss_rng_normal_zig_fill(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t start, uint64_t n,
                            double *out);
/* Uniform integer in [0, n) (n >= 1), from the 64 bits of draw index (rejection-free, Lemire). */
uint64_t ss_rng_below(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t index, uint64_t n);

#endif
