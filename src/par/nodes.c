/* The rank-to-node layout (include/stratsim/nodes.h). */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/nodes.h"
#include "stratsim/par.h"

static char *names;      /* on world rank 0: size blocks of MPI_MAX_PROCESSOR_NAME bytes */
static int nranks;

void ss_nodes_init(ss_comm *world)
{
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(world);
  char mine[MPI_MAX_PROCESSOR_NAME] = "";
  int len = 0, rank = ss_comm_rank(world), size = ss_comm_size(world);
  MPI_Get_processor_name(mine, &len);
  ss_nodes_free();
  if (rank == 0) names = ss_malloc((size_t)size * MPI_MAX_PROCESSOR_NAME, NULL);
  int ok = rank != 0 || names;
  MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
  if (!ok) return;
  MPI_Gather(mine, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, comm);
  nranks = size;
}

static const char *name_of(int r) { return names + (size_t)r * MPI_MAX_PROCESSOR_NAME; }

void ss_nodes_json(FILE *f)
{
  /* first[i]: the lowest rank on the i-th node found; count[i]: ranks on it */
  int *first = names ? ss_malloc(2 * (size_t)nranks * sizeof *first, NULL) : NULL;
  if (!first) {
    fputs("\"nodes\": null, \"ranks_per_node\": null", f);
    return;
  }
  int *count = first + nranks, n = 0;
  for (int r = 0; r < nranks; r++) {
    int i = 0;
    while (i < n && strcmp(name_of(first[i]), name_of(r))) i++;
    if (i == n) {
      first[n] = r;
      count[n++] = 0;
    }
    count[i]++;
  }
  fputs("\"nodes\": [", f);
  for (int i = 0; i < n; i++) fprintf(f, "%s\"%s\"", i ? ", " : "", name_of(first[i]));
  fputs("], \"ranks_per_node\": [", f);
  for (int i = 0; i < n; i++) fprintf(f, "%s%d", i ? ", " : "", count[i]);
  fputc(']', f);
  free(first);
}

void ss_nodes_free(void)
{
  free(names);
  names = NULL;
  nranks = 0;
}
