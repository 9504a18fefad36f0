/* `stratsim collect DIR... --out DIR`: merges the run directories of one sweep run as a
 * SLURM array (point-I/, each from --sweep-index I) into one run directory with exactly the
 * files and columns of a single-job run of the whole sweep. */
#ifndef STRATSIM_COLLECT_H
#define STRATSIM_COLLECT_H

#include "stratsim/error.h"

/* Not collective: rank 0 does the work. SS_EINPUT (exit 2) when the pieces come from
 * different configs or binaries, overlap, or the output exists without force; SS_ERUNTIME
 * (exit 1) when points are missing or failed (all of them are listed). */
int ss_collect(char *const *dirs, int ndirs, const char *out, int force, int argc, char **argv, ss_err *e);

#endif
