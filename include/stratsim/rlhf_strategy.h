/* RLHF with strategic labelers (MODELS section 1): strategies: the registry and the context of a run.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_STRATEGY_H
#define STRATSIM_RLHF_STRATEGY_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_policy.h"
#include "stratsim/rlhf_mle.h"

typedef struct rlhf_strategy_ops rlhf_strategy_ops;
const rlhf_strategy_ops *rlhf_strategy_find(const char *name);
const char *rlhf_strategy_name(const rlhf_strategy_ops *ops);

/* Everything a strategy needs to compute reports for the strategic condition. */
typedef struct {
  const rlhf_params *p;
  const rlhf_env *env;
  ss_comm *comm;           /* the task's group (collective) */
  ss_comm *self;           /* a one-rank communicator */
  rlhf_states *states;     /* on comm */
  rlhf_mle *mle;
  const unsigned char *strategic; /* k flags (replicated) */
  const double *theta_star;       /* k x d (replicated) */
  const double *theta_star_mean;  /* d */
  const rlhf_agg_ops *agg;
  /* the strategy's private settings and state (its setup op; NULL when it has none) */
  void *data;
  void (*progress)(void *ctx, double fraction);
  void *progress_ctx;
  /* spsa, in-task checkpoints (docs/checkpoint.md): the record to continue from (NULL: from
   * the start; the same on every rank of comm), and where the record goes at the end and at a
   * stop (called on every rank of comm; where describes the position) */
  const void *resume;
  size_t resume_len;
  int (*save)(void *ctx, const void *record, size_t len, const char *where, ss_err *e);
  void *save_ctx;
} rlhf_strategy_ctx;

/* Writes the final reports of every labeler (k x d, replicated on every rank of comm). */
int rlhf_strategy_run(const rlhf_strategy_ops *ops, rlhf_strategy_ctx *ctx, double *reports,
                      ss_err *e);

/* The utility J_theta(pi) = <theta, z_pi>. */
double rlhf_dot(const double *a, const double *b, int d);

#endif
