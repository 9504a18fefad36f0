/* Reading a result table back once, as rows of fields, for the finish hooks. A table's body
 * is the byte-exact text the tasks wrote (it travels between ranks and through checkpoints as
 * text), so a finish hook reads it here in one linear pass into rows it can index, instead of
 * searching the text again for every field. */
#ifndef STRATSIM_TABLE_READ_H
#define STRATSIM_TABLE_READ_H

#include "stratsim/error.h"
#include "stratsim/table.h"

typedef struct {
  long nrows;
  int ncols;
  char *text;    /* a copy of the body, split in place */
  char **field;  /* field[r * ncols + c]: column cols[c] of row r (NUL-terminated) */
} ss_table_rows;

/* Reads the columns named cols[0..ncols-1] of every row of t. A column missing from the
 * header is an error; a row with fewer fields than the header is an error. */
int ss_table_read(const ss_table *t, const char *const *cols, int ncols, ss_table_rows *out, ss_err *e);
static inline const char *ss_rows_str(const ss_table_rows *r, long row, int col)
{
  return r->field[row * r->ncols + col];
}
double ss_rows_real(const ss_table_rows *r, long row, int col); /* strtod; NaN if empty */
void ss_table_rows_free(ss_table_rows *r);

#endif
