/* stratsim collect: pieces of a sweep array -> one run directory (see collect.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "assemble.h"
#include "stratsim/collect.h"
#include "stratsim/experiment.h"
#include "stratsim/input_file.h"
#include "manifest.h"
#include "stratsim/output.h"

typedef struct {
  const char *dir;
  char *manifest;
  char status[32], hash[32], git[256];
  long index; /* sweep point, -1 for a whole run */
} piece;

/* The text of a top-level manifest field as written by manifest.c ("key": "text" or number). */
static void field(const char *json, const char *key, char *buf, size_t len)
{
  char pat[64];
  snprintf(pat, sizeof pat, "\n  \"%s\": ", key);
  const char *at = strstr(json, pat);
  buf[0] = 0;
  if (!at) return;
  at += strlen(pat);
  size_t n = *at == '"' ? strcspn(at + 1, "\"") : strcspn(at, ",\n");
  if (*at == '"') at++;
  snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), at);
}

static char *read_in(const char *dir, const char *name, size_t *len, ss_err *e)
{
  char *path = NULL, *text = NULL;
  if (asprintf(&path, "%s/%s", dir, name) < 0) return ss_fail(e, SS_ERUNTIME, "out of memory"), NULL;
  ss_read_input_file(path, SS_DATA_MAX_BYTES, "a run directory's file", &text, len, e);
  free(path);
  return text;
}

static int load_piece(piece *p, ss_err *e)
{
  size_t len;
  if (!ss_output_is_run_dir(p->dir))
    return ss_fail(e, SS_EINPUT, "%s: not a stratsim run directory (no manifest.json written by stratsim)", p->dir);
  if (!(p->manifest = read_in(p->dir, "manifest.json", &len, e))) return e->code;
  char idx[32];
  field(p->manifest, "status", p->status, sizeof p->status);
  field(p->manifest, "config_hash", p->hash, sizeof p->hash);
  field(p->manifest, "git_describe", p->git, sizeof p->git);
  field(p->manifest, "sweep_index", idx, sizeof idx);
  p->index = strcmp(idx, "null") && *idx ? atol(idx) : -1;
  return SS_OK;
}

/* Every piece from one config and one binary, one piece per point, all of them completed. */
static int check_pieces(piece *ps, int n, long npoints, piece **by_point, ss_err *e)
{
  for (int i = 0; i < n; i++) {
    if (!*ps[i].hash || strcmp(ps[i].hash, ps[0].hash))
      return ss_fail(e, SS_EINPUT, "%s and %s come from different configs (config_hash %s vs %s)", ps[0].dir,
                     ps[i].dir, ps[0].hash, ps[i].hash);
    if (strcmp(ps[i].git, ps[0].git))
      return ss_fail(e, SS_EINPUT, "%s and %s come from different stratsim binaries (%s vs %s)", ps[0].dir, ps[i].dir,
                     ps[0].git, ps[i].git);
    long idx = ps[i].index < 0 && npoints == 1 ? 0 : ps[i].index;
    if (idx < 0 || idx >= npoints)
      return ss_fail(e, SS_EINPUT, "%s: not one point of the sweep (run it with --sweep-index I)", ps[i].dir);
    if (by_point[idx])
      return ss_fail(e, SS_EINPUT, "%s and %s both hold sweep point %ld", by_point[idx]->dir, ps[i].dir, idx);
    by_point[idx] = &ps[i];
  }
  char missing[1024] = "";
  long nmiss = 0;
  for (long p = 0; p < npoints; p++) {
    const char *why = !by_point[p] ? "missing" : strcmp(by_point[p]->status, "completed") ? by_point[p]->status : NULL;
    if (!why) continue;
    size_t used = strlen(missing);
    if (nmiss++ < 20) snprintf(missing + used, sizeof missing - used, "%s%ld (%s)", nmiss > 1 ? ", " : "", p, why);
  }
  if (nmiss)
    return ss_fail(e, SS_ERUNTIME, "%ld of %ld sweep points are missing or did not complete: %s%s; nothing was "
                   "written", nmiss, npoints, missing, nmiss > 20 ? ", ..." : "");
  return SS_OK;
}

/* The CSV names listed in a manifest's "files", in order. */
static int list_files(const char *manifest, char names[][256], int max)
{
  const char *at = strstr(manifest, "\"files\": [");
  int n = 0;
  if (!at) return 0;
  const char *end = strchr(at, ']');
  for (at = strchr(at, '[') + 1; at && at < end && n < max;) {
    const char *q = strchr(at, '"');
    if (!q || q > end) break;
    const char *q2 = strchr(q + 1, '"');
    if (!q2 || q2 > end) break;
    snprintf(names[n++], 256, "%.*s", (int)(q2 - q - 1), q + 1);
    at = q2 + 1;
  }
  return n;
}

