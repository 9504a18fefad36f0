/* Checkpoints: the packed result rows of a run's completed tasks (sweep point x seed), and the
 * in-task states (task_state.h) of tasks stopped in the middle, saved in the run directory so
 * that `stratsim run --resume DIR` skips the completed tasks and continues the others from
 * their saved states. Neither depends on the rank count or the group layout, so a checkpoint
 * resumes at any rank count. A task stopped where its experiment saves no state (facility,
 * a bandit rollout, a planner pass inside an SPSA evaluation, the phases outside the loops) is run again from its start
 * or from its last state.
 * Only world rank 0 reads and writes the file (no shared file system is assumed); nothing here
 * is collective. Format and mechanism: docs/checkpoint.md. */
#ifndef STRATSIM_CHECKPOINT_H
#define STRATSIM_CHECKPOINT_H

#include <stddef.h>
#include "stratsim/error.h"

#define SS_CHECKPOINT_FILE "checkpoint.bin"
/* The format this binary writes and reads; another version is refused. Bump it whenever the
 * file layout, the packed table format (ss_tableset_pack) or an in-task state's format
 * (task_state.h and the loops' records) changes. Version 1: finished tasks only. Version 2:
 * in-task states as well. Version 3: packed tables carry the finish hooks' internal records
 * (each table's record size in the packed form). */
#define SS_CHECKPOINT_VERSION 3

/* What a checkpoint must match to be resumed. */
typedef struct {
  unsigned long long config_hash; /* ss_config_hash of the resolved config */
  long sweep_index;               /* -1: every point */
  long ntasks;                    /* tasks of the whole run */
} ss_checkpoint_id;

/* A run's saved tasks, arrays of id->ntasks: finished tasks (have[t]: packed[t], plen[t]
 * bytes) and unfinished tasks' in-task states (part[t] != NULL, partlen[t] bytes). */
typedef struct {
  char **packed;
  size_t *plen;
  char *have;
  char **part;
  size_t *partlen;
} ss_checkpoint_data;

/* Writes every finished task's rows and every unfinished task's in-task state to
 * dir/checkpoint.bin through a temporary file, fsync and rename (then fsyncs dir): a crash at
 * any moment leaves the previous checkpoint whole. The test hook STRATSIM_CHECKPOINT_DELAY=S
 * sleeps S seconds half-way through the temporary file. */
int ss_checkpoint_write(const char *dir, const ss_checkpoint_id *id, const ss_checkpoint_data *c, ss_err *e);
/* Reads dir/checkpoint.bin into d (arrays of id->ntasks, zeroed by the caller); *saved =
 * finished tasks read, *parts = in-task states read. No file: SS_OK with *found = 0. A file of another format version, of
 * another config or run, truncated or failing its checksum: SS_EINPUT naming the reason, and
 * nothing is kept. */
int ss_checkpoint_read(const char *dir, const ss_checkpoint_id *id, ss_checkpoint_data *d, int *found,
                       long *saved, long *parts, ss_err *e);
/* Removes dir/checkpoint.bin and the temporary files a killed writer left. */
void ss_checkpoint_remove(const char *dir);

#endif
