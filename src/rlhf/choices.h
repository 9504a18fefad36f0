/* Private to src/rlhf: its pure enumerations (choices.c, ss_plugin_choice; rlhf.momle.set beside
 * its aggregator, agg_pessimistic_momle.c): rlhf.median, rlhf.data, rlhf.mdp.features,
 * rlhf.population.norm, rlhf.momle.set. */
#ifndef STRATSIM_RLHF_CHOICES_H
#define STRATSIM_RLHF_CHOICES_H

#include "stratsim/plugin.h"

extern const ss_plugin_family rlhf_median_kinds, rlhf_data_kinds, rlhf_mdp_feature_kinds, rlhf_norm_kinds,
    rlhf_momle_sets;

#endif
