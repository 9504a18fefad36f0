/* Run directories: checked, locked, replaced only when stratsim wrote them, and written
 * file by file through a temporary name and a rename. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stratsim/checkpoint.h"
#include "stratsim/input_file.h"
#include "stratsim/output.h"

/* dir + "/" + name into buf (SS_DIR_MAX + 256 bytes), never truncated. */
static int join(char *buf, size_t len, const char *dir, const char *name, ss_err *e)
{
  int n = snprintf(buf, len, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= len)
    return ss_fail(e, SS_EINPUT, "%s/%s: path too long (%d bytes; at most %zu)", dir, name, n, len - 1);
  return SS_OK;
}
#define PATHBUF (SS_DIR_MAX + 256)

static int mkdir_p(const char *dir, ss_err *e)
{
  char path[PATHBUF];
  SS_TRY(join(path, sizeof path, dir, "", e));
  path[strlen(path) - 1] = 0;
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

/* The manifest's text, or NULL when dir holds no manifest.json written by stratsim. */
static char *read_manifest(const char *dir)
{
  char path[PATHBUF], *text = NULL;
  size_t len;
  ss_err e = {0};
  if (join(path, sizeof path, dir, "manifest.json", &e)) return NULL;
  if (ss_read_input_file(path, 64 << 20, "the manifest", &text, &len, &e)) return NULL;
  if (!strstr(text, "\"format\": \"stratsim-run") &&
      !(strstr(text, "\"git_describe\"") && strstr(text, "\"experiment\"") && strstr(text, "\"files\""))) {
    free(text);
    return NULL;
  }
  return text;
}

int ss_output_is_run_dir(const char *dir)
{
  char *m = read_manifest(dir);
  free(m);
  return m != NULL;
}

/* Is name one of the files a run writes, by the manifest's "files" list or by its fixed
 * names and temporary-file pattern (.NAME.tmp.PID)? */
static int written_by_run(const char *name, const char *manifest)
{
  if (!strcmp(name, "manifest.json") || !strcmp(name, "config.yaml") || !strcmp(name, SS_CHECKPOINT_FILE)) return 1;
  const char *tmp = strstr(name, ".tmp.");
  if (name[0] == '.' && tmp && tmp[5] && strspn(tmp + 5, "0123456789") == strlen(tmp + 5)) {
    size_t stem = (size_t)(tmp - name);
    return (stem > 5 && !strncmp(tmp - 4, ".csv", 4)) || (stem > 5 && !strncmp(tmp - 5, ".json", 5)) ||
           (stem > 5 && !strncmp(tmp - 5, ".yaml", 5)) || (stem > 4 && !strncmp(tmp - 4, ".bin", 4));
  }
  const char *files = strstr(manifest, "\"files\": [");
  if (!files || strchr(name, '/') || strlen(name) < 5 || strcmp(name + strlen(name) - 4, ".csv")) return 0;
  const char *end = strchr(files, ']');
  char quoted[600];
  if (snprintf(quoted, sizeof quoted, "\"%s\"", name) >= (int)sizeof quoted) return 0;
  const char *hit = strstr(files, quoted);
  return hit && end && hit < end;
}

/* --force: removes what the earlier run wrote; every other file stays. */
static int clear_run(const char *dir, ss_err *e)
{
  char *manifest = read_manifest(dir);
  if (!manifest) return ss_fail(e, SS_EINPUT, "internal: %s lost its manifest", dir);
  DIR *d = opendir(dir);
  if (!d) {
    free(manifest);
    return ss_fail(e, SS_EINPUT, "cannot open %s: %s", dir, strerror(errno));
  }
  struct dirent *ent;
  int rc = SS_OK;
  while (!rc && (ent = readdir(d))) {
    char path[PATHBUF];
    struct stat st;
    if (!written_by_run(ent->d_name, manifest) || join(path, sizeof path, dir, ent->d_name, e)) continue;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path))
      rc = ss_fail(e, SS_EINPUT, "--force: cannot remove %s: %s", path, strerror(errno));
  }
  closedir(d);
  free(manifest);
  return rc;
}

