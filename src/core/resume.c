/* Checkpoints and resumes of a run (see driver_impl.h and docs/checkpoint.md): where a run
 * directory is opened for a new run or for a resume, the world safe points between rounds
 * of tasks, and the collective save of the finished tasks' rows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stratsim/checkpoint.h"
#include "stratsim/input_file.h"
#include "stratsim/interrupt.h"
#include "stratsim/mailbox.h"
#include "stratsim/output.h"
#include "stratsim/task_state.h"
#include "driver_impl.h"

/* The text of dir/manifest.json, or NULL. */
static char *manifest_text(const char *dir)
{
  char *path = NULL, *text = NULL;
  size_t len;
  ss_err ignore = {0};
  if (asprintf(&path, "%s/manifest.json", dir) < 0) return NULL;
  ss_read_input_file(path, 64 << 20, "the manifest", &text, &len, &ignore);
  free(path);
  return text;
}

/* --resume-auto: does dir hold an unfinished run of this config (a checkpoint, or a manifest
 * with this config hash that is not "completed")? */
static int resumable(const char *dir, unsigned long long hash)
{
  char *path = NULL, want[64];
  if (!ss_output_is_run_dir(dir) || asprintf(&path, "%s/%s", dir, SS_CHECKPOINT_FILE) < 0) return 0;
  int has = access(path, F_OK) == 0;
  free(path);
  if (has) return 1;
  char *m = manifest_text(dir);
  snprintf(want, sizeof want, "\"config_hash\": \"%016llx\"", hash);
  int ok = m && strstr(m, want) && !strstr(m, "\"status\": \"completed\"");
  free(m);
  return ok;
}

/* A new run: the directory checked and locked, and config.yaml written. */
static int open_new(ss_run_state *r, ss_err *e)
{
  SS_TRY(ss_output_open(r->dir, r->o->force, e));
  r->locked = 1;
  char *yaml = NULL;
  size_t ylen = 0;
  FILE *f = open_memstream(&yaml, &ylen);
  if (f) ss_config_write_yaml(r->cfg, f);
  if (!f || fclose(f)) ss_fail(e, SS_ERUNTIME, "out of memory");
  else ss_write_atomic(r->dir, "config.yaml", yaml, ylen, e);
  free(yaml);
  return e->code;
}

static ss_checkpoint_data data_of(ss_task_rows *rows)
{
  ss_checkpoint_data d = {rows->packed, rows->plen, rows->have, rows->part, rows->partlen};
  return d;
}

/* Rank 0, on stderr: where each task saved in progress continues ("resumed task 0 at SPSA
 * step 1200 of 5000 (algorithm 0)"); checks that every state unpacks. */
static int report_parts(const ss_run_state *r, ss_err *e)
{
  for (long t = 0; t < r->m.ntasks; t++) {
    if (!r->rows.part[t]) continue;
    ss_task_state *st = NULL;
    SS_TRY(ss_task_state_unpack(r->rows.part[t], r->rows.partlen[t], &st, e));
    if (!r->o->quiet) fprintf(stderr, "stratsim: resumed task %ld at %s\n", t, ss_task_state_where(st));
    ss_task_state_free(&st);
  }
  return SS_OK;
}

/* A resume: the directory locked (nothing removed), and its checkpoint read and checked. */
static int open_resume(ss_run_state *r, ss_err *e)
{
  SS_TRY(ss_output_open_resume(r->dir, e));
  r->locked = 1;
  ss_checkpoint_id id = {r->m.config_hash, r->o->sweep_index, r->m.ntasks};
  int found = 0;
  long saved = 0, parts = 0;
  ss_checkpoint_data d = data_of(&r->rows);
  SS_TRY(ss_checkpoint_read(r->dir, &id, &d, &found, &saved, &parts, e));
  if (!found) {
    char *m = manifest_text(r->dir);
    int done = m && strstr(m, "\"status\": \"completed\"");
    free(m);
    if (done)
      return ss_fail(e, SS_EINPUT, "%s: the run completed and holds no checkpoint: nothing to resume (stratsim "
                     "rerun %s runs it again); nothing was touched", r->dir, r->dir);
  }
  if (!r->o->quiet)
    fprintf(stderr, "stratsim: resuming %s: %ld of %ld tasks from %s, %ld in progress\n", r->dir, saved,
            r->m.ntasks, found ? "its checkpoint" : "a checkpoint (none was written: every task runs)", parts);
  r->parts_checkpointed = parts;
  return report_parts(r, e);
}

