/* GGTM's per-rank state, private to src/bandit (ggtm.c; its checkpoint state: ggtm_state.c). */
#ifndef STRATSIM_BANDIT_GGTM_IMPL_H
#define STRATSIM_BANDIT_GGTM_IMPL_H

#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"
#include "elimination.h"

typedef struct {
  int64_t *elim_round; /* first: the elimination record (elimination.h) */
  int64_t narms;
  double *claimed_sum, *reward_sum;
  int64_t *n;
  double log_inv_delta; /* log(1/delta), fixed for a rollout */
} ggtm;
SS_BANDIT_ELIM_FIRST(ggtm);

/* The state ops (ggtm_state.c). */
size_t ss_bandit_ggtm_state_bytes(const ss_bandit_mech *m, int per_arm);
void ss_bandit_ggtm_save(const ss_bandit_mech *m, int64_t arm, unsigned char *buf);
void ss_bandit_ggtm_load(ss_bandit_mech *m, int64_t arm, const unsigned char *buf);

#endif
