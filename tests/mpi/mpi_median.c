/* Multi-rank check of the distributed median and of the exact collectives. Every value is a
 * keyed draw of (trial, entity, coordinate), so every rank can rebuild the full data set
 * and its sorted reference, whatever the rank count or block layout. Run under
 * `scripts/mpirun.sh -n P bin/mpi_median`; exits 0 only if every check passed on every rank. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/par.h"
#include "stratsim/rng.h"
#include "stratsim/xsum.h"

#define MAX_D 8
#define SEED 0x5eed5eedull
#define LAYOUT_ENTITY 0xFFFFFFF0u /* draws that shape a trial, apart from the data entities */

static ss_comm *world;
static int rank, size;
static int64_t checks, failures;
static ss_err first_failure; /* this rank's first failure, agreed on at the end */

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
  checks++;
  if (ok) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (failures++ < 20 && rank == 0) fprintf(stderr, "mpi_median: FAIL: %s\n", msg);
  ss_fail(&first_failure, SS_ERUNTIME, "rank %d: %s", rank, msg);
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int64_t bits_of(double x)
{
  int64_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}

/* ---- data: value(trial, entity, coordinate) ---------------------------------------- */

enum { DIST_NORMAL, DIST_TIES, DIST_POOL, DIST_CONSTANT, DIST_WIDE, DIST_INTEGER, NDIST };

typedef struct {
  uint64_t seed;
  int64_t k;
  int d;
  int dist[MAX_D];
} trial;

static double trial_value(const trial *t, int64_t g, int j)
{
  static const double pool[] = {-1.5, -0.0, 0.0, 2.25, 1e300, -1e-300, INFINITY, -INFINITY};
  uint32_t e = (uint32_t)g;
  uint64_t i = 4 * (uint64_t)j;
  switch (t->dist[j]) {
  case DIST_NORMAL: return ss_rng_normal(t->seed, SS_P_TEST, e, i);
  case DIST_TIES: return (double)ss_rng_below(t->seed, SS_P_TEST, e, i, 4);
  case DIST_POOL: return pool[ss_rng_below(t->seed, SS_P_TEST, e, i, 8)];
  case DIST_CONSTANT: return -3.75;
  case DIST_WIDE: {
    double m = ss_rng_u01(t->seed, SS_P_TEST, e, i);
    int x = (int)ss_rng_below(t->seed, SS_P_TEST, e, i + 2, 2000) - 1000;
    return (ss_rng_below(t->seed, SS_P_TEST, e, i + 3, 2) ? -1.0 : 1.0) * ldexp(m, x);
  }
  default: return (double)ss_rng_below(t->seed, SS_P_TEST, e, i, 1000000) - 500000.0;
  }
}

/* Uneven blocks: P-1 keyed cut points, so ranks often own nothing. Some trials put every
 * row on one rank. */
static int cmp_i64(const void *pa, const void *pb)
{
  int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  return (a > b) - (a < b);
}

static void block_of(const trial *t, int64_t *lo, int64_t *hi)
{
  int64_t *cut = malloc((size_t)(size + 1) * sizeof *cut);
  cut[0] = 0;
  cut[size] = t->k;
  uint64_t layout = ss_rng_below(t->seed, SS_P_TEST, LAYOUT_ENTITY, 0, 4);
  for (int r = 1; r < size; r++) {
    if (layout == 0)
      cut[r] = 0; /* everything on the last rank */
    else if (layout == 1)
      cut[r] = t->k; /* everything on rank 0 */
    else
      cut[r] = (int64_t)ss_rng_below(t->seed, SS_P_TEST, LAYOUT_ENTITY, (uint64_t)r, (uint64_t)t->k + 1);
  }
  qsort(cut + 1, (size_t)(size > 1 ? size - 1 : 0), sizeof *cut, cmp_i64);
  *lo = cut[rank];
  *hi = cut[rank + 1];
  free(cut);
}

typedef struct {
  const trial *t;
  int64_t lo;
} generator;

/* The streaming source: regenerates rows instead of storing them. */
static void generate_rows(void *ctx, int64_t start, int64_t count, double *buf)
{
  const generator *g = ctx;
  for (int64_t i = 0; i < count; i++)
    for (int j = 0; j < g->t->d; j++) buf[i * g->t->d + j] = trial_value(g->t, g->lo + start + i, j);
}

static double *rows_of(const trial *t, int64_t lo, int64_t hi)
{
  double *x = malloc((size_t)((hi - lo) * t->d + 1) * sizeof *x);
  generator g = {t, lo};
  generate_rows(&g, 0, hi - lo, x);
  return x;
}

/* ---- reference ----------------------------------------------------------------------- */

