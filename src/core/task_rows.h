/* A run's task rows (private to the driver): which (sweep point, seed) tasks this run computes
 * and on which rank group, and whose packed tables already sit on world rank 0 (taken from a
 * checkpoint, or moved there at a checkpoint or at the end). */
#ifndef STRATSIM_TASK_ROWS_H
#define STRATSIM_TASK_ROWS_H

#include <stddef.h>
#include "stratsim/par.h"

typedef struct {
  long ntasks;
  char **packed;  /* per task: its packed tables (the computing group's leader, then rank 0) */
  size_t *plen;
  char *have;     /* per task, equal on every rank: its rows are on world rank 0 */
  long *todo;     /* the tasks this run computes, in increasing order; todo[j] goes to group j % ngroups */
  long ntodo;
  int *owner;     /* per task: world rank of the leader that computes it (-1: not computed here) */
  /* in-task states (task_state.h) of unfinished tasks, packed: on world rank 0 the latest one
   * saved (from the checkpoint or collected at a stop); on every rank, after ss_run_share, the
   * one the run resumes from; on a leader, the one its group saved at a stop (fresh[t] set) */
  char **part;
  size_t *partlen;
  char *fresh;
} ss_task_rows;

/* Arrays for ntasks tasks, none of them on rank 0 yet. Not collective. */
int ss_rows_init(ss_task_rows *r, long ntasks, ss_err *e);
/* The tasks still to compute (those without have) dealt round-robin to the groups whose world
 * leaders are leader[0..ngroups). Not collective (every rank gets the same plan). */
int ss_rows_plan(ss_task_rows *r, int ngroups, const int *leader, ss_err *e);
/* Collective over world: every task finished since the last call (rows on its leader) moves to
 * world rank 0, in task order, and is marked in have on every rank. */
int ss_rows_collect(ss_comm *world, ss_task_rows *r, ss_err *e);
/* Collective over world: every in-task state saved since the last call (fresh on its leader)
 * moves to world rank 0; *moved = how many (the same on every rank). */
int ss_rows_collect_parts(ss_comm *world, ss_task_rows *r, long *moved, ss_err *e);
/* Unfinished tasks with an in-task state on this rank. Not collective. */
long ss_rows_count_parts(const ss_task_rows *r);
/* Tasks whose rows are on rank 0. Not collective. */
long ss_rows_count(const ss_task_rows *r);
void ss_rows_free(ss_task_rows *r);

#endif
