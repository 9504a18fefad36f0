/* Private to src/rlhf: the environment types (rlhf.env.type) and their registry (env_types.c). */
#ifndef STRATSIM_RLHF_ENV_TYPE_H
#define STRATSIM_RLHF_ENV_TYPE_H

#include "stratsim/plugin.h"
#include "stratsim/rlhf_params.h"

/* An environment type (rlhf.env.type; registry: env_types.c): where the S x A features of the
 * contextual problem come from.
 *   required:                    name, summary, kind (its RLHF_ENV_* constant, the value of
 *                                rlhf_params.env_kind), features
 *   optional without a default:  keys/nkeys, check (its inputs, at config time: exit 2) */
typedef struct {
  const char *name;
  const char *summary;
  int kind;
  const ss_key *keys;
  int nkeys;
  int (*check)(const ss_config *cfg, const rlhf_params *p, ss_err *e);
  /* The S*A x d features (row s*A + a), allocated. Not collective. */
  int (*features)(const rlhf_params *p, double **phi, ss_err *e);
} rlhf_env_type_ops;

extern const ss_plugin_family rlhf_env_types;
/* The registered type by name (NULL if unknown) and by kind (the schema has checked it; NULL
 * if unknown). */
const rlhf_env_type_ops *rlhf_env_type_find(const char *name);
const rlhf_env_type_ops *rlhf_env_type_of(int kind);

#endif