int ss_run_open(ss_run_state *r, ss_err *e)
{
  if (ss_comm_rank(r->world) == 0 && r->dir) {
    int resume = r->o->resume == 1 || (r->o->resume == 2 && resumable(r->dir, r->m.config_hash));
    if (resume && !ss_rows_init(&r->rows, r->m.ntasks, e) && !open_resume(r, e))
      r->m.tasks_resumed = r->m.tasks_checkpointed = ss_rows_count(&r->rows);
    else if (!resume)
      open_new(r, e);
  }
  /* a phase of the driver: rank 0 opened the run directory (or read its checkpoint); a rank
   * that failed leaves setup, the others would go on to the manifest */
  return ss_par_phase_end(r->world, e);
}

int ss_run_share(ss_run_state *r, ss_err *e)
{
  if (!r->rows.have) ss_rows_init(&r->rows, r->m.ntasks, e);
  /* the number of in-task states first: its broadcast agrees on the rows' allocation (and on
   * rank 0's manifest, just written) */
  int64_t np = ss_comm_rank(r->world) == 0 && !e->code ? (int64_t)ss_rows_count_parts(&r->rows) : 0;
  SS_TRY(ss_par_bcast(r->world, &np, sizeof np, 0, e));
  for (long t = 0; t < r->m.ntasks; t += 1L << 30)
    ss_comm_bcast(r->world, r->rows.have + t, (size_t)(r->m.ntasks - t < (1L << 30) ? r->m.ntasks - t : 1L << 30), 0);
  r->m.tasks_resumed = r->m.tasks_checkpointed = ss_rows_count(&r->rows);
  /* the in-task states to every rank: whichever group runs a task continues it (they are few:
   * at most one per group of the stopped run) */
  for (long t = 0, i = 0; i < np; t++) {
    int64_t at = t;
    if (ss_comm_rank(r->world) == 0)
      while (!r->rows.part[at] || r->rows.have[at]) at++;
    ss_comm_bcast(r->world, &at, sizeof at, 0); /* the next task with a state */
    t = (long)at;
    i++;
    SS_TRY(ss_par_bcast_buffer(r->world, &r->rows.part[t], &r->rows.partlen[t], 0, e)); /* fails everywhere */
  }
  return SS_OK;
}

/* Rank 0: writes the checkpoint with every finished task and in-task state it holds, and logs
 * where each state stands (task `only`'s alone when only >= 0). Not collective. */
static int write_file(ss_run_state *r, long only, ss_err *e)
{
  ss_checkpoint_id id = {r->m.config_hash, r->o->sweep_index, r->m.ntasks};
  ss_checkpoint_data d = data_of(&r->rows);
  ss_checkpoint_write(r->dir, &id, &d, e);
  for (long t = 0; !e->code && !r->o->quiet && t < r->m.ntasks; t++) {
    ss_task_state *st = NULL;
    if ((only < 0 || t == only) && r->rows.part[t] && !r->rows.have[t] && !ss_task_state_unpack(r->rows.part[t], r->rows.partlen[t], &st, e))
      fprintf(stderr, "stratsim: checkpoint: task %ld saved at %s\n", t, ss_task_state_where(st));
    ss_task_state_free(&st);
  }
  return e->code;
}

