/* Reading a config: YAML text -> the experiment's typed keys, then the sweep block,
 * then --set overrides, then the experiment's cross-key checks on every sweep point.
 * Errors point at file:line:column and suggest the nearest key. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config_impl.h"
#include "stratsim/plugin.h"

typedef struct {
  ss_config *c;
  yaml_document_t *doc;
  const char *file;
  ss_err *e;
} walker;

static void mark_where(const char *file, yaml_mark_t m, char *buf, size_t len)
{
  snprintf(buf, len, "%s:%lu:%lu", file, (unsigned long)m.line + 1, (unsigned long)m.column + 1);
}

/* A section is a proper prefix of some key: "facility" for "facility.agents". */
static int is_section(const ss_config *c, const char *path)
{
  size_t len = strlen(path);
  for (int i = 0; i < c->nkeys; i++)
    if (!strncmp(c->keys[i]->path, path, len) && c->keys[i]->path[len] == '.') return 1;
  return 0;
}

/* The experiment that owns a path that is not ours, for a precise message. */
static const char *other_owner(const ss_config *c, const char *path)
{
  for (int x = 0; x < ss_experiment_count(); x++) {
    const ss_experiment_ops *ops = ss_experiment_at(x);
    if (ops == c->exp) continue;
    size_t len = strlen(ops->name);
    if (!strncmp(path, ops->name, len) && (path[len] == '.' || path[len] == 0)) return ops->name;
  }
  return NULL;
}

static int unknown_key(const ss_config *c, const char *path, const char *where, ss_err *e)
{
  const char *owner = other_owner(c, path);
  if (owner)
    return ss_fail(e, SS_EINPUT, "%s: %s: this key belongs to experiment '%s', but experiment is '%s'",
                   where, path, owner, c->exp->name);
  /* candidates: every key path and every section ("facility" for "facility.agents") */
  char **sections = ss_calloc((size_t)c->nkeys * 4 + 1, sizeof *sections, e);
  const char **cands = ss_malloc(((size_t)c->nkeys * 5 + 1) * sizeof *cands, e);
  if (!cands || !sections) { free(cands); free(sections); return ss_fail(e, SS_ERUNTIME, "out of memory"); }
  int n = 0, ns = 0;
  for (int i = 0; i < c->nkeys; i++) {
    cands[n++] = c->keys[i]->path;
    for (const char *dot = strchr(c->keys[i]->path, '.'); dot && ns < c->nkeys * 4; dot = strchr(dot + 1, '.')) {
      char *sec = ss_strndup(c->keys[i]->path, (size_t)(dot - c->keys[i]->path), e);
      int dup = !sec;
      for (int s = 0; sec && s < ns; s++) dup |= !strcmp(sections[s], sec);
      if (dup) { free(sec); continue; }
      sections[ns++] = sec;
      cands[n++] = sec;
    }
  }
  cands[n++] = "sweep";
  const char *near = ss_nearest(path, cands, n);
  int rc = near ? ss_fail(e, SS_EINPUT, "%s: %s: unknown key; did you mean '%s'?", where, path, near)
                : ss_fail(e, SS_EINPUT, "%s: %s: unknown key (see `stratsim show-config` or docs/config.md)",
                          where, path);
  for (int s = 0; s < ns; s++) free(sections[s]);
  free(sections);
  free(cands);
  return rc;
}

static int duplicate_check(walker *w, yaml_node_t *map, yaml_node_pair_t *upto, const char *key,
                           const char *path)
{
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < upto; p++) {
    yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
    if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key)) {
      char here[SS_WHERE];
      yaml_node_t *dup = yaml_document_get_node(w->doc, upto->key);
      mark_where(w->file, dup->start_mark, here, sizeof here);
      return ss_fail(w->e, SS_EINPUT, "%s: %s: duplicate key (first given at line %lu)", here, path,
                     (unsigned long)k->start_mark.line + 1);
    }
  }
  return SS_OK;
}

static int walk_sweep(walker *w, yaml_node_t *node);

/* A data path relative to the config file's directory (or, for --set, to the working
 * directory: base NULL) becomes absolute. */
