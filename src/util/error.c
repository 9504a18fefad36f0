/* Errors: the first failure is the one that is reported, so the root cause is never
 * buried under the failures it triggers downstream. Messages are single lines because
 * they end up in manifest.json and in one-line stderr reports. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/error.h"

/* Turns embedded newlines into spaces and drops trailing ones: a message is one line. */
static void flatten_message(char *msg)
{
  size_t n = 0;
  for (char *p = msg; *p; p++, n++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  while (n > 0 && msg[n - 1] == ' ') msg[--n] = '\0';
}

int ss_fail(ss_err *e, int code, const char *fmt, ...)
{
  if (!e || e->code != SS_OK) return code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  flatten_message(e->msg);
  e->code = code;
  return code;
}

void ss_err_clear(ss_err *e)
{
  if (!e) return;
  e->code = SS_OK;
  e->msg[0] = '\0';
}

/* Test hook (STRATSIM_FAIL_ALLOC, driver.c): the allocation after this many more fails,
 * once, as it would on a rank short of memory. < 0: never. alloc_calls counts every
 * allocation since the hook was last set; with site tracking on (STRATSIM_COUNT_ALLOC,
 * driver.c) each distinct call site (the caller's return address) records the index of its
 * first allocation, so a test can fail every allocation site of a run in turn. */
#define MAX_SITES 4096
static long alloc_countdown = -1, alloc_calls = 0;
static int track_sites = 0, nsites = 0;
static struct {
  void *where;
  long first;
} sites[MAX_SITES];

void ss_alloc_fail_after(long n)
{
  alloc_countdown = n;
  alloc_calls = 0;
  nsites = 0;
}

void ss_alloc_track_sites(int on) { track_sites = on; }
long ss_alloc_count(void) { return alloc_calls; }

int ss_alloc_sites(const long **first)
{
  static long out[MAX_SITES];
  for (int i = 0; i < nsites; i++) out[i] = sites[i].first;
  *first = out;
  return nsites;
}

static int alloc_injected(void *where)
{
  if (track_sites) {
    int i = 0;
    while (i < nsites && sites[i].where != where) i++;
    if (i == nsites && nsites < MAX_SITES) {
      sites[nsites].where = where;
      sites[nsites++].first = alloc_calls;
    }
  }
  alloc_calls++;
  if (alloc_countdown < 0) return 0;
  return alloc_countdown-- == 0;
}

#define CALLER __builtin_return_address(0)

static void *checked_malloc(size_t n, ss_err *e, void *where)
{
  /* malloc(0) may legally return NULL; asking for one byte keeps NULL meaning failure. */
  void *p = alloc_injected(where) ? NULL : malloc(n ? n : 1);
  if (!p) ss_fail(e, SS_ERUNTIME, "out of memory allocating %zu bytes", n);
  return p;
}

void *ss_malloc(size_t n, ss_err *e) { return checked_malloc(n, e, CALLER); }

void *ss_calloc(size_t n, size_t size, ss_err *e)
{
  if (size && n > SIZE_MAX / size) {
    ss_fail(e, SS_ERUNTIME, "out of memory: %zu x %zu bytes overflows size_t", n, size);
    return NULL;
  }
  void *p = alloc_injected(CALLER) ? NULL : calloc(n ? n : 1, size ? size : 1);
  if (!p) ss_fail(e, SS_ERUNTIME, "out of memory allocating %zu x %zu bytes", n, size);
  return p;
}

/* A zero-byte realloc may free p and return NULL; growing to at least one byte keeps NULL
 * meaning failure (and p still valid, as with realloc). */
void *ss_realloc(void *p, size_t n, ss_err *e)
{
  void *q = alloc_injected(CALLER) ? NULL : realloc(p, n ? n : 1);
  if (!q) ss_fail(e, SS_ERUNTIME, "out of memory reallocating %zu bytes", n);
  return q;
}

static char *copy_string(const char *s, size_t n, ss_err *e, void *where)
{
  size_t len = strnlen(s, n);
  char *d = checked_malloc(len + 1, e, where);
  if (!d) return NULL;
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

char *ss_strndup(const char *s, size_t n, ss_err *e) { return copy_string(s, n, e, CALLER); }
char *ss_strdup(const char *s, ss_err *e) { return copy_string(s, strlen(s), e, CALLER); }
