/* Rows of CSV text gathered to a task's rank 0 (text_rows.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "stratsim/collectives.h"
#include "stratsim/error.h"
#include "text_rows.h"

void rlhf_text_add(rlhf_text *t, const char *fmt, ...)
{
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    size_t room = t->cap - t->len;
    int w = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? room : 0, fmt, ap);
    va_end(ap);
    if (w < 0 || t->failed) {
      t->failed = 1;
      return;
    }
    if (t->buf && (size_t)w < room) {
      t->len += (size_t)w;
      return;
    }
    size_t nc = t->cap ? t->cap * 2 : 4096;
    while (nc < t->len + (size_t)w + 1) nc *= 2;
    char *nb = ss_realloc(t->buf, nc, NULL);
    if (!nb) {
      t->failed = 1;
      return;
    }
    t->buf = nb;
    t->cap = nc;
  }
}

/* Gathers every rank's text to rank 0 of c (rank order) and appends it to table tb there.
 * Collective; may be called with an error pending (the gather agrees on it first). */
int rlhf_gather_rows(ss_comm *c, ss_tableset *ts, const char *table, const char *header,
                       rlhf_text *t, ss_err *e)
{
  char *all = NULL;
  size_t len = 0;
  ss_table *tb = NULL;
  if (t->failed) ss_fail(e, SS_ERUNTIME, "out of memory building the %s rows", table);
  /* rank 0's header check, before the gather that agrees on it */
  if (!e->code && ss_comm_rank(c) == 0) {
    tb = ss_tableset_get(ts, table);
    ss_table_header(tb, header, e);
  }
  int rc = ss_par_gather_bytes(c, t->buf ? t->buf : "", t->len, 0, &all, &len, e);
  t->len = 0;
  if (!rc && tb && len) ss_table_append_body(tb, all, len); /* a failed append: ss_tableset_check */
  free(all);
  return rc;
}

char *rlhf_header_with(const char *pre, const char *stem, int d, const char *post)
{
  rlhf_text t = {0};
  rlhf_text_add(&t, "%s", pre);
  for (int j = 1; j <= d; j++) rlhf_text_add(&t, ",%s%d", stem, j);
  rlhf_text_add(&t, "%s", post);
  if (t.failed) free(t.buf); /* NULL: ss_table_header reports it */
  return t.failed ? NULL : t.buf;
}
