/* The run directory: chosen and checked before anything runs, locked by one run at a time,
 * replaced only when it is a stratsim run directory and --force is given (and then only
 * the files stratsim wrote are removed), and every file in it written whole (temporary
 * file, then rename). */
#ifndef STRATSIM_OUTPUT_H
#define STRATSIM_OUTPUT_H

#include <stddef.h>
#include "stratsim/error.h"
#include "stratsim/table.h"

/* Longest run directory path accepted: room is left for the longest file name in it. */
#define SS_DIR_MAX 3800
/* The lock file inside a run directory while a run writes it. */
#define SS_LOCK_FILE ".stratsim.lock"

/* Checks the path, creates dir (and parents) and takes its lock. An existing dir is used
 * when it is empty; otherwise it must be a stratsim run directory and force must be set,
 * and then the files the earlier run wrote are removed (nothing else). SS_EINPUT for
 * every refusal, naming what to do. Not collective (rank 0). */
int ss_output_open(const char *dir, int force, ss_err *e);
/* For a resume: dir must be a stratsim run directory; takes its lock (taking over a stale one:
 * its process gone on this host, or an earlier start of this same requeued SLURM job) and
 * removes nothing. SS_EINPUT on refusal. Not collective (rank 0). */
int ss_output_open_resume(const char *dir, ss_err *e);
/* Releases the lock taken by ss_output_open. Not collective. */
void ss_output_close(const char *dir);
/* Is dir a run directory written by stratsim (it holds stratsim's manifest.json)? */
int ss_output_is_run_dir(const char *dir);
/* Writes len bytes to dir/name through dir/.name.tmp.PID and rename. Not collective. */
int ss_write_atomic(const char *dir, const char *name, const char *data, size_t len, ss_err *e);
/* Writes every table with a header as dir/<name>.csv. Not collective. */
int ss_write_tables(const char *dir, ss_tableset *tables, ss_err *e);
#endif
