/* Task rows: the plan of a run's remaining tasks and the moves of finished rows to world
 * rank 0 (see task_rows.h). */
#include <stdint.h>
#include <stdlib.h>
#include "task_rows.h"

int ss_rows_init(ss_task_rows *r, long ntasks, ss_err *e)
{
  size_t n = (size_t)(ntasks > 0 ? ntasks : 1);
  r->ntasks = ntasks;
  r->packed = ss_calloc(n, sizeof *r->packed, e);
  r->plen = ss_calloc(n, sizeof *r->plen, e);
  r->have = ss_calloc(n, 1, e);
  r->todo = ss_calloc(n, sizeof *r->todo, e);
  r->owner = ss_calloc(n, sizeof *r->owner, e);
  r->part = ss_calloc(n, sizeof *r->part, e);
  r->partlen = ss_calloc(n, sizeof *r->partlen, e);
  r->fresh = ss_calloc(n, 1, e);
  return e->code;
}

int ss_rows_plan(ss_task_rows *r, int ngroups, const int *leader, ss_err *e)
{
  r->ntodo = 0;
  for (long t = 0; t < r->ntasks; t++) {
    r->owner[t] = -1;
    if (r->have[t]) continue;
    r->owner[t] = leader[r->ntodo % ngroups];
    r->todo[r->ntodo++] = t;
  }
  return SS_OK;
}

int ss_rows_collect(ss_comm *world, ss_task_rows *r, ss_err *e)
{
  int me = ss_comm_rank(world);
  int64_t *from = ss_calloc((size_t)(r->ntasks > 0 ? r->ntasks : 1), sizeof *from, e);
  for (long t = 0; from && t < r->ntasks; t++)
    from[t] = !r->have[t] && r->owner[t] == me && r->packed[t] ? me + 1 : 0;
  int rc = ss_par_blocks_to_root(world, r->ntasks, from, r->packed, r->plen, 0, e);
  for (long t = 0; !rc && t < r->ntasks; t++) {
    if (!from[t]) continue;
    if (me != 0 && (int)from[t] - 1 == me) { /* sent */
      free(r->packed[t]);
      r->packed[t] = NULL;
    }
    r->have[t] = 1;
    free(r->part[t]); /* a finished task needs no in-task state */
    r->part[t] = NULL;
    r->fresh[t] = 0;
  }
  free(from);
  return rc;
}

int ss_rows_collect_parts(ss_comm *world, ss_task_rows *r, long *moved, ss_err *e)
{
  int me = ss_comm_rank(world);
  int64_t *from = ss_calloc((size_t)(r->ntasks > 0 ? r->ntasks : 1), sizeof *from, e);
  *moved = 0;
  for (long t = 0; from && t < r->ntasks; t++) from[t] = r->fresh[t] && !r->have[t] ? me + 1 : 0;
  int rc = ss_par_blocks_to_root(world, r->ntasks, from, r->part, r->partlen, 0, e);
  for (long t = 0; !rc && t < r->ntasks; t++) {
    if (!from[t]) continue;
    r->fresh[t] = 0;
    (*moved)++;
  }
  free(from);
  return rc;
}

long ss_rows_count_parts(const ss_task_rows *r)
{
  long n = 0;
  for (long t = 0; r->part && t < r->ntasks; t++) n += !r->have[t] && r->part[t] != NULL;
  return n;
}

long ss_rows_count(const ss_task_rows *r)
{
  long n = 0;
  for (long t = 0; t < r->ntasks; t++) n += r->have[t] != 0;
  return n;
}

void ss_rows_free(ss_task_rows *r)
{
  for (long t = 0; r->packed && t < r->ntasks; t++) free(r->packed[t]);
  for (long t = 0; r->part && t < r->ntasks; t++) free(r->part[t]);
  free(r->part);
  free(r->partlen);
  free(r->fresh);
  free(r->packed);
  free(r->plen);
  free(r->have);
  free(r->todo);
  free(r->owner);
}