int ss_run_save(ss_run_state *r, ss_err *e)
{
  long moved = 0;
  ss_run_mail_drain(r);
  SS_TRY(ss_rows_collect(r->world, &r->rows, e));
  SS_TRY(ss_rows_collect_parts(r->world, &r->rows, &moved, e));
  long n = ss_rows_count(&r->rows);
  if (n <= r->m.tasks_checkpointed && !moved && !r->mail_new) return SS_OK; /* the file on disk holds them all */
  long parts = ss_rows_count_parts(&r->rows);
  if (ss_comm_rank(r->world) == 0) write_file(r, -1, e);
  /* a phase of the driver: rank 0 wrote the checkpoint; the task loop goes on after it, a
   * stop reports */
  SS_TRY(ss_par_phase_end(r->world, e));
  r->m.tasks_checkpointed = n;
  r->parts_checkpointed = parts;
  r->mail_new = 0;
  return SS_OK;
}

int ss_run_world_point(ss_run_state *r, long i, long *next, ss_err *e)
{
  SS_TRY(ss_interrupt_check(r->world, e)); /* agrees on a group's failure first */
  int64_t v[2] = {0, 0};
  if (ss_comm_rank(r->world) == 0) {
    /* the next point after about every/8 seconds at the pace so far (at most twice as many
     * rounds as last time, so a run that slows down still meets often) */
    double now = ss_wtime();
    long rounds = i - r->point_round, want = 1;
    if (rounds > 0) {
      double per_round = (now - r->last_point) / (double)rounds, w = per_round > 0 ? r->every / 8 / per_round : 1e18;
      want = w < 2.0 * (double)r->stride ? (long)w : 2 * r->stride;
    }
    v[0] = now - r->periodic.last >= r->every;
    v[1] = want < 1 ? 1 : want;
    r->last_point = now;
    r->point_round = i;
  }
  ss_comm_max_i64(r->world, v, 2);
  r->stride = (long)v[1];
  *next = i + r->stride;
  if (!v[0]) return SS_OK;
  SS_TRY(ss_run_save(r, e));
  if (ss_comm_rank(r->world) == 0) r->periodic.last = ss_wtime();
  return SS_OK;
}

/* Rank 0: a state handed over by a group leader ("task index (u64), packed state"), unless the
 * task's rows are already here. Returns 1 when it was taken (*task: its index). */
static int take_state(ss_run_state *r, const char *buf, size_t len, long *task)
{
  if (len < 8) return 0;
  unsigned long long t = ss_get_le64((const unsigned char *)buf);
  if (t >= (unsigned long long)r->rows.ntasks || r->rows.have[t]) return 0;
  ss_err e = {0};
  char *copy = ss_malloc(len - 8 + 1, &e);
  if (!copy) return 0;
  memcpy(copy, buf + 8, len - 8);
  free(r->rows.part[t]);
  r->rows.part[t] = copy;
  r->rows.partlen[t] = len - 8;
  if (task) *task = (long)t;
  return 1;
}

static void take_cb(void *arg, char *buf, size_t len)
{
  ss_run_state *r = arg;
  r->mail_new += take_state(r, buf, len, NULL);
}

/* Rank 0, after states arrived: the file rewritten at once (a failure is a warning: the previous
 * checkpoint stays whole, and the run goes on). Not collective. */
static void write_now(ss_run_state *r, long only)
{
  ss_err e = {0};
  if (write_file(r, only, &e))
    fprintf(stderr, "stratsim: warning: a periodic checkpoint failed (%s); the previous one stays\n", e.msg);
  else
    r->parts_checkpointed = ss_rows_count_parts(&r->rows);
  r->periodic.last = ss_wtime();
}

/* periodic.poll on world rank 0 (several groups): the states the other leaders handed over. */
static void poll_states(void *arg)
{
  ss_run_state *r = arg;
  long got = 0, task = -1;
  char *buf = NULL;
  size_t len = 0;
  ss_err e = {0};
  while (ss_mailbox_take(r->mail, &buf, &len, &e)) {
    got += take_state(r, buf, len, &task);
    free(buf);
  }
  if (got) write_now(r, got == 1 ? task : -1);
}

