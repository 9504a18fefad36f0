/* The driver. Rank 0 reads the config file and every rank parses the same bytes; any
 * error is agreed on before anything is created. Tasks (sweep point x seed) go round-robin
 * to rank groups; each group leader keeps its tasks' rows, and world rank 0 collects them
 * in task order, so the files do not depend on the rank count or the group layout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/driver.h"
#include "stratsim/experiment.h"
#include "stratsim/manifest.h"
#include "stratsim/output.h"
#include "stratsim/progress.h"

static int read_file(const char *path, char **buf, size_t *len, ss_err *e)
{
  FILE *f = fopen(path, "rb");
  if (!f) return ss_fail(e, SS_EINPUT, "%s: cannot read the config: %s", path, strerror(errno));
  char *data = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n + 4096 > cap) {
      cap = cap ? 2 * cap : 65536;
      char *grown = realloc(data, cap);
      if (!grown) { free(data); fclose(f); return ss_fail(e, SS_ERUNTIME, "out of memory"); }
      data = grown;
    }
    size_t got = fread(data + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(data); return ss_fail(e, SS_EINPUT, "%s: cannot read the config", path); }
  data[n] = 0;
  *buf = data;
  *len = n;
  return SS_OK;
}

int ss_driver_load(ss_comm *world, const ss_run_options *o, ss_config **cfg, ss_err *e)
{
  char *text = NULL;
  size_t len = 0;
  *cfg = NULL;
  if (ss_comm_rank(world) == 0) read_file(o->config, &text, &len, e);
  if (ss_comm_agree(world, e)) { free(text); return e->code; }
  if (ss_comm_bcast_buffer(world, &text, &len, 0)) { free(text); return ss_fail(e, SS_ERUNTIME, "broadcast failed"); }
  ss_config_parse(o->config, text, len, o->sets, o->nsets, cfg, e);
  free(text);
  if (!e->code && o->sweep_index >= ss_config_npoints(*cfg))
    ss_fail(e, SS_EINPUT, "--sweep-index %ld: expected a point in [0, %ld)", o->sweep_index,
            ss_config_npoints(*cfg));
  if (ss_comm_agree(world, e)) ss_config_free(cfg);
  return e->code;
}

static void run_dir(const ss_config *cfg, const ss_run_options *o, char *dir, size_t len)
{
  if (o->out) { snprintf(dir, len, "%s", o->out); return; }
  const char *name = ss_cfg_str(cfg, "name");
  char base[512];
  if (!name) {
    const char *slash = strrchr(o->config, '/');
    snprintf(base, sizeof base, "%s", slash ? slash + 1 : o->config);
    char *dot = strrchr(base, '.');
    if (dot && dot != base) *dot = 0;
    name = base;
  }
  if (o->sweep_index >= 0)
    snprintf(dir, len, "%s/%s/point-%ld", ss_cfg_str(cfg, "output.dir"), name, o->sweep_index);
  else
    snprintf(dir, len, "%s/%s", ss_cfg_str(cfg, "output.dir"), name);
}

typedef struct {
  long ntasks;
  char **packed;  /* per task, on group leaders: that task's tables */
  size_t *plen;
} task_rows;

