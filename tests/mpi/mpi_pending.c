/* The par verbs that take the caller's pending error (docs/errors.md), at any rank count: with
 * no error they do their work (known answers); with an error pending on one rank only, every
 * rank returns that rank's code and message and nothing is exchanged or written (outputs keep
 * their sentinels). Covers ss_comm_argmax_max (the failure flag rides in its allreduce),
 * ss_par_blocks_to_root, ss_par_split, ss_par_bcast_buffer, ss_par_bcast, ss_par_sum_exact,
 * ss_par_max_i64, ss_par_min_i64, ss_par_sum_disjoint, ss_par_phase_end, and PETSc's collective
 * constructors ss_par_vec_create (PETSc's array or the caller's) and ss_par_mat_transpose (no
 * object created on the error path). Prints "mpi_pending P=<n>: ok" on rank 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/argmax_max.h"
#include "stratsim/collectives.h"
#include "stratsim/par.h"
#include "stratsim/par_petsc.h"

static ss_comm *world;
static int rank, size, failures;

/* Each rank reports its own failures; main agrees on the verdict at the end. */
static void check(int cond, const char *what)
{
  if (cond) return;
  failures++;
  fprintf(stderr, "mpi_pending P=%d rank %d: FAILED: %s\n", size, rank, what);
}

/* An error pending on rank `who` only (the last rank: not the root of the verbs below). */
static void pend(ss_err *e, int who)
{
  ss_err_clear(e);
  if (rank == who) ss_fail(e, SS_ERUNTIME, "local failure on rank %d", who);
}

static int agreed(const ss_err *e, int who)
{
  char want[64];
  snprintf(want, sizeof want, "local failure on rank %d", who);
  return e->code == SS_ERUNTIME && !strcmp(e->msg, want);
}

static void argmax_max(int who)
{
  ss_err e;
  double bs = 0, bm = 0;
  ss_err_clear(&e);
  /* rank r offers arm r with score r % 2 (ties to the lowest arm) and max mean r */
  int64_t arm = ss_comm_argmax_max(world, rank % 2, rank, rank, &bs, &bm, &e);
  check(!e.code && arm == (size > 1 ? 1 : 0) && bs == (size > 1 ? 1 : 0) && bm == size - 1,
        "ss_comm_argmax_max: the best score, ties to the lowest arm, the max mean");
  pend(&e, who);
  bs = bm = -7;
  arm = ss_comm_argmax_max(world, rank % 2, rank, rank, &bs, &bm, &e);
  check(arm == -1 && agreed(&e, who) && bs == -7 && bm == -7,
        "ss_comm_argmax_max: a pending error on one rank reaches every rank, nothing written");
}

static void blocks(int who)
{
  ss_err e;
  long n = 2L * size;
  int64_t *from = calloc((size_t)n, sizeof *from);
  char **buf = calloc((size_t)n, sizeof *buf);
  size_t *len = calloc((size_t)n, sizeof *len);
  /* block t is held by rank t % size, and holds "b<t>" */
  for (long t = 0; t < n; t++)
    if (t % size == rank) {
      from[t] = rank + 1;
      buf[t] = malloc(16);
      len[t] = (size_t)snprintf(buf[t], 16, "b%ld", t);
    }
  ss_err_clear(&e);
  int rc = ss_par_blocks_to_root(world, n, from, buf, len, 0, &e);
  int good = !rc;
  for (long t = 0; t < n; t++) {
    good &= from[t] == t % size + 1;
    if (rank == 0) {
      char want[16];
      snprintf(want, sizeof want, "b%ld", t);
      good &= buf[t] && len[t] == strlen(want) && !memcmp(buf[t], want, len[t]);
    }
  }
  check(good, "ss_par_blocks_to_root: every block on rank 0, holders known everywhere");
  for (long t = 0; t < n; t++) from[t] = t % size == rank ? rank + 1 : 0;
  pend(&e, who);
  rc = ss_par_blocks_to_root(world, n, from, buf, len, 0, &e);
  good = rc == SS_ERUNTIME && agreed(&e, who);
  for (long t = 0; t < n; t++) good &= from[t] == (t % size == rank ? rank + 1 : 0);
  check(good, "ss_par_blocks_to_root: a pending error on one rank, nothing moved");
  for (long t = 0; t < n; t++) free(buf[t]);
  free(from), free(buf), free(len);
}

