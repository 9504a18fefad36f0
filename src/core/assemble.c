/* Assembling a run's files from its tasks' tables, point by point (see assemble.h). */
#include <stdlib.h>
#include <string.h>
#include "assemble.h"
#include "stratsim/experiment.h"

static int is_shared(const ss_experiment_ops *exp, const char *name)
{
  for (const char *const *s = exp->shared_tables; s && *s; s++)
    if (!strcmp(*s, name)) return 1;
  return 0;
}

static char *join_header(const char *sweep_header, const char *header, ss_err *e)
{
  char *h = NULL;
  if (asprintf(&h, "%s,%s", sweep_header, header) < 0) {
    ss_fail(e, SS_ERUNTIME, "out of memory");
    return NULL;
  }
  return h;
}

int ss_assemble_shared(ss_table *dst, const char *header, const char *sweep_header, char *const *bodies,
                       const size_t *lens, char *const *values, long n, ss_err *e)
{
  int same = 1;
  for (long p = 1; p < n && same; p++)
    same = lens[p] == lens[0] && (!lens[0] || !memcmp(bodies[p], bodies[0], lens[0]));
  if (same) {
    SS_TRY(ss_table_header(dst, header, e));
    if (n > 0) ss_table_append_body(dst, bodies[0], lens[0]);
    return SS_OK;
  }
  char *h = join_header(sweep_header, header, e);
  int rc = h ? ss_table_header(dst, h, e) : e->code;
  free(h);
  for (long p = 0; !rc && p < n; p++)
    if (lens[p]) rc = ss_table_append_prefixed(dst, values[p], bodies[p], lens[p], e);
  return rc;
}

/* Rows of shared tables, kept per point until every point is known. */
typedef struct {
  char *name, *header;
  char **bodies, **values;
  size_t *lens;
} shared_rows;

static void shared_free(shared_rows *s, int n, long points)
{
  for (int i = 0; s && i < n; i++) {
    for (long p = 0; p < points; p++) {
      free(s[i].bodies[p]);
      free(s[i].values[p]);
    }
    free(s[i].bodies);
    free(s[i].values);
    free(s[i].lens);
    free(s[i].name);
    free(s[i].header);
  }
  free(s);
}

/* The slot of shared table name (created on first use, with room for every point). */
static shared_rows *shared_slot(shared_rows **s, int *n, const char *name, long points, ss_err *e)
{
  for (int i = 0; i < *n; i++)
    if (!strcmp((*s)[i].name, name)) return &(*s)[i];
  shared_rows *grown = ss_realloc(*s, ((size_t)*n + 1) * sizeof *grown, e);
  if (!grown) return ss_fail(e, SS_ERUNTIME, "out of memory"), NULL;
  *s = grown;
  shared_rows *slot = &grown[(*n)++];
  memset(slot, 0, sizeof *slot);
  slot->name = ss_strdup(name, e);
  slot->bodies = ss_calloc((size_t)points, sizeof *slot->bodies, e);
  slot->values = ss_calloc((size_t)points, sizeof *slot->values, e);
  slot->lens = ss_calloc((size_t)points, sizeof *slot->lens, e);
  if (!slot->name || !slot->bodies || !slot->values || !slot->lens) return ss_fail(e, SS_ERUNTIME, "out of memory"), NULL;
  return slot;
}