/* Runs this group's tasks. Returns the first error (the group agrees on it). */
static int run_tasks(ss_comm *world, ss_comm *group, int gid, int ngroups, const ss_config *cfg,
                     const ss_run_options *o, ss_timers *timers, ss_progress *prog, task_rows *rows,
                     ss_err *e)
{
  const ss_experiment_ops *exp = ss_experiment_find(ss_cfg_experiment(cfg));
  long seeds = ss_cfg_int(cfg, "seeds");
  long first = o->sweep_index >= 0 ? o->sweep_index : 0;
  for (long t = gid; t < rows->ntasks; t += ngroups) {
    long point = first + t / seeds;
    int s = (int)(t % seeds);
    ss_config *pcfg = NULL;
    ss_tableset *tables = NULL;
    if (!ss_config_point(cfg, point, &pcfg, e) && !(tables = ss_tableset_new()))
      ss_fail(e, SS_ERUNTIME, "out of memory");
    /* local allocations: a rank that cannot run the task must not leave its group in it */
    if (ss_comm_agree(group, e)) {
      ss_tableset_free(&tables);
      ss_config_free(&pcfg);
      return e->code;
    }
    ss_task task = {group, world, pcfg, point, s, (uint64_t)ss_cfg_int(pcfg, "seed") + (uint64_t)s,
                    tables, timers, prog};
    exp->run(&task, e);
    /* STRATSIM_FAIL_RANK=r makes world rank r fail at the end of its first task's local
     * work: a test hook for the collective error path (tests/run_integration.sh) */
    const char *inject = getenv("STRATSIM_FAIL_RANK");
    if (inject && atoi(inject) == ss_comm_rank(world) && !getenv("STRATSIM_FAIL_ALLOC"))
      ss_fail(e, SS_ERUNTIME, "injected failure on rank %d (STRATSIM_FAIL_RANK)", ss_comm_rank(world));
    int rc = ss_comm_agree(group, e);
    if (!rc && ss_comm_rank(group) == 0) rc = ss_tableset_pack(tables, &rows->packed[t], &rows->plen[t], e);
    ss_tableset_free(&tables);
    ss_config_free(&pcfg);
    if (rc) return rc;
    ss_progress_task_done(prog);
  }
  return SS_OK;
}

