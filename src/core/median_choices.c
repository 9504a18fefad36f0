/* The median kinds, one list for every experiment that takes a median of an even number of
 * values (facility.median, rlhf.median): each names its own family (its selecting key) over
 * these items (include/stratsim/plugin.h). */
#include "stratsim/median.h"
#include "stratsim/plugin.h"

static const ss_plugin_choice lower = {.name = "lower", .summary = "the lower of the two middle values", .value = SS_MEDIAN_LOWER};
static const ss_plugin_choice upper = {.name = "upper", .summary = "the upper of the two middle values", .value = SS_MEDIAN_UPPER};
static const ss_plugin_choice mean = {.name = "mean", .summary = "the mean of the two middle values", .value = SS_MEDIAN_MEAN};

const void *const ss_median_choices[SS_MEDIAN_NCHOICES] = {&lower, &upper, &mean};
