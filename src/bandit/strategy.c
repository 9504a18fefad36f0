/* The arm-strategy registry, in the order the config schema lists them. */
#include <string.h>
#include "stratsim/bandit_mech.h"

static const ss_bandit_strategy_ops *const registry[] = {&ss_bandit_truthful_ops, &ss_bandit_fixed_ops,
                                                         &ss_bandit_gradient_ops};
enum { NSTRAT = sizeof registry / sizeof registry[0] };

int ss_bandit_strategy_count(void) { return NSTRAT; }
const char *ss_bandit_strategy_name_at(int i) { return i >= 0 && i < NSTRAT ? registry[i]->name : NULL; }

const ss_bandit_strategy_ops *ss_bandit_strategy_find(const char *name)
{
  for (int i = 0; i < NSTRAT; i++)
    if (name && !strcmp(registry[i]->name, name)) return registry[i];
  return NULL;
}

int ss_bandit_strategy_known(const char *name) { return ss_bandit_strategy_find(name) != NULL; }
