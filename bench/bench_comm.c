/* Calibration of the communication cost model (docs/scaling.md): the time per call of the
 * parallel layer's allreduce (ss_comm_sum_i64) and broadcast (ss_comm_bcast) for messages
 * of 8 bytes to 2 MiB, on the ranks and nodes it is started on. Prints a CSV
 *   ranks,nodes,verb,kind,bytes,seconds
 * (seconds: the median over 7 timed batches of the per-call time, max over ranks), from
 * which analysis/cost_model.py fits alpha (latency) and beta (seconds per byte).
 * Usage: bench_comm (under mpirun or srun; the node count is read from SLURM_NNODES). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/par.h"

#define BATCHES 7
#define MAX_BYTES (1 << 21)

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Per-call seconds of verb (0 allreduce, 1 bcast) on bytes, median of the batches. */
static double time_verb(ss_comm *w, int verb, int64_t *buf, size_t bytes)
{
  int calls = bytes <= 4096 ? 200 : bytes <= 65536 ? 40 : 8;
  double t[BATCHES];
  for (int b = 0; b < BATCHES; b++) {
    ss_comm_barrier(w);
    double t0 = ss_wtime();
    for (int i = 0; i < calls; i++) {
      if (verb == 0) ss_comm_sum_i64(w, buf, (int)(bytes / sizeof *buf));
      else ss_comm_bcast(w, buf, bytes, 0);
    }
    t[b] = (ss_wtime() - t0) / calls;
    ss_comm_max_double(w, &t[b], 1);
  }
  qsort(t, BATCHES, sizeof t[0], cmp_double);
  return t[BATCHES / 2];
}

int main(int argc, char **argv)
{
  ss_comm *w = NULL;
  if (ss_par_init(&argc, &argv, &w)) return 1;
  int64_t *buf = calloc(MAX_BYTES / sizeof(int64_t), sizeof *buf);
  int rc = buf ? 0 : 1;
  ss_comm_max_i64(w, (int64_t[]){rc}, 1);
  const char *nn = getenv("SLURM_NNODES");
  if (!rc && ss_comm_rank(w) == 0) printf("ranks,nodes,verb,kind,bytes,seconds\n");
  for (size_t bytes = 8; !rc && bytes <= MAX_BYTES; bytes *= 8) {
    for (int verb = 0; verb < 2; verb++) {
      memset(buf, 0, MAX_BYTES);
      double s = time_verb(w, verb, buf, bytes);
      if (ss_comm_rank(w) == 0)
        printf("%d,%s,%s,%s,%zu,%.9f\n", ss_comm_size(w), nn ? nn : "1", verb ? "bcast" : "sum_i64",
               verb ? "bcast" : "allreduce", bytes, s);
    }
  }
  free(buf);
  ss_par_finalize(w);
  return rc;
}