static int cmp_double(const void *pa, const void *pb)
{
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

/* Sorted column j of the full data set. */
static double *sorted_column(const trial *t, int j)
{
  double *col = malloc((size_t)t->k * sizeof *col);
  for (int64_t g = 0; g < t->k; g++) col[g] = trial_value(t, g, j);
  qsort(col, (size_t)t->k, sizeof *col, cmp_double);
  return col;
}

/* All ranks hold the same bits: max and min of each bit pattern agree. */
static void check_all_ranks_agree(const double *v, int n, const char *what, uint64_t seed)
{
  int64_t hi[MAX_D * 4], lo[MAX_D * 4];
  for (int i = 0; i < n; i++) hi[i] = lo[i] = bits_of(v[i]);
  ss_comm_max_i64(world, hi, n);
  ss_comm_min_i64(world, lo, n);
  for (int i = 0; i < n; i++) check(hi[i] == lo[i], "%s: ranks disagree (seed %llu, slot %d)", what,
                                    (unsigned long long)seed, i);
}

/* ---- median trials --------------------------------------------------------------------- */

static const ss_median_kind kinds[3] = {SS_MEDIAN_LOWER, SS_MEDIAN_UPPER, SS_MEDIAN_MEAN};
static const char *kind_names[3] = {"lower", "upper", "mean"};

static void run_trial(const trial *t)
{
  int64_t lo, hi;
  block_of(t, &lo, &hi);
  double *local = rows_of(t, lo, hi), got[MAX_D], got_src[MAX_D], want[MAX_D];
  double *col[MAX_D];
  for (int j = 0; j < t->d; j++) col[j] = sorted_column(t, j);
  generator gen = {t, lo};
  ss_value_source src = {hi - lo, t->d, generate_rows, &gen};
  for (int s = 0; s < 3; s++) {
    ss_err e;
    ss_err_clear(&e);
    int rc = ss_par_median(world, local, hi - lo, t->d, kinds[s], got, &e);
    int rc_src = ss_par_median_src(world, &src, kinds[s], got_src, &e);
    check(rc == SS_OK && rc_src == SS_OK, "median %s k=%lld d=%d: error %s", kind_names[s], (long long)t->k,
          t->d, e.msg);
    for (int j = 0; j < t->d; j++) {
      want[j] = ss_median_serial(col[j], t->k, kinds[s]);
      check(same_bits(got[j], want[j]) && same_bits(got_src[j], want[j]),
            "median %s seed %llu k=%lld coordinate %d: got %.17g / %.17g, want %.17g", kind_names[s],
            (unsigned long long)t->seed, (long long)t->k, j, got[j], got_src[j], want[j]);
    }
    check_all_ranks_agree(got, t->d, "median", t->seed);
  }
  /* Four keyed order statistics at once, against the sorted columns. */
  int64_t r[4];
  double stats[4 * MAX_D];
  for (int q = 0; q < 4; q++) r[q] = 1 + (int64_t)ss_rng_below(t->seed, SS_P_TEST, LAYOUT_ENTITY + 1, (uint64_t)q, (uint64_t)t->k);
  r[0] = t->k; /* the maximum is always among them */
  ss_err e;
  ss_err_clear(&e);
  check(ss_par_order_stats(world, &src, 4, r, stats, &e) == SS_OK, "order stats: %s", e.msg);
  for (int q = 0; q < 4; q++)
    for (int j = 0; j < t->d; j++) {
      double v = col[j][r[q] - 1];
      v = v == 0.0 ? 0.0 : v; /* both zeros are reported as +0.0 */
      check(same_bits(stats[q * t->d + j], v), "order stat %lld of %lld, coordinate %d: got %.17g want %.17g",
            (long long)r[q], (long long)t->k, j, stats[q * t->d + j], v);
    }
  check_all_ranks_agree(stats, 4 * t->d, "order stats", t->seed);
  for (int j = 0; j < t->d; j++) free(col[j]);
  free(local);
}

static void median_trials(void)
{
  const int64_t fixed_k[] = {1, 2, 3, 4, 5, 8};
  for (uint64_t n = 0; n < 240; n++) {
    trial t = {SEED + n, 0, 0, {0}};
    if (n < 6 * 6) { /* every small k with every distribution */
      t.k = fixed_k[n % 6];
      t.d = 1 + (int)(n / 6) % 3;
    } else {
      t.k = 1 + (int64_t)ss_rng_below(t.seed, SS_P_TEST, LAYOUT_ENTITY + 2, 0, 400);
      t.d = 1 + (int)ss_rng_below(t.seed, SS_P_TEST, LAYOUT_ENTITY + 2, 1, MAX_D);
    }
    for (int j = 0; j < MAX_D; j++) t.dist[j] = (int)((n / 6 + (uint64_t)j) % NDIST);
    run_trial(&t);
  }
  /* Larger than one streaming block (4096 rows) on some rank. */
  trial big = {SEED + 1000, 20001, 3, {DIST_NORMAL, DIST_TIES, DIST_WIDE}};
  run_trial(&big);
  big.k = 20000;
  big.seed++;
  run_trial(&big);
}

/* FNV-1a of a message, to compare messages across ranks with one max and one min. */
static int64_t message_hash(const char *msg)
{
  uint64_t h = 1469598103934665603ull;
  for (const char *p = msg; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
  return (int64_t)(h >> 1);
}

/* A NaN on one rank only: every rank must fail with the same code and message. Likewise
 * for a rank beyond k; and data held by rank 0 alone still works. */
static void agreed_errors(void)
{
  double x[3] = {1.0, 2.0, rank == size - 1 ? NAN : 3.0}, out[1];
  ss_err e;
  ss_err_clear(&e);
  int rc = ss_par_median(world, x, 3, 1, SS_MEDIAN_MEAN, out, &e);
  check(rc == SS_EINPUT && e.code == SS_EINPUT, "NaN on rank %d: rc %d", size - 1, rc);
  check(strstr(e.msg, "median: value is NaN") != NULL, "NaN message: '%s'", e.msg);
  int64_t hmax = message_hash(e.msg), hmin = hmax;
  ss_comm_max_i64(world, &hmax, 1);
  ss_comm_min_i64(world, &hmin, 1);
  check(hmax == hmin, "NaN message differs across ranks");

  trial t = {SEED, 3 * (int64_t)size, 1, {DIST_NORMAL}};
  generator g = {&t, 3 * (int64_t)rank};
  ss_value_source src = {3, 1, generate_rows, &g};
  const int64_t too_far = 3 * (int64_t)size + 1;
  ss_err_clear(&e);
  check(ss_par_order_stats(world, &src, 1, &too_far, out, &e) == SS_EINPUT, "rank %lld of %lld accepted",
        (long long)too_far, (long long)t.k);

  x[2] = 3.0;
  ss_err_clear(&e);
  check(ss_par_median(world, x, rank == 0 ? 3 : 0, 1, SS_MEDIAN_LOWER, out, &e) == SS_OK && out[0] == 2.0,
        "median of 1,2,3 held by rank 0 only: %g (%s)", out[0], e.msg);
}

/* ---- exact sums, argmax, agreement, byte transfers -------------------------------------- */

static void exact_sums(void)
{
  trial t = {SEED + 77, 30000, 1, {DIST_WIDE}};
  for (int layout = 0; layout < 5; layout++, t.seed++) {
    int64_t lo, hi;
    block_of(&t, &lo, &hi);
    ss_xsum acc;
    ss_xsum_init(&acc);
    for (int64_t g = lo; g < hi; g++) ss_xsum_add(&acc, trial_value(&t, g, 0));
    ss_comm_sum_xsum(world, &acc, 1);
    double *all = rows_of(&t, 0, t.k);
    double want = ss_sum_exact(all, (long)t.k);
    check(same_bits(ss_xsum_value(&acc), want), "block sums: %.17g want %.17g", ss_xsum_value(&acc), want);
    free(all);
  }
  /* ss_comm_sum_exact: one value per rank and slot; slots with cancellation and specials. */
  enum { SLOTS = 5 };
  double v[SLOTS], want[SLOTS], *column = malloc((size_t)size * sizeof *column);
  for (int s = 0; s < SLOTS; s++) {
    for (int r = 0; r < size; r++) {
      double x = trial_value(&t, r, 0);
      if (s == 1) x = r == 0 ? 1e100 : r == size - 1 ? -1e100 : 1.0 / (r + 1);
      if (s == 2 && r == size - 1) x = INFINITY;
      if (s == 3 && r == 0) x = INFINITY;
      if (s == 3 && r == size - 1) x = size > 1 ? -INFINITY : NAN;
      if (s == 4) x = r == 0 ? 0x1p-1074 : r == 1 ? 1.0 : -1.0;
      column[r] = x;
      if (r == rank) v[s] = x;
    }
    want[s] = ss_sum_exact(column, size);
  }
  ss_comm_sum_exact(world, v, SLOTS);
  for (int s = 0; s < SLOTS; s++)
    check(same_bits(v[s], want[s]) || (isnan(v[s]) && isnan(want[s])), "sum_exact slot %d: %.17g want %.17g", s,
          v[s], want[s]);
  free(column);
}

static void argmax_ties(void)
{
  trial t = {SEED + 99, 0, 1, {DIST_TIES}};
  for (int n = 0; n < 30; n++, t.seed++) {
    t.k = 1 + (int64_t)ss_rng_below(t.seed, SS_P_TEST, LAYOUT_ENTITY + 3, 0, 50);
    int64_t lo, hi, want = 0, local_idx = -1;
    block_of(&t, &lo, &hi);
    double local_best = -INFINITY, best;
    for (int64_t g = 0; g < t.k; g++)
      if (trial_value(&t, g, 0) > trial_value(&t, want, 0)) want = g;
    for (int64_t g = lo; g < hi; g++)
      if (local_idx < 0 || trial_value(&t, g, 0) > local_best) {
        local_idx = g;
        local_best = trial_value(&t, g, 0);
      }
    int64_t got = ss_comm_argmax(world, local_best, local_idx, &best);
    check(got == want && best == trial_value(&t, want, 0), "argmax: got %lld want %lld", (long long)got,
          (long long)want);
  }
  double best;
  check(ss_comm_argmax(world, 1.0, -1, &best) == -1, "argmax with no candidates");
  check(ss_comm_argmax(world, -INFINITY, 10 + rank, &best) == 10, "argmax of -inf everywhere");
  check(ss_comm_argmax(world, rank == 0 ? NAN : 1.0, rank, &best) == (size > 1 ? 1 : -1), "NaN never wins");
}

/* Odd ranks fail with runtime errors, even ranks >= 2 with input errors: the highest code
 * wins, and among its holders the lowest rank's message. */
static void agreement(void)
{
  ss_err e;
  ss_err_clear(&e);
  check(ss_comm_agree(world, &e) == SS_OK && e.code == SS_OK, "agree without errors");
  if (rank % 2 == 1) ss_fail(&e, SS_ERUNTIME, "runtime on %d", rank);
  if (rank >= 2 && rank % 2 == 0) ss_fail(&e, SS_EINPUT, "input on %d", rank);
  int want_code = size >= 3 ? SS_EINPUT : size == 2 ? SS_ERUNTIME : SS_OK;
  const char *want = size >= 3 ? "input on 2" : size == 2 ? "runtime on 1" : "";
  int rc = ss_comm_agree(world, &e);
  check(rc == want_code && e.code == want_code && !strcmp(e.msg, want), "agree: %d '%s', want %d '%s'", rc,
        e.msg, want_code, want);
}

static void byte_transfers(void)
{
  char mine[64], *all = NULL, *copy = NULL;
  size_t len = 0;
  snprintf(mine, sizeof mine, "<%d>", rank);
  check(ss_comm_gather_bytes(world, mine, strlen(mine), 0, &all, &len) == SS_OK, "gather_bytes");
  if (rank == 0) {
    char want[4096] = "";
    for (int r = 0; r < size; r++) snprintf(want + strlen(want), sizeof want - strlen(want), "<%d>", r);
    check(all && len == strlen(want) && !memcmp(all, want, len), "gathered '%s'", all ? all : "(null)");
  }
  free(all);
  const char *text = "broadcast text";
  copy = rank == 0 ? (char *)text : NULL;
  len = rank == 0 ? strlen(text) : 0;
  check(ss_comm_bcast_buffer(world, &copy, &len, 0) == SS_OK, "bcast_buffer");
  check(len == strlen(text) && !strcmp(copy, text), "bcast_buffer content");
  if (rank != 0) free(copy);
  if (rank != 0) {
    ss_comm_send_bytes(world, mine, strlen(mine), 0, 7);
  } else {
    for (int r = 1; r < size; r++) {
      char *got = NULL, want[64];
      snprintf(want, sizeof want, "<%d>", r);
      ss_comm_recv_bytes(world, r, 7, &got, &len);
      check(len == strlen(want) && !strcmp(got, want), "recv from %d: '%s'", r, got);
      free(got);
    }
  }
}

int main(int argc, char **argv)
{
  if (ss_par_init(&argc, &argv, &world)) return 1;
  rank = ss_comm_rank(world);
  size = ss_comm_size(world);
  ss_err_clear(&first_failure);
  median_trials();
  agreed_errors();
  exact_sums();
  argmax_ties();
  agreement();
  byte_transfers();
  int64_t totals[2] = {checks, failures};
  ss_comm_sum_i64(world, totals, 2);
  ss_comm_agree(world, &first_failure);
  if (rank == 0) {
    if (totals[1] == 0)
      printf("mpi_median P=%d: ok (%lld checks)\n", size, (long long)totals[0]);
    else
      printf("mpi_median P=%d: FAILED %lld of %lld checks; first: %s\n", size, (long long)totals[1],
             (long long)totals[0], first_failure.msg);
  }
  ss_par_finalize(world);
  return totals[1] == 0 ? 0 : 1;
}
