/* The MDP's one extra collective: a sum of slots to which at most one rank contributes a
 * non-zero value (trajectory steps are simulated by the rank that owns the current state).
 * Adding zeros is exact, so the result does not depend on the order of the reduction. */
#include <mpi.h>
#include "stratsim/commstats.h"
#include "stratsim/collectives.h"

void ss_comm_sum_disjoint(ss_comm *c, double *v, int64_t n)
{
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(c);
  int size = ss_comm_size(c);
  uint64_t bytes = (uint64_t)n * sizeof *v;
  double t0 = MPI_Wtime();
  while (n > 0) {
    int m = n > (1 << 28) ? (1 << 28) : (int)n;
    MPI_Allreduce(MPI_IN_PLACE, v, m, MPI_DOUBLE, MPI_SUM, comm);
    v += m;
    n -= m;
  }
  if (size > 1) ss_commstats_add(SS_VERB_SUM_DISJOINT, bytes, MPI_Wtime() - t0);
}

void ss_comm_count_scatter(const ss_comm *c, uint64_t bytes, double seconds)
{
  if (ss_comm_size(c) > 1) ss_commstats_add(SS_VERB_VEC_SCATTER, bytes, seconds);
}
