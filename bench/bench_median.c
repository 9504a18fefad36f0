/* Benchmark of the distributed median: k values x d coordinates spread over the ranks.
 * By default each rank regenerates its rows from the keyed RNG whenever the selection
 * scans them, so it never holds its block; -stored keeps the block in an array instead,
 * to show what the array path costs in memory. Reports wall time and peak RSS per rank
 * next to the k*d*8 bytes of the whole data set. Usage: bench_median [-k N] [-d N] [-stored] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_clock.h"
#include "stratsim/median.h"
#include "stratsim/par.h"
#include "stratsim/rng.h"

#define SEED 20240601ull

typedef struct {
  int64_t k, first_row;
  int d, stored;
} bench_opts;

/* One rank's figures, gathered to rank 0. */
typedef struct {
  int64_t rows;
  double fill_s, median_s;
  long rss_init_kb, rss_peak_kb;
} rank_report;

static void generate_rows(void *ctx, int64_t start, int64_t count, double *buf)
{
  const bench_opts *o = ctx;
  for (int64_t i = 0; i < count; i++)
    ss_rng_normal_fill(SEED, SS_P_TEST, (uint32_t)(o->first_row + start + i), 0, (uint64_t)o->d, buf + i * o->d);
}


static int parse_args(int argc, char **argv, bench_opts *o)
{
  o->k = 1000000;
  o->d = 32;
  o->stored = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-k") && i + 1 < argc)
      o->k = atoll(argv[++i]);
    else if (!strcmp(argv[i], "-d") && i + 1 < argc)
      o->d = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-stored"))
      o->stored = 1;
    /* anything else is left to PETSc's options database */
  }
  return o->k >= 1 && o->d >= 1;
}

/* Runs the median on this rank's block; fills the timing part of *rep. */
static int run(ss_comm *world, bench_opts *o, int64_t rows, double *medians, rank_report *rep, ss_err *e)
{
  ss_value_source src = {rows, o->d, generate_rows, o};
  double *block = NULL;
  double t0 = ss_wtime();
  if (o->stored) {
    block = ss_malloc((size_t)(rows * o->d) * sizeof *block, e);
    if (block) generate_rows(o, 0, rows, block);
  }
  if (ss_comm_agree(world, e)) return e->code;
  rep->fill_s = ss_wtime() - t0;
  ss_comm_barrier(world);
  t0 = ss_wtime();
  int rc = o->stored ? ss_par_median(world, block, rows, o->d, SS_MEDIAN_MEAN, medians, e)
                     : ss_par_median_src(world, &src, SS_MEDIAN_MEAN, medians, e);
  rep->median_s = ss_wtime() - t0;
  free(block);
  return rc;
}

static void print_reports(const bench_opts *o, int size, const rank_report *reps, const double *medians)
{
  double data_mib = (double)o->k * o->d * 8 / 1048576.0;
  printf("bench_median: k=%lld d=%d ranks=%d path=%s\n", (long long)o->k, o->d, size,
         o->stored ? "stored-array" : "regenerating-source");
  printf("  data k*d*8 = %.0f bytes = %.1f MiB (%.1f MiB per rank)\n", (double)o->k * o->d * 8, data_mib,
         data_mib / size);
  for (int r = 0; r < size; r++) {
    printf("  rank %d: rows %lld  median %.3f s", r, (long long)reps[r].rows, reps[r].median_s);
    if (o->stored) printf("  (filling the array %.3f s)", reps[r].fill_s);
    printf("  peak RSS %.1f MiB (%.1f MiB after init, +%.1f MiB)\n", reps[r].rss_peak_kb / 1024.0,
           reps[r].rss_init_kb / 1024.0, (reps[r].rss_peak_kb - reps[r].rss_init_kb) / 1024.0);
  }
  printf("  passes over the values: %d (of at most 8)\n", ss_median_last_passes);
  printf("  medians[0..2] = %.17g %.17g %.17g\n", medians[0], o->d > 1 ? medians[1] : 0.0,
         o->d > 2 ? medians[2] : 0.0);
}

int main(int argc, char **argv)
{
  ss_comm *world;
  if (ss_par_init(&argc, &argv, &world)) return 1;
  int rank = ss_comm_rank(world), size = ss_comm_size(world);
  bench_opts o;
  ss_err e;
  ss_err_clear(&e);
  if (!parse_args(argc, argv, &o)) ss_fail(&e, SS_EINPUT, "usage: bench_median [-k N>=1] [-d N>=1] [-stored]");
  rank_report rep = {0, 0, 0, peak_rss_kb(), 0};
  o.first_row = o.k * rank / size;
  rep.rows = o.k * (rank + 1) / size - o.first_row;
  double *medians = ss_malloc((size_t)(o.d > 0 ? o.d : 1) * sizeof *medians, &e);
  int rc = ss_comm_agree(world, &e);
  if (!rc) rc = run(world, &o, rep.rows, medians, &rep, &e);
  rep.rss_peak_kb = peak_rss_kb();
  char *all = NULL;
  size_t len = 0;
  if (!rc) rc = ss_comm_gather_bytes(world, &rep, sizeof rep, 0, &all, &len);
  if (rank == 0) {
    if (rc)
      fprintf(stderr, "bench_median: %s\n", e.msg[0] ? e.msg : "failed");
    else
      print_reports(&o, size, (const rank_report *)all, medians);
  }
  free(all);
  free(medians);
  ss_par_finalize(world);
  return rc;
}