static int absolutize(const ss_key *k, ss_val *v, const char *base, ss_err *e)
{
  if (!(k->flags & SS_K_PATH) || !v->s || v->s[0] == '/') return SS_OK;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return ss_fail(e, SS_EINPUT, "%s: cannot resolve the relative path %s: %s", k->path, v->s, strerror(errno));
  const char *slash = base ? strrchr(base, '/') : NULL;
  int dlen = slash ? (int)(slash - base) : 0;
  char *abs = NULL;
  int n = (base && base[0] == '/') ? asprintf(&abs, "%.*s/%s", dlen, base, v->s)
          : slash ? asprintf(&abs, "%s/%.*s/%s", cwd, dlen, base, v->s) : asprintf(&abs, "%s/%s", cwd, v->s);
  if (n < 0) return ss_fail(e, SS_ERUNTIME, "out of memory");
  if (n >= PATH_MAX) {
    free(abs);
    return ss_fail(e, SS_EINPUT, "%s: %s: the path is too long (%d bytes; at most %d)", v->where, k->path, n, PATH_MAX - 1);
  }
  free(v->s);
  v->s = abs;
  return SS_OK;
}

static int walk_mapping(walker *w, yaml_node_t *map, const char *prefix)
{
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
    yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
    char where[SS_WHERE], path[512];
    mark_where(w->file, k->start_mark, where, sizeof where);
    if (k->type != YAML_SCALAR_NODE)
      return ss_fail(w->e, SS_EINPUT, "%s: expected a key name, found a %s", where,
                     k->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
    const char *name = (const char *)k->data.scalar.value;
    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", name);
    SS_TRY(duplicate_check(w, map, p, name, path));
    if (!*prefix && !strcmp(name, "sweep")) {
      SS_TRY(walk_sweep(w, v));
      continue;
    }
    int idx = ss_config_key_index(w->c, path);
    if (idx >= 0) {
      char vwhere[SS_WHERE];
      mark_where(w->file, v->start_mark, vwhere, sizeof vwhere);
      ss_val *val = &w->c->vals[idx];
      SS_TRY(ss_val_from_node(w->c->keys[idx], w->doc, v, vwhere, w->file, val, w->e));
      snprintf(val->where, sizeof val->where, "%s", vwhere);
      val->set = !ss_node_is_null(v);
      SS_TRY(absolutize(w->c->keys[idx], val, w->file, w->e));
    } else if (is_section(w->c, path)) {
      if (v->type != YAML_MAPPING_NODE) {
        char vwhere[SS_WHERE], found[64];
        mark_where(w->file, v->start_mark, vwhere, sizeof vwhere);
        snprintf(found, sizeof found, "%s", v->type == YAML_SEQUENCE_NODE ? "a list" : "a scalar");
        return ss_fail(w->e, SS_EINPUT, "%s: %s: expected a mapping (a section of keys), found %s",
                       vwhere, path, found);
      }
      SS_TRY(walk_mapping(w, v, path));
    } else {
      return unknown_key(w->c, path, where, w->e);
    }
  }
  return SS_OK;
}

/* sweep: { key.path: [v1, v2, ...], ... } */
static int walk_sweep(walker *w, yaml_node_t *node)
{
  char where[SS_WHERE];
  mark_where(w->file, node->start_mark, where, sizeof where);
  if (node->type != YAML_MAPPING_NODE)
    return ss_fail(w->e, SS_EINPUT, "%s: sweep: expected a mapping of key.path: [values], found %s",
                   where, node->type == YAML_SEQUENCE_NODE ? "a list" : "a scalar");
  ss_config *c = w->c;
  for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
    yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
    char kwhere[SS_WHERE], vwhere[SS_WHERE];
    mark_where(w->file, k->start_mark, kwhere, sizeof kwhere);
    mark_where(w->file, v->start_mark, vwhere, sizeof vwhere);
    if (k->type != YAML_SCALAR_NODE)
      return ss_fail(w->e, SS_EINPUT, "%s: sweep: expected a key path, found a structure", kwhere);
    const char *path = (const char *)k->data.scalar.value;
    char full[600];
    snprintf(full, sizeof full, "sweep.%s", path);
    SS_TRY(duplicate_check(w, node, p, path, full));
    int idx = ss_config_key_index(c, path);
    if (idx < 0) {
      ss_err tmp = {0};
      unknown_key(c, path, kwhere, &tmp);
      return ss_fail(w->e, SS_EINPUT, "%s (in sweep)", tmp.msg);
    }
    if (!strcmp(path, "experiment"))
      return ss_fail(w->e, SS_EINPUT, "%s: sweep: the experiment kind cannot be swept; use one config per kind", kwhere);
    if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top == v->data.sequence.items.start)
      return ss_fail(w->e, SS_EINPUT, "%s: sweep.%s: expected a non-empty list of values, found %s",
                     vwhere, path, v->type == YAML_SEQUENCE_NODE ? "an empty list" : "a single value");
    ss_sweep_axis *axes = ss_realloc(c->axes, ((size_t)c->naxes + 1) * sizeof *axes, NULL);
    if (!axes) return ss_fail(w->e, SS_ERUNTIME, "out of memory");
    c->axes = axes;
    ss_sweep_axis *ax = &c->axes[c->naxes++];
    memset(ax, 0, sizeof *ax);
    ax->key = idx;
    snprintf(ax->where, sizeof ax->where, "%s", vwhere);
    int nv = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (!(ax->vals = ss_calloc((size_t)nv, sizeof *ax->vals, w->e))) return w->e->code;
    for (int i = 0; i < nv; i++) {
      yaml_node_t *item = yaml_document_get_node(w->doc, v->data.sequence.items.start[i]);
      char iwhere[SS_WHERE];
      mark_where(w->file, item->start_mark, iwhere, sizeof iwhere);
      ax->nvals = i + 1;
      SS_TRY(ss_val_from_node(c->keys[idx], w->doc, item, iwhere, w->file, &ax->vals[i], w->e));
      snprintf(ax->vals[i].where, sizeof ax->vals[i].where, "%s", iwhere);
      ax->vals[i].set = 1;
      SS_TRY(absolutize(c->keys[idx], &ax->vals[i], w->file, w->e));
    }
  }
  return SS_OK;
}

