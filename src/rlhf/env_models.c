/* The registry of environment models (rlhf.env.model): a contextual bandit (one step) or a
 * tabular MDP (docs/mdp.md), or the horizon's choice. */
#include "stratsim/rlhf.h"
#include "env_model.h"

static int contextual(int H) { return 0; }
static int mdp(int H) { return 1; }
static int automatic(int H) { return H > 1; }

static const rlhf_env_model_ops model_auto = {
  .name = "auto",
  .summary = "an MDP iff rlhf.horizon > 1",
  .mdp = automatic,
};
static const rlhf_env_model_ops model_contextual = {
  .name = "contextual",
  .summary = "a contextual bandit: S x A features, one step",
  .mdp = contextual,
};
static const rlhf_env_model_ops model_mdp = {
  .name = "mdp",
  .summary = "a tabular MDP over the distributed states",
  .mdp = mdp,
};

static const void *const models[] = {
  &model_auto,
  &model_contextual,
  &model_mdp,
};

const ss_plugin_family rlhf_env_models = {
  .what = "environment model",
  .key = "rlhf.env.model",
  .items = models,
  .n = SS_PLUGIN_COUNT(models),
};

int rlhf_env_model_mdp(const ss_config *cfg)
{
  const rlhf_env_model_ops *m = ss_plugin_selected(&rlhf_env_models, cfg);
  return m->mdp((int)ss_cfg_int(cfg, "rlhf.horizon"));
}
