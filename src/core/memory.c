/* Memory estimates and the per-rank limit (include/stratsim/memory.h). The estimate of a
 * rank is the process baseline (MPI, PETSc, libraries), the largest task it may run (each
 * experiment's `memory` op, for the smallest rank group, whose blocks are the largest) and,
 * on world rank 0, the CSV text of every task, which it holds until it writes the files. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "stratsim/experiment.h"
#include "stratsim/memory.h"

/* Peak RSS of a rank that does (almost) nothing: Open MPI, PETSc and the libraries, measured
 * with the small configs of tests/integration.d/memory.sh (37-41 MiB on Debian 12). */
#define SS_MEM_BASELINE (40.0 * 1048576)
/* At the end rank 0 holds each task's packed rows, the appended tables and the copy of one
 * file being written: about three times the CSV text R of all tasks. While a task runs it
 * holds the earlier tasks' packed rows (at most R) besides the task's own memory, so its
 * peak is max(task + R, 3 R) = task + max(R, 3 R - task). */
#define SS_MEM_RESULT_COPIES 3.0
/* Sweeps larger than this are estimated from their first points. */
#define SS_MEM_MAX_POINTS 100000L

/* "auto", "none", or a number with an optional K/M/G/T suffix (powers of 1024, as SLURM's
 * --mem), an optional "i" and "B": 4G, 4GB, 4GiB, 1.5T, 500000000. */
int ss_mem_parse_limit(const char *text, double *bytes, int *automatic)
{
  *automatic = 0;
  *bytes = 0;
  if (!text || !strcmp(text, "auto")) { *automatic = 1; return 0; }
  if (!strcmp(text, "none")) { *bytes = -1; return 0; }
  char *end;
  double v = strtod(text, &end);
  if (end == text || !(v > 0) || !isfinite(v)) return -1;
  const char *units = "KMGTPE";
  const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
  if (*end && !u) {
    if (toupper((unsigned char)*end) != 'B' || end[1]) return -1;
    end++;
  }
  if (u) {
    v *= pow(1024, (double)(u - units + 1));
    end++;
    if (*end == 'i') end++;
    if (toupper((unsigned char)*end) == 'B') end++;
  }
  if (*end) return -1;
  *bytes = v;
  return 0;
}

/* Bytes of a "Key: N kB" line of a /proc file; -1 if absent. */
static double proc_kb(const char *file, const char *key)
{
  FILE *f = fopen(file, "r");
  if (!f) return -1;
  char line[256];
  double v = -1;
  size_t n = strlen(key);
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, key, n) && line[n] == ':') { v = atof(line + n + 1) * 1024; break; }
  fclose(f);
  return v;
}

/* The smallest memory limit of the cgroups from this process's up to the root (a SLURM
 * job's --mem): cgroup v2 memory.max or v1 memory.limit_in_bytes; -1 when there is none. */
static double cgroup_limit(void)
{
  FILE *f = fopen("/proc/self/cgroup", "r");
  if (!f) return -1;
  char line[4096], path[4300];
  double best = -1;
  while (fgets(line, sizeof line, f)) {
    const char *root, *file;
    char *cg;
    line[strcspn(line, "\n")] = 0;
    if (!strncmp(line, "0::", 3)) { root = "/sys/fs/cgroup"; file = "memory.max"; cg = line + 3; }
    else if ((cg = strstr(line, ":memory:"))) { root = "/sys/fs/cgroup/memory"; file = "memory.limit_in_bytes"; cg += 8; }
    else continue;
    for (;;) { /* this cgroup, then each parent up to the root */
      snprintf(path, sizeof path, "%s%s/%s", root, strcmp(cg, "/") ? cg : "", file);
      FILE *m = fopen(path, "r");
      char val[64] = "";
      if (m && fgets(val, sizeof val, m) && isdigit((unsigned char)val[0]) && (best < 0 || atof(val) < best))
        best = atof(val);
      if (m) fclose(m);
      char *slash = strrchr(cg, '/');
      if (!slash || !strcmp(cg, "/")) break;
      if (slash == cg) slash[1] = 0;
      else *slash = 0;
    }
  }
  fclose(f);
  return best;
}

/* The default limit: memory available on the node (MemAvailable, capped by the cgroup's
 * memory.max) over the ranks on the node. 0 when unknown (no check). */
static double auto_limit(ss_comm *world, char *source, size_t len)
{
  int node_ranks = ss_comm_node_ranks(world);
  double avail = proc_kb("/proc/meminfo", "MemAvailable"), cg = cgroup_limit();
  const char *from = "MemAvailable";
  if (cg > 0 && (avail < 0 || cg < avail)) { avail = cg; from = "cgroup memory.max"; }
  if (avail <= 0) { snprintf(source, len, "auto: the available memory is unknown, no limit"); return 0; }
  char a[32];
  ss_mem_format(avail, a, sizeof a);
  snprintf(source, len, "auto: %s %s / %d rank%s on the node", from, a, node_ranks, node_ranks > 1 ? "s" : "");
  return avail / node_ranks;
}

