/* Exact summation of doubles: a fixed-point accumulator wide enough for every finite
 * double. Sums are exact, so they do not depend on the order of addition or on how
 * values are split over ranks; the final rounding to double is deterministic. */
#ifndef STRATSIM_XSUM_H
#define STRATSIM_XSUM_H

#include <stdint.h>

#define SS_XSUM_LIMBS 67 /* 32 payload bits each: 2^-1074 .. 2^1070 plus carry room */

typedef struct {
  int64_t limb[SS_XSUM_LIMBS];
  int64_t pending; /* additions since the last normalisation */
} ss_xsum;

void ss_xsum_init(ss_xsum *s);
/* x must be finite. */
void ss_xsum_add(ss_xsum *s, double x);
void ss_xsum_sub(ss_xsum *s, double x);
/* dst += src */
void ss_xsum_merge(ss_xsum *dst, const ss_xsum *src);
/* Carry-propagates so every limb but the top is in [0, 2^32): a canonical form. */
void ss_xsum_normalize(ss_xsum *s);
/* The sum rounded to nearest double. */
double ss_xsum_value(const ss_xsum *s);

/* Exact sum of n doubles, rounded once. Non-finite values give the IEEE result instead
 * (+inf, -inf, or NaN when both infinities or a NaN occur). */
double ss_sum_exact(const double *x, long n);

#endif
