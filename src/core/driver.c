/* The driver. Rank 0 reads the config file and every rank parses the same bytes; any
 * error is agreed on before anything is created. Tasks (sweep point x seed) go round-robin
 * to rank groups; each group leader keeps its tasks' rows, and world rank 0 gathers them
 * in task order and assembles the run's files point by point (src/core/assemble.c), so the
 * files do not depend on the rank count or the group layout. The finished tasks' rows are
 * also what a checkpoint saves (at a signal, and every checkpoint.every seconds), and what
 * --resume takes back, so a resumed run computes only the other tasks (docs/checkpoint.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "assemble.h"
#include "stratsim/checkpoint.h"
#include "stratsim/commstats.h"
#include "stratsim/driver.h"
#include "stratsim/experiment.h"
#include "stratsim/input_file.h"
#include "stratsim/interrupt.h"
#include "stratsim/mailbox.h"
#include "manifest.h"
#include "stratsim/output.h"
#include "stratsim/task_state.h"
#include "progress.h"
#include "driver_impl.h"

int ss_driver_load(ss_comm *world, const ss_run_options *o, ss_config **cfg, ss_err *e)
{
  char *text = NULL;
  size_t len = 0;
  *cfg = NULL;
  if (ss_comm_rank(world) == 0) ss_read_input_file(o->config, SS_CONFIG_MAX_BYTES, "the config", &text, &len, e);
  /* the broadcast agrees on rank 0's reading first */
  if (ss_par_bcast_buffer(world, &text, &len, 0, e)) { free(text); return e->code; }
  ss_config_parse(o->config, text, len, o->sets, o->nsets, cfg, e);
  free(text);
  if (!e->code && o->sweep_index >= ss_config_npoints(*cfg))
    ss_fail(e, SS_EINPUT, "--sweep-index %ld: expected a point in [0, %ld)", o->sweep_index,
            ss_config_npoints(*cfg));
  if (ss_par_phase_end(world, e)) ss_config_free(cfg); /* the config loaded */
  return e->code;
}

/* --out DIR, or <output.dir>/<name>[/point-I]; name defaults to the config's base name. */
static char *run_dir(const ss_config *cfg, const ss_run_options *o, ss_err *e)
{
  char *dir = NULL;
  int n;
  if (o->out) {
    n = asprintf(&dir, "%s", o->out);
  } else {
    const char *name = ss_cfg_str(cfg, "name"), *slash = strrchr(o->config, '/');
    const char *base = slash ? slash + 1 : o->config, *dot = strrchr(base, '.');
    int blen = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    const char *outdir = ss_cfg_str(cfg, "output.dir");
    if (!name && ss_check_run_name(base, (size_t)blen, e))
      return ss_fail(e, SS_EINPUT, "%s: the config file name gives no usable run name; set name:", o->config), NULL;
    if (o->sweep_index >= 0)
      n = name ? asprintf(&dir, "%s/%s/point-%ld", outdir, name, o->sweep_index)
               : asprintf(&dir, "%s/%.*s/point-%ld", outdir, blen, base, o->sweep_index);
    else
      n = name ? asprintf(&dir, "%s/%s", outdir, name) : asprintf(&dir, "%s/%.*s", outdir, blen, base);
  }
  if (n < 0) return ss_fail(e, SS_ERUNTIME, "out of memory"), NULL;
  if (strlen(dir) > SS_DIR_MAX) {
    ss_fail(e, SS_EINPUT, "the output directory path is %zu bytes long; at most %d are accepted: %.60s...",
            strlen(dir), SS_DIR_MAX, dir);
    free(dir);
    return NULL;
  }
  return dir;
}

/* The task's in-task states: the one to resume from (from the checkpoint, or NULL) and the one
 * a stopped loop saves into, which starts as a copy of it. Not collective. */
static int task_states(const ss_task_rows *rows, long t, ss_task_state **resume, ss_task_state **save, ss_err *e)
{
  if (!rows->part[t]) return ss_task_state_new(save, e);
  SS_TRY(ss_task_state_unpack(rows->part[t], rows->partlen[t], resume, e));
  return ss_task_state_unpack(rows->part[t], rows->partlen[t], save, e);
}

/* A task stopped by a signal: its group leader keeps the state to continue from, for the
 * checkpoint (ss_rows_collect_parts). */
