/* Rate-limited progress reporting with a linear ETA. */
#include <stdio.h>
#include "stratsim/experiment.h"
#include "stratsim/progress.h"

void ss_progress_init(ss_progress *p, long total, int enabled)
{
  p->enabled = enabled;
  p->total = total > 0 ? total : 1;
  p->done = 0;
  p->partial = 0;
  p->start = p->last = ss_wtime();
  p->interval = 3.0;
}

static void maybe_print(ss_progress *p, int force)
{
  if (!p->enabled) return;
  double now = ss_wtime();
  if (!force && now - p->last < p->interval) return;
  p->last = now;
  double frac = ((double)p->done + p->partial) / (double)p->total;
  if (frac > 1) frac = 1;
  double elapsed = now - p->start;
  if (frac > 0)
    fprintf(stderr, "stratsim: %5.1f%% (%ld/%ld tasks) elapsed %.1f s, ETA %.1f s\n", 100 * frac,
            p->done, p->total, elapsed, elapsed * (1 - frac) / frac);
  else
    fprintf(stderr, "stratsim:   0.0%% (0/%ld tasks) elapsed %.1f s\n", p->total, elapsed);
}

void ss_progress_task_done(ss_progress *p)
{
  p->done++;
  p->partial = 0;
  maybe_print(p, 0);
}

void ss_progress_set_partial(ss_progress *p, double fraction)
{
  p->partial = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
  maybe_print(p, 0);
}

void ss_progress_finish(ss_progress *p)
{
  if (p->enabled && p->last != p->start) maybe_print(p, 1);
}

void ss_task_progress(ss_task *task, double fraction)
{
  if (task && task->progress) ss_progress_set_partial(task->progress, fraction);
}
