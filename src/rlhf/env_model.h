/* Private to src/rlhf: the environment models (rlhf.env.model) and their registry (env_models.c);
 * the MDP model's settings are in mdp_settings.h. */
#ifndef STRATSIM_RLHF_ENV_MODEL_H
#define STRATSIM_RLHF_ENV_MODEL_H

#include "stratsim/config.h"
#include "stratsim/plugin.h"
#include "stratsim/rlhf_params.h"

/* An environment model (rlhf.env.model; registry: env_models.c): contextual or MDP.
 *   required:                    name, summary, mdp (is the environment an MDP at horizon H?)
 *   optional with a default:     resolve (the model it stands for at horizon H, whose keys and
 *                                check apply: auto; NULL: itself)
 *   optional without a default:  keys/nkeys (its config keys: set while another model is in
 *                                effect, an error, ss_plugin_check_unread); setup (reads its
 *                                keys into *data, one ss_malloc'd block that free() releases:
 *                                rlhf_params.mdp_data, mdp_settings.h); check (its inputs at config time) */
typedef struct rlhf_env_model_ops {
  const char *name;
  const char *summary;
  const ss_key *keys;
  int nkeys;
  int (*mdp)(int H);
  const struct rlhf_env_model_ops *(*resolve)(int H);
  int (*setup)(const ss_config *cfg, void **data, ss_err *e);
  int (*check)(const ss_config *cfg, const rlhf_params *p, ss_err *e);
} rlhf_env_model_ops;
extern const ss_plugin_family rlhf_env_models;
/* The model in effect for cfg (rlhf.env.model resolved at rlhf.horizon). */
const rlhf_env_model_ops *rlhf_env_model_effective(const ss_config *cfg);
/* Is the environment cfg selects an MDP (rlhf.env.model at rlhf.horizon)? */
int rlhf_env_model_mdp(const ss_config *cfg);

#endif
