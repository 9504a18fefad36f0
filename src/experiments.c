/* The experiments this program offers, in the order of --help: the one list of simulators,
 * at the top layer (beside main.c), so the driver below names none of them
 * (docs/architecture.md). A plug-in family like any other (include/stratsim/plugin.h).
 * Adding an experiment: one extern and one table line here. */
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