int ss_memory_estimate(const ss_config *cfg, long sweep_index, int ranks, int groups, int with_results,
                       ss_mem_estimate *m, ss_err *e)
{
  memset(m, 0, sizeof *m);
  const ss_experiment_ops *exp = ss_experiment_find(ss_cfg_experiment(cfg));
  ss_mem_add(m, SS_MEM_BASELINE, "", "process baseline (MPI, PETSc, libraries)");
  if (!exp || !exp->memory) return SS_OK;
  int group = ranks / (groups > 0 && groups < ranks ? groups : ranks);
  long np = ss_config_npoints(cfg), first = sweep_index >= 0 ? sweep_index : 0;
  long last = sweep_index >= 0 ? sweep_index + 1 : np, evaluated = 0;
  if (last - first > SS_MEM_MAX_POINTS) last = first + SS_MEM_MAX_POINTS;
  ss_mem_estimate worst = {0};
  double results = 0;
  char result_keys[128] = "";
  for (long i = first; i < last; i++, evaluated++) {
    ss_config *point = NULL;
    SS_TRY(ss_config_point(cfg, i, &point, e));
    ss_mem_estimate task = {0};
    double rb = 0;
    exp->memory(point, group < 1 ? 1 : group, &task, &rb);
    results += rb;
    if (ss_mem_total(&task) > ss_mem_total(&worst)) worst = task;
    if (task.result_keys[0]) snprintf(result_keys, sizeof result_keys, "%s, seeds", task.result_keys);
    ss_config_free(&point);
  }
  for (int i = 0; i < worst.n; i++) ss_mem_add(m, worst.term[i].bytes, worst.term[i].keys, worst.term[i].what);
  long points = sweep_index >= 0 ? 1 : np;
  double R = evaluated ? results * ((double)points / evaluated) * (double)ss_cfg_int(cfg, "seeds") : 0;
  double task = ss_mem_total(&worst), held = SS_MEM_RESULT_COPIES * R - task;
  if (with_results)
    ss_mem_add(m, held > R ? held : R, result_keys[0] ? result_keys : "seeds",
               "result tables of every task, held by rank 0");
  return SS_OK;
}

static int term_cmp(const void *a, const void *b)
{
  double x = ((const ss_mem_term *)a)->bytes, y = ((const ss_mem_term *)b)->bytes;
  return (x < y) - (x > y);
}

/* The refusal: where the largest term's first key was set, the estimate, the limit, and the
 * three largest terms with their keys. */
static int refuse(const ss_config *cfg, ss_mem_estimate *m, double limit, const char *source, int ranks,
                  ss_err *e)
{
  double total = ss_mem_total(m);
  qsort(m->term, (size_t)m->n, sizeof m->term[0], term_cmp);
  char key[96] = "limits.memory_per_rank", est[32], lim[32], terms[1200] = "";
  for (int i = 0; i < m->n && m->term[i].keys[0]; i++) {
    snprintf(key, sizeof key, "%.*s", (int)strcspn(m->term[i].keys, ", "), m->term[i].keys);
    break;
  }
  for (int i = 0, shown = 0; i < m->n && shown < 3; i++) {
    char b[32];
    ss_mem_format(m->term[i].bytes, b, sizeof b);
    size_t at = strlen(terms);
    snprintf(terms + at, sizeof terms - at, "%s%s %s%s%s%s", shown ? "; " : "", b, m->term[i].what,
             m->term[i].keys[0] ? " (" : "", m->term[i].keys, m->term[i].keys[0] ? ")" : "");
    shown++;
  }
  ss_mem_format(total, est, sizeof est);
  ss_mem_format(limit, lim, sizeof lim);
  return ss_fail(e, SS_EINPUT,
                 "%s: %s: estimated peak memory per rank %s on %d rank%s exceeds limits.memory_per_rank = %s (%s); "
                 "largest terms: %s. Lower those keys, run on more ranks, or raise limits.memory_per_rank",
                 ss_cfg_where(cfg, key), key, est, ranks, ranks > 1 ? "s" : "", lim, source, terms);
}

int ss_memory_check(ss_comm *world, const ss_config *cfg, long sweep_index, ss_mem_report *r, ss_err *e)
{
  memset(r, 0, sizeof *r);
  int me = ss_comm_rank(world), size = ss_comm_size(world), automatic;
  double limit;
  if (ss_mem_parse_limit(ss_cfg_str(cfg, "limits.memory_per_rank"), &limit, &automatic))
    ss_cfg_error(cfg, "limits.memory_per_rank", e,
                 "expected auto, none or a size such as 4G, 512MiB or 2000000000, found '%s'",
                 ss_cfg_str(cfg, "limits.memory_per_rank"));
  /* every rank parsed the same config, so a bad limit fails on every rank alike */
  if (e->code) return e->code;
  if (automatic) limit = auto_limit(world, r->limit_source, sizeof r->limit_source);
  else if (limit < 0) { limit = 0; snprintf(r->limit_source, sizeof r->limit_source, "none: no limit"); }
  else snprintf(r->limit_source, sizeof r->limit_source, "set by limits.memory_per_rank");
  long long want = ss_cfg_int(cfg, "parallel.groups");
  ss_mem_estimate m;
  if (!ss_memory_estimate(cfg, sweep_index, size, (int)(want < size ? want : size), me == 0, &m, e)) {
    r->estimate = ss_mem_total(&m);
    r->limit = limit;
    if (limit > 0 && r->estimate > limit) refuse(cfg, &m, limit, r->limit_source, size, e);
  }
  return ss_par_max_double(world, &r->estimate, 1, e); /* agrees on a refusal first */
}

void ss_memory_measure(ss_comm *world, ss_mem_report *r)
{
  double hwm = proc_kb("/proc/self/status", "VmHWM");
  if (hwm < 0) {
    struct rusage ru;
    hwm = getrusage(RUSAGE_SELF, &ru) ? 0 : (double)ru.ru_maxrss * 1024;
  }
  r->peak_rss = hwm;
  ss_comm_max_double(world, &r->peak_rss, 1);
}

void ss_memory_write_json(const ss_mem_report *r, FILE *f)
{
  fprintf(f, "\"memory\": {\"estimate_bytes\": %.0f, \"limit_bytes\": %.0f, \"limit_source\": \"%s\", "
             "\"peak_rss_bytes\": %.0f}",
          r->estimate, r->limit, r->limit_source, r->peak_rss);
}
