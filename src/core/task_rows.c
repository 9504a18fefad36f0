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
  int64_t *done = ss_calloc((size_t)(r->ntasks > 0 ? r->ntasks : 1), sizeof *done, e);
  for (long t = 0; done && t < r->ntasks; t++) done[t] = !r->have[t] && r->owner[t] == me && r->packed[t];
  for (long t = 0; t < r->ntasks; t += 1L << 24) /* counts as int per reduction; agrees first */
    if (ss_par_sum_i64(world, done + t, (int)(r->ntasks - t < (1L << 24) ? r->ntasks - t : 1L << 24), e)) {
      free(done);
      return e->code;
    }
  for (long t = 0; t < r->ntasks; t++) {
    if (!done[t]) continue;
    int src = r->owner[t], tag = (int)(t % 30000);
    if (me == src && me != 0) {
      if (ss_comm_send_bytes(world, r->packed[t], r->plen[t], 0, tag))
        ss_fail(e, SS_ERUNTIME, "sending results to rank 0 failed");
      free(r->packed[t]);
      r->packed[t] = NULL;
    } else if (me == 0 && src != 0) {
      if (ss_comm_recv_bytes(world, src, tag, &r->packed[t], &r->plen[t]))
        ss_fail(e, SS_ERUNTIME, "receiving results from rank %d failed", src);
    }
    r->have[t] = 1;
    free(r->part[t]); /* a finished task needs no in-task state */
    r->part[t] = NULL;
    r->fresh[t] = 0;
  }
  free(done);
  return ss_par_check(world, e);
}

int ss_rows_collect_parts(ss_comm *world, ss_task_rows *r, long *moved, ss_err *e)
{
  int me = ss_comm_rank(world);
  int64_t *src = ss_calloc((size_t)(r->ntasks > 0 ? r->ntasks : 1), sizeof *src, e);
  *moved = 0;
  for (long t = 0; src && t < r->ntasks; t++) src[t] = r->fresh[t] && !r->have[t] ? me + 1 : 0;
  for (long t = 0; t < r->ntasks; t += 1L << 24) /* agrees on a failed allocation first */
    if (ss_par_sum_i64(world, src + t, (int)(r->ntasks - t < (1L << 24) ? r->ntasks - t : 1L << 24), e)) {
      free(src);
      return e->code;
    }
  for (long t = 0; t < r->ntasks; t++) {
    if (!src[t]) continue;
    int from = (int)src[t] - 1, tag = (int)(t % 30000);
    if (me == from && me != 0) {
      if (ss_comm_send_bytes(world, r->part[t], r->partlen[t], 0, tag))
        ss_fail(e, SS_ERUNTIME, "sending an in-task state to rank 0 failed");
    } else if (me == 0 && from != 0) {
      free(r->part[t]);
      r->part[t] = NULL;
      if (ss_comm_recv_bytes(world, from, tag, &r->part[t], &r->partlen[t]))
        ss_fail(e, SS_ERUNTIME, "receiving an in-task state from rank %d failed", from);
    }
    r->fresh[t] = 0;
    (*moved)++;
  }
  free(src);
  return ss_par_check(world, e);
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
