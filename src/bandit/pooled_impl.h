/* The pooled estimate of LinUCB and LinGreedy, private to src/bandit (linucb.c; its checkpoint
 * state: pooled_state.c). */
#ifndef STRATSIM_BANDIT_POOLED_IMPL_H
#define STRATSIM_BANDIT_POOLED_IMPL_H

#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"

typedef struct {
  int optimistic;
  ss_ridge ridge;
  double radius;   /* at the pooled update count (changes only on update) */
  double *mem, *work;
} pooled;

#endif
