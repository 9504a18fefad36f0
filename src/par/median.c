/* Exact distributed order statistics by radix selection. Each double maps to a 64-bit key
 * with the same order; up to eight rounds each fix one more byte of every wanted key, using a
 * global 256-bin histogram of the values that still match the bytes fixed so far. As soon as
 * every selected bin holds a single value, one last pass fetches those values' whole keys
 * (one sum-reduction: exactly one rank contributes each) instead of the remaining rounds; for
 * smooth data this halves the passes over the values. Values
 * are streamed in blocks from an ss_value_source, so memory is O(block*d + 256*d*nq) and no
 * value ever leaves its rank; the histograms are integers, so the answer is exact. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"

#define BLOCK_ROWS 4096 /* rows per call of the value source */
#define RADIX_BITS 8
#define RADIX (1 << RADIX_BITS)
#define ROUNDS (64 / RADIX_BITS)
#define SIGN_BIT (1ull << 63)

/* Order-preserving image of a double: negatives have all bits flipped (so larger magnitude
 * sorts lower), non-negatives get the sign bit set. -0.0 is first made +0.0 so the two
 * zeros are one value, as they compare equal. */
static uint64_t key_of(double x)
{
  uint64_t u;
  if (x == 0.0) x = 0.0;
  memcpy(&u, &x, sizeof u);
  return (u & SIGN_BIT) ? ~u : (u | SIGN_BIT);
}

