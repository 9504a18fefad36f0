/* Private to src/rlhf: the environment models (rlhf.env.model) and their registry (env_models.c). */
#ifndef STRATSIM_RLHF_ENV_MODEL_H
#define STRATSIM_RLHF_ENV_MODEL_H

#include "stratsim/config.h"
#include "stratsim/plugin.h"

/* An environment model (rlhf.env.model; registry: env_models.c): contextual or MDP.
 *   required: name, summary, mdp (is the environment an MDP at horizon H?) */
typedef struct {
  const char *name;
  const char *summary;
  int (*mdp)(int H);
} rlhf_env_model_ops;
/* Is the environment cfg selects an MDP (rlhf.env.model at rlhf.horizon)? */
int rlhf_env_model_mdp(const ss_config *cfg);
extern const ss_plugin_family rlhf_env_models;

#endif
