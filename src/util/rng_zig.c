/* Standard normals by the ziggurat (include/stratsim/rng.h): Doornik's ZIGNOR ("An Improved
 * Ziggurat Method to Generate Normal Random Samples", 2005; Marsaglia and Tsang's method with
 * 128 strips, R = 3.442619855899, V = 9.91256303526217e-3), on keyed words instead of a
 * sequential generator. Draw i of (seed, purpose, entity) first reads half i % 2 of block
 * i / 2, as ss_rng_u01 does: 53 bits make u in (-1, 1) and 7 of the bits u01 drops pick the
 * strip; about 98.8 % of draws stop there, with no log, no sqrt and no sine. The others read
 * blocks of their own, keyed by (seed, purpose | SS_RNG_RETRY, entity, (i << 6) | k), k = 0..63,
 * so a draw is still a pure function of its key and index. The strip table is computed once
 * with libm (exp, log, sqrt), the same on every rank of one machine. */
#include <math.h>
#include "stratsim/rng.h"

enum { ZIG_C = 128, ZIG_TRIES = 64 };
#define ZIG_R 3.442619855899
#define ZIG_V 9.91256303526217e-3

static double zig_x[ZIG_C + 1], zig_r[ZIG_C];
static int zig_ready;

static void zig_init(void)
{
  double f = exp(-0.5 * ZIG_R * ZIG_R);
  zig_x[0] = ZIG_V / f; /* the bottom strip with the tail: V / f(R) */
  zig_x[1] = ZIG_R;
  zig_x[ZIG_C] = 0;
  for (int i = 2; i < ZIG_C; i++) {
    zig_x[i] = sqrt(-2.0 * log(ZIG_V / zig_x[i - 1] + f));
    f = exp(-0.5 * zig_x[i] * zig_x[i]);
  }
  for (int i = 0; i < ZIG_C; i++) zig_r[i] = zig_x[i + 1] / zig_x[i];
  zig_ready = 1;
}

/* The strip index from the low bits of the two words that ss_rng_u01_words drops (5 of w0,
 * 6 of w1): independent of u. */
static int strip(uint32_t w0, uint32_t w1) { return (int)((w1 & 0x3fu) | ((w0 & 1u) << 6)); }

static void retry_block(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t i, int k, uint32_t w[4])
{
  ss_rng_block(seed, purpose | SS_RNG_RETRY, entity, (i << 6) | (uint64_t)k, w);
}

/* Draw i after its first try failed with (u, s): Doornik's loop, each further try on a retry
 * block (u and strip from words 0, 1; the wedge's uniform from words 2, 3), the tail by
 * Marsaglia's method on retry blocks from ZIG_TRIES / 2 on. */
static double zig_slow(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t i, double u, int s)
{
  uint32_t w[4];
  double x = u * zig_x[s];
  for (int k = 0; k < ZIG_TRIES / 2; k++) {
    if (k > 0) { /* a new try */
      u = 2.0 * ss_rng_u01_words(w[0], w[1]) - 1.0;
      s = strip(w[0], w[1]);
      x = u * zig_x[s];
      if (fabs(u) < zig_r[s]) return x;
    }
    retry_block(seed, purpose, entity, i, k, w); /* words 2, 3: this try's wedge; 0, 1: the next try */
    if (s == 0) { /* the tail beyond R, on the side of u */
      for (int m = ZIG_TRIES / 2; m < ZIG_TRIES; m++) {
        uint32_t t[4];
        retry_block(seed, purpose, entity, i, m, t);
        double a = log(ss_rng_u01_words(t[0], t[1])) / ZIG_R, b = log(ss_rng_u01_words(t[2], t[3]));
        if (!(-2.0 * b < a * a) || m == ZIG_TRIES - 1) return u < 0 ? a - ZIG_R : ZIG_R - a;
      }
    }
    double f0 = exp(-0.5 * (zig_x[s] * zig_x[s] - x * x));
    double f1 = exp(-0.5 * (zig_x[s + 1] * zig_x[s + 1] - x * x));
    if (f1 + ss_rng_u01_words(w[2], w[3]) * (f0 - f1) < 1.0) return x;
  }
  return x; /* 64 failed tries: probability below 1e-120 */
}

/* Draw i from its words (w0, w1) of the main block. */
static inline double zig_draw(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t i, uint32_t w0,
                              uint32_t w1)
{
  double u = 2.0 * ss_rng_u01_words(w0, w1) - 1.0;
  int s = strip(w0, w1);
  if (fabs(u) < zig_r[s]) return u * zig_x[s];
  return zig_slow(seed, purpose, entity, i, u, s);
}

double ss_rng_normal_zig(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t index)
{
  double z;
  ss_rng_normal_zig_fill(seed, purpose, entity, index, 1, &z);
  return z;
}

void ss_rng_normal_zig_fill(uint64_t seed, uint32_t purpose, uint32_t entity, uint64_t start, uint64_t n,
                            double *out)
{
  if (!zig_ready) zig_init();
  uint32_t w[4 * SS_RNG_CHUNK];
  uint64_t b0 = 0, nb = 0; /* the blocks in w (ss_rng_blocks: the words of ss_rng_block) */
  for (uint64_t k = 0; k < n; k++) {
    uint64_t i = start + k, b = i / 2; /* 2 draws per block */
    if (k == 0 || b >= b0 + nb) {
      b0 = b;
      nb = ((start + n - 1) / 2 - b + 1 < SS_RNG_CHUNK) ? (start + n - 1) / 2 - b + 1 : SS_RNG_CHUNK;
      ss_rng_blocks(seed, purpose, entity, b0, nb, w);
    }
    const uint32_t *h = w + 4 * (b - b0) + (i & 1) * 2;
    out[k] = zig_draw(seed, purpose, entity, i, h[0], h[1]);
  }
}
