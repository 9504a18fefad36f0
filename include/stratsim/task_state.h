/* In-task checkpoint state (docs/checkpoint.md): what a long loop inside a task saves when a
 * signal stops it at a safe point (an SPSA step, a bandit epoch), so that `stratsim run
 * --resume` continues the task from there instead of from its start. A state is a list of
 * named byte strings. A loop keeps its state under its own key; it is replicated on every
 * rank of the task's group or gathered to group rank 0, and holds nothing that depends on the
 * rank count, so the task resumes at any rank count. Nothing here is collective. */
#ifndef STRATSIM_TASK_STATE_H
#define STRATSIM_TASK_STATE_H

#include <stddef.h>
#include "stratsim/error.h"

typedef struct ss_task_state ss_task_state;

/* An empty state. */
int ss_task_state_new(ss_task_state **s, ss_err *e);
void ss_task_state_free(ss_task_state **s);
/* Sets key to len bytes of data (a copy), replacing what key held. */
int ss_task_state_put(ss_task_state *s, const char *key, const void *data, size_t len, ss_err *e);
/* Empties key's record (length 0, as a put of nothing) if it has one. Allocates nothing, so it
 * cannot fail: a collective function may call it after its last collective. Not collective. */
void ss_task_state_clear(ss_task_state *s, const char *key);
/* The bytes of key, or NULL (also when s is NULL). */
const void *ss_task_state_get(const ss_task_state *s, const char *key, size_t *len);
/* Number of keys (0 for NULL). */
int ss_task_state_count(const ss_task_state *s);
/* Serialised: u32 count, then per key: u32 key length, key, u64 length, bytes (little-endian). */
int ss_task_state_pack(const ss_task_state *s, char **buf, size_t *len, ss_err *e);
/* The inverse; a malformed buffer is SS_EINPUT ("corrupted in-task state"). */
int ss_task_state_unpack(const char *buf, size_t len, ss_task_state **s, ss_err *e);
/* The key "where" holds a NUL-terminated description of the position ("SPSA step 1200 of
 * 5000 (algorithm 0)"), for the log and the resume message; "" if absent. */
const char *ss_task_state_where(const ss_task_state *s);

/* Little-endian helpers for the loops' own records. */
void ss_put_le64(unsigned char *p, unsigned long long v);
unsigned long long ss_get_le64(const unsigned char *p);

#endif
