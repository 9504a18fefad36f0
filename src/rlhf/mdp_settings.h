/* Private to src/rlhf: the MDP model's settings (rlhf.mdp.*, read by its setup op in
 * env_models.c): what rlhf_params.mdp_data points at, and their defaults (mdp_settings.c). */
#ifndef STRATSIM_RLHF_MDP_SETTINGS_H
#define STRATSIM_RLHF_MDP_SETTINGS_H

#include "stratsim/rlhf_params.h"

typedef struct {
  int successors;          /* b: successors per (s,a) of a generated MDP */
  int regenerate;          /* 1: features regenerated in every pass instead of stored */
  const char *transitions; /* an explicit MDP's transitions file (env.type csv), or NULL */
} rlhf_mdp_settings;

/* p's MDP settings, or the defaults (b = 4, stored, no file) when it has none. */
const rlhf_mdp_settings *rlhf_mdp_settings_of(const rlhf_params *p);

#endif
