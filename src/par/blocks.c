/* Byte blocks to a root rank (par.h): numbered blocks, each held by at most one rank, travel to
 * root in block order. Used to bring finished tasks' rows and in-task states to world rank 0. */
#include <stdlib.h>
#include "stratsim/par.h"

int ss_par_blocks_to_root(ss_comm *c, long n, int64_t *from, char **buf, size_t *len, int root, ss_err *e)
{
  int me = ss_comm_rank(c);
  /* who holds which block: every rank learns it (the sum agrees on a pending error first) */
  for (long t = 0; t < n; t += 1L << 24) /* counts are int per reduction */
    SS_TRY(ss_par_sum_i64(c, from + t, (int)(n - t < (1L << 24) ? n - t : 1L << 24), e));
  for (long t = 0; t < n; t++) {
    int src = (int)from[t] - 1, tag = (int)(t % 30000);
    if (src < 0 || src == root) continue;
    if (me == src) {
      if (ss_comm_send_bytes(c, buf[t], len[t], root, tag))
        ss_fail(e, SS_ERUNTIME, "sending block %ld to rank %d failed", t, root);
    } else if (me == root) {
      free(buf[t]);
      buf[t] = NULL;
      if (ss_comm_recv_bytes(c, src, tag, &buf[t], &len[t]))
        ss_fail(e, SS_ERUNTIME, "receiving block %ld from rank %d failed", t, src);
    }
  }
  return ss_comm_agree(c, e);
}

int ss_par_phase_end(ss_comm *c, ss_err *e) { return ss_comm_agree(c, e); }
