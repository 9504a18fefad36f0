/* An allgather of variable-length blocks of doubles (collectives.h), used to replicate
 * per-chunk partial sums (which are then added in chunk order, so the result does not
 * depend on the rank count) and small per-labeler estimates. */
#include <stdio.h>
#include <stdlib.h>
#include <mpi.h>
#include "stratsim/commstats.h"
#include "stratsim/collectives.h"

static int allgather(ss_comm *c, const double *local, int64_t nlocal, double *out, ss_err *e)
{
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(c);
  int size = ss_comm_size(c);
  int *counts = ss_malloc(2 * (size_t)size * sizeof *counts, e);
  /* the caller's pending error and this allocation: every rank learns of either first */
  if (ss_comm_agree(c, e)) {
    free(counts);
    return e->code;
  }
  int *displs = counts + size;
  /* A block too large for MPI's int counts sends -1; then every rank returns the failing
   * ranks' error, without waiting in the Allgatherv. */
  if (!e->code && nlocal > 0x7fffffff) ss_fail(e, SS_ERUNTIME, "ss_comm_allgather_doubles: block too large");
  int mine = e->code ? -1 : (int)nlocal;
  MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, comm);
  for (int r = 0; r < size; r++)
    if (counts[r] < 0) {
      free(counts);
      return ss_comm_agree(c, e);
    }
  int64_t total = 0;
  for (int r = 0; r < size; r++) {
    if (total > 0x7fffffff) break;
    displs[r] = (int)total;
    total += counts[r];
  }
  if (total > 0x7fffffff) {
    free(counts);
    return ss_fail(e, SS_ERUNTIME, "ss_comm_allgather_doubles: result too large");
  }
  (void)MPI_Allgatherv(local, mine, MPI_DOUBLE, out, counts, displs, MPI_DOUBLE, comm);
  free(counts);
  return SS_OK;
}

int ss_comm_allgather_doubles(ss_comm *c, const double *local, int64_t nlocal, double *out, ss_err *e)
{
  double t0 = MPI_Wtime();
  int rc = allgather(c, local, nlocal, out, e);
  if (ss_comm_size(c) > 1)
    ss_commstats_add(SS_VERB_ALLGATHER, nlocal > 0 ? (uint64_t)nlocal * sizeof *local : 0, MPI_Wtime() - t0);
  return rc;
}
