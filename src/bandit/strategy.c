/* The arm-strategy registry: one line per strategy, in the order of the schema's choices. */
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"

extern const ss_bandit_strategy_ops ss_bandit_truthful_ops, ss_bandit_fixed_ops, ss_bandit_gradient_ops;
static const void *const strategies[] = {
  &ss_bandit_truthful_ops,
  &ss_bandit_fixed_ops,
  &ss_bandit_gradient_ops,
};

const ss_plugin_family ss_bandit_strategies = {
  .what = "strategy",
  .key = "bandit.strategy",
  .items = strategies,
  .n = SS_PLUGIN_COUNT(strategies),
  .keys_offset = SS_PLUGIN_KEYS(ss_bandit_strategy_ops),
};

int ss_bandit_strategy_count(void) { return ss_plugin_count(&ss_bandit_strategies); }
const char *ss_bandit_strategy_name_at(int i) { return ss_plugin_name(ss_plugin_at(&ss_bandit_strategies, i)); }
const ss_bandit_strategy_ops *ss_bandit_strategy_find(const char *name)
{
  return ss_plugin_find(&ss_bandit_strategies, name);
}
int ss_bandit_strategy_known(const char *name) { return ss_bandit_strategy_find(name) != NULL; }
