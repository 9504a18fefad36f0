/* The RLHF experiment's one extra collective: an allgather of variable-length blocks of
 * doubles, used to replicate per-chunk partial sums (which are then added in chunk order,
 * so the result does not depend on the rank count) and small per-labeler estimates. */
#include <stdlib.h>
#include <mpi.h>
#include "stratsim/rlhf.h"

int ss_rlhf_allgather(ss_comm *c, const double *local, int64_t nlocal, double *out, ss_err *e)
{
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(c);
  int size = ss_comm_size(c);
  if (nlocal > 0x7fffffff) return ss_fail(e, SS_ERUNTIME, "ss_rlhf_allgather: block too large");
  int mine = (int)nlocal;
  int *counts = malloc(2 * (size_t)size * sizeof *counts);
  if (!counts) return ss_fail(e, SS_ERUNTIME, "out of memory");
  int *displs = counts + size;
  MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, comm);
  int64_t total = 0;
  for (int r = 0; r < size; r++) {
    if (total > 0x7fffffff) break;
    displs[r] = (int)total;
    total += counts[r];
  }
  if (total > 0x7fffffff) {
    free(counts);
    return ss_fail(e, SS_ERUNTIME, "ss_rlhf_allgather: result too large");
  }
  (void)MPI_Allgatherv(local, mine, MPI_DOUBLE, out, counts, displs, MPI_DOUBLE, comm);
  free(counts);
  return SS_OK;
}
