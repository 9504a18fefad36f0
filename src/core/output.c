/* Run directories and atomic file writes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stratsim/output.h"

static int mkdir_p(const char *dir, ss_err *e)
{
  char path[4096];
  snprintf(path, sizeof path, "%s", dir);
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(path, 0777) && errno != EEXIST)
      return ss_fail(e, SS_EINPUT, "cannot create %s: %s", path, strerror(errno));
    *p = '/';
  }
  if (mkdir(path, 0777) && errno != EEXIST)
    return ss_fail(e, SS_EINPUT, "cannot create %s: %s", path, strerror(errno));
  return SS_OK;
}

static int clear_files(const char *dir, ss_err *e)
{
  DIR *d = opendir(dir);
  if (!d) return ss_fail(e, SS_EINPUT, "cannot open %s: %s", dir, strerror(errno));
  struct dirent *ent;
  int rc = SS_OK;
  while (!rc && (ent = readdir(d))) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path))
      rc = ss_fail(e, SS_EINPUT, "--force: cannot remove %s: %s", path, strerror(errno));
  }
  closedir(d);
  return rc;
}

int ss_output_prepare(const char *dir, int force, ss_err *e)
{
  struct stat st;
  if (stat(dir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return ss_fail(e, SS_EINPUT, "%s exists and is not a directory", dir);
    if (!force)
      return ss_fail(e, SS_EINPUT, "%s already exists; pass --force to overwrite it or --out DIR to write elsewhere", dir);
    SS_TRY(clear_files(dir, e));
  }
  return mkdir_p(dir, e);
}

int ss_write_atomic(const char *dir, const char *name, const char *data, size_t len, ss_err *e)
{
  char tmp[4096], final[4096];
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
  snprintf(final, sizeof final, "%s/%s", dir, name);
  FILE *f = fopen(tmp, "wb");
  if (!f) return ss_fail(e, SS_ERUNTIME, "cannot write %s: %s", tmp, strerror(errno));
  int bad = len && fwrite(data, 1, len, f) != len;
  bad |= fflush(f) != 0;
  bad |= fsync(fileno(f)) != 0;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, final)) {
    int err = errno;
    unlink(tmp);
    return ss_fail(e, SS_ERUNTIME, "cannot write %s: %s", final, strerror(err));
  }
  return SS_OK;
}

int ss_write_tables(const char *dir, ss_tableset *tables, ss_err *e)
{
  for (int i = 0; i < ss_tableset_count(tables); i++) {
    ss_table *t = ss_tableset_at(tables, i);
    if (!ss_table_get_header(t)) continue;
    size_t blen, hlen = strlen(ss_table_get_header(t));
    const char *body = ss_table_body(t, &blen);
    char *buf = ss_malloc(hlen + 1 + blen, e), name[512];
    if (!buf) return e->code;
    memcpy(buf, ss_table_get_header(t), hlen);
    buf[hlen] = '\n';
    memcpy(buf + hlen + 1, body, blen);
    snprintf(name, sizeof name, "%s.csv", ss_table_name(t));
    int rc = ss_write_atomic(dir, name, buf, hlen + 1 + blen, e);
    free(buf);
    SS_TRY(rc);
  }
  return SS_OK;
}