static void keep_state(ss_comm *group, ss_task_rows *rows, long t, const ss_task_state *save, ss_err *e)
{
  if (e->code != SS_EINTR || ss_comm_rank(group) != 0 || !ss_task_state_count(save)) return;
  char *buf = NULL;
  size_t len = 0;
  ss_err pe = {0};
  if (ss_task_state_pack(save, &buf, &len, &pe)) return; /* out of memory: the task restarts */
  free(rows->part[t]);
  rows->part[t] = buf;
  rows->partlen[t] = len;
  rows->fresh[t] = 1;
}

/* One task on this rank's group. Collective over group. */
static int run_task(ss_run_state *r, long t, long first, ss_err *e)
{
  ss_comm *world = r->world, *group = r->group;
  const ss_config *cfg = r->cfg;
  ss_task_rows *rows = &r->rows;
  const ss_experiment_ops *exp = ss_experiment_find(ss_cfg_experiment(cfg));
  long seeds = ss_cfg_int(cfg, "seeds"), point = first + t / seeds;
  int s = (int)(t % seeds);
  ss_config *pcfg = NULL;
  ss_tableset *tables = NULL;
  ss_task_state *resume = NULL, *save = NULL;
  /* the point's cross-key checks: validate checked each swept value, not every combination */
  if (!ss_config_point(cfg, point, &pcfg, e) && !ss_config_check_point(cfg, pcfg, point, e) &&
      !(tables = ss_tableset_new()))
    ss_fail(e, SS_ERUNTIME, "out of memory");
  if (!e->code) task_states(rows, t, &resume, &save, e);
  /* local allocations: a rank that cannot run the task must not leave its group in it */
  if (!ss_par_phase_end(group, e)) {
    ss_task task = {group, world, pcfg, point, s, (uint64_t)ss_cfg_int(pcfg, "seed") + (uint64_t)s,
                    tables, &r->timers, &r->prog, resume, save};
    ss_run_task_begin(r, t, resume, save); /* periodic in-task checkpoints (resume.c) */
    exp->run(&task, e);
    ss_run_task_end(r);
    keep_state(group, rows, t, save, e);
    if (e->code == SS_EINTR) /* where this group stopped, for the manifest's reason */
      snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg), " in task %ld (point %ld, seed %d)", t,
               point, s);
    /* STRATSIM_FAIL_RANK=r makes world rank r fail at the end of its first task's local
     * work: a test hook for the collective error path (tests/run_integration.sh) */
    const char *inject = getenv("STRATSIM_FAIL_RANK");
    if (inject && atoi(inject) == ss_comm_rank(world) && !getenv("STRATSIM_FAIL_ALLOC"))
      ss_fail(e, SS_ERUNTIME, "injected failure on rank %d (STRATSIM_FAIL_RANK)", ss_comm_rank(world));
    ss_tableset_check(tables, e); /* every rank's tables: a failed append is a failure */
    if (!e->code && ss_comm_rank(group) == 0) ss_tableset_pack(tables, &rows->packed[t], &rows->plen[t], e);
    if (ss_par_phase_end(group, e)) { /* the task finished: its outcome, the leader's packing too */
      free(rows->packed[t]);
      rows->packed[t] = NULL;
    }
  }
  ss_task_state_free(&resume);
  ss_task_state_free(&save);
  ss_tableset_free(&tables);
  ss_config_free(&pcfg);
  return e->code;
}

/* Phase totals as min/max/mean over ranks, under rank 0's phase names. */
static void reduce_phases(ss_comm *world, const ss_timers *timers, ss_manifest *m)
{
  int n = timers->n;
  ss_comm_bcast(world, &n, sizeof n, 0);
  m->nphases = n < SS_MAX_MANIFEST_PHASES ? n : SS_MAX_MANIFEST_PHASES;
  for (int i = 0; i < m->nphases; i++) {
    char name[128] = "";
    if (ss_comm_rank(world) == 0) snprintf(name, sizeof name, "%s", timers->name[i]);
    ss_comm_bcast(world, name, sizeof name, 0);
    double mine = 0, lo, hi, sum;
    for (int j = 0; j < timers->n; j++)
      if (!strcmp(timers->name[j], name)) mine = timers->total[j];
    lo = hi = sum = mine;
    ss_comm_min_double(world, &lo, 1);
    ss_comm_max_double(world, &hi, 1);
    ss_comm_sum_exact(world, &sum, 1);
    m->phase_name[i] = ss_comm_rank(world) == 0 ? timers->name[i] : "";
    m->phase_min[i] = lo;
    m->phase_max[i] = hi;
    m->phase_mean[i] = sum / ss_comm_size(world);
  }
}

