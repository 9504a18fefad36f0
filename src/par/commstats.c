/* Communication accounting (include/stratsim/commstats.h). Counting must never fail or
 * allocate during a run (fault injection counts allocations, and a counter must not change
 * what it counts), so the tables are fixed-size and static: phases past the table's end
 * count under its last slot. The reduction uses MPI directly so that it does not count
 * itself. */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/commstats.h"
#include "stratsim/par.h"

#define MAX_PHASES 48
#define MAX_DEPTH 16
#define NAME_LEN 64

static const struct {
  const char *name, *kind;
} verbs[SS_NVERBS] = {
    [SS_VERB_BARRIER] = {"barrier", "barrier"},       [SS_VERB_BCAST] = {"bcast", "bcast"},
    [SS_VERB_SUM_I64] = {"sum_i64", "allreduce"},     [SS_VERB_MAX_I64] = {"max_i64", "allreduce"},
    [SS_VERB_MIN_I64] = {"min_i64", "allreduce"},     [SS_VERB_MAX_DOUBLE] = {"max_double", "allreduce"},
    [SS_VERB_MIN_DOUBLE] = {"min_double", "allreduce"}, [SS_VERB_SUM_XSUM] = {"sum_xsum", "allreduce"},
    [SS_VERB_ARGMAX] = {"argmax", "allreduce"},       [SS_VERB_GATHER] = {"gather_bytes", "gather"},
    [SS_VERB_SEND] = {"send_bytes", "p2p"},           [SS_VERB_RECV] = {"recv_bytes", "p2p"},
    [SS_VERB_AGREE] = {"agree", "allreduce"},         [SS_VERB_SPLIT] = {"split", "comm_create"},
    [SS_VERB_ARGMAX_MAX] = {"argmax_max", "allreduce"}, [SS_VERB_ALLGATHER] = {"allgather", "allgather"},
    [SS_VERB_SUM_DISJOINT] = {"sum_disjoint", "allreduce"}, [SS_VERB_VEC_SCATTER] = {"vec_scatter", "neighbor"},
};

const char *ss_verb_name(ss_verb v) { return v < SS_NVERBS ? verbs[v].name : "?"; }
const char *ss_verb_kind(ss_verb v) { return v < SS_NVERBS ? verbs[v].kind : "?"; }

typedef struct {
  int64_t calls, bytes;
  double seconds;
} counts;

/* This rank's counts: phase 0 is "other". */
static char phase_name[MAX_PHASES][NAME_LEN] = {"other"};
static int nphases = 1;
static counts local[MAX_PHASES][SS_NVERBS];
static int stack[MAX_DEPTH], depth;

static int phase_slot(const char *name)
{
  for (int i = 0; i < nphases; i++)
    if (!strncmp(phase_name[i], name, NAME_LEN - 1)) return i;
  if (nphases == MAX_PHASES) return MAX_PHASES - 1;
  strncpy(phase_name[nphases], name, NAME_LEN - 1);
  return nphases++;
}

void ss_commstats_enter(const char *phase)
{
  int slot = phase_slot(phase ? phase : "other");
  if (depth < MAX_DEPTH) stack[depth] = slot;
  depth++;
}

void ss_commstats_leave(void)
{
  if (depth > 0) depth--;
}

void ss_commstats_add(ss_verb v, uint64_t bytes, double seconds)
{
  if (v >= SS_NVERBS) return;
  int slot = depth == 0 ? 0 : stack[(depth < MAX_DEPTH ? depth : MAX_DEPTH) - 1];
  counts *c = &local[slot][v];
  c->calls++;
  c->bytes += (int64_t)bytes;
  c->seconds += seconds;
}

void ss_commstats_reset(void)
{
  memset(local, 0, sizeof local);
}

/* The reduced counts, on world rank 0. */
typedef struct {
  int64_t calls_max, calls_total, bytes_max, bytes_total;
  double seconds_max, seconds_sum;
} reduced;
static char red_name[MAX_PHASES][NAME_LEN];
static reduced red[MAX_PHASES][SS_NVERBS];
static int red_nphases, red_ranks;

typedef struct {
  char phase[NAME_LEN];
  int32_t verb, pad;
  counts c;
} record;

static int red_slot(const char *name)
{
  for (int i = 0; i < red_nphases; i++)
    if (!strcmp(red_name[i], name)) return i;
  if (red_nphases == MAX_PHASES) return MAX_PHASES - 1;
  snprintf(red_name[red_nphases], NAME_LEN, "%s", name);
  return red_nphases++;
}

