/* Result tables: tidy CSV text built in memory row by row, one named table per file.
 * Rows hold formatted text, so what rank 0 writes is byte-for-byte what tasks produced. The
 * same set also holds internal record tables for the finish hooks (below). */
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

/* Internal records: fixed-size binary records (structs of numbers, names in char arrays of
 * SS_RECORD_NAME bytes) that a task keeps for its experiment's finish hook, next to the CSV
 * rows it writes, so that the finish hook reads typed values instead of parsing text. A record
 * table lives in the same set as the CSV tables, so it is packed, gathered to rank 0, merged
 * in task order, checkpointed and resumed with them; it has no header, and every writer of
 * CSV files (ss_write_tables, the assembly, the manifest's file list) skips a table without
 * one, so it is never a file. Records are bytes in the machine's order: like in-task states,
 * they are read by the same build that wrote them. Zero a record (memset) before filling it,
 * so that its padding is defined. */
#define SS_RECORD_NAME 64
/* The record table name of s, with records of size bytes, created on first use. A table of
 * that name holding CSV text or records of another size gives a failed table (reported by
 * ss_tableset_check), as does running out of memory. */
ss_table *ss_tableset_records(ss_tableset *s, const char *name, size_t size);
/* Appends one record (t's record size bytes from rec); a failure marks t failed. */
void ss_records_add(ss_table *t, const void *rec);
/* The records of t in the order they were added (tasks in order), *n of them; NULL if none. */
const void *ss_records_data(const ss_table *t, long *n);

#endif
