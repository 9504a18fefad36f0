/* Private to src/rlhf: the strategy plug-in interface (its ops table) and the registry
 * (strategy.c, one line per strategy; each strategy is one file). */
#ifndef STRATSIM_RLHF_STRATEGY_OPS_H
#define STRATSIM_RLHF_STRATEGY_OPS_H

#include "stratsim/plugin.h"
#include "stratsim/rlhf_strategy.h"

/* A strategy: how the strategic labelers report (strategy.c holds the registry, one line per
 * strategy; each strategy is one file). Ops, with designated initialisers:
 *   required:                    name, summary, run
 *   optional, with a default:    setup (default: no private data, ctx->data = NULL),
 *                                teardown (default: free(data))
 *   optional, without a default: keys/nkeys (its config keys, gathered into the schema after
 *                                rlhf.strategy), check (cross-key checks of its settings) */
struct rlhf_strategy_ops {
  const char *name;
  const char *summary; /* one line (docs/plugins.md) */
  int reports_truth;   /* every labeler reports theta_i*: the strategic condition is the truthful one */
  int optimises;       /* run re-estimates every labeler at trial reports (SPSA): the memory
                        * estimate counts its replicated estimates, policy states and data cache */
  const ss_key *keys;  /* paths "rlhf.<name>.*"; declared next to the code */
  int nkeys;
  /* Config errors (ss_cfg_error) about its keys given p; not collective. */
  int (*check)(const ss_config *cfg, const rlhf_params *p, ss_err *e);
  /* Reads its settings once per task into *data (owned by the strategy). Not collective;
   * deterministic, so every rank agrees. */
  int (*setup)(const ss_config *cfg, const rlhf_params *p, void **data, ss_err *e);
  void (*teardown)(void *data);
  /* Writes the reports of every labeler (k x d, replicated on every rank of ctx->comm);
   * its settings are ctx->data. Collective over ctx->comm. */
  int (*run)(rlhf_strategy_ctx *ctx, double *reports, ss_err *e);
};

extern const ss_plugin_family rlhf_strategies;
int rlhf_strategy_check(const rlhf_strategy_ops *ops, const ss_config *cfg, const rlhf_params *p,
                        ss_err *e);
int rlhf_strategy_setup(const rlhf_strategy_ops *ops, const ss_config *cfg, const rlhf_params *p,
                        void **data, ss_err *e);
void rlhf_strategy_teardown(const rlhf_strategy_ops *ops, void **data);

#endif
