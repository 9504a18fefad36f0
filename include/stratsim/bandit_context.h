/* A bounded block of shared user contexts: c_t for a run of consecutive rounds, and for
 * each of those rounds the best true mean among a rank's arms. Every rollout of a batch
 * (same seed, same arms) reads the same block, so c_t and the best mean are computed once
 * per round rather than once per rollout; the block holds SS_BANDIT_BLOCK_ROUNDS rounds
 * whatever T is, so memory does not grow with the horizon. */
#ifndef STRATSIM_BANDIT_CONTEXT_H
#define STRATSIM_BANDIT_CONTEXT_H

#include <stdint.h>
#include "stratsim/bandit.h"

enum { SS_BANDIT_BLOCK_ROUNDS = 256 };

typedef struct {
  const ss_bandit_env *env;
  int64_t lo, hi;      /* the arms whose true means are maximised */
  int64_t t0, n;       /* rounds t0 .. t0 + n - 1 (1-based) */
  double *base;        /* SS_BANDIT_BLOCK_ROUNDS x d: c_t */
  double *max_mean;    /* SS_BANDIT_BLOCK_ROUNDS: max_{lo <= a < hi} <theta*, c_t ⊙ y_a> */
} ss_bandit_context_block;

/* For shared contexts only. Not collective. */
int ss_bandit_context_block_init(ss_bandit_context_block *b, const ss_bandit_env *env, int64_t lo,
                                 int64_t hi, ss_err *e);
/* Fills rounds t0 .. min(t0 + SS_BANDIT_BLOCK_ROUNDS, T + 1) - 1; the same bits as
 * ss_bandit_base and ss_bandit_true_mean round by round. */
void ss_bandit_context_block_fill(ss_bandit_context_block *b, int64_t t0);
void ss_bandit_context_block_free(ss_bandit_context_block *b);

#endif
