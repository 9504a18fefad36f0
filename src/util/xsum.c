/* Exact summation: a superaccumulator of 67 signed 64-bit limbs, each carrying 32 payload
 * bits, limb 0 weighing 2^-1074 (the smallest subnormal). Every finite double is an integer
 * multiple of 2^-1074, so adding one is exact integer arithmetic on at most three limbs;
 * the 32 spare bits of each limb absorb ~2^31 additions before carries must be propagated. */
#include <math.h>
#include <string.h>
#include "stratsim/xsum.h"

#define LIMB_BITS 32
#define LIMB_MASK 0xFFFFFFFFll
#define TOP (SS_XSUM_LIMBS - 1)
/* Each add or merge moves a limb by less than 2^32; normalising every 2^29 of them keeps
 * |limb| far below 2^63. */
#define PENDING_MAX (1ll << 29)

void ss_xsum_init(ss_xsum *s) { memset(s, 0, sizeof *s); }

void ss_xsum_normalize(ss_xsum *s)
{
  for (int i = 0; i < TOP; i++) {
    int64_t carry = s->limb[i] >> LIMB_BITS; /* arithmetic shift: floor division by 2^32 */
    s->limb[i] &= LIMB_MASK;
    s->limb[i + 1] += carry;
  }
  s->pending = 0;
}

static void make_room(ss_xsum *s)
{
  if (s->pending >= PENDING_MAX) ss_xsum_normalize(s);
  s->pending++;
}

/* Adds sign * |x| where x is finite: |x| = mant * 2^(pos - 1074) with pos >= 0. */
static void add_signed(ss_xsum *s, double x, int negate)
{
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int biased = (int)((bits >> 52) & 0x7FF);
  if (biased == 0x7FF) return; /* inf/NaN cannot be represented: the contract excludes them */
  uint64_t mant = bits & ((1ull << 52) - 1);
  int pos = 0; /* subnormals: mant * 2^-1074 */
  if (biased) {
    mant |= 1ull << 52;
    pos = biased - 1;
  }
  if (!mant) return;
  if ((bits >> 63) != 0) negate = !negate;
  make_room(s);
  int li = pos / LIMB_BITS;
  unsigned __int128 v = (unsigned __int128)mant << (pos % LIMB_BITS); /* at most 84 bits */
  int64_t part[3] = {(int64_t)(v & LIMB_MASK), (int64_t)((v >> 32) & LIMB_MASK), (int64_t)(v >> 64)};
  for (int k = 0; k < 3; k++) s->limb[li + k] += negate ? -part[k] : part[k];
}

void ss_xsum_add(ss_xsum *s, double x) { add_signed(s, x, 0); }

void ss_xsum_sub(ss_xsum *s, double x) { add_signed(s, x, 1); }

void ss_xsum_merge(ss_xsum *dst, const ss_xsum *src)
{
  ss_xsum copy = *src; /* also makes merge(a, a) safe */
  ss_xsum_normalize(&copy);
  make_room(dst); /* a normalised src moves each limb by < 2^32, like one add */
  for (int i = 0; i < SS_XSUM_LIMBS; i++) dst->limb[i] += copy.limb[i];
}

static int top_nonzero(const ss_xsum *s)
{
  for (int i = TOP; i >= 0; i--)
    if (s->limb[i]) return i;
  return -1;
}

/* Rounds a non-negative canonical accumulator to the nearest double. */
static double magnitude_value(const ss_xsum *s)
{
  int h = top_nonzero(s);
  if (h < 0) return 0.0;
  int lo = h >= 2 ? h - 2 : 0;
  unsigned __int128 m = 0;
  for (int i = h; i >= lo; i--) m = (m << LIMB_BITS) | (uint64_t)s->limb[i];
  /* With h >= 2, m has >= 65 significant bits, so bit 0 lies below the rounding bit and a
   * sticky 1 only breaks ties the way the discarded lower limbs would. */
  for (int i = lo - 1; i >= 0; i--)
    if (s->limb[i]) {
      m |= 1;
      break;
    }
  /* The __int128 conversion rounds once, to nearest even; ldexp is then exact, because a
   * subnormal result means h <= 1, where m is the exact integer multiple of 2^-1074. */
  return ldexp((double)m, LIMB_BITS * lo - 1074);
}

double ss_xsum_value(const ss_xsum *s)
{
  ss_xsum c = *s;
  ss_xsum_normalize(&c);
  if (c.limb[TOP] >= 0) return magnitude_value(&c);
  for (int i = 0; i < SS_XSUM_LIMBS; i++) c.limb[i] = -c.limb[i];
  ss_xsum_normalize(&c);
  return -magnitude_value(&c);
}

double ss_sum_exact(const double *x, long n)
{
  ss_xsum s;
  ss_xsum_init(&s);
  double special = 0.0; /* inf/NaN follow IEEE rules: +inf, -inf, or NaN if both or any NaN */
  for (long i = 0; i < n; i++) {
    if (isfinite(x[i]))
      ss_xsum_add(&s, x[i]);
    else
      special += x[i];
  }
  return special != 0.0 ? special : ss_xsum_value(&s);
}