/* Config, run directory (a new one checked, locked, config.yaml; or a resumed one with its
 * checkpoint), and the "running" manifest. */
static int setup(ss_run_state *r, ss_err *e)
{
  int me = ss_comm_rank(r->world), size = ss_comm_size(r->world);
  SS_TRY(ss_driver_load(r->world, r->o, &r->cfg, e));
  /* before any work: a run that cannot fit is bad input (exit 2), refused before the run dir */
  SS_TRY(ss_memory_check(r->world, r->cfg, r->o->sweep_index, &r->m.memory, e));
  /* STRATSIM_FAIL_RANK=r with STRATSIM_FAIL_ALLOC=n: instead of failing at the end of its first
   * task, world rank r fails its allocation n (from here on), once: a rank short of memory
   * anywhere in a run (tests/run_integration.sh) */
  const char *fail_rank = getenv("STRATSIM_FAIL_RANK"), *fail_alloc = getenv("STRATSIM_FAIL_ALLOC");
  if (fail_rank && fail_alloc && atoi(fail_rank) == me) ss_alloc_fail_after(atol(fail_alloc));
  if (getenv("STRATSIM_COUNT_ALLOC")) { /* counts allocations and their sites from here on */
    if (!fail_alloc) ss_alloc_fail_after(-1);
    ss_alloc_track_sites(1);
  }
  r->dir = run_dir(r->cfg, r->o, e);
  ss_manifest *m = &r->m;
  m->cfg = r->cfg;
  m->dir = r->dir;
  m->status = "running";
  m->argc = r->o->argc;
  m->argv = r->o->argv;
  m->ranks = size;
  m->config_hash = ss_config_hash(r->cfg);
  /* more groups than ranks would leave groups empty: use one group per rank instead (the
   * results are the same for any layout; the manifest records the groups used) */
  long long want_groups = ss_cfg_int(r->cfg, "parallel.groups");
  m->groups = (int)(want_groups < size ? want_groups : size);
  m->sweep_index = r->o->sweep_index;
  m->npoints = ss_config_npoints(r->cfg);
  m->ntasks = (r->o->sweep_index >= 0 ? 1 : m->npoints) * ss_cfg_int(r->cfg, "seeds");
  SS_TRY(ss_run_open(r, e));
  ss_par_mpi_version(m->mpi_version, sizeof m->mpi_version);
  ss_iso_time(m->start_time, sizeof m->start_time);
  return SS_OK;
}

/* Rank groups (contiguous blocks; leader = first rank of each), the task plan and progress. */
static int make_groups(ss_run_state *r, ss_err *e)
{
  int me = ss_comm_rank(r->world), size = ss_comm_size(r->world);
  r->ngroups = r->m.groups;
  r->gid = (int)((long)me * r->ngroups / size);
  if (me == 0) ss_manifest_write(&r->m, e); /* "running": ss_run_share agrees on a failure first */
  SS_TRY(ss_run_share(r, e));
  r->leader = ss_calloc((size_t)r->ngroups, sizeof *r->leader, e);
  for (int g = 0; r->leader && g < r->ngroups; g++) r->leader[g] = (int)(((long)g * size + r->ngroups - 1) / r->ngroups);
  if (r->leader) ss_rows_plan(&r->rows, r->ngroups, r->leader, e);
  if (!(r->all = ss_tableset_new())) ss_fail(e, SS_ERUNTIME, "out of memory");
  if (ss_progress_init(&r->prog, r->world, r->rows.ntodo, r->ngroups, !r->o->quiet))
    ss_fail(e, SS_ERUNTIME, "cannot set up progress reporting");
  r->every = ss_cfg_real(r->cfg, "checkpoint.every");
  r->periodic.last = r->last_point = ss_wtime();
  r->stride = 1;
  ss_run_mail_open(r, e); /* several groups with checkpoint.every (resume.c) */
  /* the groups' split (every rank takes it) agrees on everything above with its own outcome */
  if (ss_par_split(r->world, r->gid, me, &r->group, e)) ss_comm_free(&r->prog.notify); /* no progress */
  return e->code;
}

