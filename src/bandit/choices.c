/* The pure enumerations of the bandit experiment: registry families of ss_plugin_choice
 * (include/stratsim/plugin.h) whose value is the SS_BANDIT_* constant the environment's and the
 * mechanisms' loops switch on; the names live here once. */
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"

static const ss_plugin_choice shared = {"shared", "one user context c_t per round: x*_{t,a} = c_t * y_a", SS_BANDIT_CTX_SHARED};
static const ss_plugin_choice iid = {"iid", "independent z_{t,a} per round and arm: x*_{t,a} = z_{t,a} * y_a", SS_BANDIT_CTX_IID};
static const void *const contexts[] = {&shared, &iid};
const ss_plugin_family ss_bandit_contexts = {
  .what = "contexts kind",
  .key = "bandit.contexts",
  .items = contexts,
  .n = SS_PLUGIN_COUNT(contexts),
};

static const ss_plugin_choice authors = {"authors", "the authors' constant radius", SS_BANDIT_RADIUS_AUTHORS};
static const ss_plugin_choice abbasi = {"abbasi", "the per-arm Abbasi-Yadkori radius", SS_BANDIT_RADIUS_ABBASI};
static const ss_plugin_choice fixed = {"fixed", "the constant bandit.beta", SS_BANDIT_RADIUS_FIXED};
static const void *const radii[] = {&authors, &abbasi, &fixed};
const ss_plugin_family ss_bandit_radii = {
  .what = "radius",
  .key = "bandit.radius",
  .items = radii,
  .n = SS_PLUGIN_COUNT(radii),
};
