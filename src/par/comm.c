/* The parallel layer: the one file that calls MPI (after CoMD's parallel.c). Everything
 * above it sees an opaque ss_comm and verbs that read like serial code. Reductions that
 * feed results are exact (integers, max/min, superaccumulators), so they do not depend
 * on the number of ranks or the reduction tree MPI picks. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mpi.h>
#include <petscsys.h>
#include "stratsim/commstats.h"
#include "stratsim/nodes.h"
#include "stratsim/par.h"
#include "comm_handle.h"

/* Runs the MPI calls of one verb on ss_comm c and counts them (commstats.h): bytes is what
 * this rank sends or contributes. A one-rank communicator (a rank group of one) moves
 * nothing between processes, so its calls are not communication and are not counted. */
#define COUNTED(verb, bytes, ...)                                                      \
  do {                                                                                 \
    double counted_t0 = MPI_Wtime();                                                   \
    __VA_ARGS__;                                                                       \
    if (c->size > 1) ss_commstats_add(verb, (uint64_t)(bytes), MPI_Wtime() - counted_t0); \
  } while (0)

/* MPI counts are ints: big transfers go in pieces of this many bytes. */
/* The (void) casts: PETSc's logging wraps several MPI calls in counting expressions, and
 * MPI's default error handler (errors are fatal) already stops on a failed call. */
#define CHUNK_BYTES (1 << 30)

/* MAXLOC over (double, int64 index) with ties to the lowest index: MPI's built-in MAXLOC
 * pairs only carry an int index, so this is a user op, created once per process. */
typedef struct {
  double value;
  int64_t idx; /* < 0: this rank has no candidate */
} argmax_pair;

static MPI_Datatype argmax_type = MPI_DATATYPE_NULL;
static MPI_Op argmax_op = MPI_OP_NULL;

static int argmax_better(const argmax_pair *x, const argmax_pair *y)
{
  if (x->idx < 0) return 0;
  if (y->idx < 0) return 1;
  if (x->value != y->value) return x->value > y->value;
  return x->idx < y->idx;
}

static void argmax_combine(void *in, void *inout, int *len, MPI_Datatype *type)
{
  const argmax_pair *a = in;
  argmax_pair *b = inout;
  for (int i = 0; i < *len; i++)
    if (argmax_better(&a[i], &b[i])) b[i] = a[i];
}

static int wrap_comm(MPI_Comm comm, ss_comm **out)
{
  ss_comm *c = ss_malloc(sizeof *c, NULL);
  if (!c) {
    MPI_Comm_free(&comm);
    return SS_ERUNTIME;
  }
  c->comm = comm;
  MPI_Comm_rank(comm, &c->rank);
  MPI_Comm_size(comm, &c->size);
  *out = c;
  return SS_OK;
}

int ss_par_init(int *argc, char ***argv, ss_comm **world)
{
  *world = NULL;
  PetscErrorCode perr = PetscInitialize(argc, argv, NULL, NULL);
  if (perr) {
    fprintf(stderr, "stratsim: PetscInitialize failed (PETSc error %d)\n", (int)perr);
    return SS_ERUNTIME;
  }
  /* A private duplicate keeps our messages apart from PETSc's and from user libraries. */
  MPI_Comm dup;
  MPI_Comm_dup(MPI_COMM_WORLD, &dup);
  if (wrap_comm(dup, world)) {
    fprintf(stderr, "stratsim: out of memory creating the world communicator\n");
    return SS_ERUNTIME;
  }
  ss_nodes_init(*world);
  MPI_Type_contiguous(2, MPI_INT64_T, &argmax_type); /* sizeof(argmax_pair) == 16 */
  MPI_Type_commit(&argmax_type);
  MPI_Op_create(argmax_combine, 1, &argmax_op);
  return SS_OK;
}

void ss_par_finalize(ss_comm *world)
{
  /* -log_view: the communication counts join PETSc's performance summary */
  PetscBool log_view = PETSC_FALSE;
  (void)PetscOptionsHasName(NULL, NULL, "-log_view", &log_view);
  if (world && log_view) {
    ss_commstats_reduce(world);
    if (world->rank == 0) {
      ss_commstats_table(stdout);
      fflush(stdout);
    }
  }
  ss_nodes_free();
  ss_comm_free(&world);
  if (argmax_op != MPI_OP_NULL) MPI_Op_free(&argmax_op);
  if (argmax_type != MPI_DATATYPE_NULL) MPI_Type_free(&argmax_type);
  PetscFinalize(); /* also finalises MPI, since PETSc started it */
}

