/* Reading input files safely: stat first, then read at most the size it had plus one byte,
 * so that a file that grows while it is read is caught too. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stratsim/input_file.h"

/* Opens path for reading when it is a regular file of at most max bytes; fd and its stat. */
static int open_regular(const char *path, size_t max, const char *what, int *fd, struct stat *st, ss_err *e)
{
  /* O_NONBLOCK: opening a FIFO must not wait for a writer */
  *fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (*fd < 0) return ss_fail(e, SS_EINPUT, "%s: cannot read %s: %s", path, what, strerror(errno));
  int rc = SS_OK;
  if (fstat(*fd, st))
    rc = ss_fail(e, SS_EINPUT, "%s: cannot read %s: %s", path, what, strerror(errno));
  else if (!S_ISREG(st->st_mode))
    rc = ss_fail(e, SS_EINPUT, "%s: %s must be a regular file, found a %s", path, what,
                 S_ISDIR(st->st_mode) ? "directory" : S_ISFIFO(st->st_mode) ? "FIFO"
                 : S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? "device" : "special file");
  else if ((size_t)st->st_size > max)
    rc = ss_fail(e, SS_EINPUT, "%s: %s is %lld bytes; at most %zu are accepted", path, what,
                 (long long)st->st_size, max);
  if (rc) {
    close(*fd);
    *fd = -1;
  }
  return rc;
}

int ss_check_input_file(const char *path, size_t max, const char *what, ss_err *e)
{
  int fd;
  struct stat st;
  SS_TRY(open_regular(path, max, what, &fd, &st, e));
  close(fd);
  return SS_OK;
}

int ss_read_input_file(const char *path, size_t max, const char *what, char **buf, size_t *len,
                       ss_err *e)
{
  *buf = NULL;
  *len = 0;
  int fd;
  struct stat st;
  SS_TRY(open_regular(path, max, what, &fd, &st, e));
  size_t cap = (size_t)st.st_size + 2, n = 0;
  char *data = ss_malloc(cap, e);
  if (!data) { close(fd); return e->code; }
  for (;;) {
    ssize_t got = read(fd, data + n, cap - 1 - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int err = errno;
      free(data);
      close(fd);
      return ss_fail(e, SS_EINPUT, "%s: cannot read %s: %s", path, what, strerror(err));
    }
    if (got == 0) break;
    n += (size_t)got;
    if (n == cap - 1) break;
  }
  close(fd);
  if (n > (size_t)st.st_size || n > max) {
    free(data);
    return ss_fail(e, SS_EINPUT, "%s: %s changed while it was read", path, what);
  }
  data[n] = 0;
  *buf = data;
  *len = n;
  return SS_OK;
}

char *ss_resolve_data_path(const char *config_source, const char *path, ss_err *e)
{
  const char *slash = config_source ? strrchr(config_source, '/') : NULL;
  size_t dlen = (path[0] == '/' || !slash) ? 0 : (size_t)(slash - config_source) + 1;
  size_t total = dlen + strlen(path);
  if (total >= PATH_MAX) {
    ss_fail(e, SS_EINPUT, "%s: the data path is %zu bytes long; at most %d are accepted", path, total,
            PATH_MAX - 1);
    return NULL;
  }
  char *out = ss_malloc(total + 1, e);
  if (!out) return NULL;
  memcpy(out, config_source, dlen);
  memcpy(out + dlen, path, strlen(path) + 1);
  return out;
}

int ss_csv_numbers(const char *file, long lineno, const char *p, double *v, int max, int *n, ss_err *e)
{
  *n = 0;
  for (;;) {
    char *end;
    double x = strtod(p, &end);
    if (end == p) return ss_fail(e, SS_EINPUT, "%s:%ld: expected a number, found '%.*s'", file, lineno, (int)ss_field_len(p), p);
    if (*n < max) v[*n] = x;
    (*n)++;
    p = end;
    while (*p == ' ' || *p == '\t') p++;
    if (*p != ',') break;
    p++;
  }
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  size_t rest = strcspn(p, "\r\n"); /* the rest of the line, at most 40 bytes */
  if (*p) return ss_fail(e, SS_EINPUT, "%s:%ld: unexpected '%.*s' after the numbers", file, lineno, (int)(rest < 40 ? rest : 40), p);
  return SS_OK;
}