static void split_and_broadcasts(int who)
{
  ss_err e;
  ss_comm *half = NULL;
  ss_err_clear(&e);
  int rc = ss_par_split(world, rank % 2, rank, &half, &e);
  check(!rc && half && ss_comm_size(half) == (size - rank % 2 + 1) / 2, "ss_par_split: the groups");
  ss_comm_free(&half);
  pend(&e, who);
  rc = ss_par_split(world, rank % 2, rank, &half, &e);
  check(rc == SS_ERUNTIME && agreed(&e, who) && !half, "ss_par_split: a pending error, no group on any rank");

  char *text = NULL;
  size_t tlen = 0;
  if (rank == 0) text = strdup("hello"), tlen = 5;
  ss_err_clear(&e);
  rc = ss_par_bcast_buffer(world, &text, &tlen, 0, &e);
  check(!rc && text && tlen == 5 && !strcmp(text, "hello"), "ss_par_bcast_buffer: the text on every rank");
  free(text);
  text = NULL;
  tlen = 0;
  if (rank == 0) text = strdup("hello"), tlen = 5;
  pend(&e, who);
  rc = ss_par_bcast_buffer(world, &text, &tlen, 0, &e);
  check(rc == SS_ERUNTIME && agreed(&e, who) && (rank == 0 || !text), "ss_par_bcast_buffer: a pending error, nothing sent");
  free(text);

  int64_t v = rank == 0 ? 42 : -1;
  ss_err_clear(&e);
  check(!ss_par_bcast(world, &v, sizeof v, 0, &e) && v == 42, "ss_par_bcast: rank 0's value");
  double s[2] = {0.1 * (rank + 1), 1e16};
  if (rank > 0) s[1] = 1.0;
  ss_err_clear(&e);
  rc = ss_par_sum_exact(world, s, 2, &e);
  double want = 0;
  for (int r = 0; r < size; r++) want += 0.1 * (r + 1); /* close enough for the check below */
  check(!rc && fabs(s[0] - want) < 1e-12 && s[1] == 1e16 + (size - 1), "ss_par_sum_exact: exact sums");
  pend(&e, who);
  s[0] = -3;
  rc = ss_par_sum_exact(world, s, 1, &e);
  check(rc == SS_ERUNTIME && agreed(&e, who) && s[0] == -3, "ss_par_sum_exact: a pending error, no sum");
  pend(&e, who);
  check(ss_par_phase_end(world, &e) == SS_ERUNTIME && agreed(&e, who), "ss_par_phase_end: the agreed error");
}

/* ss_par_max_i64 and ss_par_sum_disjoint (slot r is rank r's alone) */
static void max_and_disjoint(int who)
{
  ss_err e;
  ss_err_clear(&e);
  int64_t m = 3 * rank - 1;
  check(!ss_par_max_i64(world, &m, 1, &e) && m == 3 * (size - 1) - 1, "ss_par_max_i64: the maximum");
  double *v = calloc((size_t)size, sizeof *v);
  v[rank] = 0.5 + rank;
  int good = !ss_par_sum_disjoint(world, v, size, &e);
  for (int r = 0; r < size; r++) good &= v[r] == 0.5 + r;
  check(good, "ss_par_sum_disjoint: every rank's slot everywhere");
  pend(&e, who);
  m = -5;
  check(ss_par_max_i64(world, &m, 1, &e) == SS_ERUNTIME && agreed(&e, who) && m == -5,
        "ss_par_max_i64: a pending error, no maximum");
  pend(&e, who);
  for (int r = 0; r < size; r++) v[r] = r == rank ? -1.0 : 0.0;
  good = ss_par_sum_disjoint(world, v, size, &e) == SS_ERUNTIME && agreed(&e, who);
  for (int r = 0; r < size; r++) good &= v[r] == (r == rank ? -1.0 : 0.0);
  check(good, "ss_par_sum_disjoint: a pending error, no sum");
  free(v);
}

