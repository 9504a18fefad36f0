/* Private to src/par: the opaque communicator ss_comm (par.h). Its accessors are in
 * comm_handle.c, below the verbs of comm.c and the counts of commstats.c and nodes.c, which
 * all use them (so those files call each other in no circle). */
#ifndef STRATSIM_PAR_COMM_HANDLE_H
#define STRATSIM_PAR_COMM_HANDLE_H

#include <mpi.h>
#include "stratsim/par.h"

struct ss_comm {
  MPI_Comm comm;
  int rank, size;
};

#endif
