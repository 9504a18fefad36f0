/* A block of labelers' estimates (MODELS 1.4): each labeler's comparisons (generated, or
 * taken from the report-independent data cache), its MLE and confidence set (confidence.c),
 * or the infinite-data limit, one labeler at a time so memory does not grow with the
 * number of labelers' comparisons; and the replication of a block's estimates to every rank. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf_kern.h"
#include "stratsim/rlhf.h"
#include "stratsim/collectives.h"

int rlhf_estimates_alloc(rlhf_estimates *est, int d, int64_t k, int64_t first, int64_t count,
                         int with_prec, ss_err *e)
{
  memset(est, 0, sizeof *est);
  est->d = d;
  est->k = k;
  est->first = first;
  est->count = count;
  size_t c = (size_t)(count > 0 ? count : 1);
  est->theta = ss_malloc(c * d * sizeof(double), e);
  est->lo = ss_malloc(c * d * sizeof(double), e);
  est->hi = ss_malloc(c * d * sizeof(double), e);
  est->grad = ss_malloc(c * sizeof(double), e);
  est->grad_rel = ss_malloc(c * sizeof(double), e);
  if (with_prec) est->prec = ss_malloc(c * d * d * sizeof(double), e);
  if (!est->theta || !est->lo || !est->hi || !est->grad || !est->grad_rel ||
      (with_prec && !est->prec)) {
    rlhf_estimates_free(est);
    return SS_ERUNTIME;
  }
  return SS_OK;
}

void rlhf_estimates_free(rlhf_estimates *est)
{
  free(est->theta);
  free(est->lo);
  free(est->hi);
  free(est->prec);
  free(est->grad);
  free(est->grad_rel);
  memset(est, 0, sizeof *est);
}

/* Labeler i's estimate from its cached report-independent data: only the labels and the MLE
 * depend on the report. The same bits as the uncached path: the same x, u, dots and Sigma. */
static int estimate_cached(const rlhf_params *p, const rlhf_labeler_data *L, rlhf_mle *mle,
                           int64_t i, const double *report, rlhf_estimates *est, int64_t r,
                           double *dot, unsigned char *o, rlhf_data_cb dump, void *dump_ctx,
                           ss_err *e)
{
  int d = est->d, n = p->n;
  rlhf_kern_dots(n, d, L->x, report, dot);
  for (int j = 0; j < n; j++) o[j] = L->u[j] >= rlhf_sigmoid(dot[j]);
  if (dump) dump(dump_ctx, i, n, d, L->x, o);
  double *th = est->theta + (size_t)r * d;
  SS_TRY(rlhf_mle_solve_from(mle, n, L->x, o, est->warm ? th : NULL, th, &est->grad[r],
                             &est->grad_rel[r], NULL, e));
  double *lo = est->lo + (size_t)r * d, *hi = est->hi + (size_t)r * d;
  for (int q = 0; q < d; q++) {
    double w = est->radius * L->sd[q];
    lo[q] = th[q] - w;
    hi[q] = th[q] + w;
  }
  if (est->prec) memcpy(est->prec + (size_t)r * d * d, L->prec, (size_t)d * d * sizeof(double));
  return SS_OK;
}

/* The infinite-data limit (rlhf.data: exact): the MLE converges to the report, the confidence
 * set shrinks to that point (lo = hi = report), and Sigma_i^{-1} is left as the identity,
 * which the zero radius multiplies away. */
static void exact_into(const double *report, rlhf_estimates *est, int64_t r)
{
  int d = est->d;
  memcpy(est->theta + (size_t)r * d, report, (size_t)d * sizeof *report);
  memcpy(est->lo + (size_t)r * d, report, (size_t)d * sizeof *report);
  memcpy(est->hi + (size_t)r * d, report, (size_t)d * sizeof *report);
  est->grad[r] = est->grad_rel[r] = 0.0;
  if (est->prec) {
    double *pr = est->prec + (size_t)r * d * d;
    memset(pr, 0, (size_t)d * d * sizeof *pr);
    for (int j = 0; j < d; j++) pr[j * d + j] = 1.0;
  }
}

