/* The registry of experiments: a plug-in family like any other (include/stratsim/plugin.h),
 * one extern and one table line per simulator; the order here is the order of --help. */
#include <stddef.h>
#include "stratsim/experiment.h"
#include "stratsim/plugin.h"

extern const ss_experiment_ops ss_facility_experiment, ss_rlhf_experiment, ss_bandit_experiment;
static const void *const experiments[] = {
  &ss_facility_experiment,
  &ss_rlhf_experiment,
  &ss_bandit_experiment,
};

const ss_plugin_family ss_experiments = {
  .what = "experiment",
  .key = "experiment",
  .items = experiments,
  .n = SS_PLUGIN_COUNT(experiments),
};

int ss_experiment_count(void) { return ss_plugin_count(&ss_experiments); }
const ss_experiment_ops *ss_experiment_at(int i) { return ss_plugin_at(&ss_experiments, i); }
const ss_experiment_ops *ss_experiment_find(const char *name) { return ss_plugin_find(&ss_experiments, name); }
