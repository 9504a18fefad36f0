/* Verbs that take the caller's pending error (par.h, docs/errors.md): each agrees on the
 * error first and does its operation only when every rank is fine, so a rank whose local
 * step failed still calls the verb like the others and nobody waits for it. The agreement
 * is one small allreduce (and a broadcast of the message on error), counted as such. */
#include "stratsim/par.h"
#include "stratsim/collectives.h"

/* The verbs that are the agreement, then the plain collective (par.h). */
#define PENDING_VERB(name, params, call) \
  int name params                         \
  {                                       \
    SS_TRY(ss_comm_agree(c, e));          \
    call;                                 \
    return SS_OK;                         \
  }

PENDING_VERB(ss_par_sum_xsum, (ss_comm *c, ss_xsum *acc, int n, ss_err *e), ss_comm_sum_xsum(c, acc, n))
PENDING_VERB(ss_par_sum_i64, (ss_comm *c, int64_t *v, int n, ss_err *e), ss_comm_sum_i64(c, v, n))
PENDING_VERB(ss_par_max_i64, (ss_comm *c, int64_t *v, int n, ss_err *e), ss_comm_max_i64(c, v, n))
PENDING_VERB(ss_par_min_i64, (ss_comm *c, int64_t *v, int n, ss_err *e), ss_comm_min_i64(c, v, n))
PENDING_VERB(ss_par_max_double, (ss_comm *c, double *v, int n, ss_err *e), ss_comm_max_double(c, v, n))
PENDING_VERB(ss_par_sum_exact, (ss_comm *c, double *v, int n, ss_err *e), ss_comm_sum_exact(c, v, n))
PENDING_VERB(ss_par_bcast, (ss_comm *c, void *buf, size_t bytes, int root, ss_err *e), ss_comm_bcast(c, buf, bytes, root))
PENDING_VERB(ss_par_sum_disjoint, (ss_comm *c, double *v, int64_t n, ss_err *e), ss_comm_sum_disjoint(c, v, n))

int ss_par_gather_bytes(ss_comm *c, const void *buf, size_t len, int root, char **out, size_t *outlen,
                        ss_err *e)
{
  if (out) *out = NULL;
  if (outlen) *outlen = 0;
  SS_TRY(ss_comm_agree(c, e));
  if (ss_comm_gather_bytes(c, buf, len, root, out, outlen))
    return ss_fail(e, SS_ERUNTIME, "out of memory gathering %zu bytes to rank %d", len, root);
  return SS_OK;
}

/* Every rank splits (MPI_Comm_split is collective and harmless with an error pending), then
 * one agreement covers both the pending error and a failed split (the handle's allocation). */
int ss_par_split(ss_comm *c, int color, int key, ss_comm **out, ss_err *e)
{
  if (ss_comm_split(c, color, key, out)) ss_fail(e, SS_ERUNTIME, "cannot split the ranks into groups");
  if (ss_comm_agree(c, e)) ss_comm_free(out);
  return e->code;
}

/* ss_comm_bcast_buffer agrees on its receivers' allocations itself: it fails on every rank. */
int ss_par_bcast_buffer(ss_comm *c, char **buf, size_t *len, int root, ss_err *e)
{
  SS_TRY(ss_comm_agree(c, e));
  if (ss_comm_bcast_buffer(c, buf, len, root))
    return ss_fail(e, SS_ERUNTIME, "out of memory receiving a broadcast from rank %d", root);
  return SS_OK;
}
