/* In-task checkpoints of the bandit experiment: the protocol's state at the start of an epoch
 * (the reports, replicated on every rank of the task) and the rows the sink wrote for the
 * earlier epochs (the task's tables, on group rank 0). Neither depends on the rank count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/task_state.h"
#include "bandit_resume.h"

/* The record: "BANDST01", epoch, K, d (u64 each), then the K x d reports, doubles in the
 * machine's byte order (the same build resumes). */
#define MAGIC "BANDST01"
#define KEY "bandit.protocol"
#define TABLES "bandit.tables"
#define ROLLOUT "bandit.rollout" /* the epoch's rollout in the middle of its rounds; empty: none */

/* The task's horizon, for the log. */
static long long task_T(const ss_task *task) { return ss_cfg_int(task->cfg, "bandit.T"); }

/* The state res and the task's tables so far into task->save. Not collective. */
static int put_state(ss_task *task, int64_t K, int d, int epochs, const ss_bandit_resume *res, ss_err *e)
{
  size_t kd = (size_t)K * d * sizeof(double), tlen = 0;
  unsigned char *rec = ss_malloc(32 + kd, e);
  char *tables = NULL, where[96];
  if (rec) {
    memcpy(rec, MAGIC, 8);
    ss_put_le64(rec + 8, (unsigned long long)res->epoch);
    ss_put_le64(rec + 16, (unsigned long long)K);
    ss_put_le64(rec + 24, (unsigned long long)d);
    memcpy(rec + 32, res->yrep, kd);
    if (res->rollout)
      snprintf(where, sizeof where, "bandit round %lld of %lld in epoch %d", (long long)res->round,
               (long long)task_T(task), res->epoch);
    else
      snprintf(where, sizeof where, "bandit epoch %d of %d", res->epoch, epochs + 1);
    if (!ss_tableset_pack(task->tables, &tables, &tlen, e) && !ss_task_state_put(task->save, KEY, rec, 32 + kd, e) &&
        !ss_task_state_put(task->save, TABLES, tables, tlen, e) &&
        !ss_task_state_put(task->save, ROLLOUT, res->rollout, res->rollout ? res->rollout_len : 0, e))
      ss_task_state_put(task->save, "where", where, strlen(where) + 1, e);
  }
  free(rec);
  free(tables);
  return e->code;
}

/* res->save for the periodic checkpoints. */
static int save_now(ss_bandit_resume *res, int epochs, ss_err *e)
{
  return put_state(res->save_ctx, res->K, res->d, epochs, res, e);
}

int ss_bandit_task_resume(ss_task *task, int64_t K, int d, ss_bandit_resume *res, ss_err *e)
{
  size_t kd = (size_t)K * d * sizeof(double), len = 0, tlen = 0;
  res->epoch = 0;
  res->save = task->save ? save_now : NULL;
  res->save_ctx = task;
  res->K = K;
  res->d = d;
  if (!(res->yrep = ss_malloc(kd ? kd : 1, e))) return e->code;
  const unsigned char *rec = ss_task_state_get(task->resume, KEY, &len);
  const char *tables = ss_task_state_get(task->resume, TABLES, &tlen);
  size_t rlen = 0;
  const char *rollout = ss_task_state_get(task->resume, ROLLOUT, &rlen);
  if (!rec) return SS_OK;
  if (rollout && rlen) { /* every rank: the rollout's ranks load it, the others find its round */
    if (!(res->rollout = ss_malloc(rlen, e))) return e->code;
    memcpy(res->rollout, rollout, rlen);
    res->rollout_len = rlen;
  }
  if (len != 32 + kd || memcmp(rec, MAGIC, 8) || ss_get_le64(rec + 16) != (unsigned long long)K ||
      ss_get_le64(rec + 24) != (unsigned long long)d || !tables)
    return ss_fail(e, SS_EINPUT, "the checkpoint's bandit state does not match this run (%zu bytes)", len);
  res->epoch = (int)ss_get_le64(rec + 8);
  memcpy(res->yrep, rec + 32, kd);
  if (ss_comm_rank(task->comm) == 0) return ss_tableset_unpack_append(task->tables, tables, tlen, e);
  return SS_OK;
}

int ss_bandit_task_save(ss_task *task, int64_t K, int d, int epochs, ss_bandit_resume *res, ss_err *e)
{
  if (e->code == SS_EINTR && task->save && (res->epoch > 0 || res->rollout)) {
    ss_err stop = *e, se = {0};
    put_state(task, K, d, epochs, res, &se);
    *e = se.code ? se : stop;
  }
  free(res->rollout);
  res->rollout = NULL;
  return e->code;
}