int ss_comm_split(ss_comm *c, int color, int key, ss_comm **out)
{
  MPI_Comm part;
  *out = NULL;
  COUNTED(SS_VERB_SPLIT, sizeof(int), MPI_Comm_split(c->comm, color, key, &part));
  if (part == MPI_COMM_NULL) return SS_OK; /* color MPI_UNDEFINED: not in any group */
  return wrap_comm(part, out);
}

void ss_comm_free(ss_comm **c)
{
  if (!c || !*c) return;
  MPI_Comm_free(&(*c)->comm);
  free(*c);
  *c = NULL;
}

void ss_comm_barrier(ss_comm *c) { COUNTED(SS_VERB_BARRIER, 0, MPI_Barrier(c->comm)); }

static void bcast_bytes(MPI_Comm comm, void *buf, size_t bytes, int root)
{
  char *p = buf;
  while (bytes > 0) {
    int n = bytes > CHUNK_BYTES ? CHUNK_BYTES : (int)bytes;
    (void)MPI_Bcast(p, n, MPI_BYTE, root, comm);
    p += n;
    bytes -= (size_t)n;
  }
}

void ss_comm_bcast(ss_comm *c, void *buf, size_t bytes, int root)
{
  COUNTED(SS_VERB_BCAST, bytes, bcast_bytes(c->comm, buf, bytes, root));
}

int ss_comm_bcast_buffer(ss_comm *c, char **buf, size_t *len, int root)
{
  int is_root = c->rank == root;
  uint64_t n = is_root ? (uint64_t)*len : 0;
  COUNTED(SS_VERB_BCAST, sizeof n, (void)MPI_Bcast(&n, 1, MPI_UINT64_T, root, c->comm));
  char *data = is_root ? *buf : ss_malloc(n + 1, NULL); /* +1: copies are NUL-terminated for text */
  /* Every rank must learn of a failed allocation before the payload broadcast, or the
   * others would wait for a rank that has left. */
  int failed = !is_root && !data;
  COUNTED(SS_VERB_AGREE, sizeof failed, MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, c->comm));
  if (failed) {
    if (!is_root) free(data);
    return SS_ERUNTIME;
  }
  COUNTED(SS_VERB_BCAST, n, bcast_bytes(c->comm, data, n, root));
  if (!is_root) {
    data[n] = '\0';
    *buf = data;
    *len = n;
  }
  return SS_OK;
}

void ss_comm_sum_i64(ss_comm *c, int64_t *v, int n)
{
  COUNTED(SS_VERB_SUM_I64, (size_t)n * sizeof *v, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, MPI_SUM, c->comm));
}

void ss_comm_max_i64(ss_comm *c, int64_t *v, int n)
{
  COUNTED(SS_VERB_MAX_I64, (size_t)n * sizeof *v, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, MPI_MAX, c->comm));
}

void ss_comm_min_i64(ss_comm *c, int64_t *v, int n)
{
  COUNTED(SS_VERB_MIN_I64, (size_t)n * sizeof *v, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_INT64_T, MPI_MIN, c->comm));
}

void ss_comm_max_double(ss_comm *c, double *v, int n)
{
  COUNTED(SS_VERB_MAX_DOUBLE, (size_t)n * sizeof *v, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MAX, c->comm));
}

void ss_comm_min_double(ss_comm *c, double *v, int n)
{
  COUNTED(SS_VERB_MIN_DOUBLE, (size_t)n * sizeof *v, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MIN, c->comm));
}

/* Sums whole accumulators (limbs and the pending word) element-wise. With normalised
 * inputs every limb is below 2^32, so the int64 sums cannot overflow for < 2^31 ranks. */
_Static_assert(sizeof(ss_xsum) == (SS_XSUM_LIMBS + 1) * sizeof(int64_t), "ss_xsum is unpadded");
#define XSUM_WORDS (SS_XSUM_LIMBS + 1)

static void allreduce_xsums(ss_comm *c, ss_xsum *acc, int n)
{
  const int per_call = INT_MAX / XSUM_WORDS;
  for (int done = 0; done < n; done += per_call) {
    int m = n - done < per_call ? n - done : per_call;
    COUNTED(SS_VERB_SUM_XSUM, (size_t)m * sizeof *acc,
            MPI_Allreduce(MPI_IN_PLACE, acc + done, m * XSUM_WORDS, MPI_INT64_T, MPI_SUM, c->comm));
  }
}

