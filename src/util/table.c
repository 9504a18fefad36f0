/* Result tables as in-memory CSV text: a header plus rows, appended in task order; and
 * internal record tables: fixed-size binary records for the finish hooks, in the same set
 * (packed, moved and checkpointed with it), with no header, so never written as CSV.
 * Appending cannot fail visibly (the row functions return nothing, at 40-odd call sites):
 * a table that runs out of memory drops its text and stays failed, and every function that
 * takes an ss_err and reads or moves the tables (pack, write, ss_tableset_check) reports it,
 * so a partial table never reaches a CSV file (docs/errors.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/table.h"

typedef struct {
  char *buf;
  size_t len, cap;
  int failed; /* an append ran out of memory: the text is incomplete */
} text;

struct ss_table {
  char *name;
  char *header;
  text body;
  long nrows;
  size_t recsize; /* a record table: the bytes of one record (0: CSV text) */
};

struct ss_tableset {
  int n;
  ss_table **t;
  ss_table sink;    /* returned when a table cannot be made or does not match: failed */
  const char *why;  /* the sink's reason, for ss_tableset_check */
};

static ss_table *failed_sink(ss_tableset *s, const char *why)
{
  s->sink.name = (char *)"(a result table)";
  s->sink.body.failed = 1;
  if (!s->why) s->why = why;
  return &s->sink;
}

static int text_reserve(text *t, size_t more)
{
  if (t->failed) return -1;
  if (t->len + more + 1 <= t->cap) return 0;
  size_t cap = t->cap ? t->cap : 4096;
  while (cap < t->len + more + 1) cap *= 2;
  char *b = ss_realloc(t->buf, cap, NULL);
  if (!b) {
    t->failed = 1;
    return -1;
  }
  t->buf = b;
  t->cap = cap;
  return 0;
}

static void text_append(text *t, const char *s, size_t len)
{
  if (text_reserve(t, len)) return;
  memcpy(t->buf + t->len, s, len);
  t->len += len;
  t->buf[t->len] = 0;
}

static void text_vprintf(text *t, const char *fmt, va_list ap)
{
  if (!fmt) return; /* never: but GCC's -O1 sanitizer build cannot see it (format-truncation) */
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) t->failed = 1;
  if (n < 0 || text_reserve(t, (size_t)n)) return;
  vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
  t->len += (size_t)n;
}

ss_tableset *ss_tableset_new(void) { return ss_calloc(1, sizeof(ss_tableset), NULL); }

void ss_tableset_free(ss_tableset **sp)
{
  ss_tableset *s = *sp;
  if (!s) return;
  for (int i = 0; i < s->n; i++) {
    free(s->t[i]->name);
    free(s->t[i]->header);
    free(s->t[i]->body.buf);
    free(s->t[i]);
  }
  free(s->t);
  free(s->sink.header);
  free(s->sink.body.buf);
  free(s);
  *sp = NULL;
}

ss_table *ss_tableset_get(ss_tableset *s, const char *name)
{
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->t[i]->name, name)) return s->t[i];
  ss_table **grown = ss_realloc(s->t, ((size_t)s->n + 1) * sizeof *grown, NULL);
  if (grown) s->t = grown;
  ss_table *t = grown ? ss_calloc(1, sizeof *t, NULL) : NULL;
  if (t && !(t->name = ss_strdup(name, NULL))) {
    free(t);
    t = NULL;
  }
  if (!t) return failed_sink(s, "out of memory creating a result table"); /* the rows go nowhere */
  s->t[s->n++] = t;
  return t;
}

ss_table *ss_tableset_records(ss_tableset *s, const char *name, size_t size)
{
  ss_table *t = ss_tableset_get(s, name);
  if (t == &s->sink) return t;
  if (!t->recsize && !t->header && !t->body.len) t->recsize = size; /* new */
  if (!size || t->recsize != size) return failed_sink(s, "a record table of another record size, or a CSV table");
  return t;
}

void ss_records_add(ss_table *t, const void *rec)
{
  if (!t->recsize) { /* a CSV table (or the sink): never */
    t->body.failed = 1;
    return;
  }
  text_append(&t->body, rec, t->recsize);
  t->nrows++;
}

const void *ss_records_data(const ss_table *t, long *n)
{
  *n = t->recsize && !t->body.failed ? (long)(t->body.len / t->recsize) : 0;
  return *n ? t->body.buf : NULL;
}

int ss_tableset_check(const ss_tableset *s, ss_err *e)
{
  if (s->sink.body.failed) return ss_fail(e, SS_ERUNTIME, "%s", s->why ? s->why : "a failed result table");
  for (int i = 0; i < s->n; i++)
    if (s->t[i]->body.failed)
      return ss_fail(e, SS_ERUNTIME, "out of memory adding rows to result table %s", s->t[i]->name);
  return SS_OK;
}

int ss_tableset_count(const ss_tableset *s) { return s->n; }
ss_table *ss_tableset_at(ss_tableset *s, int i) { return s->t[i]; }

