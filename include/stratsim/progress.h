/* Progress lines on stderr: fraction done and an ETA, at most one line every few seconds,
 * printed by world rank 0 only (it sees its own group's share of the tasks). */
#ifndef STRATSIM_PROGRESS_H
#define STRATSIM_PROGRESS_H

typedef struct ss_progress {
  int enabled;    /* rank 0 and not --quiet */
  long total;     /* tasks this rank's group runs */
  long done;
  double partial; /* fraction of the current task */
  double start, last;
  double interval; /* seconds between lines */
} ss_progress;

void ss_progress_init(ss_progress *p, long total, int enabled);
void ss_progress_task_done(ss_progress *p);
void ss_progress_set_partial(ss_progress *p, double fraction);
void ss_progress_finish(ss_progress *p);

#endif
