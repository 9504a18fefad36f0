/* RLHF with strategic labelers (MODELS section 1): a block of labelers' estimates.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_ESTIMATES_H
#define STRATSIM_RLHF_ESTIMATES_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_env.h"
#include "stratsim/rlhf_mle.h"
#include "stratsim/rlhf_data_cache.h"

/* One block of labelers' estimates (this rank's share, or all k when replicated). */
typedef struct {
  int d;
  int64_t k;       /* total labelers */
  int64_t first;   /* global index of row 0 */
  int64_t count;   /* rows held */
  double *theta;   /* count x d */
  double *lo, *hi; /* count x d */
  double *prec;    /* count x d x d (Sigma_i^{-1}) or NULL */
  double *grad;    /* count: MLE gradient norms */
  double *grad_rel;
  double radius;
  int warm;        /* 1: each MLE starts from the row's current theta (else from 0) */
  rlhf_data_cache *cache; /* NULL: every estimate regenerates its data (not owned) */
} rlhf_estimates;

int rlhf_estimates_alloc(rlhf_estimates *est, int d, int64_t k, int64_t first, int64_t count,
                         int with_prec, ss_err *e);
void rlhf_estimates_free(rlhf_estimates *est);
/* Estimates every labeler of the block from reports t (count x d, row per labeler): data,
 * MLE, confidence set. Not collective. Calls back with each labeler's data if dump != NULL. */
typedef void (*rlhf_data_cb)(void *ctx, int64_t i, int n, int d, const double *x,
                             const unsigned char *o);
int rlhf_estimate_block(const rlhf_params *p, const rlhf_env *env, rlhf_mle *mle,
                        const double *reports, rlhf_estimates *est, rlhf_data_cb dump,
                        void *dump_ctx, ss_err *e);
/* Estimates one labeler i into row r of est. */
int rlhf_estimate_one(const rlhf_params *p, const rlhf_env *env, rlhf_mle *mle, int64_t i,
                      const double *report, rlhf_estimates *est, int64_t r, ss_err *e);
/* Replicates a distributed block to every rank of c (all k rows, labeler order). */
int rlhf_estimates_allgather(ss_comm *c, const rlhf_estimates *local, rlhf_estimates *all,
                             ss_err *e);

/* Block ownership of k entities over P ranks: [first, first+count). */
void rlhf_block(int64_t k, int P, int r, int64_t *first, int64_t *count);

#endif