/* Does dir hold anything but our own lock? */
static int has_entries(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d) return 1;
  struct dirent *ent;
  int any = 0;
  while (!any && (ent = readdir(d)))
    any = strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..") && strcmp(ent->d_name, SS_LOCK_FILE);
  closedir(d);
  return any;
}

/* Explains why the lock at path is held: by a live run, or stale (its process is gone). */
static int lock_held(const char *dir, const char *path, ss_err *e)
{
  char host[256] = "", me[256] = "", *text = NULL;
  size_t len;
  long pid = 0;
  ss_err ignore = {0};
  if (!ss_read_input_file(path, 4096, "the lock", &text, &len, &ignore)) {
    if (sscanf(text, "host %255s pid %ld", host, &pid) != 2) pid = 0;
    free(text);
  }
  gethostname(me, sizeof me - 1);
  if (pid > 0 && !strcmp(host, me) && kill((pid_t)pid, 0) && errno == ESRCH)
    return ss_fail(e, SS_EINPUT, "%s: stale lock: process %ld on %s that held it is no longer running; "
                   "check that no run is writing %s, then remove the lock with: rm %s", dir, pid, host, dir, path);
  if (pid > 0)
    return ss_fail(e, SS_EINPUT, "%s is being written by another run (process %ld on %s, lock %s); "
                   "wait for it to end or write elsewhere with --out DIR", dir, pid, host, path);
  return ss_fail(e, SS_EINPUT, "%s is locked by another run (%s); wait for it to end or write elsewhere "
                 "with --out DIR", dir, path);
}

static int take_lock(const char *dir, ss_err *e)
{
  char path[PATHBUF], host[256] = "", text[400];
  SS_TRY(join(path, sizeof path, dir, SS_LOCK_FILE, e));
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST) return lock_held(dir, path, e);
  if (fd < 0) return ss_fail(e, SS_EINPUT, "cannot create the lock %s: %s", path, strerror(errno));
  gethostname(host, sizeof host - 1);
  const char *job = getenv("SLURM_JOB_ID"), *restart = getenv("SLURM_RESTART_COUNT");
  int n = snprintf(text, sizeof text, "host %s pid %ld job %.40s restart %.20s\n", host, (long)getpid(),
                   job && *job ? job : "-", restart && *restart ? restart : "0");
  int bad = write(fd, text, (size_t)n) != n;
  bad |= close(fd) != 0;
  if (bad) {
    unlink(path);
    return ss_fail(e, SS_EINPUT, "cannot write the lock %s", path);
  }
  return SS_OK;
}

int ss_output_open(const char *dir, int force, ss_err *e)
{
  size_t len = strlen(dir);
  if (!len) return ss_fail(e, SS_EINPUT, "the output directory is empty");
  if (len > SS_DIR_MAX)
    return ss_fail(e, SS_EINPUT, "output directory path too long (%zu bytes; at most %d): %.60s...", len,
                   SS_DIR_MAX, dir);
  struct stat st;
  int exists = stat(dir, &st) == 0;
  if (exists && !S_ISDIR(st.st_mode)) return ss_fail(e, SS_EINPUT, "%s exists and is not a directory", dir);
  /* a directory of the user's is refused before anything is created in it */
  if (exists && has_entries(dir) && !ss_output_is_run_dir(dir))
    return ss_fail(e, SS_EINPUT, "%s exists and is not a stratsim run directory (no manifest.json written by "
                   "stratsim); nothing was touched: choose another --out or name", dir);
  SS_TRY(mkdir_p(dir, e));
  SS_TRY(take_lock(dir, e));
  int rc = SS_OK;
  if (has_entries(dir)) {
    if (!ss_output_is_run_dir(dir))
      rc = ss_fail(e, SS_EINPUT, "%s is not a stratsim run directory; nothing was touched", dir);
    else if (!force)
      rc = ss_fail(e, SS_EINPUT, "%s already exists; pass --force to replace that run or --out DIR to write "
                   "elsewhere", dir);
    else
      rc = clear_run(dir, e);
  }
  if (rc) ss_output_close(dir);
  return rc;
}

