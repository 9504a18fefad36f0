/* The strategy registry (one line per strategy, in the order of the schema's choices), the
 * verbs every strategy shares, and the two closed-form strategies: `truthful` (report theta_i*)
 * and `exaggerate` (theta_i* + alpha (theta_i* - mean_{j != i} theta_j*), projected onto the
 * ball of radius B). Only the strategic labelers deviate; everyone else reports theta_i*.
 * `spsa` lives in strategy_spsa.c, `fixed` in strategy_fixed.c. */
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "strategy_ops.h"

/* The registry: one extern and one table line per strategy (each defined in its own file). */
extern const rlhf_strategy_ops rlhf_strategy_truthful, rlhf_strategy_exaggerate, rlhf_strategy_spsa;
extern const rlhf_strategy_ops rlhf_strategy_fixed;
static const void *const strategies[] = {
  &rlhf_strategy_truthful,
  &rlhf_strategy_exaggerate,
  &rlhf_strategy_spsa,
  &rlhf_strategy_fixed,
};

const ss_plugin_family rlhf_strategies = {
  .what = "strategy",
  .key = "rlhf.strategy",
  .items = strategies,
  .n = SS_PLUGIN_COUNT(strategies),
  .keys_offset = SS_PLUGIN_KEYS(rlhf_strategy_ops),
};

const rlhf_strategy_ops *rlhf_strategy_find(const char *name)
{
  return ss_plugin_find(&rlhf_strategies, name);
}

const char *rlhf_strategy_name(const rlhf_strategy_ops *ops) { return ops->name; }

int rlhf_strategy_check(const rlhf_strategy_ops *ops, const ss_config *cfg, const rlhf_params *p,
                        ss_err *e)
{
  return ops->check ? ops->check(cfg, p, e) : SS_OK;
}

int rlhf_strategy_setup(const rlhf_strategy_ops *ops, const ss_config *cfg, const rlhf_params *p,
                        void **data, ss_err *e)
{
  *data = NULL;
  return ops->setup ? ops->setup(cfg, p, data, e) : SS_OK;
}

void rlhf_strategy_teardown(const rlhf_strategy_ops *ops, void **data)
{
  if (ops && ops->teardown) ops->teardown(*data);
  else free(*data);
  *data = NULL;
}

int rlhf_strategy_run(const rlhf_strategy_ops *ops, rlhf_strategy_ctx *ctx, double *reports,
                      ss_err *e)
{
  return ops->run(ctx, reports, e);
}

/* ------------------------------------------------------------------ truthful */
static int truthful_run(rlhf_strategy_ctx *ctx, double *reports, ss_err *e)
{
  memcpy(reports, ctx->theta_star, (size_t)ctx->p->k * ctx->p->d * sizeof *reports);
  return SS_OK;
}

const rlhf_strategy_ops rlhf_strategy_truthful = {
  .name = "truthful",
  .summary = "every labeler reports its true parameter theta_i*",
  .reports_truth = 1,
  .run = truthful_run,
};

/* ------------------------------------------------------------------ exaggerate */
static const ss_key exaggerate_keys[] = {
  {"rlhf.exaggerate.alpha", SS_T_REAL, "1", 0, 1e6, 0, NULL, "exaggerate: the factor alpha"},
};

static int exaggerate_setup(const ss_config *cfg, const rlhf_params *p, void **data, ss_err *e)
{
  double *alpha = ss_malloc(sizeof *alpha, e);
  if (!alpha) return e->code;
  *alpha = ss_cfg_real(cfg, "rlhf.exaggerate.alpha");
  *data = alpha;
  return SS_OK;
}

static int exaggerate_run(rlhf_strategy_ctx *ctx, double *reports, ss_err *e)
{
  int d = ctx->p->d;
  int64_t k = ctx->p->k;
  double alpha = *(const double *)ctx->data;
  memcpy(reports, ctx->theta_star, (size_t)k * d * sizeof *reports);
  for (int64_t i = 0; i < k; i++) {
    if (!ctx->strategic[i] || k < 2) continue;
    const double *t = ctx->theta_star + i * d;
    double *r = reports + i * d;
    for (int j = 0; j < d; j++) {
      double others = ((double)k * ctx->theta_star_mean[j] - t[j]) / (double)(k - 1);
      r[j] = t[j] + alpha * (t[j] - others);
    }
    rlhf_project_ball(r, d, ctx->p->B);
  }
  return SS_OK;
}

const rlhf_strategy_ops rlhf_strategy_exaggerate = {
  .name = "exaggerate",
  .summary = "theta_i* + alpha (theta_i* - mean of the others), projected onto the ball of radius B",
  .keys = exaggerate_keys,
  .nkeys = SS_PLUGIN_COUNT(exaggerate_keys),
  .setup = exaggerate_setup,
  .run = exaggerate_run,
};