static double value_of(uint64_t key)
{
  uint64_t u = (key & SIGN_BIT) ? (key & ~SIGN_BIT) : ~key;
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* The state of one selection: the source of the values and, per (query q, coordinate j),
 * the key bytes fixed so far and the rank of the target among the values matching them. */
typedef struct {
  const ss_value_source *src;
  const double *direct; /* the caller's stored rows, read in place; NULL: call src->rows */
  double *buf;          /* BLOCK_ROWS x d, for src->rows */
  int d, nq;
  int64_t *hist;        /* [nq][d][RADIX] counts for rounds 1..7 */
  int64_t *round0;      /* round 0: n_local, NaN count per coordinate [d], top bytes [d][RADIX] */
  uint64_t *prefix;     /* [nq][d] */
  int64_t *left;        /* [nq][d] */
  int64_t *count;       /* [nq][d]: values in the bin selected last */
  int passes;           /* scans of the local values */
} selection;

static const double *load_rows(selection *s, int64_t start, int64_t count)
{
  if (s->direct) return s->direct + start * s->d;
  s->src->rows(s->src->ctx, start, count, s->buf);
  return s->buf;
}

/* Round 0 needs no prefix, so one histogram per coordinate serves every query; the same
 * scan counts NaNs, which the reduction then makes known to every rank. */
static void scan_round0(selection *s)
{
  int d = s->d;
  int64_t n = s->src->n_local, *nan_count = s->round0 + 1, *hist = s->round0 + 1 + d;
  s->round0[0] = n;
  s->passes++;
  for (int64_t start = 0; start < n; start += BLOCK_ROWS) {
    int64_t count = n - start < BLOCK_ROWS ? n - start : BLOCK_ROWS;
    const double *rows = load_rows(s, start, count);
    for (int64_t i = 0; i < count; i++)
      for (int j = 0; j < d; j++) {
        double x = rows[i * d + j];
        if (isnan(x))
          nan_count[j]++;
        else
          hist[(size_t)j * RADIX + (key_of(x) >> (64 - RADIX_BITS))]++;
      }
  }
}

/* One pass over the local values, looking at the keys that agree with each query's prefix
 * under `mask`: either histograms their byte at `shift` into out[nq][d][RADIX], or (fetch)
 * copies the key itself into out[nq][d]. */
static void scan_keys(selection *s, uint64_t mask, int shift, int fetch, int64_t *out)
{
  int d = s->d, nq = s->nq;
  int64_t n = s->src->n_local;
  memset(out, 0, (size_t)nq * d * (fetch ? 1 : RADIX) * sizeof *out);
  s->passes++;
  for (int64_t start = 0; start < n; start += BLOCK_ROWS) {
    int64_t count = n - start < BLOCK_ROWS ? n - start : BLOCK_ROWS;
    const double *rows = load_rows(s, start, count);
    for (int64_t i = 0; i < count; i++)
      for (int j = 0; j < d; j++) {
        uint64_t key = key_of(rows[i * d + j]);
        for (int q = 0; q < nq; q++) {
          size_t qj = (size_t)q * d + j;
          if (((key ^ s->prefix[qj]) & mask) != 0) continue;
          if (fetch) memcpy(&out[qj], &key, sizeof key);
          else out[qj * RADIX + ((key >> shift) & (RADIX - 1))]++;
        }
      }
  }
}

/* Histograms byte `round` of the keys that agree with each query's prefix above it. */
static void scan_round(selection *s, int round)
{
  int shift = 64 - RADIX_BITS * (round + 1);
  scan_keys(s, ~0ull << (shift + RADIX_BITS), shift, 0, s->hist); /* round >= 1: shift < 64 */
}

/* The bin holding the *left-th smallest value; *left becomes the rank inside that bin. */
static unsigned pick_digit(const int64_t *hist, int64_t *left)
{
  for (unsigned t = 0; t < RADIX - 1; t++) {
    if (*left <= hist[t]) return t;
    *left -= hist[t];
  }
  return RADIX - 1;
}

/* Fixes byte `round` of every wanted key; returns 1 when every selected bin holds one value. */
static int pick_digits(selection *s, const int64_t *hist, int per_query, int round)
{
  int shift = 64 - RADIX_BITS * (round + 1), single = 1;
  for (int q = 0; q < s->nq; q++)
    for (int j = 0; j < s->d; j++) {
      size_t qj = (size_t)q * s->d + j;
      const int64_t *h = hist + ((per_query ? qj : (size_t)j) * RADIX);
      unsigned t = pick_digit(h, &s->left[qj]);
      s->prefix[qj] |= (uint64_t)t << shift;
      s->count[qj] = h[t];
      single &= h[t] == 1;
    }
  return single;
}

/* Every wanted key is the only one matching its prefix through byte `round`: each rank puts in
 * the keys it holds (0 elsewhere), and the sum gives every rank the whole keys. */
static void fetch_unique(ss_comm *c, selection *s, int round)
{
  int64_t *found = s->hist; /* nq*d <= the histogram's size */
  scan_keys(s, ~0ull << (64 - RADIX_BITS * (round + 1)), 0, 1, found);
  ss_comm_sum_i64(c, found, s->nq * s->d);
  for (int i = 0; i < s->nq * s->d; i++) memcpy(&s->prefix[i], &found[i], sizeof s->prefix[i]);
}

static void selection_free(selection *s)
{
  free(s->buf);
  free(s->hist);
  free(s->round0);
  free(s->prefix);
  free(s->left);
  free(s->count);
}

static int selection_alloc(selection *s, const ss_value_source *src, const double *direct, int nq_max,
                           ss_err *e)
{
  memset(s, 0, sizeof *s);
  s->src = src;
  s->direct = direct;
  s->d = src->d;
  if (src->d < 1) return ss_fail(e, SS_ERUNTIME, "median: dimension d must be >= 1 (got %d)", src->d);
  if (src->n_local < 0) return ss_fail(e, SS_ERUNTIME, "median: negative local count %lld", (long long)src->n_local);
  if (!direct && src->n_local > 0 && !src->rows)
    return ss_fail(e, SS_ERUNTIME, "median: value source has no rows callback");
  int64_t d = src->d;
  if (RADIX * d * nq_max + 1 + d > INT_MAX)
    return ss_fail(e, SS_ERUNTIME, "median: d x queries = %lld x %d is too large", (long long)d, nq_max);
  if (!direct) s->buf = ss_malloc((size_t)BLOCK_ROWS * d * sizeof *s->buf, e);
  s->hist = ss_malloc((size_t)nq_max * d * RADIX * sizeof *s->hist, e);
  s->round0 = ss_calloc((size_t)(1 + d + d * RADIX), sizeof *s->round0, e);
  s->prefix = ss_calloc((size_t)nq_max * d, sizeof *s->prefix, e);
  s->left = ss_calloc((size_t)nq_max * d, sizeof *s->left, e);
  s->count = ss_calloc((size_t)nq_max * d, sizeof *s->count, e);
  return e->code;
}

/* The checks every rank can make from the reduced round-0 counts alone, so every rank
 * reaches the same verdict without further communication. */
static int check_counts(const selection *s, int64_t k, int nq, const int64_t *r, ss_err *e)
{
  const int64_t *nan_count = s->round0 + 1;
  for (int j = 0; j < s->d; j++)
    if (nan_count[j] > 0)
      return ss_fail(e, SS_EINPUT, "median: value is NaN (%lld NaN values in coordinate %d)",
                     (long long)nan_count[j], j);
  if (k == 0) return ss_fail(e, SS_EINPUT, "median: no values (k = 0)");
  for (int q = 0; q < nq; q++)
    if (r[q] < 1 || r[q] > k)
      return ss_fail(e, SS_EINPUT, "median: order statistic rank %lld is outside [1, %lld]",
                     (long long)r[q], (long long)k);
  return SS_OK;
}

/* The mean of the two middle values, one formula shared with the serial reference: a+b
 * rounds once and halving is exact unless the sum is subnormal (equal values give
 * themselves back); a/2+b/2 only steps in when a+b overflows. */
double ss_median_mean(double a, double b)
{
  double s = a + b;
  return isfinite(s) ? s * 0.5 : a * 0.5 + b * 0.5;
}

/* Writes the selected values: with given ranks, out[q*d+j]; for a median (no ranks),
 * out[j], the mean of the two order statistics when they differ. */
static void write_result(const selection *s, int medians, double *out)
{
  int d = s->d;
  if (!medians) {
    for (size_t i = 0; i < (size_t)s->nq * d; i++) out[i] = value_of(s->prefix[i]);
    return;
  }
  for (int j = 0; j < d; j++)
    out[j] = s->nq == 1 ? value_of(s->prefix[j])
                        : ss_median_mean(value_of(s->prefix[j]), value_of(s->prefix[d + j]));
}

/* The ranks are either given (r) or, when r is NULL, the median ranks of `kind` for the
 * global count k, which is only known after the first reduction. */
static int select_stats(ss_comm *c, const ss_value_source *src, const double *direct, int nq,
                        const int64_t *r, ss_median_kind kind, double *out, ss_err *e)
{
  selection s;
  ss_err local;
  ss_err_clear(&local);
  int medians = r == NULL;
  selection_alloc(&s, src, direct, medians ? 2 : nq, &local);
  if (e->code) ss_fail(&local, e->code, "%s", e->msg); /* the caller's pending error */
  /* Agree before the first reduction: a rank that cannot take part must not leave the
   * others waiting in it. */
  if (ss_comm_agree(c, &local)) {
    selection_free(&s);
    return ss_fail(e, local.code, "%s", local.msg);
  }
  scan_round0(&s);
  ss_comm_sum_i64(c, s.round0, 1 + s.d + s.d * RADIX);
  int64_t k = s.round0[0], median_r[2];
  if (medians) {
    ss_median_ranks(k, kind, &median_r[0], &median_r[1]);
    r = median_r;
    nq = median_r[0] == median_r[1] ? 1 : 2; /* odd k or lower/upper: one statistic */
  }
  s.nq = nq;
  if (check_counts(&s, k, nq, r, &local)) {
    selection_free(&s);
    return ss_fail(e, local.code, "%s", local.msg);
  }
  for (int q = 0; q < nq; q++)
    for (int j = 0; j < s.d; j++) s.left[(size_t)q * s.d + j] = r[q];
  /* the verdicts come from reduced counts: every rank stops at the same round */
  int single = pick_digits(&s, s.round0 + 1 + s.d, 0, 0), round = 0;
  while (++round < ROUNDS && !single) {
    scan_round(&s, round);
    ss_comm_sum_i64(c, s.hist, nq * s.d * RADIX);
    single = pick_digits(&s, s.hist, 1, round);
  }
  if (round < ROUNDS) fetch_unique(c, &s, round - 1);
  ss_median_last_passes = s.passes;
  write_result(&s, medians, out);
  selection_free(&s);
  return SS_OK;
}

int ss_median_last_passes;

int ss_par_order_stats(ss_comm *c, const ss_value_source *src, int nq, const int64_t *r, double *out,
                       ss_err *e)
{
  if (nq <= 0) return SS_OK; /* nq is the same on every rank: no rank communicates */
  return select_stats(c, src, NULL, nq, r, SS_MEDIAN_LOWER, out, e);
}

int ss_par_median_src(ss_comm *c, const ss_value_source *src, ss_median_kind kind, double *out, ss_err *e)
{
  return select_stats(c, src, NULL, 0, NULL, kind, out, e);
}

int ss_par_median(ss_comm *c, const double *local, int64_t n_local, int d, ss_median_kind kind,
                  double *out, ss_err *e)
{
  ss_value_source src = {n_local, d, NULL, NULL};
  return select_stats(c, &src, local, 0, NULL, kind, out, e);
}

void ss_median_ranks(int64_t k, ss_median_kind kind, int64_t *r1, int64_t *r2)
{
  if (k < 1) {
    *r1 = *r2 = 0; /* no median: callers report it */
  } else if (k % 2 == 1) {
    *r1 = *r2 = (k + 1) / 2;
  } else if (kind == SS_MEDIAN_LOWER) {
    *r1 = *r2 = k / 2;
  } else if (kind == SS_MEDIAN_UPPER) {
    *r1 = *r2 = k / 2 + 1;
  } else {
    *r1 = k / 2;
    *r2 = k / 2 + 1;
  }
}

static int compare_doubles(const void *pa, const void *pb)
{
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

double ss_median_serial(double *x, int64_t n, ss_median_kind kind)
{
  int64_t r1, r2;
  if (n < 1) return NAN;
  qsort(x, (size_t)n, sizeof *x, compare_doubles);
  ss_median_ranks(n, kind, &r1, &r2);
  /* The zeros compare equal, so either may sit at the rank; report +0.0 like the keys do. */
  double a = x[r1 - 1] == 0.0 ? 0.0 : x[r1 - 1], b = x[r2 - 1] == 0.0 ? 0.0 : x[r2 - 1];
  return r1 == r2 ? a : ss_median_mean(a, b);
}