/* Flow collections ([ and {) nested deeper than this are refused before libyaml sees them:
 * its recursive loader takes minutes on a 100 000-deep nesting. (Block nesting is bounded
 * by the file size limit: each level costs a longer indentation.) */
#define SS_YAML_MAX_DEPTH 64

static int check_nesting(const char *name, const char *text, size_t len, ss_err *e)
{
  int depth = 0;
  unsigned long line = 1, col = 0;
  char quote = 0;
  for (size_t i = 0; i < len; i++) {
    char ch = text[i];
    col++;
    if (ch == '\n') {
      line++;
      col = 0;
      if (quote == 0) continue;
    }
    if (quote) {
      if (quote == '"' && ch == '\\') i++;
      else if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < len && text[i + 1] != '\n') i++;
    } else if (ch == '"' || (ch == '\'' && (i == 0 || strchr(" \t\n[{,:", text[i - 1])))) {
      quote = ch;
    } else if (ch == '[' || ch == '{') {
      if (++depth > SS_YAML_MAX_DEPTH)
        return ss_fail(e, SS_EINPUT, "%s:%lu:%lu: collections nested deeper than %d levels", name, line, col,
                       SS_YAML_MAX_DEPTH);
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      depth--;
    }
  }
  return SS_OK;
}

/* 1 if node id is a child for the second time: an alias (*name) of an anchored node. */
static int reused(char *seen, yaml_node_item_t id)
{
  return id > 0 && seen[id - 1]++;
}

/* Aliases are refused: a 12 kB file of aliased lists would otherwise expand to gigabytes. */
static int check_aliases(const char *name, yaml_document_t *doc, ss_err *e)
{
  size_t n = (size_t)(doc->nodes.top - doc->nodes.start);
  char *seen = ss_calloc(n + 1, 1, e);
  if (!seen) return e->code;
  yaml_node_t *bad = NULL;
  for (yaml_node_t *nd = doc->nodes.start; nd < doc->nodes.top && !bad; nd++) {
    if (nd->type == YAML_SEQUENCE_NODE)
      for (yaml_node_item_t *it = nd->data.sequence.items.start; it < nd->data.sequence.items.top && !bad; it++)
        if (reused(seen, *it)) bad = yaml_document_get_node(doc, *it);
    if (nd->type == YAML_MAPPING_NODE)
      for (yaml_node_pair_t *pr = nd->data.mapping.pairs.start; pr < nd->data.mapping.pairs.top && !bad; pr++)
        if (reused(seen, pr->key) || reused(seen, pr->value)) bad = yaml_document_get_node(doc, pr->value);
  }
  free(seen);
  if (!bad) return SS_OK;
  return ss_fail(e, SS_EINPUT, "%s:%lu:%lu: this value is used again through a YAML alias (*name); aliases are "
                 "not accepted in configs: write the values out", name, (unsigned long)bad->start_mark.line + 1,
                 (unsigned long)bad->start_mark.column + 1);
}

