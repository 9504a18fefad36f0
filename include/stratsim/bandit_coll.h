/* The one collective of a bandit round: MAXLOC of the arms' scores (ties to the lowest arm)
 * fused with the MAX of the arms' true means (for the regret), so a round costs one
 * allreduce. Implemented in src/par/bandit_coll.c, the only place it may call MPI. */
#ifndef STRATSIM_BANDIT_COLL_H
#define STRATSIM_BANDIT_COLL_H

#include <stdint.h>
#include "stratsim/par.h"

/* idx < 0 means this rank has no candidate. Returns the winning index (-1 if no rank has
 * one), and sets *score to its score and *max_mean to the max of every rank's max_mean.
 * Collective; trivial on one rank. */
int64_t ss_bandit_select(ss_comm *c, double score, int64_t idx, double max_mean, double *best_score,
                         double *best_max_mean);

#endif