/* Moves one point's tables into all (or, for shared tables, into their slots). */
static int add_point(const ss_experiment_ops *exp, ss_tableset *pt, const char *sweep_header, const char *values,
                     long p, long points, ss_tableset *all, shared_rows **sh, int *nsh, ss_err *e)
{
  for (int i = 0; i < ss_tableset_count(pt); i++) {
    ss_table *t = ss_tableset_at(pt, i);
    const char *header = ss_table_get_header(t);
    if (!header) continue;
    size_t blen;
    const char *body = ss_table_body(t, &blen);
    ss_table *dst = ss_tableset_get(all, ss_table_name(t)); /* keeps the order of first appearance */
    if (is_shared(exp, ss_table_name(t))) {
      shared_rows *slot = shared_slot(sh, nsh, ss_table_name(t), points, e);
      if (!slot) return e->code;
      if (!slot->header && !(slot->header = ss_strdup(header, e))) return ss_fail(e, SS_ERUNTIME, "out of memory");
      if (strcmp(slot->header, header))
        return ss_fail(e, SS_EINPUT, "%s.csv: the columns differ between sweep points (%s vs %s); do not sweep "
                       "keys that change a table's columns", ss_table_name(t), slot->header, header);
      slot->bodies[p] = ss_malloc(blen + 1, e);
      slot->values[p] = ss_strdup(values, e);
      if (!slot->bodies[p] || !slot->values[p]) return ss_fail(e, SS_ERUNTIME, "out of memory");
      memcpy(slot->bodies[p], body, blen);
      slot->lens[p] = blen;
      continue;
    }
    char *h = join_header(sweep_header, header, e);
    int rc = h ? ss_table_header(dst, h, e) : e->code;
    free(h);
    SS_TRY(rc);
    SS_TRY(ss_table_append_prefixed(dst, values, body, blen, e));
  }
  return SS_OK;
}

/* One point: its tasks' tables merged in seed order, then the experiment's finish hook. */
static int point_tables(const ss_config *cfg, long point, long seeds, const char *const *packed,
                        const size_t *plen, ss_tableset **out, FILE *summary, ss_err *e)
{
  const ss_experiment_ops *exp = ss_experiment_find(ss_cfg_experiment(cfg));
  ss_tableset *pt = ss_tableset_new();
  if (!pt) return ss_fail(e, SS_ERUNTIME, "out of memory");
  int rc = SS_OK;
  for (long s = 0; !rc && s < seeds; s++) rc = ss_tableset_unpack_append(pt, packed[s], plen[s], e);
  ss_config *pcfg = NULL;
  if (!rc) rc = ss_config_point(cfg, point, &pcfg, e);
  long npoints = ss_config_npoints(cfg);
  if (!rc && summary && npoints > 1) {
    char label[1024];
    ss_config_point_label(cfg, point, label, sizeof label);
    fprintf(summary, "%s== sweep point %ld of %ld: %s ==\n", point ? "\n" : "", point, npoints, label);
  }
  if (!rc && exp->finish) rc = exp->finish(pcfg, pt, summary, e);
  ss_config_free(&pcfg);
  if (rc) ss_tableset_free(&pt);
  *out = pt;
  return rc;
}

int ss_assemble(const ss_config *cfg, long first, long points, const char *const *packed, const size_t *plen,
                ss_tableset *all, FILE *summary, ss_err *e)
{
  const ss_experiment_ops *exp = ss_experiment_find(ss_cfg_experiment(cfg));
  long seeds = ss_cfg_int(cfg, "seeds");
  char *sweep_header = ss_config_sweep_header(cfg, e);
  shared_rows *sh = NULL;
  int nsh = 0, rc = sweep_header ? SS_OK : e->code;
  for (long p = 0; !rc && p < points; p++) {
    ss_tableset *pt = NULL;
    char *values = NULL;
    rc = point_tables(cfg, first + p, seeds, packed + p * seeds, plen + p * seeds, &pt, summary, e);
    if (!rc && !(values = ss_config_sweep_values(cfg, first + p, e))) rc = e->code;
    if (!rc) rc = add_point(exp, pt, sweep_header, values, p, points, all, &sh, &nsh, e);
    free(values);
    ss_tableset_free(&pt);
  }
  for (int i = 0; !rc && i < nsh; i++)
    rc = ss_assemble_shared(ss_tableset_get(all, sh[i].name), sh[i].header, sweep_header, sh[i].bodies, sh[i].lens,
                            sh[i].values, points, e);
  shared_free(sh, nsh, points);
  free(sweep_header);
  return rc;
}