static void merge(const record *r)
{
  reduced *x = &red[red_slot(r->phase)][r->verb];
  if (r->c.calls > x->calls_max) x->calls_max = r->c.calls;
  if (r->c.bytes > x->bytes_max) x->bytes_max = r->c.bytes;
  if (r->c.seconds > x->seconds_max) x->seconds_max = r->c.seconds;
  x->calls_total += r->c.calls;
  x->bytes_total += r->c.bytes;
  x->seconds_sum += r->c.seconds;
}

void ss_commstats_reduce(ss_comm *world)
{
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(world);
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  static record mine[MAX_PHASES * SS_NVERBS];
  int n = 0;
  for (int p = 0; p < nphases; p++)
    for (int v = 0; v < SS_NVERBS; v++)
      if (local[p][v].calls) {
        memset(&mine[n], 0, sizeof mine[n]);
        memcpy(mine[n].phase, phase_name[p], NAME_LEN); /* NUL-terminated: NAME_LEN - 1 copied at most */
        mine[n].verb = v;
        mine[n].c = local[p][v];
        n++;
      }
  int bytes = n * (int)sizeof(record), *lens = NULL, *displs = NULL, total = 0;
  record *all = NULL;
  if (rank == 0) {
    lens = ss_calloc((size_t)size, sizeof *lens, NULL);
    displs = ss_calloc((size_t)size, sizeof *displs, NULL);
  }
  /* without memory on rank 0 the report is empty, the run is unaffected (docs/errors.md) */
  int ok = rank != 0 || (lens && displs);
  MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
  if (ok) MPI_Gather(&bytes, 1, MPI_INT, lens, 1, MPI_INT, 0, comm);
  if (ok && rank == 0) {
    for (int r = 0; r < size; r++) {
      displs[r] = total;
      total += lens[r];
    }
    all = ss_malloc(total ? (size_t)total : 1, NULL);
  }
  if (ok) {
    ok = rank != 0 || all != NULL;
    MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
  }
  if (ok) MPI_Gatherv(mine, bytes, MPI_BYTE, all, lens, displs, MPI_BYTE, 0, comm);
  if (rank == 0) {
    memset(red, 0, sizeof red);
    red_nphases = 0;
    red_ranks = size;
    for (int i = 0; ok && i < total / (int)sizeof(record); i++) merge(&all[i]);
  }
  free(all);
  free(lens);
  free(displs);
}

void ss_commstats_json(FILE *f, int indent)
{
  fputc('{', f);
  int first = 1;
  for (int p = 0; p < red_nphases; p++) {
    fprintf(f, "%s\n%*s\"%s\": {", first ? "" : ",", indent + 2, "", red_name[p]);
    first = 0;
    int vfirst = 1;
    for (int v = 0; v < SS_NVERBS; v++) {
      const reduced *x = &red[p][v];
      if (!x->calls_total) continue;
      fprintf(f, "%s\n%*s\"%s\": {\"kind\": \"%s\", \"calls_max\": %lld, \"calls_total\": %lld, "
                 "\"bytes_max\": %lld, \"bytes_total\": %lld, \"seconds_max\": %.6f, \"seconds_mean\": %.6f}",
              vfirst ? "" : ",", indent + 4, "", verbs[v].name, verbs[v].kind, (long long)x->calls_max,
              (long long)x->calls_total, (long long)x->bytes_max, (long long)x->bytes_total, x->seconds_max,
              x->seconds_sum / (red_ranks ? red_ranks : 1));
      vfirst = 0;
    }
    fprintf(f, "\n%*s}", indent + 2, "");
  }
  if (!first) fprintf(f, "\n%*s", indent, "");
  fputc('}', f);
}

void ss_commstats_table(FILE *f)
{
  fprintf(f, "\nstratsim communication per phase and verb (%d ranks; calls and bytes: max per rank, "
             "seconds: max / mean over ranks)\n", red_ranks);
  fprintf(f, "%-24s %-15s %-11s %12s %14s %11s %11s\n", "phase", "verb", "kind", "calls", "bytes",
          "max s", "mean s");
  for (int p = 0; p < red_nphases; p++)
    for (int v = 0; v < SS_NVERBS; v++) {
      const reduced *x = &red[p][v];
      if (!x->calls_total) continue;
      fprintf(f, "%-24s %-15s %-11s %12lld %14lld %11.4g %11.4g\n", red_name[p], verbs[v].name, verbs[v].kind,
              (long long)x->calls_max, (long long)x->bytes_max, x->seconds_max,
              x->seconds_sum / (red_ranks ? red_ranks : 1));
    }
}