int ss_table_header(ss_table *t, const char *header, ss_err *e)
{
  if (!header) return ss_fail(e, SS_ERUNTIME, "out of memory building the header of %s", t->name);
  if (t->recsize) return ss_fail(e, SS_ERUNTIME, "%s holds records: it has no header", t->name);
  if (t->header) {
    if (strcmp(t->header, header))
      return ss_fail(e, SS_EINPUT, "%s.csv: the columns differ between sweep points (%s vs %s); "
                     "do not sweep keys that change a table's columns", t->name, t->header, header);
    return SS_OK;
  }
  if (!(t->header = ss_strdup(header, e))) return ss_fail(e, SS_ERUNTIME, "out of memory");
  return SS_OK;
}

void ss_table_row(ss_table *t, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  text_vprintf(&t->body, fmt, ap);
  va_end(ap);
  text_append(&t->body, "\n", 1);
  t->nrows++;
}

void ss_table_add(ss_table *t, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  text_vprintf(&t->body, fmt, ap);
  va_end(ap);
}

void ss_table_end_row(ss_table *t)
{
  text_append(&t->body, "\n", 1);
  t->nrows++;
}

const char *ss_table_name(const ss_table *t) { return t->name; }
const char *ss_table_get_header(const ss_table *t) { return t->header; }
const char *ss_table_body(const ss_table *t, size_t *len)
{
  if (len) *len = t->body.len;
  return t->body.buf ? t->body.buf : "";
}
long ss_table_nrows(const ss_table *t) { return t->nrows; }

void ss_table_append_body(ss_table *t, const char *rows, size_t len)
{
  text_append(&t->body, rows, len);
  if (t->recsize) t->nrows += (long)(len / t->recsize);
  else
    for (size_t i = 0; i < len; i++) t->nrows += rows[i] == '\n';
}

int ss_table_append_prefixed(ss_table *t, const char *prefix, const char *rows, size_t len, ss_err *e)
{
  size_t plen = strlen(prefix), lines = 0;
  for (size_t i = 0; i < len; i++) lines += rows[i] == '\n';
  if (len && rows[len - 1] != '\n') return ss_fail(e, SS_ERUNTIME, "%s: a row is not terminated", t->name);
  text_reserve(&t->body, len + lines * (plen + 1));
  for (size_t at = 0; at < len;) {
    const char *nl = memchr(rows + at, '\n', len - at);
    size_t rl = (size_t)(nl - (rows + at)) + 1;
    text_append(&t->body, prefix, plen);
    text_append(&t->body, ",", 1);
    text_append(&t->body, rows + at, rl);
    at += rl;
  }
  t->nrows += (long)lines;
  if (t->body.failed) return ss_fail(e, SS_ERUNTIME, "out of memory adding rows to result table %s", t->name);
  return SS_OK;
}

/* Packed form, per table: "name\0header\0", then as 20 decimal digits each the record size
 * (0: CSV text) and the body's length, then the body (docs/checkpoint.md). */
static void pack_table(text *out, const ss_table *t)
{
  char num[48];
  text_append(out, t->name, strlen(t->name) + 1);
  const char *h = t->header ? t->header : "";
  text_append(out, h, strlen(h) + 1);
  snprintf(num, sizeof num, "%020zu%020zu", t->recsize, t->body.len);
  text_append(out, num, 40);
  if (t->body.len) text_append(out, t->body.buf, t->body.len);
}

int ss_tableset_pack(const ss_tableset *s, char **buf, size_t *len, ss_err *e)
{
  text out = {0};
  SS_TRY(ss_tableset_check(s, e));
  for (int i = 0; i < s->n; i++) pack_table(&out, s->t[i]);
  if (!out.buf) text_reserve(&out, 1);
  if (out.failed) {
    free(out.buf);
    return ss_fail(e, SS_ERUNTIME, "out of memory packing the result tables");
  }
  *buf = out.buf;
  *len = out.len;
  return SS_OK;
}

/* The 20-digit number at buf + at (advanced); -1 past len. */
static long long packed_number(const char *buf, size_t len, size_t *at)
{
  if (*at + 20 > len) return -1;
  char num[21];
  memcpy(num, buf + *at, 20);
  num[20] = 0;
  *at += 20;
  return strtoll(num, NULL, 10);
}

int ss_tableset_unpack_append(ss_tableset *s, const char *buf, size_t len, ss_err *e)
{
  size_t at = 0;
  while (at < len) {
    const char *name = buf + at, *nul = memchr(name, 0, len - at);
    const char *header = nul ? nul + 1 : buf + len;
    nul = header < buf + len ? memchr(header, 0, (size_t)(buf + len - header)) : NULL;
    if (!nul) return ss_fail(e, SS_ERUNTIME, "corrupt packed table");
    at = (size_t)(nul + 1 - buf);
    long long recsize = packed_number(buf, len, &at), blen = packed_number(buf, len, &at);
    if (recsize < 0 || blen < 0 || at + (size_t)blen > len || (recsize && (*header || blen % recsize)))
      return ss_fail(e, SS_ERUNTIME, "corrupt packed table");
    ss_table *t = recsize ? ss_tableset_records(s, name, (size_t)recsize) : ss_tableset_get(s, name);
    if (!recsize && t->recsize) return ss_fail(e, SS_ERUNTIME, "corrupt packed table: %s holds records", name);
    if (*header) SS_TRY(ss_table_header(t, header, e));
    ss_table_append_body(t, buf + at, (size_t)blen);
    at += (size_t)blen;
  }
  return ss_tableset_check(s, e);
}