void ss_comm_sum_xsum(ss_comm *c, ss_xsum *acc, int n)
{
  for (int i = 0; i < n; i++) ss_xsum_normalize(&acc[i]);
  allreduce_xsums(c, acc, n);
  for (int i = 0; i < n; i++) ss_xsum_normalize(&acc[i]);
}

/* Non-finite values cannot enter a superaccumulator. Each rank instead counts them in the
 * (otherwise zero) pending word of its normalised accumulator, in separate 20-bit fields,
 * so the same allreduce also sums the counts. */
#define SPECIAL_PINF 1ll
#define SPECIAL_NINF (1ll << 20)
#define SPECIAL_NAN (1ll << 40)
#define SPECIAL_FIELD ((1ll << 20) - 1)
#define EXACT_BATCH 64 /* accumulators per allreduce: 34 KiB on the stack */

static int64_t special_code(double x)
{
  if (isnan(x)) return SPECIAL_NAN;
  if (isinf(x)) return x > 0 ? SPECIAL_PINF : SPECIAL_NINF;
  return 0;
}

static double special_value(int64_t counts)
{
  int64_t pinf = counts & SPECIAL_FIELD, ninf = (counts >> 20) & SPECIAL_FIELD, nans = counts >> 40;
  if (nans || (pinf && ninf)) return NAN;
  return pinf ? INFINITY : -INFINITY;
}

void ss_comm_sum_exact(ss_comm *c, double *v, int n)
{
  ss_xsum acc[EXACT_BATCH];
  for (int start = 0; start < n; start += EXACT_BATCH) {
    int m = n - start < EXACT_BATCH ? n - start : EXACT_BATCH;
    for (int i = 0; i < m; i++) {
      ss_xsum_init(&acc[i]);
      ss_xsum_add(&acc[i], v[start + i]); /* a no-op for inf/NaN */
      ss_xsum_normalize(&acc[i]);
      acc[i].pending = special_code(v[start + i]);
    }
    allreduce_xsums(c, acc, m);
    for (int i = 0; i < m; i++)
      v[start + i] = acc[i].pending ? special_value(acc[i].pending) : ss_xsum_value(&acc[i]);
  }
}

int64_t ss_comm_argmax(ss_comm *c, double value, int64_t idx, double *best)
{
  argmax_pair p = {value, idx};
  if (idx < 0 || isnan(value)) p = (argmax_pair){-INFINITY, -1}; /* NaN never wins */
  COUNTED(SS_VERB_ARGMAX, sizeof p, MPI_Allreduce(MPI_IN_PLACE, &p, 1, argmax_type, argmax_op, c->comm));
  if (best) *best = p.idx >= 0 ? p.value : -INFINITY;
  return p.idx >= 0 ? p.idx : -1;
}

static void send_chunks(MPI_Comm comm, const char *p, size_t len, int dest, int tag)
{
  while (len > 0) {
    int n = len > CHUNK_BYTES ? CHUNK_BYTES : (int)len;
    (void)MPI_Send(p, n, MPI_BYTE, dest, tag, comm);
    p += n;
    len -= (size_t)n;
  }
}

static void recv_chunks(MPI_Comm comm, char *p, size_t len, int src, int tag)
{
  while (len > 0) {
    int n = len > CHUNK_BYTES ? CHUNK_BYTES : (int)len;
    (void)MPI_Recv(p, n, MPI_BYTE, src, tag, comm, MPI_STATUS_IGNORE);
    p += n;
    len -= (size_t)n;
  }
}

