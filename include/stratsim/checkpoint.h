/* Checkpoints: the packed result rows of a run's completed tasks (sweep point x seed), saved
 * in the run directory so that `stratsim run --resume DIR` skips those tasks. A task's rows do
 * not depend on the rank count or the group layout, so a checkpoint resumes at any rank count.
 * The granularity is the task: a task stopped in the middle is run again from its start.
 * Only world rank 0 reads and writes the file (no shared file system is assumed); nothing here
 * is collective. Format and mechanism: docs/checkpoint.md. */
#ifndef STRATSIM_CHECKPOINT_H
#define STRATSIM_CHECKPOINT_H

#include <stddef.h>
#include "stratsim/error.h"

#define SS_CHECKPOINT_FILE "checkpoint.bin"
/* The format this binary writes and reads; another version is refused. Bump it whenever the
 * file layout or the packed table format (ss_tableset_pack) changes. */
#define SS_CHECKPOINT_VERSION 1

/* What a checkpoint must match to be resumed. */
typedef struct {
  unsigned long long config_hash; /* ss_config_hash of the resolved config */
  long sweep_index;               /* -1: every point */
  long ntasks;                    /* tasks of the whole run */
} ss_checkpoint_id;

/* Writes the rows of every task t with have[t] (packed[t], plen[t] bytes) to
 * dir/checkpoint.bin through a temporary file, fsync and rename (then fsyncs dir): a crash at
 * any moment leaves the previous checkpoint whole. The test hook STRATSIM_CHECKPOINT_DELAY=S
 * sleeps S seconds half-way through the temporary file. */
int ss_checkpoint_write(const char *dir, const ss_checkpoint_id *id, char *const *packed, const size_t *plen,
                        const char *have, ss_err *e);
/* Reads dir/checkpoint.bin into packed/plen/have (arrays of id->ntasks, zeroed by the caller);
 * *saved = tasks read. No file: SS_OK with *found = 0. A file of another format version, of
 * another config or run, truncated or failing its checksum: SS_EINPUT naming the reason, and
 * nothing is kept. */
int ss_checkpoint_read(const char *dir, const ss_checkpoint_id *id, char **packed, size_t *plen, char *have,
                       int *found, long *saved, ss_err *e);
/* Removes dir/checkpoint.bin and the temporary files a killed writer left. */
void ss_checkpoint_remove(const char *dir);

#endif
