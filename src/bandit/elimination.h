/* The elimination record of the mechanisms that eliminate arms for good (GGTM, OptGTM), private
 * to src/bandit: the round each owned arm was eliminated in, -1 while it is active. Their state
 * (m->data) starts with this record (C11 6.7.2.1: a pointer to a struct points to its first
 * member; each state checks it with SS_BANDIT_ELIM_FIRST), so their `active` and `eliminated`
 * ops are this one piece of code (elimination.c). */
#ifndef STRATSIM_BANDIT_ELIMINATION_H
#define STRATSIM_BANDIT_ELIMINATION_H

#include <stddef.h>
#include "stratsim/bandit_mech.h"

typedef struct {
  int64_t *elim_round; /* owned arm i = arm - m->lo: the round, or -1 while active */
} ss_bandit_elim_record;

/* A state type whose first member is `int64_t *elim_round`. */
#define SS_BANDIT_ELIM_FIRST(type)                                                         \
  _Static_assert(offsetof(type, elim_round) == 0, #type " must start with its elim_round")

/* The ops: owned arm still active (never eliminated)? The round it was eliminated in, or -1. */
int ss_bandit_elim_active(const ss_bandit_mech *m, int64_t arm);
int64_t ss_bandit_elim_round(const ss_bandit_mech *m, int64_t arm);

#endif