/* One CSV file over every point: rows in point order (shared tables: see assemble.h). */
static int merge_file(const ss_config *cfg, piece **by_point, long npoints, const char *file, ss_tableset *all,
                      ss_err *e)
{
  const ss_experiment_ops *exp = ss_experiment_find(ss_cfg_experiment(cfg));
  char tname[256];
  snprintf(tname, sizeof tname, "%.*s", (int)(strlen(file) - 4), file);
  int shared = 0;
  for (const char *const *s = exp->shared_tables; s && *s; s++) shared |= !strcmp(*s, tname);
  char **bodies = ss_calloc((size_t)npoints, sizeof *bodies, e), **values = ss_calloc((size_t)npoints, sizeof *values, e);
  size_t *lens = ss_calloc((size_t)npoints, sizeof *lens, e);
  char *header = NULL, *sweep_header = ss_config_sweep_header(cfg, e);
  ss_table *dst = ss_tableset_get(all, tname);
  int rc = bodies && values && lens && sweep_header ? SS_OK : e->code;
  for (long p = 0; !rc && p < npoints; p++) {
    size_t len;
    char *text = read_in(by_point[p]->dir, file, &len, e);
    if (!text) { rc = e->code; break; }
    char *nl = memchr(text, '\n', len);
    if (!nl) { free(text); rc = ss_fail(e, SS_EINPUT, "%s/%s: no header line", by_point[p]->dir, file); break; }
    *nl = 0;
    if (!header && !(header = ss_strdup(text, e))) rc = ss_fail(e, SS_ERUNTIME, "out of memory");
    else if (strcmp(header, text)) rc = ss_fail(e, SS_EINPUT, "%s/%s: the columns differ from %s/%s", by_point[p]->dir, file, by_point[0]->dir, file);
    lens[p] = len - (size_t)(nl + 1 - text);
    if (!rc && !(bodies[p] = ss_malloc(lens[p] + 1, e))) rc = e->code;
    if (!rc) memcpy(bodies[p], nl + 1, lens[p]);
    free(text);
    if (!rc && !(values[p] = ss_config_sweep_values(cfg, p, e))) rc = e->code;
  }
  if (!rc && shared) rc = ss_assemble_shared(dst, header, sweep_header, bodies, lens, values, npoints, e);
  if (!rc && !shared) rc = ss_table_header(dst, header, e);
  for (long p = 0; !rc && !shared && p < npoints; p++) ss_table_append_body(dst, bodies[p], lens[p]);
  for (long p = 0; p < npoints && bodies && values; p++) {
    free(bodies[p]);
    free(values[p]);
  }
  free(bodies);
  free(values);
  free(lens);
  free(header);
  free(sweep_header);
  return rc;
}

static int write_collected(const ss_config *cfg, const char *yaml, size_t ylen, piece **by_point, long npoints,
                           const char *out, int force, int argc, char **argv, ss_err *e)
{
  ss_tableset *all = ss_tableset_new();
  char (*files)[256] = ss_calloc(256, sizeof *files, e);
  if (!all || !files) {
    ss_tableset_free(&all);
    free(files);
    return ss_fail(e, SS_ERUNTIME, "out of memory");
  }
  int nfiles = list_files(by_point[0]->manifest, files, 256), rc = SS_OK;
  for (int f = 0; !rc && f < nfiles; f++) rc = merge_file(cfg, by_point, npoints, files[f], all, e);
  if (!rc && !(rc = ss_output_open(out, force, e))) {
    ss_manifest m = {0};
    m.cfg = cfg;
    m.dir = out;
    m.status = "completed";
    m.argc = argc;
    m.argv = argv;
    m.config_hash = ss_config_hash(cfg);
    m.sweep_index = -1;
    m.npoints = npoints;
    m.ntasks = m.tasks_done = npoints * ss_cfg_int(cfg, "seeds");
    ss_iso_time(m.start_time, sizeof m.start_time);
    ss_iso_time(m.end_time, sizeof m.end_time);
    m.tables = all;
    if (!(rc = ss_write_atomic(out, "config.yaml", yaml, ylen, e)) && !(rc = ss_write_tables(out, all, e)))
      rc = ss_manifest_write(&m, e);
    ss_output_close(out);
  }
  if (!rc) printf("collected %ld sweep points into %s/\n", npoints, out);
  ss_tableset_free(&all);
  free(files);
  return rc;
}

int ss_collect(char *const *dirs, int ndirs, const char *out, int force, int argc, char **argv, ss_err *e)
{
  piece *ps = ss_calloc((size_t)ndirs, sizeof *ps, e);
  if (!ps) return e->code;
  ss_config *cfg = NULL;
  piece **by_point = NULL;
  char *yaml = NULL;
  size_t ylen = 0;
  int rc = SS_OK;
  for (int i = 0; !rc && i < ndirs; i++) {
    ps[i].dir = dirs[i];
    rc = load_piece(&ps[i], e);
  }
  if (!rc && !(yaml = read_in(ps[0].dir, "config.yaml", &ylen, e))) rc = e->code;
  if (!rc) rc = ss_config_parse("config.yaml", yaml, ylen, NULL, 0, &cfg, e);
  long npoints = rc ? 0 : ss_config_npoints(cfg);
  if (!rc && !(by_point = ss_calloc((size_t)npoints, sizeof *by_point, e))) rc = e->code;
  if (!rc) rc = check_pieces(ps, ndirs, npoints, by_point, e);
  if (!rc) rc = write_collected(cfg, yaml, ylen, by_point, npoints, out, force, argc, argv, e);
  for (int i = 0; i < ndirs; i++) free(ps[i].manifest);
  free(ps);
  free(by_point);
  free(yaml);
  ss_config_free(&cfg);
  return rc;
}