static int estimate_into(const rlhf_params *p, const rlhf_env *env, rlhf_mle *mle, int64_t i,
                         const double *report, rlhf_estimates *est, int64_t r, double *x,
                         unsigned char *o, rlhf_data_cb dump, void *dump_ctx, ss_err *e)
{
  int d = env->d;
  if (p->exact) {
    exact_into(report, est, r);
    return SS_OK;
  }
  if (est->cache) {
    const rlhf_labeler_data *L = rlhf_data_cache_get(est->cache, i, e);
    if (!L) return SS_ERUNTIME;
    return estimate_cached(p, L, mle, i, report, est, r, x, o, dump, dump_ctx, e);
  }
  rlhf_comparisons(p, env, i, report, x, o);
  if (dump) dump(dump_ctx, i, p->n, d, x, o);
  double *th = est->theta + (size_t)r * d;
  SS_TRY(rlhf_mle_solve_from(mle, p->n, x, o, est->warm ? th : NULL, th, &est->grad[r],
                             &est->grad_rel[r], NULL, e));
  return rlhf_confidence(p->n, d, x, p->lambda, th, est->radius, NULL,
                         est->prec ? est->prec + (size_t)r * d * d : NULL, est->lo + (size_t)r * d,
                         est->hi + (size_t)r * d, e);
}

int rlhf_estimate_one(const rlhf_params *p, const rlhf_env *env, rlhf_mle *mle, int64_t i,
                      const double *report, rlhf_estimates *est, int64_t r, ss_err *e)
{
  double *x = ss_malloc((size_t)p->n * env->d * sizeof *x, e);
  unsigned char *o = ss_malloc((size_t)p->n, e);
  int rc = (x && o) ? estimate_into(p, env, mle, i, report, est, r, x, o, NULL, NULL, e)
                    : SS_ERUNTIME;
  free(x);
  free(o);
  return rc;
}

int rlhf_estimate_block(const rlhf_params *p, const rlhf_env *env, rlhf_mle *mle,
                        const double *reports, rlhf_estimates *est, rlhf_data_cb dump,
                        void *dump_ctx, ss_err *e)
{
  double *x = ss_malloc((size_t)p->n * env->d * sizeof *x, e);
  unsigned char *o = ss_malloc((size_t)p->n, e);
  int rc = (x && o) ? SS_OK : SS_ERUNTIME;
  for (int64_t r = 0; r < est->count && !rc; r++)
    rc = estimate_into(p, env, mle, est->first + r, reports + (size_t)r * env->d, est, r, x, o,
                       dump, dump_ctx, e);
  free(x);
  free(o);
  return rc;
}

int rlhf_estimates_allgather(ss_comm *c, const rlhf_estimates *local, rlhf_estimates *all,
                             ss_err *e)
{
  int d = local->d;
  int withp = local->prec != NULL;
  size_t w = 3 * (size_t)d + 2 + (withp ? (size_t)d * d : 0);
  double *mine = NULL, *every = NULL;
  if (!rlhf_estimates_alloc(all, d, local->k, 0, local->k, withp, e)) {
    all->radius = local->radius;
    mine = ss_malloc(w * (size_t)(local->count > 0 ? local->count : 1) * sizeof *mine, e);
    every = ss_malloc(w * (size_t)local->k * sizeof *every, e);
  }
  if (!e->code) {
    for (int64_t r = 0; r < local->count; r++) {
      double *row = mine + r * w;
      memcpy(row, local->theta + r * d, d * sizeof *row);
      memcpy(row + d, local->lo + r * d, d * sizeof *row);
      memcpy(row + 2 * d, local->hi + r * d, d * sizeof *row);
      row[3 * d] = local->grad[r];
      row[3 * d + 1] = local->grad_rel[r];
      if (withp) memcpy(row + 3 * d + 2, local->prec + r * d * d, (size_t)d * d * sizeof *row);
    }
  }
  /* every rank takes part, a rank whose allocations failed too: then all return its error */
  int rc = ss_comm_allgather_doubles(c, mine, (int64_t)(w * local->count), every, e);
  if (!rc)
    for (int64_t r = 0; r < local->k; r++) {
      const double *row = every + r * w;
      memcpy(all->theta + r * d, row, d * sizeof *row);
      memcpy(all->lo + r * d, row + d, d * sizeof *row);
      memcpy(all->hi + r * d, row + 2 * d, d * sizeof *row);
      all->grad[r] = row[3 * d];
      all->grad_rel[r] = row[3 * d + 1];
      if (withp) memcpy(all->prec + r * d * d, row + 3 * d + 2, (size_t)d * d * sizeof *row);
    }
  free(mine);
  free(every);
  if (rc) rlhf_estimates_free(all);
  return rc;
}
