/* An arg-max fused with a max in one allreduce: MAXLOC of the candidates' scores (ties to the
 * lowest index) and the MAX of a second value, plus the pending-error flag. The bandit round's
 * one collective (the best arm by score, and the best true mean for the regret: a round costs
 * one allreduce). Implemented in src/par/argmax_max.c, the only place it may call MPI. */
#ifndef STRATSIM_ARGMAX_MAX_H
#define STRATSIM_ARGMAX_MAX_H

#include <stdint.h>
#include "stratsim/par.h"

/* idx < 0 means this rank has no candidate. Returns the winning index (-1 if no rank has
 * one), and sets *best_score to its score and *best_max_mean to the max of every rank's
 * max_mean.
 * Collective; trivial on one rank. A rank may call it with an error pending in e: the same
 * allreduce carries a failure flag, and when any rank has one, every rank returns -1 with the
 * agreed error in e (docs/errors.md), without a further message when nobody failed. */
int64_t ss_comm_argmax_max(ss_comm *c, double score, int64_t idx, double max_mean, double *best_score,
                           double *best_max_mean, ss_err *e);

#endif
