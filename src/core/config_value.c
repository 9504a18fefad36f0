/* Typed config values: converting YAML nodes and default texts into checked values,
 * copying them, and writing them back as YAML/JSON flow text. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "config_impl.h"

static const char *type_word(ss_type t)
{
  switch (t) {
  case SS_T_BOOL: return "a boolean (true or false)";
  case SS_T_INT: return "an integer";
  case SS_T_REAL: return "a finite real number";
  case SS_T_STRING: return "a string";
  case SS_T_ENUM: return "one of";
  case SS_T_REAL_LIST: return "a list of finite real numbers";
  case SS_T_INT_LIST: return "a list of integers";
  case SS_T_REAL_MATRIX: return "a list of equal-length lists of finite real numbers";
  case SS_T_ENUM_LIST: return "a list of";
  }
  return "?";
}

/* What was found, for messages: the scalar text or the node's kind. */
static void describe(yaml_node_t *n, char *buf, size_t len)
{
  if (!n) snprintf(buf, len, "nothing");
  else if (n->type == YAML_SCALAR_NODE)
    snprintf(buf, len, "'%.*s'", (int)(n->data.scalar.length > 200 ? 200 : n->data.scalar.length),
             (const char *)n->data.scalar.value);
  else if (n->type == YAML_SEQUENCE_NODE)
    snprintf(buf, len, n->data.sequence.items.top == n->data.sequence.items.start ? "an empty list" : "a list");
  else snprintf(buf, len, "a mapping");
}

static void range_text(const ss_key *k, char *buf, size_t len)
{
  int integer = k->type == SS_T_INT || k->type == SS_T_INT_LIST;
  const char *fmt = integer ? "%s%.0f, %.0f%s" : "%s%g, %g%s";
  if (k->min == 0 && k->max == 0) { buf[0] = 0; return; }
  snprintf(buf, len, fmt, (k->flags & SS_K_MIN_OPEN) ? " in (" : " in [", k->min, k->max,
           (k->flags & SS_K_MAX_OPEN) ? ")" : "]");
}

static int in_range(const ss_key *k, double x)
{
  if (k->min == 0 && k->max == 0) return 1;
  if ((k->flags & SS_K_MIN_OPEN) ? !(x > k->min) : !(x >= k->min)) return 0;
  if ((k->flags & SS_K_MAX_OPEN) ? !(x < k->max) : !(x <= k->max)) return 0;
  return 1;
}

static int expected(const ss_key *k, const char *where, yaml_node_t *n, const char *found_text,
                    ss_err *e)
{
  char found[256], range[128];
  if (found_text) snprintf(found, sizeof found, "'%s'", found_text);
  else describe(n, found, sizeof found);
  range_text(k, range, sizeof range);
  if (k->type == SS_T_ENUM)
    return ss_fail(e, SS_EINPUT, "%s: %s: expected one of %s, found %s", where, k->path,
                   k->choices, found);
  if (k->type == SS_T_ENUM_LIST)
    return ss_fail(e, SS_EINPUT, "%s: %s: expected a list of distinct names from %s, found %s", where,
                   k->path, k->choices, found);
  return ss_fail(e, SS_EINPUT, "%s: %s: expected %s%s, found %s", where, k->path,
                 type_word(k->type), range, found);
}

static int parse_real(const char *s, double *x)
{
  char *end;
  if (!*s) return 0;
  errno = 0;
  *x = strtod(s, &end);
  if (*x == 0) *x = 0; /* -0 is 0: every writer (YAML, JSON, CSV columns) then agrees */
  while (*end == ' ') end++;
  return *end == 0 && isfinite(*x) && (errno != ERANGE || *x != 0); /* subnormals are finite reals */
}

static int parse_int(const char *s, long long *x)
{
  char *end;
  if (!*s) return 0;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (*end == 0 && errno == 0) { *x = v; return 1; }
  /* 1e6 and 1.0e4 are integers too when they are whole and in range */
  double d;
  if (!parse_real(s, &d) || d != floor(d) || fabs(d) > 9.0e15) return 0;
  *x = (long long)d;
  return 1;
}

static int parse_bool(const char *s, int *b)
{
  static const char *yes[] = {"true", "yes", "on"}, *no[] = {"false", "no", "off"};
  for (int i = 0; i < 3; i++) {
    if (!strcasecmp(s, yes[i])) { *b = 1; return 1; }
    if (!strcasecmp(s, no[i])) { *b = 0; return 1; }
  }
  return 0;
}

