/* The driver's run state (private to src/core/driver.c and src/core/resume.c). */
#ifndef STRATSIM_DRIVER_IMPL_H
#define STRATSIM_DRIVER_IMPL_H

#include "stratsim/driver.h"
#include "manifest.h"
#include "progress.h"
#include "stratsim/interrupt.h"
#include "stratsim/task_current.h"
#include "stratsim/timer.h"
#include "task_rows.h"

/* The run's state between its phases. */
typedef struct {
  ss_comm *world, *group;
  const ss_run_options *o;
  ss_config *cfg;
  char *dir;
  int locked;
  ss_manifest m;
  int ngroups, gid, *leader;
  ss_task_rows rows;
  ss_tableset *all;
  char *summary;
  ss_timers timers;
  ss_progress prog;
  /* checkpoints (src/core/resume.c) */
  double every;       /* checkpoint.every: seconds (0: only at a signal) */
  ss_periodic periodic; /* in-task checkpoints (interrupt.h); .last: rank 0's time of the last
                         * checkpoint (or of the start) */
  long task;          /* the task this group runs, and its states (ss_run_task_begin) */
  ss_task_current current;
  double last_point;  /* rank 0: time of the last world safe point */
  long point_round;   /* the round of the last world safe point */
  long stride;        /* rounds between world safe points */
  long parts_checkpointed; /* in-task states in the checkpoint on disk */
  struct ss_mailbox *mail; /* several groups with checkpoint.every: the leaders' periodic in-task
                            * states to world rank 0 (NULL otherwise) */
  long mail_new;      /* states the last drain brought to rank 0 (agreed on every rank) */
} ss_run_state;

/* Rank 0: opens the run directory (a new run: checked, locked, config.yaml written; a resume:
 * locked, nothing removed) and, on a resume, reads the checkpoint into r->rows. Then every
 * rank agrees. Collective. */
int ss_run_open(ss_run_state *r, ss_err *e);
/* After the "running" manifest: r->rows on every rank, with the tasks taken from the
 * checkpoint in have. Collective. */
int ss_run_share(ss_run_state *r, ss_err *e);
/* Collective over world, between rounds of tasks when checkpoint.every is set (round i; one
 * round = one task per group): agrees on errors and signals (every rank then returns the
 * error), and writes a checkpoint when rank 0's clock says one is due. *next is the round of
 * the next such point (about every checkpoint.every/8 seconds, from rank 0's timing). */
int ss_run_world_point(ss_run_state *r, long i, long *next, ss_err *e);
/* Collective over world: the finished tasks' rows to rank 0, and rank 0 writes the checkpoint
 * when it holds tasks the file on disk does not. */
int ss_run_save(ss_run_state *r, ss_err *e);
/* Around one task of this group (not collective): makes task t (its states resume and save)
 * the current task (task_current.h) and, with checkpoint.every set, arms its periodic in-task
 * checkpoints (interrupt.h: with one group the world writes them; with several, the group
 * leader hands its state to world rank 0, which writes the file at its next safe point);
 * ss_run_task_end undoes both. */
void ss_run_task_begin(ss_run_state *r, long t, const ss_task_state *resume, ss_task_state *save);
void ss_run_task_end(ss_run_state *r);
/* Several groups with checkpoint.every (collective over world): opens the mailbox the leaders
 * hand their periodic in-task states to world rank 0 through (ss_run_mail_open), and, at the end
 * of the tasks or at a save, takes every state still on its way (ss_run_mail_drain: sets
 * r->mail_new). */
int ss_run_mail_open(ss_run_state *r, ss_err *e);
void ss_run_mail_drain(ss_run_state *r);

#endif
