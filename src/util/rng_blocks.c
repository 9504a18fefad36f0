/* Many consecutive Philox blocks at once (include/stratsim/rng.h): with AVX2, four blocks per
 * vector, each 32-bit lane word in the low half of a 64-bit element so that one
 * _mm256_mul_epu32 forms four 32x32->64 products. Integer arithmetic only: the words are those
 * of ss_rng_block, block for block (tests/unit/test_rng_blocks.c compares them). Without AVX2
 * (or with STRATSIM_NO_SIMD=1) the scalar block function runs n times. */
#include <stdlib.h>
#include "stratsim/rng.h"
#include "stratsim/simd.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Blocks first .. first + 3 of (key, entity, purpose) into out[0..16). */
AVX2 static void philox4(uint32_t k0, uint32_t k1, uint32_t entity, uint32_t purpose, uint64_t first,
                         uint32_t *out)
{
  const __m256i m0 = _mm256_set1_epi64x(PHILOX_M0), m1 = _mm256_set1_epi64x(PHILOX_M1);
  const __m256i lo = _mm256_set1_epi64x(0xffffffffll);
  __m256i b = _mm256_set_epi64x((long long)(first + 3), (long long)(first + 2), (long long)(first + 1),
                                (long long)first);
  __m256i x0 = b, x1 = _mm256_srli_epi64(b, 32);
  __m256i x2 = _mm256_set1_epi64x(entity), x3 = _mm256_set1_epi64x(purpose);
  for (int r = 0; r < 10; r++) {
    const __m256i ka = _mm256_set1_epi64x(k0 + (uint32_t)r * PHILOX_W0);
    const __m256i kb = _mm256_set1_epi64x(k1 + (uint32_t)r * PHILOX_W1);
    __m256i p0 = _mm256_mul_epu32(x0, m0), p1 = _mm256_mul_epu32(x2, m1);
    __m256i y0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1), ka);
    __m256i y2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3), kb);
    x1 = p1;
    x3 = p0;
    x0 = y0;
    x2 = y2;
  }
  /* (x0, x1) and (x2, x3) of each block side by side, then the blocks in order */
  __m256i t01 = _mm256_or_si256(_mm256_and_si256(x0, lo), _mm256_slli_epi64(x1, 32));
  __m256i t23 = _mm256_or_si256(_mm256_and_si256(x2, lo), _mm256_slli_epi64(x3, 32));
  __m256i a = _mm256_unpacklo_epi64(t01, t23), c = _mm256_unpackhi_epi64(t01, t23);
  _mm256_storeu_si256((__m256i *)out, _mm256_permute2x128_si256(a, c, 0x20));
  _mm256_storeu_si256((__m256i *)(out + 8), _mm256_permute2x128_si256(a, c, 0x31));
}

#endif

void ss_rng_blocks(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t first, uint64_t n, uint32_t *out)
{
  uint64_t k = 0;
#if defined(AVX2)
  if (ss_use_avx2())
    for (; k + 4 <= n; k += 4) philox4((uint32_t)seed, (uint32_t)(seed >> 32), entity, purpose, first + k, out + 4 * k);
#endif
  for (; k < n; k++) ss_rng_block(seed, purpose, entity, first + k, out + 4 * k);
}

/* Draws start .. start + n - 1 of (seed, purpose, entity), draw i from half i % 2 of block i / 2,
 * the blocks made SS_RNG_CHUNK at a time (ss_rng_blocks: the same words as one by one); MAP
 * stores draw i from its two words h[0], h[1]. One loop for the fills below. */
#define FILL_DRAWS(seed, purpose, entity, start, n, MAP)                                   \
  do {                                                                                     \
    uint32_t w[4 * SS_RNG_CHUNK];                                                          \
    const uint64_t end = (start) + (n);                                                    \
    for (uint64_t i = (start); i < end;) {                                                 \
      uint64_t b0 = i / 2, nb = (end - 1) / 2 - b0 + 1;                                    \
      if (nb > SS_RNG_CHUNK) nb = SS_RNG_CHUNK;                                            \
      ss_rng_blocks(seed, purpose, entity, b0, nb, w);                                     \
      uint64_t stop = 2 * (b0 + nb) < end ? 2 * (b0 + nb) : end;                           \
      for (; i < stop; i++) {                                                              \
        const uint32_t *h = w + 4 * (i / 2 - b0) + 2 * (i & 1);                            \
        MAP;                                                                               \
      }                                                                                    \
    }                                                                                      \
  } while (0)

void ss_rng_u01_fill(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t start, uint64_t n,
                     double *out)
{
  FILL_DRAWS(seed, purpose, entity, start, n, out[i - start] = ss_rng_u01_words(h[0], h[1]));
}

void ss_rng_below_fill(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t start, uint64_t count,
                       uint64_t n, uint64_t *out)
{
  FILL_DRAWS(seed, purpose, entity, start, count, out[i - start] = ss_rng_below_words(h[0], h[1], n));
}
