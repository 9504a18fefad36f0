/* ss_table_read: one pass over a table's body into indexed rows (table_read.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/table_read.h"

/* The index of each wanted column in the header, or an error naming the missing one. */
static int map_columns(const ss_table *t, const char *const *cols, int ncols, int *idx, int *width,
                       ss_err *e)
{
  const char *h = ss_table_get_header(t);
  *width = 1;
  for (const char *p = h ? h : ""; *p; p++) *width += *p == ',';
  for (int c = 0; c < ncols; c++) {
    idx[c] = ss_table_column(t, cols[c]);
    if (idx[c] < 0)
      return ss_fail(e, SS_ERUNTIME, "table %s has no column %s", ss_table_name(t), cols[c]);
  }
  return SS_OK;
}

/* Splits one line (NUL-terminated; its commas become NULs) into the wanted fields of a row. */
static int split_line(char *line, const int *idx, int ncols, int width, char **row)
{
  char *f[width];
  int n = 1;
  f[0] = line;
  for (char *p = line; *p; p++)
    if (*p == ',') {
      *p = '\0';
      if (n < width) f[n++] = p + 1;
    }
  if (n < width) return -1;
  for (int c = 0; c < ncols; c++) row[c] = f[idx[c]];
  return 0;
}

int ss_table_read(const ss_table *t, const char *const *cols, int ncols, ss_table_rows *out, ss_err *e)
{
  memset(out, 0, sizeof *out);
  int idx[ncols > 0 ? ncols : 1], width;
  SS_TRY(map_columns(t, cols, ncols, idx, &width, e));
  size_t len;
  const char *body = ss_table_body(t, &len);
  long nr = ss_table_nrows(t);
  out->ncols = ncols;
  out->text = ss_malloc(len + 1, e);
  out->field = ss_calloc((size_t)(nr ? nr : 1) * ncols, sizeof *out->field, e);
  if (!out->text || !out->field) {
    ss_table_rows_free(out);
    return e->code ? e->code : SS_ERUNTIME;
  }
  if (len) memcpy(out->text, body, len);
  out->text[len] = '\0';
  char *line = out->text;
  for (long r = 0; r < nr; r++) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    if (split_line(line, idx, ncols, width, out->field + r * ncols)) {
      ss_table_rows_free(out);
      return ss_fail(e, SS_ERUNTIME, "table %s: row %ld has fewer than %d fields", ss_table_name(t), r + 1, width);
    }
    out->nrows = r + 1;
    if (!nl) break;
    line = nl + 1;
  }
  return SS_OK;
}

double ss_rows_real(const ss_table_rows *r, long row, int col)
{
  const char *s = ss_rows_str(r, row, col);
  return *s ? strtod(s, NULL) : NAN;
}

void ss_table_rows_free(ss_table_rows *r)
{
  free(r->text);
  free(r->field);
  memset(r, 0, sizeof *r);
}
