/* The MDP model's settings (mdp_settings.h): apart from env_models.c, whose MDP model reads
 * them, because the environment types' checks and the MDP build read them too (kept in
 * env_models.c, it put env_models.c and env_types.c in a circle: scripts/check_arch.py
 * --objects). */
#include "mdp_settings.h"

static const rlhf_mdp_settings mdp_defaults = {.successors = 4};

const rlhf_mdp_settings *rlhf_mdp_settings_of(const rlhf_params *p)
{
  return p->mdp_data ? p->mdp_data : &mdp_defaults;
}
