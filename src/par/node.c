/* Ranks that share a node (one shared-memory domain): the default memory limit divides the
 * node's available memory among them (src/core/memory.c). */
#include <mpi.h>
#include "stratsim/par.h"

int ss_comm_node_ranks(ss_comm *c)
{
  MPI_Comm node;
  int n = 1;
  if (MPI_Comm_split_type(*(MPI_Comm *)ss_comm_mpi(c), MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS)
    return 1;
  MPI_Comm_size(node, &n);
  MPI_Comm_free(&node);
  return n > 0 ? n : 1;
}
