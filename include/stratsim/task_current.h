/* The task this rank's group runs, for in-task checkpoints of code deep inside an experiment
 * that has no other way to reach the task's states (the planner: docs/checkpoint.md). The
 * driver sets it around each task. A loop over the task's own communicator (comm, compared as
 * a pointer: a split is another communicator) may key a record by its position in the task's
 * fixed sequence of such loops (seq, counted on every rank of comm alike). Not collective. */
#ifndef STRATSIM_TASK_CURRENT_H
#define STRATSIM_TASK_CURRENT_H

#include "stratsim/par.h"
#include "stratsim/task_state.h"

typedef struct {
  const ss_comm *comm;          /* the task's communicator */
  const ss_task_state *resume;  /* the state to continue from (NULL: from the start) */
  ss_task_state *save;          /* where a stopped loop saves (kept at a stop, task_state.h) */
  long seq;                     /* loops of the task counted so far (the planner's solves) */
} ss_task_current;

/* Sets the current task (NULL: none). */
void ss_task_current_set(ss_task_current *t);
/* The current task if c is its communicator, else NULL. */
ss_task_current *ss_task_current_of(const ss_comm *c);

#endif