static int load_yaml(const char *name, const char *text, size_t len, yaml_parser_t *p,
                     yaml_document_t *doc, ss_err *e)
{
  SS_TRY(check_nesting(name, text, len, e));
  if (!yaml_parser_initialize(p)) return ss_fail(e, SS_ERUNTIME, "libyaml: cannot initialise");
  yaml_parser_set_input_string(p, (const unsigned char *)text, len);
  if (!yaml_parser_load(p, doc)) {
    int rc = ss_fail(e, SS_EINPUT, "%s:%lu:%lu: YAML syntax error: %s%s%s", name,
                     (unsigned long)p->problem_mark.line + 1, (unsigned long)p->problem_mark.column + 1,
                     p->problem ? p->problem : "unreadable", p->context ? " " : "",
                     p->context ? p->context : "");
    yaml_parser_delete(p);
    return rc;
  }
  if (check_aliases(name, doc, e)) {
    yaml_document_delete(doc);
    yaml_parser_delete(p);
    return e->code;
  }
  return SS_OK;
}

/* "--set key=value" for messages, a long value shortened ("..."), so the reason still fits. */
static void set_where(char *where, size_t len, const char *set)
{
  size_t n = strlen(set);
  snprintf(where, len, "--set %.*s%s", n > 100 ? 100 : (int)n, set, n > 100 ? "..." : "");
}

/* The experiment kind decides which keys exist, so it is read first. Its names are the
 * registry's (ss_experiments). */
