/* Private to src/rlhf: the environment types (rlhf.env.type) and their registry (env_types.c). */
#ifndef STRATSIM_RLHF_ENV_TYPE_H
#define STRATSIM_RLHF_ENV_TYPE_H

#include "stratsim/plugin.h"
#include "stratsim/rlhf_params.h"

/* An environment type (rlhf.env.type; registry: env_types.c): where the S x A features come
 * from. rlhf_params.env_type points at the selected one, .env_data at its settings.
 *   required:                    name, summary, features
 *   optional without a default:  keys/nkeys (its config keys: another type's key set in the
 *                                config is an error, ss_plugin_check_unread);
 *                                setup (reads its keys into *data, one ss_malloc'd block that
 *                                free() releases; without it env_data stays NULL);
 *                                check (its inputs at config time, for the contextual model
 *                                and for an MDP: exit 2);
 *                                mdp_features (the type can feed an MDP, which reads its
 *                                features per state, mdp.c: *file is the features file, or
 *                                NULL when they are generated from (seed, s*A+a) at norm L;
 *                                a type without it serves only the contextual model) */
typedef struct rlhf_env_type_ops {
  const char *name;
  const char *summary;
  const ss_key *keys;
  int nkeys;
  int (*setup)(const ss_config *cfg, void **data, ss_err *e);
  int (*check)(const ss_config *cfg, const rlhf_params *p, ss_err *e);
  /* The S*A x d features (row s*A + a), allocated. Not collective. */
  int (*features)(const rlhf_params *p, double **phi, ss_err *e);
  void (*mdp_features)(const rlhf_params *p, const char **file);
} rlhf_env_type_ops;

extern const ss_plugin_family rlhf_env_types;
/* The registered type by name (NULL if unknown). */
const rlhf_env_type_ops *rlhf_env_type_find(const char *name);

#endif