static int gather_bytes(ss_comm *c, const void *buf, size_t len, int root, char **out, size_t *outlen)
{
  int is_root = c->rank == root, failed = 0;
  uint64_t mine = len, total = 0, *lens = NULL;
  int *counts = NULL, *displs = NULL;
  char *data = NULL;
  if (out) *out = NULL;
  if (outlen) *outlen = 0;
  if (is_root) {
    lens = ss_malloc((size_t)c->size * sizeof *lens, NULL);
    counts = ss_malloc((size_t)c->size * sizeof *counts, NULL);
    displs = ss_malloc((size_t)c->size * sizeof *displs, NULL);
    failed = !lens || !counts || !displs;
  }
  (void)MPI_Bcast(&failed, 1, MPI_INT, root, c->comm);
  if (!failed) {
    (void)MPI_Gather(&mine, 1, MPI_UINT64_T, lens, 1, MPI_UINT64_T, root, c->comm);
    if (is_root) {
      for (int r = 0; r < c->size; r++) {
        displs[r] = (int)total;
        counts[r] = (int)lens[r];
        total += lens[r];
        if (total > INT_MAX) failed = 1; /* Gatherv displacements are ints */
      }
      if (!failed) data = ss_malloc(total + 1, NULL);
      failed = failed || !data;
    }
    (void)MPI_Bcast(&failed, 1, MPI_INT, root, c->comm);
  }
  if (!failed) {
    (void)MPI_Gatherv(buf, (int)len, MPI_BYTE, data, counts, displs, MPI_BYTE, root, c->comm);
    if (is_root) {
      data[total] = '\0';
      *out = data;
      *outlen = total;
      data = NULL;
    }
  }
  free(data);
  free(lens);
  free(counts);
  free(displs);
  return failed ? SS_ERUNTIME : SS_OK;
}

int ss_comm_gather_bytes(ss_comm *c, const void *buf, size_t len, int root, char **out, size_t *outlen)
{
  int rc;
  COUNTED(SS_VERB_GATHER, len, rc = gather_bytes(c, buf, len, root, out, outlen));
  return rc;
}

int ss_comm_send_bytes(ss_comm *c, const void *buf, size_t len, int dest, int tag)
{
  uint64_t n = len;
  COUNTED(SS_VERB_SEND, sizeof n + len, (void)MPI_Send(&n, 1, MPI_UINT64_T, dest, tag, c->comm);
          send_chunks(c->comm, buf, len, dest, tag));
  return SS_OK;
}

static int recv_bytes(ss_comm *c, int src, int tag, char **out, size_t *len)
{
  uint64_t n;
  MPI_Status st;
  (void)MPI_Recv(&n, 1, MPI_UINT64_T, src, tag, c->comm, &st);
  char *data = ss_malloc(n + 1, NULL);
  if (!data) /* The sender may block until the payload is taken; aborting is the only way not to hang. */
    ss_par_last_resort(SS_ERUNTIME, "out of memory receiving %llu bytes from rank %d", (unsigned long long)n,
                       st.MPI_SOURCE);
  /* The payload comes from the sender and tag that were actually matched (wildcards). */
  recv_chunks(c->comm, data, n, st.MPI_SOURCE, st.MPI_TAG);
  data[n] = '\0';
  *out = data;
  *len = n;
  return SS_OK;
}

int ss_comm_recv_bytes(ss_comm *c, int src, int tag, char **out, size_t *len)
{
  int rc;
  /* counted as the bytes received: the receiving rank's share of the transfer */
  COUNTED(SS_VERB_RECV, sizeof(uint64_t) + *len, rc = recv_bytes(c, src, tag, out, len));
  return rc;
}

static int agree(ss_comm *c, ss_err *e)
{
  int64_t code = e->code < 0 ? SS_ERUNTIME : e->code;
  /* One max-reduction finds both the highest code and, among its holders, the lowest rank. */
  int64_t key = code * c->size + (c->size - 1 - c->rank);
  MPI_Allreduce(MPI_IN_PLACE, &key, 1, MPI_INT64_T, MPI_MAX, c->comm);
  int64_t top = key / c->size;
  int winner = c->size - 1 - (int)(key % c->size);
  if (top == SS_OK) {
    ss_err_clear(e);
    return SS_OK;
  }
  (void)MPI_Bcast(e->msg, SS_ERRMSG, MPI_CHAR, winner, c->comm);
  e->msg[SS_ERRMSG - 1] = '\0';
  e->code = (int)top;
  return e->code;
}

int ss_comm_agree(ss_comm *c, ss_err *e)
{
  int rc;
  COUNTED(SS_VERB_AGREE, sizeof(int64_t), rc = agree(c, e));
  return rc;
}

void ss_par_mpi_version(char *buf, size_t len)
{
  char lib[MPI_MAX_LIBRARY_VERSION_STRING];
  int n = 0;
  if (!buf || len == 0) return;
  MPI_Get_library_version(lib, &n);
  lib[n < MPI_MAX_LIBRARY_VERSION_STRING ? n : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
  size_t first_line = strcspn(lib, "\n");
  lib[first_line] = '\0';
  snprintf(buf, len, "%s", lib);
}

double ss_wtime(void) { return MPI_Wtime(); }