/* This group's tasks in rounds (round i: todo[i * ngroups + gid]), with a group safe point
 * before each task and, when checkpoint.every is set, world safe points between rounds. A
 * group that stopped (error or signal) leaves at once without world points, and waits for
 * the next one with them. Returns the first error. */
static int run_tasks(ss_run_state *r, ss_err *e)
{
  long first = r->o->sweep_index >= 0 ? r->o->sweep_index : 0, groups = r->ngroups;
  long rounds = (r->rows.ntodo + groups - 1) / groups, next = 0;
  int meet = r->every > 0;
  for (long i = 0; i < rounds; i++) {
    if (meet && i == next) SS_TRY(ss_run_world_point(r, i, &next, e));
    long j = i * groups + r->gid;
    if (e->code || j >= r->rows.ntodo) continue;
    if (ss_interrupt_check(r->group, e) ||
        run_task(r, r->rows.todo[j], first, e)) {
      if (!meet) return e->code;
      continue;
    }
    ss_progress_task_done(&r->prog, ss_comm_rank(r->group) == 0);
  }
  return e->code;
}

/* Stopped by a signal: the finished tasks saved, and the run still reports the signal. */
static int save_at_stop(ss_run_state *r, ss_err *e)
{
  ss_err stop = *e;
  ss_err_clear(e);
  if (!ss_run_save(r, e)) {
    *e = stop;
    return e->code;
  }
  char why[SS_ERRMSG];
  snprintf(why, sizeof why, "%s", e->msg);
  ss_err_clear(e);
  return ss_fail(e, SS_ERUNTIME, "%s; saving the finished tasks failed: %s", stop.msg, why);
}

/* Every task, then every task's rows on rank 0 (or, at a signal, a checkpoint). */
static int compute(ss_run_state *r, ss_err *e)
{
  int phase = ss_phase(&r->timers, "tasks");
  ss_phase_begin(&r->timers, phase);
  run_tasks(r, e);
  ss_phase_end(&r->timers, phase);
  r->m.tasks_done = r->m.tasks_resumed + ss_progress_finish(&r->prog, r->world);
  int rc = ss_par_phase_end(r->world, e); /* every task ended */
  ss_run_mail_drain(r); /* the periodic states still on their way (several groups) */
  if (rc == SS_EINTR) return save_at_stop(r, e);
  SS_TRY(e->code);
  phase = ss_phase(&r->timers, "collect");
  ss_phase_begin(&r->timers, phase);
  ss_rows_collect(r->world, &r->rows, e);
  ss_phase_end(&r->timers, phase);
  if (!e->code && ss_rows_count(&r->rows) != r->m.ntasks)
    ss_fail(e, SS_ERUNTIME, "internal: %ld of %ld tasks reached rank 0", ss_rows_count(&r->rows), r->m.ntasks);
  return e->code; /* rank 0's count: agreed on in finish, with the results */
}

/* Rank 0: the point-by-point tables, the summary and the CSV files. */
static int write_results(ss_run_state *r, ss_err *e)
{
  if (ss_comm_rank(r->world) == 0) {
    size_t slen = 0;
    FILE *sf = open_memstream(&r->summary, &slen);
    if (!sf) ss_fail(e, SS_ERUNTIME, "out of memory");
    long first = r->o->sweep_index >= 0 ? r->o->sweep_index : 0;
    long points = r->o->sweep_index >= 0 ? 1 : r->m.npoints;
    if (sf && !ss_assemble(r->cfg, first, points, (const char *const *)r->rows.packed, r->rows.plen, r->all, sf, e))
      ss_write_tables(r->dir, r->all, e);
    if (sf) fclose(sf);
  }
  return e->code; /* rank 0's: agreed on in finish */
}

/* STRATSIM_STATUS_FILE=PATH: rank 0 writes "STATUS<TAB>RUN_DIR" there at the end (status as in
 * the manifest). jobs/resumable.sh reads it: under srun --kill-on-bad-exit, the first rank to
 * exit 3 after a checkpoint gets the others killed, so srun's exit code alone cannot say that
 * the run checkpointed. Best effort: a failure to write it changes nothing else. */
static void write_status_file(const char *status, const char *dir)
{
  const char *path = getenv("STRATSIM_STATUS_FILE");
  if (!path || !*path) return;
  FILE *f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "%s\t%s\n", status, dir);
  fclose(f);
}