static int find_experiment(const char *file, yaml_document_t *doc, yaml_node_t *root,
                           char *const *sets, int nsets, const ss_experiment_ops **out, ss_err *e)
{
  const char *kind = NULL;
  char where[SS_WHERE], names[256];
  snprintf(where, sizeof where, "%s", file);
  ss_plugin_choices(&ss_experiments, names, sizeof names);
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(doc, p->key);
    yaml_node_t *v = yaml_document_get_node(doc, p->value);
    if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, "experiment")) {
      mark_where(file, v->start_mark, where, sizeof where);
      if (v->type != YAML_SCALAR_NODE)
        return ss_fail(e, SS_EINPUT, "%s: experiment: expected one of %s, found a %s", where, names,
                       v->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
      kind = (const char *)v->data.scalar.value;
    }
  }
  for (int i = 0; i < nsets; i++)
    if (!strncmp(sets[i], "experiment=", 11)) {
      kind = sets[i] + 11;
      set_where(where, sizeof where, sets[i]);
    }
  if (!kind)
    return ss_fail(e, SS_EINPUT, "%s: experiment: missing required key; expected one of %s", file, names);
  *out = ss_experiment_find(kind);
  if (*out) return SS_OK;
  const char *near = ss_plugin_suggest(&ss_experiments, kind);
  return ss_fail(e, SS_EINPUT, "%s: experiment: expected one of %s, found '%s'%s%s%s", where, names,
                 kind, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

static int make_keys(ss_config *c, ss_err *e)
{
  int nexp = ss_schema_nkeys(c->exp);
  c->nkeys = ss_ncommon_keys + nexp;
  c->keys = ss_calloc((size_t)c->nkeys, sizeof *c->keys, e);
  c->vals = ss_calloc((size_t)c->nkeys, sizeof *c->vals, e);
  if (!c->keys || !c->vals) return e->code;
  for (int i = 0; i < ss_ncommon_keys; i++) c->keys[i] = ss_common_key(i);
  for (int i = 0; i < nexp; i++) c->keys[ss_ncommon_keys + i] = ss_schema_key(c->exp, i);
  for (int i = 0; i < c->nkeys; i++) SS_TRY(ss_val_default(c->keys[i], &c->vals[i], e));
  return SS_OK;
}

/* --set key.path=value; the value is YAML flow text ("3", "[1, 2]", "true"). */
static int apply_set(ss_config *c, const char *set, ss_err *e)
{
  const char *eq = strchr(set, '=');
  if (!eq || eq == set)
    return ss_fail(e, SS_EINPUT, "--set %.100s%s: expected key.path=value (for example --set seed=7)", set,
                   strlen(set) > 100 ? "..." : "");
  char path[512], where[SS_WHERE];
  snprintf(path, sizeof path, "%.*s", (int)(eq - set), set);
  set_where(where, sizeof where, set);
  if (!strcmp(path, "sweep") || !strncmp(path, "sweep.", 6))
    return ss_fail(e, SS_EINPUT, "%s: --set cannot change the sweep: edit the sweep: block, or pin a "
                   "swept key with --set key.path=value", where);
  int idx = ss_config_key_index(c, path);
  if (idx < 0) return unknown_key(c, path, where, e);
  const char *text = eq + 1;
  if (!*text) return ss_fail(e, SS_EINPUT, "%s: %s: expected a value after '='", where, path);
  yaml_parser_t p;
  yaml_document_t doc;
  ss_err tmp = {0};
  if (load_yaml("value", text, strlen(text), &p, &doc, &tmp))
    return ss_fail(e, SS_EINPUT, "%s: %s: the value is not valid YAML (%s)", where, path, tmp.msg);
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  int rc = root ? ss_val_from_node(c->keys[idx], &doc, root, where, NULL, &c->vals[idx], e)
                : ss_fail(e, SS_EINPUT, "%s: %s: expected a value after '='", where, path);
  int given = root && !ss_node_is_null(root);
  yaml_document_delete(&doc);
  yaml_parser_delete(&p);
  if (rc) return rc;
  snprintf(c->vals[idx].where, sizeof c->vals[idx].where, "%s", where);
  c->vals[idx].set = given;
  SS_TRY(absolutize(c->keys[idx], &c->vals[idx], NULL, e));
  /* a --set on a swept key pins it: the sweep over that key is dropped */
  for (int a = 0; a < c->naxes; a++)
    if (c->axes[a].key == idx) {
      for (int v = 0; v < c->axes[a].nvals; v++) ss_val_free(&c->axes[a].vals[v]);
      free(c->axes[a].vals);
      memmove(&c->axes[a], &c->axes[a + 1], (size_t)(c->naxes - a - 1) * sizeof *c->axes);
      c->naxes--;
      a--;
    }
  return SS_OK;
}

/* Labels a cross-key error with the sweep point it was found at. */
static void label_point(const ss_config *c, long i, ss_err *e)
{
  char label[512], msg[SS_ERRMSG];
  ss_config_point_label(c, i, label, sizeof label);
  /* a message longer than the buffer keeps its start and says it was cut */
  if (snprintf(msg, sizeof msg, "%s (at sweep point %ld: %s)", e->msg, i, label) >= (int)sizeof msg)
    memcpy(msg + sizeof msg - 5, "...)", 5);
  memcpy(e->msg, msg, sizeof e->msg < sizeof msg ? sizeof e->msg : sizeof msg);
  e->msg[sizeof e->msg - 1] = 0;
}

int ss_config_check_point(const ss_config *c, const ss_config *point_cfg, long i, ss_err *e)
{
  if (!c->exp->check) return SS_OK;
  int rc = c->exp->check(point_cfg, e);
  if (rc && ss_config_npoints(c) > 1) label_point(c, i, e);
  return rc;
}

static int check_one(const ss_config *c, long i, ss_err *e)
{
  ss_config *pt = NULL;
  SS_TRY(ss_config_point(c, i, &pt, e));
  int rc = ss_config_check_point(c, pt, i, e);
  ss_config_free(&pt);
  return rc;
}

/* A swept key that changes a file's columns (facility.dims with the agents file, ...). */
static int check_swept_columns(const ss_config *c, ss_err *e)
{
  if (!c->exp->columns_depend_on) return SS_OK;
  ss_config *pt = NULL;
  SS_TRY(ss_config_point(c, 0, &pt, e));
  for (int a = 0; a < c->naxes && !e->code; a++) {
    const char *path = c->keys[c->axes[a].key]->path;
    const char *file = c->axes[a].nvals > 1 ? c->exp->columns_depend_on(pt, path) : NULL;
    if (file)
      ss_cfg_error(c, path, e, "a sweep over %s changes the columns of %s.csv, and one file holds one "
                   "column set; run each value as its own run (or switch that file off)", path, file);
  }
  ss_config_free(&pt);
  return e->code;
}

/* The experiment's cross-key checks on each value of each swept key once, the other swept
 * keys at their first values: linear in the sweep's size, not in its number of points.
 * Every other combination is checked when its task starts (driver.c). */
static int check_points(const ss_config *c, ss_err *e)
{
  SS_TRY(check_one(c, 0, e));
  SS_TRY(check_swept_columns(c, e));
  long stride = 1;
  for (int a = c->naxes - 1; a >= 0; a--) {
    for (int v = 1; v < c->axes[a].nvals; v++) SS_TRY(check_one(c, v * stride, e));
    stride *= c->axes[a].nvals;
  }
  return SS_OK;
}

/* The sweep's size, checked before anything is expanded: at most SS_MAX_POINTS points and
 * SS_MAX_TASKS tasks (points x seeds). */
static int check_sweep_size(const ss_config *c, ss_err *e)
{
  double points = 1;
  char product[512] = "";
  for (int a = 0; a < c->naxes; a++) {
    points *= c->axes[a].nvals;
    size_t used = strlen(product);
    snprintf(product + used, sizeof product - used, "%s%d", a ? " x " : "", c->axes[a].nvals);
  }
  if (points > SS_MAX_POINTS)
    return ss_fail(e, SS_EINPUT, "%s: sweep: %s = %.6g points; at most %ld are accepted (split the sweep into "
                   "several configs)", c->source, product, points, (long)SS_MAX_POINTS);
  double tasks = points * (double)ss_cfg_int(c, "seeds");
  if (tasks > SS_MAX_TASKS)
    return ss_fail(e, SS_EINPUT, "%s: sweep: %.6g points x %lld seeds = %.6g tasks; at most %ld are accepted",
                   ss_cfg_where(c, "seeds"), points, ss_cfg_int(c, "seeds"), tasks, (long)SS_MAX_TASKS);
  return SS_OK;
}

int ss_check_run_name(const char *name, size_t len, ss_err *e)
{
  int bad = len == 0 || (len == 1 && name[0] == '.') || (len == 2 && !strncmp(name, "..", 2)) || len > 255;
  for (size_t i = 0; i < len && !bad; i++) bad = name[i] == '/' || name[i] == '\n' || name[i] == '\r';
  if (bad) return ss_fail(e, SS_EINPUT, "expected a single folder name (not empty, '.' or '..', no '/' or line break, at most 255 bytes), found '%.*s'",
                          (int)(len > 200 ? 200 : len), name);
  return SS_OK;
}

static int check_name(const ss_config *c, ss_err *e)
{
  const char *name = ss_cfg_str(c, "name");
  ss_err why = {0};
  if (name && ss_check_run_name(name, strlen(name), &why)) return ss_cfg_error(c, "name", e, "%s", why.msg);
  return SS_OK;
}

int ss_config_parse(const char *name, const char *text, size_t len, char *const *sets, int nsets,
                    ss_config **out, ss_err *e)
{
  *out = NULL;
  yaml_parser_t p;
  yaml_document_t doc;
  SS_TRY(load_yaml(name, text, len, &p, &doc, e));
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  int rc = SS_OK;
  ss_config *c = NULL;
  yaml_document_t extra;
  if (root && yaml_parser_load(&p, &extra)) {
    /* a second '---' document would be silently ignored: refuse it */
    yaml_node_t *next = yaml_document_get_root_node(&extra);
    if (next)
      rc = ss_fail(e, SS_EINPUT, "%s:%lu:%lu: expected one YAML document, found a second one (remove the '---')",
                   name, (unsigned long)next->start_mark.line + 1, (unsigned long)next->start_mark.column + 1);
    yaml_document_delete(&extra);
    if (rc) goto done;
  }
  if (!root || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
    rc = ss_fail(e, SS_EINPUT, "%s:1:1: the config is empty; expected a mapping with at least 'experiment:'", name);
    goto done;
  }
  if (root->type != YAML_MAPPING_NODE) {
    char where[SS_WHERE];
    mark_where(name, root->start_mark, where, sizeof where);
    rc = ss_fail(e, SS_EINPUT, "%s: expected a mapping of keys at the top level, found %s", where,
                 root->type == YAML_SEQUENCE_NODE ? "a list" : "a scalar");
    goto done;
  }
  if (!(c = ss_calloc(1, sizeof *c, e))) { rc = e->code; goto done; }
  if (!(c->source = ss_strdup(name, e))) { rc = ss_fail(e, SS_ERUNTIME, "out of memory"); goto done; }
  if ((rc = find_experiment(name, &doc, root, sets, nsets, &c->exp, e))) goto done;
  if ((rc = make_keys(c, e))) goto done;
  walker w = {c, &doc, name, e};
  if ((rc = walk_mapping(&w, root, ""))) goto done;
  if (!(c->sets = ss_calloc((size_t)nsets + 1, sizeof *c->sets, e))) { rc = e->code; goto done; }
  for (int i = 0; i < nsets; i++) {
    if ((rc = apply_set(c, sets[i], e))) goto done;
    if (!(c->sets[c->nsets++] = ss_strdup(sets[i], e))) { rc = ss_fail(e, SS_ERUNTIME, "out of memory"); goto done; }
  }
  if (!(rc = check_name(c, e)) && !(rc = check_sweep_size(c, e))) rc = check_points(c, e);
done:
  yaml_document_delete(&doc);
  yaml_parser_delete(&p);
  if (rc) ss_config_free(&c);
  *out = c;
  return rc;
}

void ss_config_free(ss_config **cp)
{
  ss_config *c = *cp;
  if (!c) return;
  for (int i = 0; i < c->nkeys && c->vals; i++) ss_val_free(&c->vals[i]);
  for (int a = 0; a < c->naxes; a++) {
    for (int v = 0; v < c->axes[a].nvals; v++) ss_val_free(&c->axes[a].vals[v]);
    free(c->axes[a].vals);
  }
  for (int i = 0; i < c->nsets; i++) free(c->sets[i]);
  free(c->sets);
  free(c->axes);
  free(c->vals);
  free(c->keys);
  free(c->source);
  free(c);
  *cp = NULL;
}

long ss_config_npoints(const ss_config *c)
{
  long n = 1;
  for (int a = 0; a < c->naxes; a++) {
    if (n > LONG_MAX / c->axes[a].nvals) return LONG_MAX; /* refused by check_sweep_size */
    n *= c->axes[a].nvals;
  }
  return n;
}

/* Decomposes i into one value index per axis, last axis fastest. */
static void point_digits(const ss_config *c, long i, int *digit)
{
  for (int a = c->naxes - 1; a >= 0; a--) {
    digit[a] = (int)(i % c->axes[a].nvals);
    i /= c->axes[a].nvals;
  }
}

int ss_config_point(const ss_config *c, long i, ss_config **out, ss_err *e)
{
  *out = NULL;
  ss_config *p = ss_calloc(1, sizeof *p, e);
  if (!p) return e->code;
  *p = (ss_config){0};
  p->exp = c->exp;
  p->nkeys = c->nkeys;
  p->source = ss_strdup(c->source, e);
  p->keys = ss_calloc((size_t)c->nkeys, sizeof *p->keys, e);
  p->vals = ss_calloc((size_t)c->nkeys, sizeof *p->vals, e);
  p->sets = ss_calloc((size_t)c->nsets + 1, sizeof *p->sets, e);
  int rc = (!p->source || !p->keys || !p->vals || !p->sets) ? ss_fail(e, SS_ERUNTIME, "out of memory") : SS_OK;
  for (int k = 0; !rc && k < c->nkeys; k++) {
    p->keys[k] = c->keys[k];
    rc = ss_val_copy(&p->vals[k], &c->vals[k], e);
  }
  for (int s = 0; !rc && s < c->nsets; s++)
    if (!(p->sets[p->nsets++] = ss_strdup(c->sets[s], e))) rc = ss_fail(e, SS_ERUNTIME, "out of memory");
  int digit[64] = {0};
  if (c->naxes > 64) rc = ss_fail(e, SS_EINPUT, "%s: sweep: at most 64 swept keys", c->source);
  if (!rc) point_digits(c, i, digit);
  for (int a = 0; !rc && a < c->naxes; a++) {
    ss_val *dst = &p->vals[c->axes[a].key];
    ss_val_free(dst);
    rc = ss_val_copy(dst, &c->axes[a].vals[digit[a]], e);
  }
  if (rc) { ss_config_free(&p); return rc; }
  *out = p;
  return SS_OK;
}

void ss_config_point_label(const ss_config *c, long i, char *buf, size_t len)
{
  int digit[64] = {0};
  buf[0] = 0;
  if (c->naxes > 64) return;
  point_digits(c, i, digit);
  for (int a = 0; a < c->naxes; a++) {
    const ss_key *k = c->keys[c->axes[a].key];
    char *tmp = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&tmp, &tlen);
    if (!f) return;
    ss_val_write(k, &c->axes[a].vals[digit[a]], f, 0);
    fclose(f);
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s=%s", a ? " " : "", k->path, tmp);
    free(tmp);
  }
}
