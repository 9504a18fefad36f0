/* A mailbox (include/stratsim/mailbox.h): nonblocking sends of byte blocks (at most 2 GiB each) on
 * a duplicate of a communicator, probed by the receiver; each rank counts what it posted and what
 * it took, so that a drain knows how many are still on their way. */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/mailbox.h"
#include "comm_handle.h"

#define MAIL_TAG 23

struct ss_mailbox {
  ss_comm *c;          /* the duplicate */
  MPI_Request *req;    /* this rank's posts not yet completed, and their buffers */
  char **buf;
  long nreq, cap;
  long nsent, ntaken;  /* since the open */
};

int ss_mailbox_open(ss_comm *c, ss_mailbox **mb, ss_err *e)
{
  ss_comm *dup = NULL;
  *mb = NULL;
  if (ss_comm_split(c, 0, ss_comm_rank(c), &dup)) /* first: every rank takes part */
    return ss_fail(e, SS_ERUNTIME, "cannot create a mailbox");
  if (!(*mb = ss_calloc(1, sizeof **mb, e))) {
    ss_comm_free(&dup);
    return e->code;
  }
  (*mb)->c = dup;
  return SS_OK;
}

/* Frees the buffers of the posts that have completed, keeping the others in order. */
static void reap(ss_mailbox *mb)
{
  long kept = 0;
  for (long i = 0; i < mb->nreq; i++) {
    int done = 0;
    MPI_Test(&mb->req[i], &done, MPI_STATUS_IGNORE);
    if (done) {
      free(mb->buf[i]);
      continue;
    }
    mb->req[kept] = mb->req[i];
    mb->buf[kept++] = mb->buf[i];
  }
  mb->nreq = kept;
}

int ss_mailbox_post(ss_mailbox *mb, int dest, const void *buf, size_t len, ss_err *e)
{
  if (len > (size_t)1 << 31) return ss_fail(e, SS_ERUNTIME, "a mailbox message of %zu bytes is too long", len);
  reap(mb); /* the copies of earlier posts the receiver has taken */
  if (mb->nreq == mb->cap) {
    long cap = mb->cap ? 2 * mb->cap : 8;
    MPI_Request *req = ss_realloc(mb->req, (size_t)cap * sizeof *req, e);
    if (!req) return e->code;
    mb->req = req;
    char **b = ss_realloc(mb->buf, (size_t)cap * sizeof *b, e);
    if (!b) return e->code;
    mb->buf = b;
    mb->cap = cap;
  }
  char *copy = ss_malloc(len ? len : 1, e);
  if (!copy) return e->code;
  if (len) memcpy(copy, buf, len);
  mb->buf[mb->nreq] = copy;
  MPI_Isend(copy, (int)len, MPI_BYTE, dest, MAIL_TAG, mb->c->comm, &mb->req[mb->nreq]);
  mb->nreq++;
  mb->nsent++;
  return SS_OK;
}

/* Receives the probed message into a new buffer (the project's allocator: fault injection reaches
 * it; e may be NULL). */
static int receive(ss_mailbox *mb, MPI_Status *st, char **buf, size_t *len, ss_err *e)
{
  int n = 0;
  MPI_Get_count(st, MPI_BYTE, &n);
  *buf = ss_malloc((size_t)n + 1, e);
  if (!*buf) return e ? e->code : SS_ERUNTIME;
  MPI_Recv(*buf, n, MPI_BYTE, st->MPI_SOURCE, MAIL_TAG, mb->c->comm, MPI_STATUS_IGNORE);
  *len = (size_t)n;
  mb->ntaken++;
  return SS_OK;
}

int ss_mailbox_take(ss_mailbox *mb, char **buf, size_t *len, ss_err *e)
{
  int flag = 0;
  MPI_Status st;
  *buf = NULL;
  *len = 0;
  MPI_Iprobe(MPI_ANY_SOURCE, MAIL_TAG, mb->c->comm, &flag, &st);
  if (!flag) return 0;
  return receive(mb, &st, buf, len, e) ? 0 : 1;
}

static int mailbox_count(MPI_Status *st)
{
  int n = 0;
  MPI_Get_count(st, MPI_BYTE, &n);
  return n;
}

int ss_mailbox_drain(ss_mailbox *mb, int dest, void (*take)(void *ctx, char *buf, size_t len), void *ctx,
                     ss_err *e)
{
  int64_t total = mb->nsent;
  ss_comm_sum_i64(mb->c, &total, 1);
  while (mb->c->rank == dest && mb->ntaken < total) {
    MPI_Status st;
    char *buf = NULL;
    size_t len = 0;
    MPI_Probe(MPI_ANY_SOURCE, MAIL_TAG, mb->c->comm, &st);
    if (receive(mb, &st, &buf, &len, NULL)) /* a posted message must be taken whole: no way on */
      ss_par_last_resort(SS_ERUNTIME, "out of memory taking an in-task state of %d bytes from rank %d",
                         mailbox_count(&st), st.MPI_SOURCE);
    take(ctx, buf, len);
    free(buf);
  }
  MPI_Waitall((int)mb->nreq, mb->req, MPI_STATUSES_IGNORE);
  for (long i = 0; i < mb->nreq; i++) free(mb->buf[i]);
  mb->nreq = 0;
  return e->code;
}

void ss_mailbox_close(ss_mailbox **mb)
{
  if (!*mb) return;
  ss_comm_free(&(*mb)->c);
  free((*mb)->req);
  free((*mb)->buf);
  free(*mb);
  *mb = NULL;
}
