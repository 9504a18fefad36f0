/* Progress lines on stderr: fraction of all tasks done (over every rank group) and an ETA,
 * at most one line every few seconds, printed by world rank 0 only. Leaders of the other
 * groups notify rank 0 of each finished task through a communicator of their own. */
#ifndef STRATSIM_PROGRESS_H
#define STRATSIM_PROGRESS_H

#include "stratsim/par.h"

typedef struct ss_progress {
  int enabled;     /* rank 0 and not --quiet */
  int is_root;     /* world rank 0 (counts the notifications) */
  long total;      /* tasks of the whole run */
  long done;       /* tasks done: rank 0's group's own plus those notified */
  long sent;       /* notifications this rank sent */
  long received;   /* notifications rank 0 counted */
  double partial;  /* fraction of rank 0's current task */
  double start, last;
  double interval; /* seconds between lines */
  ss_comm *notify; /* NULL on a single rank group */
} ss_progress;

/* Collective over world: sets up the notification channel when there are several groups. */
int ss_progress_init(ss_progress *p, ss_comm *world, long total, int ngroups, int enabled);
/* A task finished on this rank's group; leader says whether this rank is its group's leader. */
void ss_progress_task_done(ss_progress *p, int leader);
void ss_progress_set_partial(ss_progress *p, double fraction);
/* Collective over world: takes the notifications still in flight, prints the last line and
 * frees the channel. Returns the tasks done over all groups (on every rank). */
long ss_progress_finish(ss_progress *p, ss_comm *world);

#endif
