/* The experiments this program offers, in the order of --help: the one list of simulators,
 * at the top layer (beside main.c), so the driver below names none of them
 * (docs/architecture.md). Adding an experiment: its ops table here, one line. */
#include <stddef.h>
#include "stratsim/experiment.h"

extern const ss_experiment_ops ss_facility_experiment;
extern const ss_experiment_ops ss_rlhf_experiment;
extern const ss_experiment_ops ss_bandit_experiment;

const ss_experiment_ops *const ss_experiments[] = {&ss_facility_experiment, &ss_rlhf_experiment,
                                                   &ss_bandit_experiment, NULL};