static const char *scalar(yaml_node_t *n)
{
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int ss_node_is_null(yaml_node_t *n)
{
  const char *s = scalar(n);
  return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
         (!strcmp(s, "~") || !strcasecmp(s, "null") || !*s);
}

/* One number (element of a list or a scalar key), range-checked. */
static int number(const ss_key *k, yaml_node_t *n, const char *where, int integer, double *x,
                  long long *ix, ss_err *e)
{
  const char *s = scalar(n);
  if (!s) return expected(k, where, n, NULL, e);
  if (integer) {
    if (!parse_int(s, ix) || !in_range(k, (double)*ix)) return expected(k, where, n, NULL, e);
    *x = (double)*ix;
  } else {
    if (!parse_real(s, x) || !in_range(k, *x)) return expected(k, where, n, NULL, e);
  }
  return SS_OK;
}

/* Where a list element is: its own line:column in the file, or (for --set values, whose
 * marks are relative to the value text) the whole value's description. */
static void item_where(const char *file, const char *where, yaml_node_t *item, char *buf, size_t len)
{
  if (file)
    snprintf(buf, len, "%s:%lu:%lu", file, (unsigned long)item->start_mark.line + 1,
             (unsigned long)item->start_mark.column + 1);
  else
    snprintf(buf, len, "%s", where);
}

/* Checks that node n is one of the key's choices, suggesting the nearest if not. */
static int enum_name(const ss_key *k, yaml_node_t *n, const char *where, ss_err *e)
{
  const char *s = scalar(n);
  size_t len = s ? strlen(s) : 0;
  for (const char *p = k->choices; s && len && p;) {
    const char *bar = strchr(p, '|');
    size_t plen = bar ? (size_t)(bar - p) : strlen(p);
    if (plen == len && !strncmp(p, s, len)) return SS_OK;
    p = bar ? bar + 1 : NULL;
  }
  char found[256], opts[1024], *cands[64];
  int nc = 0;
  describe(n, found, sizeof found);
  snprintf(opts, sizeof opts, "%s", k->choices);
  for (char *tok = strtok(opts, "|"); tok && nc < 64; tok = strtok(NULL, "|")) cands[nc++] = tok;
  const char *near = s ? ss_nearest(s, (const char *const *)cands, nc) : NULL;
  return ss_fail(e, SS_EINPUT, "%s: %s: expected one of %s, found %s%s%s%s", where, k->path,
                 k->choices, found, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

static int seq_len(yaml_node_t *n)
{
  return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static int list_from_node(const ss_key *k, yaml_document_t *doc, yaml_node_t *n, const char *where,
                          const char *file, ss_val *v, ss_err *e)
{
  if (n->type != YAML_SEQUENCE_NODE || seq_len(n) == 0) return expected(k, where, n, NULL, e);
  int len = seq_len(n), integer = k->type == SS_T_INT_LIST;
  v->n = len;
  v->v = ss_calloc((size_t)len, sizeof *v->v, e);
  if (!v->v) return e->code;
  if (integer && !(v->iv = ss_calloc((size_t)len, sizeof *v->iv, e))) return e->code;
  for (int i = 0; i < len; i++) {
    yaml_node_t *item = yaml_document_get_node(doc, n->data.sequence.items.start[i]);
    char w[SS_WHERE];
    item_where(file, where, item, w, sizeof w);
    long long ix = 0;
    SS_TRY(number(k, item, w, integer, &v->v[i], &ix, e));
    if (integer) v->iv[i] = ix;
  }
  return SS_OK;
}

static int enum_list_from_node(const ss_key *k, yaml_document_t *doc, yaml_node_t *n,
                               const char *where, const char *file, ss_val *v, ss_err *e)
{
  if (n->type != YAML_SEQUENCE_NODE || seq_len(n) == 0) return expected(k, where, n, NULL, e);
  int len = seq_len(n);
  if (!(v->sv = ss_calloc((size_t)len, sizeof *v->sv, e))) return e->code;
  for (int i = 0; i < len; i++) {
    yaml_node_t *item = yaml_document_get_node(doc, n->data.sequence.items.start[i]);
    char w[SS_WHERE];
    item_where(file, where, item, w, sizeof w);
    SS_TRY(enum_name(k, item, w, e));
    const char *name = scalar(item);
    for (int j = 0; j < i; j++)
      if (!strcmp(v->sv[j], name))
        return ss_fail(e, SS_EINPUT, "%s: %s: '%s' is listed twice", w, k->path, name);
    if (!(v->sv[i] = ss_strdup(name, e))) return ss_fail(e, SS_ERUNTIME, "out of memory");
    v->n = i + 1;
  }
  return SS_OK;
}

static int matrix_from_node(const ss_key *k, yaml_document_t *doc, yaml_node_t *n,
                            const char *where, const char *file, ss_val *v, ss_err *e)
{
  if (n->type != YAML_SEQUENCE_NODE || seq_len(n) == 0) return expected(k, where, n, NULL, e);
  int rows = seq_len(n), cols = -1;
  for (int r = 0; r < rows; r++) {
    yaml_node_t *row = yaml_document_get_node(doc, n->data.sequence.items.start[r]);
    if (row->type != YAML_SEQUENCE_NODE || seq_len(row) == 0 || (cols >= 0 && seq_len(row) != cols)) {
      char w[SS_WHERE];
      item_where(file, where, row, w, sizeof w);
      if (row->type == YAML_SEQUENCE_NODE && cols >= 0)
        return ss_fail(e, SS_EINPUT, "%s: %s: expected row %d to have %d entries like row 1, found %d",
                       w, k->path, r + 1, cols, seq_len(row));
      return expected(k, w, row, NULL, e);
    }
    cols = seq_len(row);
  }
  v->rows = rows;
  v->cols = cols;
  v->n = rows * cols;
  v->v = ss_calloc((size_t)v->n, sizeof *v->v, e);
  if (!v->v) return e->code;
  for (int r = 0; r < rows; r++) {
    yaml_node_t *row = yaml_document_get_node(doc, n->data.sequence.items.start[r]);
    for (int c = 0; c < cols; c++) {
      yaml_node_t *item = yaml_document_get_node(doc, row->data.sequence.items.start[c]);
      char w[SS_WHERE];
      item_where(file, where, item, w, sizeof w);
      long long ix;
      SS_TRY(number(k, item, w, 0, &v->v[r * cols + c], &ix, e));
    }
  }
  return SS_OK;
}

/* `where` names the file (or --set text); node marks add line:column. For --set values the
 * node marks are relative to the value text, so the caller passes a where without a file. */
int ss_val_from_node(const ss_key *k, yaml_document_t *doc, yaml_node_t *n, const char *where,
                     const char *file, ss_val *v, ss_err *e)
{
  ss_val fresh = {0};
  const char *s = scalar(n);
  int rc = SS_OK;
  snprintf(fresh.where, sizeof fresh.where, "%s", where);
  if (ss_node_is_null(n)) {
    /* null means "not given": the default, or unset for keys without one (so that what
     * show-config writes, `key: ~`, loads back to the same config) */
    ss_val_free(v);
    *v = fresh;
    return k->def ? ss_val_default(k, v, e) : SS_OK;
  }
  switch (k->type) {
  case SS_T_BOOL:
    if (!s || !parse_bool(s, &fresh.b)) rc = expected(k, where, n, NULL, e);
    break;
  case SS_T_INT:
    rc = number(k, n, where, 1, &fresh.r, &fresh.i, e);
    break;
  case SS_T_REAL:
    rc = number(k, n, where, 0, &fresh.r, &fresh.i, e);
    break;
  case SS_T_STRING:
    if (!s) rc = expected(k, where, n, NULL, e);
    else if (!(fresh.s = ss_strdup(s, e))) rc = ss_fail(e, SS_ERUNTIME, "out of memory");
    break;
  case SS_T_ENUM:
    rc = enum_name(k, n, where, e);
    if (!rc && !(fresh.s = ss_strdup(s, e))) rc = ss_fail(e, SS_ERUNTIME, "out of memory");
    break;
  case SS_T_ENUM_LIST:
    rc = enum_list_from_node(k, doc, n, where, file, &fresh, e);
    break;
  case SS_T_REAL_LIST:
  case SS_T_INT_LIST:
    rc = list_from_node(k, doc, n, where, file, &fresh, e);
    break;
  case SS_T_REAL_MATRIX:
    rc = matrix_from_node(k, doc, n, where, file, &fresh, e);
    break;
  }
  if (rc) { ss_val_free(&fresh); return rc; }
  fresh.has = 1;
  ss_val_free(v);
  *v = fresh;
  return SS_OK;
}

int ss_val_default(const ss_key *k, ss_val *v, ss_err *e)
{
  memset(v, 0, sizeof *v);
  snprintf(v->where, sizeof v->where, "default");
  if (!k->def) return SS_OK;
  yaml_parser_t p;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&p)) return ss_fail(e, SS_ERUNTIME, "libyaml: cannot initialise");
  yaml_parser_set_input_string(&p, (const unsigned char *)k->def, strlen(k->def));
  int ok = yaml_parser_load(&p, &doc);
  int rc = SS_OK;
  if (!ok || !yaml_document_get_root_node(&doc))
    rc = ss_fail(e, SS_ERUNTIME, "schema: bad default for %s: '%s'", k->path, k->def);
  else
    rc = ss_val_from_node(k, &doc, yaml_document_get_root_node(&doc), "default", NULL, v, e);
  if (ok) yaml_document_delete(&doc);
  yaml_parser_delete(&p);
  if (rc == SS_EINPUT) e->code = SS_ERUNTIME; /* a bad default is our bug, not the user's */
  v->set = 0;
  return rc;
}

void ss_val_free(ss_val *v)
{
  for (int i = 0; v->sv && i < v->n; i++) free(v->sv[i]);
  free(v->sv);
  v->sv = NULL;
  free(v->s);
  free(v->v);
  free(v->iv);
  v->s = NULL;
  v->v = NULL;
  v->iv = NULL;
}

int ss_val_equal(const ss_key *k, const ss_val *a, const ss_val *b)
{
  if (!a->has || !b->has) return a->has == b->has;
  switch (k->type) {
  case SS_T_BOOL: return a->b == b->b;
  case SS_T_INT: return a->i == b->i;
  case SS_T_REAL: return a->r == b->r;
  case SS_T_STRING:
  case SS_T_ENUM: return a->s && b->s && !strcmp(a->s, b->s);
  case SS_T_REAL_LIST:
  case SS_T_REAL_MATRIX:
    return a->n == b->n && a->rows == b->rows && (!a->n || !memcmp(a->v, b->v, (size_t)a->n * sizeof *a->v));
  case SS_T_INT_LIST: return a->n == b->n && (!a->n || !memcmp(a->iv, b->iv, (size_t)a->n * sizeof *a->iv));
  case SS_T_ENUM_LIST:
    for (int i = 0; a->n == b->n && i < a->n; i++)
      if (strcmp(a->sv[i], b->sv[i])) return 0;
    return a->n == b->n;
  }
  return 0;
}

int ss_val_copy(ss_val *dst, const ss_val *src, ss_err *e)
{
  *dst = *src;
  dst->s = NULL;
  dst->v = NULL;
  dst->iv = NULL;
  dst->sv = NULL;
  if (src->sv) {
    if (!(dst->sv = ss_calloc((size_t)src->n, sizeof *dst->sv, e))) return e->code;
    for (int i = 0; i < src->n; i++)
      if (!(dst->sv[i] = ss_strdup(src->sv[i], e))) return ss_fail(e, SS_ERUNTIME, "out of memory");
  }
  if (src->s && !(dst->s = ss_strdup(src->s, e))) return ss_fail(e, SS_ERUNTIME, "out of memory");
  if (src->v) {
    if (!(dst->v = ss_malloc((size_t)src->n * sizeof *dst->v, e))) return e->code;
    memcpy(dst->v, src->v, (size_t)src->n * sizeof *dst->v);
  }
  if (src->iv) {
    if (!(dst->iv = ss_malloc((size_t)src->n * sizeof *dst->iv, e))) return e->code;
    memcpy(dst->iv, src->iv, (size_t)src->n * sizeof *dst->iv);
  }
  return SS_OK;
}

static void write_string(const char *s, FILE *f)
{
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch == '\n') fputs("\\n", f);
    else if (ch == '\t') fputs("\\t", f);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

/* The shortest decimal that reads back as exactly x (0.1, not 0.10000000000000001). */
static void write_real(FILE *f, const char *sep, double x)
{
  char buf[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, x);
    if (strtod(buf, NULL) == x || prec == 17) break;
  }
  fprintf(f, "%s%s", sep, buf);
}

void ss_val_write(const ss_key *k, const ss_val *v, FILE *f, int json)
{
  if (!v->has) { fputs("null", f); return; }
  switch (k->type) {
  case SS_T_BOOL: fputs(v->b ? "true" : "false", f); break;
  case SS_T_INT: fprintf(f, "%lld", v->i); break;
  case SS_T_REAL: write_real(f, "", v->r); break;
  case SS_T_STRING: write_string(v->s, f); break;
  case SS_T_ENUM:
    if (json) write_string(v->s, f);
    else fputs(v->s, f);
    break;
  case SS_T_REAL_LIST:
  case SS_T_INT_LIST:
    fputc('[', f);
    for (int i = 0; i < v->n; i++) {
      if (k->type == SS_T_INT_LIST) fprintf(f, "%s%lld", i ? ", " : "", v->iv[i]);
      else write_real(f, i ? ", " : "", v->v[i]);
    }
    fputc(']', f);
    break;
  case SS_T_ENUM_LIST:
    fputc('[', f);
    for (int i = 0; i < v->n; i++) {
      if (i) fputs(", ", f);
      if (json) write_string(v->sv[i], f);
      else fputs(v->sv[i], f);
    }
    fputc(']', f);
    break;
  case SS_T_REAL_MATRIX:
    fputc('[', f);
    for (int r = 0; r < v->rows; r++) {
      fputs(r ? ", [" : "[", f);
      for (int c = 0; c < v->cols; c++) write_real(f, c ? ", " : "", v->v[r * v->cols + c]);
      fputc(']', f);
    }
    fputc(']', f);
    break;
  }
}
