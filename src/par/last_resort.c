/* The documented last resorts (docs/errors.md): the few failures that the error convention
 * cannot carry end the whole run here, in one place. */
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "stratsim/par.h"

void ss_par_last_resort(int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("stratsim: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  fflush(stderr);
  int up = 0, down = 0;
  MPI_Initialized(&up);
  MPI_Finalized(&down);
  if (up && !down) MPI_Abort(MPI_COMM_WORLD, code); /* every rank of the run, not only this one */
  abort(); /* without MPI (or should MPI_Abort return) */
}
