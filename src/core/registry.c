/* The registry of experiments: a plug-in family like any other (include/stratsim/plugin.h),
 * whose table ss_experiments the top layer defines (src/experiments.c), so that this layer
 * names no simulator. Plain strong references throughout, so the program links the same from
 * a static library. */
#include <stddef.h>
#include "stratsim/experiment.h"
#include "stratsim/plugin.h"

int ss_experiment_count(void) { return ss_plugin_count(&ss_experiments); }
const ss_experiment_ops *ss_experiment_at(int i) { return ss_plugin_at(&ss_experiments, i); }
const ss_experiment_ops *ss_experiment_find(const char *name) { return ss_plugin_find(&ss_experiments, name); }

/* The experiment key's choices are the experiments' names (the registry here, not plugin.c,
 * names ss_experiments: the plug-ins call plugin.c, and must not reach the experiments). */
const ss_key *ss_common_key(int i) { return ss_plugin_resolve(&ss_experiments, &ss_common_keys[i]); }
