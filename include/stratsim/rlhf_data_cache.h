/* RLHF with strategic labelers (MODELS section 1): each labeler's report-independent data and its cache.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_DATA_CACHE_H
#define STRATSIM_RLHF_DATA_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_env.h"

/* A labeler's data that does not depend on its report (src/rlhf/data_cache.c): comparison
 * features x (n x d, the design), label thresholds u (n), Sigma^{-1} (d x d) and
 * sd = sqrt(diag Sigma^{-1}) (d). */
typedef struct {
  double *x, *u, *prec, *sd;
} rlhf_labeler_data;
typedef struct rlhf_data_cache rlhf_data_cache;
/* Bytes the cache would take with every labeler in it. */
size_t rlhf_data_cache_bytes(const rlhf_params *p);
/* *c = NULL (and SS_OK) when that exceeds budget: callers then regenerate as without a cache.
 * p and env must outlive the cache. */
int rlhf_data_cache_create(const rlhf_params *p, const rlhf_env *env, size_t budget,
                           rlhf_data_cache **c, ss_err *e);
void rlhf_data_cache_destroy(rlhf_data_cache **c);
/* Labeler i's entry, computed on first use; NULL if c is NULL or on error (e set). */
const rlhf_labeler_data *rlhf_data_cache_get(rlhf_data_cache *c, int64_t i, ss_err *e);

#endif
