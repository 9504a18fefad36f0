/* The pure enumerations of the bandit experiment: registry families of ss_plugin_choice
 * (include/stratsim/plugin.h) whose value is the SS_BANDIT_* constant the environment's and the
 * mechanisms' loops switch on; the names live here once. */
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"

static const ss_plugin_choice shared = {.name = "shared", .summary = "one user context c_t per round: x*_{t,a} = c_t * y_a", .value = SS_BANDIT_CTX_SHARED};
static const ss_plugin_choice iid = {.name = "iid", .summary = "independent z_{t,a} per round and arm: x*_{t,a} = z_{t,a} * y_a", .value = SS_BANDIT_CTX_IID};
static const void *const contexts[] = {&shared, &iid};
const ss_plugin_family ss_bandit_contexts = {
  .what = "contexts kind",
  .key = "bandit.contexts",
  .items = contexts,
  .n = SS_PLUGIN_COUNT(contexts),
};

/* the radii's own settings, declared with them (read into ss_bandit_params by the experiment) */
static const ss_key abbasi_keys[] = {
  {"bandit.S", SS_T_REAL, "0", 0, 1e12, 0, NULL, "Abbasi-Yadkori bound on ||theta*||; 0 means ||theta*||"},
  {"bandit.L", SS_T_REAL, "0", 0, 1e12, 0, NULL, "Abbasi-Yadkori bound on ||x||; 0 means sqrt(d)"},
};
static const ss_key fixed_keys[] = {
  {"bandit.beta", SS_T_REAL, "1", 0, 1e12, 0, NULL, "the radius when radius is fixed"},
};
static const ss_plugin_choice authors = {.name = "authors", .summary = "the authors' constant radius", .value = SS_BANDIT_RADIUS_AUTHORS};
static const ss_plugin_choice abbasi = {.name = "abbasi", .summary = "the per-arm Abbasi-Yadkori radius", .value = SS_BANDIT_RADIUS_ABBASI,
  .keys = abbasi_keys, .nkeys = SS_PLUGIN_COUNT(abbasi_keys)};
static const ss_plugin_choice fixed = {.name = "fixed", .summary = "the constant bandit.beta", .value = SS_BANDIT_RADIUS_FIXED,
  .keys = fixed_keys, .nkeys = SS_PLUGIN_COUNT(fixed_keys)};
static const void *const radii[] = {&authors, &abbasi, &fixed};
const ss_plugin_family ss_bandit_radii = {
  .what = "radius",
  .key = "bandit.radius",
  .items = radii,
  .n = SS_PLUGIN_COUNT(radii),
  .keys_offset = SS_PLUGIN_KEYS(ss_plugin_choice),
};
