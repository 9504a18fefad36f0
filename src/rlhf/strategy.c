/* The strategy registry and the closed-form strategies: `truthful` (report theta_i*),
 * `exaggerate` (theta_i* + alpha (theta_i* - mean_{j != i} theta_j*), projected onto the ball
 * of radius B) and `fixed` (reports given in the config). Only the strategic labelers
 * deviate; everyone else reports theta_i*. */
#include <string.h>
#include "rlhf_impl.h"

static const rlhf_strategy_ops *const registry[] = {&rlhf_strategy_truthful,
                                                    &rlhf_strategy_exaggerate,
                                                    &rlhf_strategy_spsa,
                                                    &rlhf_strategy_fixed};

const rlhf_strategy_ops *rlhf_strategy_find(const char *name)
{
  for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
    if (name && !strcmp(registry[i]->name, name)) return registry[i];
  return NULL;
}

const char *rlhf_strategy_name(const rlhf_strategy_ops *ops) { return ops->name; }

int rlhf_strategy_run(const rlhf_strategy_ops *ops, rlhf_strategy_ctx *ctx, double *reports,
                      ss_err *e)
{
  return ops->run(ctx, reports, e);
}

static int truthful_run(rlhf_strategy_ctx *ctx, double *reports, ss_err *e)
{
  memcpy(reports, ctx->theta_star, (size_t)ctx->p->k * ctx->p->d * sizeof *reports);
  return SS_OK;
}

static int exaggerate_run(rlhf_strategy_ctx *ctx, double *reports, ss_err *e)
{
  int d = ctx->p->d;
  int64_t k = ctx->p->k;
  memcpy(reports, ctx->theta_star, (size_t)k * d * sizeof *reports);
  for (int64_t i = 0; i < k; i++) {
    if (!ctx->strategic[i] || k < 2) continue;
    const double *t = ctx->theta_star + i * d;
    double *r = reports + i * d;
    for (int j = 0; j < d; j++) {
      double others = ((double)k * ctx->theta_star_mean[j] - t[j]) / (double)(k - 1);
      r[j] = t[j] + ctx->alpha * (t[j] - others);
    }
    rlhf_project_ball(r, d, ctx->p->B);
  }
  return SS_OK;
}

/* The reports are given (rlhf.fixed.reports): for checking constructions such as MODELS 1.8
 * from a config, usually with rlhf.data exact. */
static int fixed_run(rlhf_strategy_ctx *ctx, double *reports, ss_err *e)
{
  int d = ctx->p->d;
  int64_t k = ctx->p->k;
  memcpy(reports, ctx->theta_star, (size_t)k * d * sizeof *reports);
  for (int64_t i = 0; i < k; i++)
    if (ctx->strategic[i])
      memcpy(reports + i * d, ctx->fixed_reports + i * d, (size_t)d * sizeof *reports);
  return SS_OK;
}

const rlhf_strategy_ops rlhf_strategy_fixed = {"fixed", fixed_run};
const rlhf_strategy_ops rlhf_strategy_truthful = {"truthful", truthful_run};
const rlhf_strategy_ops rlhf_strategy_exaggerate = {"exaggerate", exaggerate_run};
