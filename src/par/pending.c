/* Verbs that take the caller's pending error (par.h, docs/errors.md): each agrees on the
 * error first and does its operation only when every rank is fine, so a rank whose local
 * step failed still calls the verb like the others and nobody waits for it. The agreement
 * is one small allreduce (and a broadcast of the message on error), counted as such. */
#include "stratsim/par.h"

int ss_par_sum_xsum(ss_comm *c, ss_xsum *acc, int n, ss_err *e)
{
  SS_TRY(ss_comm_agree(c, e));
  ss_comm_sum_xsum(c, acc, n);
  return SS_OK;
}

int ss_par_sum_i64(ss_comm *c, int64_t *v, int n, ss_err *e)
{
  SS_TRY(ss_comm_agree(c, e));
  ss_comm_sum_i64(c, v, n);
  return SS_OK;
}

int ss_par_max_double(ss_comm *c, double *v, int n, ss_err *e)
{
  SS_TRY(ss_comm_agree(c, e));
  ss_comm_max_double(c, v, n);
  return SS_OK;
}

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

int ss_par_check(ss_comm *c, ss_err *e) { return ss_comm_agree(c, e); }
