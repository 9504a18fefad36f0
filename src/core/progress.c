/* Rate-limited progress reporting over all rank groups, with a linear ETA. */
#include <stdio.h>
#include <stdlib.h>
#include "stratsim/experiment.h"
#include "progress.h"

int ss_progress_init(ss_progress *p, ss_comm *world, long total, int ngroups, int enabled)
{
  *p = (ss_progress){0};
  p->is_root = ss_comm_rank(world) == 0;
  p->enabled = enabled && p->is_root;
  p->total = total > 0 ? total : 1;
  p->start = p->last = ss_wtime();
  p->interval = 3.0;
  /* STRATSIM_PROGRESS_INTERVAL=s: seconds between lines (a test hook: 0 prints every update) */
  const char *iv = getenv("STRATSIM_PROGRESS_INTERVAL");
  if (iv && *iv) p->interval = atof(iv);
  if (ngroups > 1 && ss_comm_split(world, 0, ss_comm_rank(world), &p->notify)) return SS_ERUNTIME;
  return SS_OK;
}

static void maybe_print(ss_progress *p, int force)
{
  if (!p->is_root) return;
  if (p->notify) {
    long got = ss_comm_notify_poll(p->notify);
    p->received += got;
    p->done += got;
  }
  if (!p->enabled) return;
  double now = ss_wtime();
  if (!force && now - p->last < p->interval) return;
  p->last = now;
  double frac = ((double)p->done + p->partial) / (double)p->total;
  if (frac > 1) frac = 1;
  if (p->done < p->total && frac > 0.999) frac = 0.999; /* 100% only when every task is done */
  double elapsed = now - p->start;
  if (frac > 0)
    fprintf(stderr, "stratsim: %5.1f%% (%ld/%ld tasks) elapsed %.1f s, ETA %.1f s\n", 100 * frac,
            p->done, p->total, elapsed, elapsed * (1 - frac) / frac);
  else
    fprintf(stderr, "stratsim:   0.0%% (0/%ld tasks) elapsed %.1f s\n", p->total, elapsed);
}

void ss_progress_task_done(ss_progress *p, int leader)
{
  p->partial = 0;
  if (p->is_root) {
    p->done++;
    maybe_print(p, 0);
  } else if (leader && p->notify) {
    ss_comm_notify(p->notify, 0);
    p->sent++;
  }
}

void ss_progress_set_partial(ss_progress *p, double fraction)
{
  p->partial = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
  maybe_print(p, 0);
}

long ss_progress_finish(ss_progress *p, ss_comm *world)
{
  int64_t counts[2] = {p->sent, p->is_root ? p->done - p->received : 0};
  ss_comm_sum_i64(world, counts, 2); /* every notification has been sent by now */
  if (p->notify && p->is_root) {
    long pending = (long)counts[0] - p->received;
    ss_comm_notify_drain(p->notify, pending);
    p->received += pending;
    p->done += pending;
  }
  p->partial = 0;
  if (p->enabled && p->last != p->start) maybe_print(p, 1);
  ss_comm_free(&p->notify);
  return (long)(counts[0] + counts[1]);
}

void ss_task_progress(ss_task *task, double fraction)
{
  if (task && task->progress) ss_progress_set_partial(task->progress, fraction);
}