static void min_i64(int who)
{
  ss_err e;
  ss_err_clear(&e);
  int64_t v[2] = {10 - rank, rank};
  check(!ss_par_min_i64(world, v, 2, &e) && v[0] == 10 - (size - 1) && v[1] == 0, "ss_par_min_i64: the minima");
  pend(&e, who);
  v[0] = v[1] = 77;
  check(ss_par_min_i64(world, v, 2, &e) == SS_ERUNTIME && agreed(&e, who) && v[0] == 77 && v[1] == 77,
        "ss_par_min_i64: a pending error, no minimum");
}

/* rank r holds r + 1 entries; the global sum of entry values (all ones) is the global size */
static void vectors(int who)
{
  ss_err e;
  Vec v = NULL;
  PetscInt n = rank + 1, N = (PetscInt)size * (size + 1) / 2;
  PetscScalar *mine = calloc((size_t)n, sizeof *mine), sum = 0;
  for (PetscInt i = 0; i < n; i++) mine[i] = 1.0;
  ss_err_clear(&e);
  int rc = ss_par_vec_create(world, n, N, mine, &v, &e);
  PetscInt got = -1;
  if (!rc) VecGetSize(v, &got), VecSum(v, &sum);
  check(!rc && v && got == N && sum == (PetscScalar)N, "ss_par_vec_create: the caller's array, in place");
  if (v) VecDestroy(&v);
  ss_err_clear(&e);
  rc = ss_par_vec_create(world, n, N, NULL, &v, &e);
  if (!rc) VecGetSize(v, &got);
  check(!rc && v && got == N, "ss_par_vec_create: PETSc's array");
  if (v) VecDestroy(&v);
  pend(&e, who);
  v = (Vec)&e; /* a sentinel: the verb must set NULL */
  rc = ss_par_vec_create(world, rank == who ? 0 : n, N, NULL, &v, &e); /* sizes not read then */
  check(rc == SS_ERUNTIME && agreed(&e, who) && !v, "ss_par_vec_create: a pending error, no vector");
  free(mine);
}

/* A = the (size x size) matrix with row r on rank r holding r + 1 in column (r + 1) % size:
 * A^T has row c = (r + 1) % size holding r + 1 in column r. */
static void transpose(int who)
{
  ss_err e;
  Mat A, At = NULL;
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(world);
  MatCreateAIJ(comm, 1, 1, size, size, 1, NULL, 1, NULL, &A);
  PetscInt r = rank, c = (rank + 1) % size;
  PetscScalar a = rank + 1;
  MatSetValues(A, 1, &r, 1, &c, &a, INSERT_VALUES);
  MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY);
  MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY);
  ss_err_clear(&e);
  int rc = ss_par_mat_transpose(world, A, &At, &e);
  PetscScalar want = rank == 0 ? size : rank, got = 0; /* row rank of A^T: from row rank - 1 of A */
  PetscInt col = (rank + size - 1) % size;
  if (!rc) MatGetValues(At, 1, &r, 1, &col, &got);
  check(!rc && At && got == want, "ss_par_mat_transpose: the transpose");
  if (At) MatDestroy(&At);
  pend(&e, who);
  At = A; /* a sentinel */
  rc = ss_par_mat_transpose(world, A, &At, &e);
  check(rc == SS_ERUNTIME && agreed(&e, who) && !At, "ss_par_mat_transpose: a pending error, no matrix");
  MatDestroy(&A);
}

int main(int argc, char **argv)
{
  if (ss_par_init(&argc, &argv, &world)) return 1;
  rank = ss_comm_rank(world);
  size = ss_comm_size(world);
  int who = size - 1;
  argmax_max(who);
  blocks(who);
  split_and_broadcasts(who);
  max_and_disjoint(who);
  min_i64(who);
  vectors(who);
  transpose(who);
  int64_t bad = failures;
  ss_comm_max_i64(world, &bad, 1);
  failures = (int)bad;
  if (rank == 0 && !failures) printf("mpi_pending P=%d: ok\n", size);
  ss_par_finalize(world);
  return failures ? 1 : 0;
}
