/* The run directory: chosen and created before anything runs, never overwritten without
 * --force, and every file in it written whole (temporary file, then rename). */
#ifndef STRATSIM_OUTPUT_H
#define STRATSIM_OUTPUT_H

#include <stddef.h>
#include "stratsim/error.h"
#include "stratsim/table.h"

/* Creates dir (and parents). If it exists: SS_EINPUT unless force, in which case the
 * regular files in it are removed first. Not collective (rank 0). */
int ss_output_prepare(const char *dir, int force, ss_err *e);
/* Writes len bytes to dir/name through dir/.name.tmp and rename. Not collective. */
int ss_write_atomic(const char *dir, const char *name, const char *data, size_t len, ss_err *e);
/* Writes every table with rows as dir/<name>.csv. Not collective. */
int ss_write_tables(const char *dir, ss_tableset *tables, ss_err *e);

#endif