/* World rank 0 receives every task's rows in task order from the group leaders. */
static int collect(ss_comm *world, int ngroups, const int *leader, task_rows *rows,
                   ss_tableset *all, ss_err *e)
{
  int me = ss_comm_rank(world);
  for (long t = 0; t < rows->ntasks; t++) {
    int src = leader[t % ngroups];
    int tag = (int)(t % 30000);
    if (me == src && me != 0) {
      if (ss_comm_send_bytes(world, rows->packed[t], rows->plen[t], 0, tag))
        return ss_fail(e, SS_ERUNTIME, "sending results to rank 0 failed");
    } else if (me == 0 && src != 0) {
      char *buf = NULL;
      size_t len = 0;
      if (ss_comm_recv_bytes(world, src, tag, &buf, &len))
        return ss_fail(e, SS_ERUNTIME, "receiving results from rank %d failed", src);
      int rc = ss_tableset_unpack_append(all, buf, len, e);
      free(buf);
      SS_TRY(rc);
    } else if (me == 0) {
      SS_TRY(ss_tableset_unpack_append(all, rows->packed[t], rows->plen[t], e));
    }
  }
  return SS_OK;
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

int ss_driver_run(ss_comm *world, const ss_run_options *o, ss_err *e)
{
  ss_config *cfg = NULL;
  double t0 = ss_wtime();
  SS_TRY(ss_driver_load(world, o, &cfg, e));
  ss_mem_report mem; /* before any work: a run that cannot fit is bad input (exit 2) */
  if (ss_memory_check(world, cfg, o->sweep_index, &mem, e)) { ss_config_free(&cfg); return e->code; }
  int me = ss_comm_rank(world), size = ss_comm_size(world);
  /* STRATSIM_FAIL_RANK=r with STRATSIM_FAIL_ALLOC=n: instead of failing at the end of its first
   * task, world rank r fails its allocation n (from here on), once: a rank short of memory
   * anywhere in a run (tests/run_integration.sh) */
  const char *fail_rank = getenv("STRATSIM_FAIL_RANK"), *fail_alloc = getenv("STRATSIM_FAIL_ALLOC");
  if (fail_rank && fail_alloc && atoi(fail_rank) == me) ss_alloc_fail_after(atol(fail_alloc));
  char dir[4096];
  run_dir(cfg, o, dir, sizeof dir);
  if (me == 0) ss_output_prepare(dir, o->force, e);
  if (ss_comm_agree(world, e)) { ss_config_free(&cfg); return e->code; }

  const ss_experiment_ops *exp = ss_experiment_find(ss_cfg_experiment(cfg));
  ss_manifest m = {0};
  m.cfg = cfg;
  m.dir = dir;
  m.status = "running";
  m.memory = mem;
  m.argc = o->argc;
  m.argv = o->argv;
  m.ranks = size;
  /* more groups than ranks would leave groups empty: use one group per rank instead (the
   * results are the same for any layout; the manifest records the groups used) */
  long long want_groups = ss_cfg_int(cfg, "parallel.groups");
  m.groups = (int)(want_groups < size ? want_groups : size);
  m.sweep_index = o->sweep_index;
  m.npoints = ss_config_npoints(cfg);
  long points = o->sweep_index >= 0 ? 1 : m.npoints;
  m.ntasks = points * ss_cfg_int(cfg, "seeds");
  ss_par_mpi_version(m.mpi_version, sizeof m.mpi_version);
  ss_iso_time(m.start_time, sizeof m.start_time);
  if (me == 0) ss_manifest_write(&m, e);
  if (ss_comm_agree(world, e)) { ss_config_free(&cfg); return e->code; }

  /* groups are contiguous blocks of ranks; leader = the first rank of each block */
  int ngroups = m.groups, gid = (int)((long)me * ngroups / size);
  int *leader = calloc((size_t)ngroups, sizeof *leader);
  for (int g = 0; leader && g < ngroups; g++) leader[g] = (int)(((long)g * size + ngroups - 1) / ngroups);
  ss_comm *group = NULL;
  ss_timers timers;
  ss_timers_init(&timers);
  task_rows rows = {m.ntasks, calloc((size_t)m.ntasks, sizeof(char *)), calloc((size_t)m.ntasks, sizeof(size_t))};
  ss_tableset *all = ss_tableset_new();
  ss_progress prog;
  long mine = 0;
  for (long t = gid; t < m.ntasks; t += ngroups) mine++;
  ss_progress_init(&prog, mine, me == 0 && !o->quiet);
  if (!leader || !rows.packed || !rows.plen || !all) ss_fail(e, SS_ERUNTIME, "out of memory");
  if (!ss_comm_agree(world, e) && ss_comm_split(world, gid, me, &group))
    ss_fail(e, SS_ERUNTIME, "cannot split ranks into %d groups", ngroups);
  if (!ss_comm_agree(world, e)) {
    int phase = ss_phase(&timers, "tasks");
    ss_phase_begin(&timers, phase);
    run_tasks(world, group, gid, ngroups, cfg, o, &timers, &prog, &rows, e);
    ss_phase_end(&timers, phase);
  }
  ss_progress_finish(&prog);
  if (!ss_comm_agree(world, e)) {
    int phase = ss_phase(&timers, "collect");
    ss_phase_begin(&timers, phase);
    collect(world, ngroups, leader, &rows, all, e);
    ss_phase_end(&timers, phase);
  }
  char *summary = NULL;
  size_t slen = 0;
  if (!ss_comm_agree(world, e) && me == 0) {
    /* a single sweep point is summarised with that point's values, not the base config's */
    ss_config *point = NULL;
    if (o->sweep_index >= 0) ss_config_point(cfg, o->sweep_index, &point, e);
    FILE *sf = open_memstream(&summary, &slen);
    if (!e->code && (!exp->finish || !exp->finish(point ? point : cfg, all, sf, e))) ss_write_tables(dir, all, e);
    fclose(sf);
    ss_config_free(&point);
  }
  ss_comm_agree(world, e);
  reduce_phases(world, &timers, &m);
  ss_memory_measure(world, &m.memory);
  m.wall_seconds = ss_wtime() - t0;
  ss_iso_time(m.end_time, sizeof m.end_time);
  m.status = e->code ? "failed" : "completed";
  m.reason = e->code ? e->msg : NULL;
  m.tables = e->code ? NULL : all;
  if (me == 0) {
    ss_err merr = {0};
    if (ss_manifest_write(&m, &merr) && !e->code) *e = merr;
    if (!e->code) {
      if (summary && slen) fputs(summary, stdout);
      printf("results: %s/ (manifest.json", dir);
      for (int i = 0; i < ss_tableset_count(all); i++)
        if (ss_table_get_header(ss_tableset_at(all, i))) printf(", %s.csv", ss_table_name(ss_tableset_at(all, i)));
      printf(") in %.2f s on %d rank%s\n", m.wall_seconds, size, size > 1 ? "s" : "");
      fflush(stdout);
    }
  }
  ss_comm_agree(world, e);
  free(summary);
  for (long t = 0; rows.packed && t < m.ntasks; t++) free(rows.packed[t]);
  free(rows.packed);
  free(rows.plen);
  ss_tableset_free(&all);
  ss_comm_free(&group);
  free(leader);
  ss_config_free(&cfg);
  return e->code;
}
