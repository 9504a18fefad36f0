/* Assembling a run's files from its tasks' tables, point by point: the experiment's finish
 * hook sees one sweep point at a time (its derived tables and summary are per point), every
 * row gets the sweep columns (point and the swept keys' values), and a table the experiment
 * declares shared (the same for every point unless a swept key changes it) is written once
 * when every point produced the same rows. */
#ifndef STRATSIM_ASSEMBLE_H
#define STRATSIM_ASSEMBLE_H

#include <stdio.h>
#include "stratsim/config.h"
#include "stratsim/table.h"

/* packed[p * seeds + s], plen likewise: the packed tables of point first + p, seed s, for
 * p < points. Appends to all; writes the summary (one block per point, labelled with its
 * swept values when the config has a sweep). Not collective (rank 0). */
int ss_assemble(const ss_config *cfg, long first, long points, const char *const *packed, const size_t *plen,
                ss_tableset *all, FILE *summary, ss_err *e);

/* A shared table from its points' rows (bodies[p], lens[p], without sweep columns) and
 * their sweep values (values[p]): the rows once under header when every point has the same
 * rows, else every point's rows behind its values under sweep_header,header. Also used by
 * `stratsim collect`. Not collective. */
int ss_assemble_shared(ss_table *dst, const char *header, const char *sweep_header, char *const *bodies,
                       const size_t *lens, char *const *values, long n, ss_err *e);

#endif
