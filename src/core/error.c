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
 * allocation since the hook was last set (STRATSIM_COUNT_ALLOC, driver.c), so a test can
 * first count the allocation sites of a run and then fail each of them in turn. */
static long alloc_countdown = -1, alloc_calls = 0;

void ss_alloc_fail_after(long n)
{
  alloc_countdown = n;
  alloc_calls = 0;
}

long ss_alloc_count(void) { return alloc_calls; }

static int alloc_injected(void)
{
  alloc_calls++;
  if (alloc_countdown < 0) return 0;
  return alloc_countdown-- == 0;
}

void *ss_malloc(size_t n, ss_err *e)
{
  /* malloc(0) may legally return NULL; asking for one byte keeps NULL meaning failure. */
  void *p = alloc_injected() ? NULL : malloc(n ? n : 1);
  if (!p) ss_fail(e, SS_ERUNTIME, "out of memory allocating %zu bytes", n);
  return p;
}

void *ss_calloc(size_t n, size_t size, ss_err *e)
{
  if (size && n > SIZE_MAX / size) {
    ss_fail(e, SS_ERUNTIME, "out of memory: %zu x %zu bytes overflows size_t", n, size);
    return NULL;
  }
  void *p = alloc_injected() ? NULL : calloc(n ? n : 1, size ? size : 1);
  if (!p) ss_fail(e, SS_ERUNTIME, "out of memory allocating %zu x %zu bytes", n, size);
  return p;
}

/* A zero-byte realloc may free p and return NULL; growing to at least one byte keeps NULL
 * meaning failure (and p still valid, as with realloc). */
void *ss_realloc(void *p, size_t n, ss_err *e)
{
  void *q = alloc_injected() ? NULL : realloc(p, n ? n : 1);
  if (!q) ss_fail(e, SS_ERUNTIME, "out of memory reallocating %zu bytes", n);
  return q;
}

/* realloc of n elements of size bytes, with the overflow check of ss_calloc. */
void *ss_reallocarray(void *p, size_t n, size_t size, ss_err *e)
{
  if (size && n > SIZE_MAX / size) {
    ss_fail(e, SS_ERUNTIME, "out of memory: %zu x %zu bytes overflows size_t", n, size);
    return NULL;
  }
  return ss_realloc(p, n * size, e);
}

char *ss_strndup(const char *s, size_t n, ss_err *e)
{
  size_t len = strnlen(s, n);
  char *d = ss_malloc(len + 1, e);
  if (!d) return NULL;
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

char *ss_strdup(const char *s, ss_err *e) { return ss_strndup(s, strlen(s), e); }
