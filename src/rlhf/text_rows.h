/* Rows of CSV text built on each rank and gathered to rank 0 of a task's communicator, in
 * rank order, into a result table (the RLHF run's per-block tables). */
#ifndef STRATSIM_RLHF_TEXT_ROWS_H
#define STRATSIM_RLHF_TEXT_ROWS_H

#include <stddef.h>
#include "stratsim/par.h"
#include "stratsim/table.h"

typedef struct {
  char *buf;
  size_t len, cap;
  int failed; /* out of memory: rows were dropped, gather_rows reports it */
} rlhf_text;

/* Appends formatted text; out of memory marks t failed (rlhf_gather_rows reports it). */
void rlhf_text_add(rlhf_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Gathers every rank's text to rank 0 of c (rank order) and appends it to table `table` of ts
 * there, whose header must be `header`. Collective; may be called with an error pending (the
 * gather agrees on it first). Empties t. */
int rlhf_gather_rows(ss_comm *c, ss_tableset *ts, const char *table, const char *header, rlhf_text *t,
                     ss_err *e);
/* "pre,<stem>1,...,<stem>d<post>" (malloc'd; NULL out of memory: ss_table_header reports it). */
char *rlhf_header_with(const char *pre, const char *stem, int d, const char *post);

#endif