/* A lock that a resume may take over: its process is gone (same host, no such pid), or it
 * was taken by an earlier start of this same SLURM job (a requeued job keeps its id and gets
 * a new restart count; SLURM ends a job's processes before it starts it again). */
static int lock_is_stale(const char *path)
{
  char host[256] = "", me[256] = "", job[64] = "", restart[32] = "", *text = NULL;
  size_t len;
  long pid = 0;
  ss_err ignore = {0};
  if (ss_read_input_file(path, 4096, "the lock", &text, &len, &ignore)) return 0;
  int n = sscanf(text, "host %255s pid %ld job %63s restart %31s", host, &pid, job, restart);
  free(text);
  gethostname(me, sizeof me - 1);
  if (n >= 2 && pid > 0 && !strcmp(host, me) && kill((pid_t)pid, 0) && errno == ESRCH) return 1;
  const char *my_job = getenv("SLURM_JOB_ID"), *my_restart = getenv("SLURM_RESTART_COUNT");
  return n == 4 && my_job && !strcmp(job, my_job) && strcmp(restart, my_restart ? my_restart : "0");
}

int ss_output_open_resume(const char *dir, ss_err *e)
{
  char path[PATHBUF];
  if (!ss_output_is_run_dir(dir))
    return ss_fail(e, SS_EINPUT, "%s: not a stratsim run directory (no manifest.json written by stratsim); "
                   "nothing to resume", dir);
  SS_TRY(join(path, sizeof path, dir, SS_LOCK_FILE, e));
  if (access(path, F_OK) == 0 && lock_is_stale(path)) {
    fprintf(stderr, "stratsim: %s: taking over the lock of a run that is no longer running\n", dir);
    unlink(path);
  }
  return take_lock(dir, e);
}

void ss_output_close(const char *dir)
{
  char path[PATHBUF];
  ss_err ignore = {0};
  if (!join(path, sizeof path, dir, SS_LOCK_FILE, &ignore)) unlink(path);
}

int ss_write_atomic(const char *dir, const char *name, const char *data, size_t len, ss_err *e)
{
  char tmp[PATHBUF], final[PATHBUF], tmpname[400];
  if (snprintf(tmpname, sizeof tmpname, ".%s.tmp.%ld", name, (long)getpid()) >= (int)sizeof tmpname)
    return ss_fail(e, SS_EINPUT, "file name too long: %s", name);
  SS_TRY(join(tmp, sizeof tmp, dir, tmpname, e));
  SS_TRY(join(final, sizeof final, dir, name, e));
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
  SS_TRY(ss_tableset_check(tables, e)); /* no table written if one is incomplete */
  for (int i = 0; i < ss_tableset_count(tables); i++) {
    ss_table *t = ss_tableset_at(tables, i);
    if (!ss_table_get_header(t)) continue;
    size_t blen, hlen = strlen(ss_table_get_header(t));
    const char *body = ss_table_body(t, &blen);
    char *buf = ss_malloc(hlen + 1 + blen, e), name[300];
    if (!buf) return e->code;
    memcpy(buf, ss_table_get_header(t), hlen);
    buf[hlen] = '\n';
    memcpy(buf + hlen + 1, body, blen);
    int rc = snprintf(name, sizeof name, "%s.csv", ss_table_name(t)) >= (int)sizeof name
                 ? ss_fail(e, SS_ERUNTIME, "table name too long: %s", ss_table_name(t))
                 : ss_write_atomic(dir, name, buf, hlen + 1 + blen, e);
    free(buf);
    SS_TRY(rc);
  }
  return SS_OK;
}
