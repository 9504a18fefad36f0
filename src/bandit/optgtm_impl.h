/* OptGTM's per-rank state, private to src/bandit (optgtm.c; its checkpoint state: optgtm_state.c). */
#ifndef STRATSIM_BANDIT_OPTGTM_IMPL_H
#define STRATSIM_BANDIT_OPTGTM_IMPL_H

#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"
#include "elimination.h"

typedef struct {
  int64_t *elim_round; /* first: the elimination record (elimination.h); -1 while active */
  int64_t narms;      /* owned */
  double *slab;       /* narms * ss_ridge_ndoubles(d), then the lane cache (d <= 8) */
  double *lanes;      /* the lane cache in slab (unused for d > SS_RIDGE_LANES_MAX_D) */
  ss_ridge *ridge;    /* narms */
  double *lcb_sum, *reward_sum;
  double *radius;      /* the arm's radius at its current update count (changes only on update) */
  double log_inv_delta; /* log(1/delta), fixed for a rollout */
  double *work;
} optgtm;
SS_BANDIT_ELIM_FIRST(optgtm);

/* The state ops (optgtm_state.c). */
size_t ss_bandit_optgtm_state_bytes(const ss_bandit_mech *m, int per_arm);
void ss_bandit_optgtm_save(const ss_bandit_mech *m, int64_t arm, unsigned char *buf);
void ss_bandit_optgtm_load(ss_bandit_mech *m, int64_t arm, const unsigned char *buf);

#endif
