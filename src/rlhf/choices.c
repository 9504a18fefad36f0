/* The pure enumerations of the rlhf experiment: each a registry family of ss_plugin_choice
 * (include/stratsim/plugin.h) whose value the config keeps (rlhf_params), so the names live
 * here once and the schema's choices, docs/config.md and the "did you mean" of a typo come
 * from the registry. */
#include "stratsim/median.h"
#include "stratsim/rlhf.h"
#include "choices.h"

const ss_plugin_family rlhf_median_kinds = {
  .what = "median kind",
  .key = "rlhf.median",
  .items = ss_median_choices,
  .n = SS_MEDIAN_NCHOICES,
};

static const ss_plugin_choice comparisons = {.name = "comparisons", .summary = "each labeler's n Bradley-Terry comparisons and its MLE", .value = 0};
static const ss_plugin_choice exact = {.name = "exact", .summary = "the infinite-data limit: the reported parameters themselves", .value = 1};
static const void *const data_kinds[] = {&comparisons, &exact};
const ss_plugin_family rlhf_data_kinds = {
  .what = "data kind",
  .key = "rlhf.data",
  .items = data_kinds,
  .n = SS_PLUGIN_COUNT(data_kinds),
};

static const ss_plugin_choice store = {.name = "store", .summary = "the features of a rank's states, stored", .value = 0};
static const ss_plugin_choice regenerate = {.name = "regenerate", .summary = "regenerated from the keyed generator in every pass", .value = 1};
static const void *const feature_kinds[] = {&store, &regenerate};
const ss_plugin_family rlhf_mdp_feature_kinds = {
  .what = "MDP features kind",
  .key = "rlhf.mdp.features",
  .items = feature_kinds,
  .n = SS_PLUGIN_COUNT(feature_kinds),
};

static const ss_plugin_choice ball = {.name = "ball", .summary = "theta_i* projected onto ||theta|| <= B", .value = 0};
static const ss_plugin_choice sphere = {.name = "sphere", .summary = "theta_i* rescaled to ||theta|| = B", .value = 1};
static const void *const norm_kinds[] = {&ball, &sphere};
const ss_plugin_family rlhf_norm_kinds = {
  .what = "norm kind",
  .key = "rlhf.population.norm",
  .items = norm_kinds,
  .n = SS_PLUGIN_COUNT(norm_kinds),
};
