/* Errors: every fallible function returns an ss_code and fills an ss_err.
 * SS_EINPUT (exit 2) is for bad configs, CLI or output paths; SS_ERUNTIME (exit 1)
 * for everything that fails after the input was accepted; SS_EINTR (exit 3) for a run
 * stopped at a safe point by SIGTERM, SIGINT or SIGUSR1. */
#ifndef STRATSIM_ERROR_H
#define STRATSIM_ERROR_H

#include <stddef.h>

enum { SS_OK = 0, SS_ERUNTIME = 1, SS_EINPUT = 2, SS_EINTR = 3 };

#define SS_ERRMSG 2048

typedef struct {
  int code;             /* SS_OK, SS_ERUNTIME, SS_EINPUT or SS_EINTR */
  char msg[SS_ERRMSG];  /* one line, no trailing newline */
} ss_err;

/* Records the first error only: later calls keep the earlier message. Returns code. */
int ss_fail(ss_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ss_err_clear(ss_err *e);

/* Allocation that reports failure through ss_err instead of crashing: every allocation of
 * the project goes through these (so the fault-injection hook reaches it); on failure they
 * return NULL and record "out of memory" in e (e may be NULL: then only NULL reports it).
 * ss_realloc leaves p valid on failure, as realloc does. docs/errors.md. */
void *ss_malloc(size_t n, ss_err *e);
void *ss_calloc(size_t n, size_t size, ss_err *e);
void *ss_realloc(void *p, size_t n, ss_err *e);
char *ss_strdup(const char *s, ss_err *e);
char *ss_strndup(const char *s, size_t n, ss_err *e); /* at most n bytes of s, NUL added */
/* Test hook: the allocation after n more allocations fails once (n < 0: none); also
 * restarts the count that ss_alloc_count returns (allocations since the hook was set). */
void ss_alloc_fail_after(long n);
long ss_alloc_count(void);
/* Site tracking (off by default): the first allocation index (as ss_alloc_fail_after
 * counts) of each distinct call site since the hook was last set, in order of first use. */
void ss_alloc_track_sites(int on);
int ss_alloc_sites(const long **first);

#define SS_TRY(x) do { int ss_rc_ = (x); if (ss_rc_) return ss_rc_; } while (0)

#endif