/* The final manifest, the summary on stdout, and the lock released. */
static void finish(ss_run_state *r, double t0, ss_err *e)
{
  int me = ss_comm_rank(r->world), size = ss_comm_size(r->world);
  ss_manifest *m = &r->m;
  reduce_phases(r->world, &r->timers, m);
  ss_commstats_reduce(r->world); /* communication counts for the manifest (commstats.h) */
  ss_memory_measure(r->world, &m->memory);
  ss_par_phase_end(r->world, e); /* the run's outcome: rank 0's results (or its failure) */
  m->wall_seconds = ss_wtime() - t0;
  ss_iso_time(m->end_time, sizeof m->end_time);
  m->status = e->code == SS_EINTR ? (m->tasks_checkpointed || r->parts_checkpointed ? "checkpointed" : "interrupted")
              : e->code ? "failed" : "completed";
  if (!e->code) m->tasks_checkpointed = 0; /* removed below, once the manifest says "completed" */
  m->signal = e->code == SS_EINTR ? ss_signal_name(ss_interrupt_pending()) : NULL;
  m->reason = e->code ? e->msg : NULL;
  m->tables = e->code ? NULL : r->all;
  m->summary = e->code ? NULL : r->summary;
  if (me == 0) {
    ss_err merr = {0};
    if (ss_manifest_write(m, &merr) && !e->code) *e = merr;
    write_status_file(m->status, r->dir);
    if (!e->code) ss_checkpoint_remove(r->dir);
    if (!e->code) {
      if (r->summary) fputs(r->summary, stdout);
      printf("results: %s/ (manifest.json, config.yaml", r->dir);
      for (int i = 0; i < ss_tableset_count(r->all); i++)
        if (ss_table_get_header(ss_tableset_at(r->all, i))) printf(", %s.csv", ss_table_name(ss_tableset_at(r->all, i)));
      printf(") in %.2f s on %d rank%s\n", m->wall_seconds, size, size > 1 ? "s" : "");
      fflush(stdout);
    } else if (e->code == SS_EINTR) {
      if (m->tasks_checkpointed || r->parts_checkpointed)
        fprintf(stderr, "stratsim: %s after %ld of %ld tasks; %s/%s holds %ld tasks and %ld in progress (manifest "
                "\"checkpointed\"); continue with: stratsim run --resume %s\n", e->msg, m->tasks_done, m->ntasks,
                r->dir, SS_CHECKPOINT_FILE, m->tasks_checkpointed, r->parts_checkpointed, r->dir);
      else
        fprintf(stderr, "stratsim: %s after %ld of %ld tasks; no task finished, so no checkpoint; %s/manifest.json "
                "says \"interrupted\"\n", e->msg, m->tasks_done, m->ntasks, r->dir);
    }
  }
  ss_par_phase_end(r->world, e); /* rank 0's final manifest */
  if (me == 0 && r->locked) ss_output_close(r->dir);
}

int ss_driver_run(ss_comm *world, const ss_run_options *o, ss_err *e)
{
  double t0 = ss_wtime();
  ss_run_state r = {0};
  r.world = world;
  r.o = o;
  ss_timers_init(&r.timers);
  if (!setup(&r, e)) {
    if (!make_groups(&r, e) && !compute(&r, e)) write_results(&r, e);
    finish(&r, t0, e);
  } else if (ss_comm_rank(world) == 0 && r.locked) {
    ss_output_close(r.dir);
  }
  free(r.summary);
  ss_mailbox_close(&r.mail);
  ss_rows_free(&r.rows);
  ss_tableset_free(&r.all);
  ss_comm_free(&r.group);
  free(r.leader);
  free(r.dir);
  ss_config_free(&r.cfg);
  /* STRATSIM_COUNT_ALLOC: the allocations each rank made from the point STRATSIM_FAIL_ALLOC
   * counts from, so a test can fail every one of them in turn (tests/integration.d/errors.sh) */
  if (getenv("STRATSIM_COUNT_ALLOC")) {
    const long *first;
    int n = ss_alloc_sites(&first);
    char line[65536]; /* one write per rank, so ranks' lines do not interleave */
    int at = snprintf(line, sizeof line, "stratsim: rank %d: %ld allocations at %d sites, first at:",
                      ss_comm_rank(world), ss_alloc_count(), n);
    for (int i = 0; i < n && at < (int)sizeof line - 24; i++) at += snprintf(line + at, 24, " %ld", first[i]);
    fprintf(stderr, "%s\n", line);
  }
  return e->code;
}
