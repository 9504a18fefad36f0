/* The one collective of a bandit round: MAXLOC of the arms' scores (ties to the lowest arm)
 * fused with the MAX of the arms' true means (for the regret), so a round costs one
 * allreduce. Implemented in src/par/bandit_coll.c, the only place it may call MPI. */
#ifndef STRATSIM_BANDIT_COLL_H
#define STRATSIM_BANDIT_COLL_H

#include <stdint.h>
#include "stratsim/par.h"

/* idx < 0 means this rank has no candidate. Returns the winning index (-1 if no rank has
 * one), and sets *score to its score and *max_mean to the max of every rank's max_mean.
 * Collective; trivial on one rank. A rank may call it with an error pending in e: the same
 * allreduce carries a failure flag, and when any rank has one, every rank returns -1 with the
 * agreed error in e (docs/errors.md), without a further message when nobody failed. */
int64_t ss_bandit_select(ss_comm *c, double score, int64_t idx, double max_mean, double *best_score,
                         double *best_max_mean, ss_err *e);

#endif
