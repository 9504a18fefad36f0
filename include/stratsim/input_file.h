/* Input files (configs and data files) are read whole, only when they are regular files
 * under a size limit: a directory, a FIFO or /dev/zero is refused instead of blocking or
 * reading until memory runs out. */
#ifndef STRATSIM_INPUT_FILE_H
#define STRATSIM_INPUT_FILE_H

#include <stddef.h>
#include <string.h>
#include "stratsim/error.h"

#define SS_CONFIG_MAX_BYTES ((size_t)1 << 20)  /* 1 MiB */
#define SS_DATA_MAX_BYTES ((size_t)1 << 30)    /* 1 GiB */

/* Reads path into a malloc'd, NUL-terminated buffer. `what` names the file in messages
 * ("the config", "rlhf.env.file"). SS_EINPUT when it is not a regular file, is larger than
 * max bytes or cannot be read. Not collective. */
int ss_read_input_file(const char *path, size_t max, const char *what, char **buf, size_t *len,
                       ss_err *e);
/* The same checks without reading: for readers that stream a large file (MDP transitions). */
int ss_check_input_file(const char *path, size_t max, const char *what, ss_err *e);
/* Resolves a data path given in a config: absolute paths stay; relative ones are taken
 * from the directory of the config file (config_source). Returns a malloc'd path or NULL
 * (with SS_ERUNTIME/SS_EINPUT in e when too long). */
char *ss_resolve_data_path(const char *config_source, const char *path, ss_err *e);
/* One data line of a CSV file of numbers: the comma-separated numbers at p (blanks around them
 * allowed; the line may end in \r and/or \n), the first max of them into v, their count into
 * *n. Anything else on the line is an input error naming file:lineno and the offending text. */
int ss_csv_numbers(const char *file, long lineno, const char *p, double *v, int max, int *n, ss_err *e);
/* The length of the CSV field at p (up to a comma or the line's end, at most 40 bytes), to quote
 * it in a message without the rest of the line. */
static inline size_t ss_field_len(const char *p)
{
  size_t n = strcspn(p, ",\r\n");
  return n < 40 ? n : 40;
}

#endif
