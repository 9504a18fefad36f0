/* A mailbox (src/par/mailbox.c): byte messages sent to one rank without waiting for it, on a
 * communicator of their own. The periodic in-task checkpoints of several rank groups use it: a
 * group leader posts its task's state to world rank 0, which takes it at its next safe point
 * (docs/checkpoint.md). */
#ifndef STRATSIM_MAILBOX_H
#define STRATSIM_MAILBOX_H

#include <stddef.h>
#include "stratsim/error.h"
#include "stratsim/par.h"

typedef struct ss_mailbox ss_mailbox;

/* Collective over c (every rank takes part, also one that then fails: no agreement). */
int ss_mailbox_open(ss_comm *c, ss_mailbox **mb, ss_err *e);
/* Posts a copy of len bytes to rank dest of c and returns at once; the copy is kept until the
 * receiver has taken it (freed at a later post or at the drain). Not collective. */
int ss_mailbox_post(ss_mailbox *mb, int dest, const void *buf, size_t len, ss_err *e);
/* The next message that has arrived on this rank (*buf malloc'd, the caller frees it); 0 when
 * none has. Not collective. */
int ss_mailbox_take(ss_mailbox *mb, char **buf, size_t *len, ss_err *e);
/* Collective over c: every message posted so far is delivered; on rank dest each one still
 * unread is passed to take(ctx, buf, len) in arrival order (buf freed after the call), and every
 * rank's posts complete. */
int ss_mailbox_drain(ss_mailbox *mb, int dest, void (*take)(void *ctx, char *buf, size_t len), void *ctx,
                     ss_err *e);
/* Frees mb (after a drain: no post pending). Not collective. */
void ss_mailbox_close(ss_mailbox **mb);

#endif
