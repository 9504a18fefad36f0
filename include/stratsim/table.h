/* Result tables: tidy CSV text built in memory row by row, one named table per file.
 * Rows hold formatted text, so what rank 0 writes is byte-for-byte what tasks produced. */
#ifndef STRATSIM_TABLE_H
#define STRATSIM_TABLE_H

#include <stddef.h>
#include "stratsim/error.h"

typedef struct ss_table ss_table;
typedef struct ss_tableset ss_tableset;

ss_tableset *ss_tableset_new(void);
void ss_tableset_free(ss_tableset **s);
/* The table named name (file name.csv), created on first use. */
ss_table *ss_tableset_get(ss_tableset *s, const char *name);
/* SS_ERUNTIME if a table of s ran out of memory (its rows are incomplete): the row
 * functions below return nothing, so pack, unpack, write and finish hooks check this. */
int ss_tableset_check(const ss_tableset *s, ss_err *e);
int ss_tableset_count(const ss_tableset *s);
ss_table *ss_tableset_at(ss_tableset *s, int i);

/* Sets the header line (column names, comma separated). A second call with a different
 * header is an error: a swept key must not change a table's columns. */
int ss_table_header(ss_table *t, const char *header, ss_err *e);
/* Appends one row; the newline is added. */
void ss_table_row(ss_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends formatted text without a newline (for rows built piece by piece), then ends it. */
void ss_table_add(ss_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ss_table_end_row(ss_table *t);

const char *ss_table_name(const ss_table *t);
const char *ss_table_get_header(const ss_table *t);
const char *ss_table_body(const ss_table *t, size_t *len); /* rows only */
long ss_table_nrows(const ss_table *t);
void ss_table_append_body(ss_table *t, const char *rows, size_t len);
/* Appends rows (whole lines), each preceded by prefix and a comma. */
int ss_table_append_prefixed(ss_table *t, const char *prefix, const char *rows, size_t len, ss_err *e);

/* Serialises a whole set (headers and bodies) to bytes and back, to move it between ranks. */
int ss_tableset_pack(const ss_tableset *s, char **buf, size_t *len, ss_err *e);
/* Merges packed tables into s: bodies are appended, headers must agree. */
int ss_tableset_unpack_append(ss_tableset *s, const char *buf, size_t len, ss_err *e);

/* Reading back a column of a table body as numbers, for finish hooks. */
int ss_table_column(const ss_table *t, const char *col);         /* index or -1 */
/* Field col of row i as text (into buf) ; returns 0 on success. */
int ss_table_field(const ss_table *t, long row, int col, char *buf, size_t len);

#endif
