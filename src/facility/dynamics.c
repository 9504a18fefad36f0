/* Best-response dynamics, distributed. Agents move one at a time in id order (each sees
 * the moves before it), but only movers cost a collective: every rank finds its first
 * agent at or after the cursor that can gain, one min-reduction picks the global first,
 * its owner moves, and the summary is updated (in O(D) when the mechanism can, else
 * rebuilt). The sequence of moves is therefore the serial one, whatever the rank count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/facility.h"
#include "stratsim/interrupt.h"

int ss_fac_run_dynamics(ss_comm *c, const ss_fac_mechanism *mech, const ss_fac_params *p,
                        int64_t first_agent, int64_t n_local, const double *truth, double *reports,
                        long max_rounds, ss_fac_dynamics *out, ss_err *e)
{
  memset(out, 0, sizeof *out);
  ss_fac_summary s = {0};
  double *br = ss_calloc((size_t)p->D, sizeof *br, e);
  double *change = ss_calloc(2 * (size_t)p->D, sizeof *change, e);
  int rc = mech->summarize(c, p, reports, n_local, &s, e); /* agrees on a pending error first */
  /* safe points after every move: the state is (reports, round, cursor, moves); interrupt.h */
  ss_safepoint sp;
  ss_safepoint_init(&sp);
  for (long round = 1; !rc && round <= max_rounds; round++) {
    int64_t cursor = 0;
    int moved = 0;
    for (;;) {
      int64_t mover = INT64_MAX;
      for (int64_t i = cursor > first_agent ? cursor - first_agent : 0; i < n_local; i++) {
        if (ss_fac_best_response(mech, &s, p, truth + i * p->D, reports + i * p->D, br) > 0) {
          mover = first_agent + i;
          break;
        }
      }
      ss_comm_min_i64(c, &mover, 1);
      if (mover == INT64_MAX) break;
      /* change[0..D) = old report, change[D..2D) = new; -inf from ranks that do not own the
       * mover, so one max-reduction hands every rank the owner's exact values */
      for (int j = 0; j < 2 * p->D; j++) change[j] = -INFINITY;
      if (mover >= first_agent && mover < first_agent + n_local) {
        int64_t i = mover - first_agent;
        ss_fac_best_response(mech, &s, p, truth + i * p->D, reports + i * p->D, br);
        memcpy(change, reports + i * p->D, (size_t)p->D * sizeof *br);
        memcpy(change + p->D, br, (size_t)p->D * sizeof *br);
        memcpy(reports + i * p->D, br, (size_t)p->D * sizeof *br);
      }
      moved = 1;
      out->moves++;
      cursor = mover + 1;
      if (mech->moved) {
        ss_comm_max_double(c, change, 2 * p->D);
        mech->moved(&s, p, change, change + p->D);
      } else if ((rc = mech->summarize(c, p, reports, n_local, &s, e))) {
        break;
      }
      if ((rc = ss_safepoint_check(&sp, c, "best-response round", round, max_rounds, e))) break;
    }
    if (!moved) { out->converged = 1; break; }
    out->rounds = round;
  }
  ss_fac_summary_free(&s);
  free(br);
  free(change);
  return rc;
}