int ss_run_mail_open(ss_run_state *r, ss_err *e)
{
  if (r->every <= 0 || r->ngroups == 1) return SS_OK;
  return ss_mailbox_open(r->world, &r->mail, e);
}

void ss_run_mail_drain(ss_run_state *r)
{
  if (!r->mail) return;
  ss_err e = {0};
  long before = r->mail_new;
  ss_mailbox_drain(r->mail, 0, take_cb, r, &e);
  int64_t got = r->mail_new - before; /* rank 0's count, for every rank */
  ss_comm_bcast(r->world, &got, sizeof got, 0);
  r->mail_new = before + (long)got;
}

/* This group's leader (several groups): its task's state to world rank 0 (itself: the file is
 * written at once). A failure is a warning (the previous checkpoint stays). Not collective. */
static void hand_over(ss_run_state *r)
{
  ss_err e = {0};
  char *buf = NULL;
  size_t len = 0;
  unsigned char head[8];
  if (!ss_task_state_count(r->current.save) || ss_task_state_pack(r->current.save, &buf, &len, &e)) return;
  char *msg = ss_malloc(len + 8, &e);
  if (msg) {
    ss_put_le64(head, (unsigned long long)r->task);
    memcpy(msg, head, 8);
    memcpy(msg + 8, buf, len);
    if (ss_comm_rank(r->world) == 0) {
      if (take_state(r, msg, len + 8, NULL)) write_now(r, r->task);
    } else if (ss_mailbox_post(r->mail, 0, msg, len + 8, &e)) {
      fprintf(stderr, "stratsim: warning: a periodic checkpoint of task %ld failed (%s)\n", r->task, e.msg);
    }
  }
  free(msg);
  free(buf);
}

/* The armed write (interrupt.h), collective over the task's ranks. One group: the task's state,
 * as its loop just saved it, to world rank 0 (the group is the world), then the collective save.
 * Several groups: the leader hands it over (hand_over) and the group goes on. */
static int periodic_write(void *arg, ss_err *e)
{
  ss_run_state *r = arg;
  long t = r->task;
  if (r->ngroups > 1) {
    if (ss_comm_rank(r->group) == 0) {
      hand_over(r);
      r->periodic.last = ss_wtime();
    }
    return SS_OK;
  }
  if (ss_comm_rank(r->group) == 0 && ss_task_state_count(r->current.save)) {
    char *buf = NULL;
    size_t len = 0;
    if (!ss_task_state_pack(r->current.save, &buf, &len, e)) {
      free(r->rows.part[t]);
      r->rows.part[t] = buf;
      r->rows.partlen[t] = len;
      r->rows.fresh[t] = 1;
    }
  }
  SS_TRY(ss_run_save(r, e)); /* its first gather agrees on a failure above */
  if (ss_comm_rank(r->world) == 0) r->periodic.last = ss_wtime();
  return SS_OK;
}

void ss_run_task_begin(ss_run_state *r, long t, const ss_task_state *resume, ss_task_state *save)
{
  r->task = t;
  r->current = (ss_task_current){r->group, resume, save, 0};
  ss_task_current_set(&r->current);
  if (r->every <= 0) return;
  r->periodic.every = r->every;
  r->periodic.comm = r->group;
  r->periodic.world_size = ss_comm_size(r->group);
  r->periodic.root = ss_comm_rank(r->group) == 0;
  r->periodic.write = periodic_write;
  r->periodic.poll = r->mail && ss_comm_rank(r->world) == 0 ? poll_states : NULL;
  r->periodic.arg = r;
  if (r->periodic.poll) poll_states(r); /* world rank 0 between its tasks */
  ss_periodic_arm(&r->periodic);
}

void ss_run_task_end(ss_run_state *r)
{
  ss_periodic_arm(NULL);
  ss_task_current_set(NULL);
  r->current = (ss_task_current){0};
}
