/* What a labeler's estimate needs that does not depend on its report (MODELS 1.3-1.4): the
 * comparison features x_ij (the design), the label thresholds u_ij, Sigma_i^{-1} and the
 * interval half-widths' factor sqrt(diag Sigma_i^{-1}). SPSA re-estimates the same few labelers
 * thousands of times at different reports; with this cache each re-estimate only relabels
 * (o_ij = [u_ij >= sigma(<t, x_ij>)]) and solves the MLE. Entries are computed on first use with
 * the same code as the uncached path, so results are the same bits. The cache is off (NULL
 * entries, everything regenerated as before) when k entries would exceed the budget. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rng.h"
#include "stratsim/rlhf.h"
#include "rlhf_limits.h"

struct rlhf_data_cache {
  const rlhf_params *p;
  const rlhf_env *env;
  int64_t k;
  rlhf_labeler_data **entry; /* k, NULL until first use */
};

size_t rlhf_data_cache_bytes(const rlhf_params *p)
{
  size_t n = (size_t)p->n, d = (size_t)p->d;
  return (size_t)p->k * (sizeof(rlhf_labeler_data) + sizeof(void *) +
                         (n * d + n + d * d + d) * sizeof(double));
}

int rlhf_data_cache_create(const rlhf_params *p, const rlhf_env *env, size_t budget,
                           rlhf_data_cache **out, ss_err *e)
{
  *out = NULL;
  if (p->exact || rlhf_data_cache_bytes(p) > budget) return SS_OK; /* exact: no data to cache */
  rlhf_data_cache *c = ss_calloc(1, sizeof *c, e);
  if (c) c->entry = ss_calloc((size_t)p->k, sizeof *c->entry, e);
  if (!c || !c->entry) {
    free(c);
    return SS_ERUNTIME;
  }
  c->p = p;
  c->env = env;
  c->k = p->k;
  *out = c;
  return SS_OK;
}

void rlhf_data_cache_destroy(rlhf_data_cache **pc)
{
  rlhf_data_cache *c = *pc;
  if (!c) return;
  for (int64_t i = 0; i < c->k; i++) free(c->entry[i]);
  free(c->entry);
  free(c);
  *pc = NULL;
}

/* one allocation per entry: the struct, then x (n x d), u (n), prec (d x d), sd (d) */
static rlhf_labeler_data *entry_fill(const rlhf_params *p, const rlhf_env *env, int64_t i,
                                     ss_err *e)
{
  int n = p->n, d = env->d;
  rlhf_labeler_data *L =
      ss_malloc(sizeof *L + ((size_t)n * d + n + (size_t)d * d + d) * sizeof(double), e);
  if (!L) return NULL;
  L->x = (double *)(L + 1);
  L->u = L->x + (size_t)n * d;
  L->prec = L->u + n;
  L->sd = L->prec + (size_t)d * d;
  /* the features from rlhf_comparisons itself (any report: they do not depend on it), the
   * thresholds with its key; tests/unit/test_rlhf_cache.c checks cached == regenerated */
  double zero[RLHF_DMAX] = {0}, lo[RLHF_DMAX];
  unsigned char *o = ss_malloc((size_t)n, e);
  if (!o) {
    free(L);
    return NULL;
  }
  rlhf_comparisons(p, env, i, zero, L->x, o);
  free(o);
  for (int j = 0; j < n; j++) L->u[j] = rlhf_label_u(p, i, j);
  if (rlhf_confidence(n, d, L->x, p->lambda, zero, 1.0, NULL, L->prec, lo, NULL, e)) {
    free(L);
    return NULL;
  }
  for (int q = 0; q < d; q++) L->sd[q] = sqrt(L->prec[(size_t)q * d + q]);
  return L;
}

const rlhf_labeler_data *rlhf_data_cache_get(rlhf_data_cache *c, int64_t i, ss_err *e)
{
  if (!c || i < 0 || i >= c->k) return NULL;
  if (!c->entry[i]) c->entry[i] = entry_fill(c->p, c->env, i, e);
  return c->entry[i];
}
