/* The aggregator registry (rlhf.algorithms): one extern and one table line per aggregator,
 * each defined in its own file; lookup by name and every aggregator's own config check. Apart
 * from the shared verbs (aggregator.c), which the policy layer calls. */
#include <stddef.h>
#include "stratsim/rlhf.h"
#include "agg_ops.h"

/* The registry: one extern and one table line per aggregator (each defined in its own file). */
extern const rlhf_agg_ops rlhf_agg_naive_mle, rlhf_agg_median_mle, rlhf_agg_oracle;
extern const rlhf_agg_ops rlhf_agg_pessimistic_sw, rlhf_agg_maxmin, rlhf_agg_pessimistic_momle;
extern const rlhf_agg_ops rlhf_agg_dictator;
static const void *const aggregators[] = {
  &rlhf_agg_naive_mle,
  &rlhf_agg_median_mle,
  &rlhf_agg_pessimistic_sw,
  &rlhf_agg_maxmin,
  &rlhf_agg_pessimistic_momle,
  &rlhf_agg_oracle,
  &rlhf_agg_dictator,
};

const ss_plugin_family rlhf_aggregators = {
  .what = "aggregator",
  .key = "rlhf.algorithms",
  .items = aggregators,
  .n = SS_PLUGIN_COUNT(aggregators),
  .keys_offset = SS_PLUGIN_KEYS(rlhf_agg_ops),
};

const rlhf_agg_ops *rlhf_agg_find(const char *name) { return ss_plugin_find(&rlhf_aggregators, name); }
int rlhf_agg_count(void) { return ss_plugin_count(&rlhf_aggregators); }
const char *rlhf_agg_name_at(int i) { return ss_plugin_name(ss_plugin_at(&rlhf_aggregators, i)); }

int rlhf_agg_check_all(const ss_config *cfg, ss_err *e)
{
  for (int i = 0; i < rlhf_agg_count(); i++) {
    const rlhf_agg_ops *ops = ss_plugin_at(&rlhf_aggregators, i);
    if (ops->check) SS_TRY(ops->check(cfg, e));
  }
  return SS_OK;
}

