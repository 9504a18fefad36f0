/* The RLHF experiment's input plug-ins (inputs.h): the environment model in effect, the
 * environment type and the population model, each reading its own settings and checking its
 * own inputs. Nothing here names a plug-in: a new type or model is found in its registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "env_model.h"
#include "env_type.h"
#include "inputs.h"
#include "population_model.h"

int rlhf_inputs_setup(const ss_config *cfg, rlhf_params *p, rlhf_inputs *in, ss_err *e)
{
  memset(in, 0, sizeof *in);
  const rlhf_env_model_ops *model = rlhf_env_model_effective(cfg);
  const rlhf_env_type_ops *type = ss_plugin_selected(&rlhf_env_types, cfg); /* the schema checked */
  const rlhf_population_ops *pop = ss_plugin_selected(&rlhf_populations, cfg);
  p->mdp = rlhf_env_model_mdp(cfg);
  p->env_type = type;
  p->population = pop;
  if (model->setup) SS_TRY(model->setup(cfg, &in->mdp, e));
  if (type->setup) SS_TRY(type->setup(cfg, &in->env, e));
  if (pop->setup) SS_TRY(pop->setup(cfg, &in->pop, e));
  p->mdp_data = in->mdp;
  p->env_data = in->env;
  p->pop_data = in->pop;
  return SS_OK;
}

void rlhf_inputs_free(rlhf_inputs *in)
{
  free(in->env);
  free(in->mdp);
  free(in->pop);
  memset(in, 0, sizeof *in);
}

/* How to name the model in effect: "env.model auto (contextual at rlhf.horizon 1 ...)". */
static const char *model_found(const ss_config *cfg, const rlhf_env_model_ops *effective, char *buf, size_t len)
{
  const rlhf_env_model_ops *chosen = ss_plugin_selected(&rlhf_env_models, cfg);
  if (chosen == effective) snprintf(buf, len, "env.model %s", chosen->name);
  else snprintf(buf, len, "env.model %s, which is %s at rlhf.horizon %lld (an MDP: rlhf.horizon > 1 or env.model mdp)",
                chosen->name, effective->name, (long long)ss_cfg_int(cfg, "rlhf.horizon"));
  return buf;
}

int rlhf_inputs_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  const rlhf_env_model_ops *model = rlhf_env_model_effective(cfg);
  char found[256];
  if (model->check) SS_TRY(model->check(cfg, p, e));
  SS_TRY(ss_plugin_check_unread(&rlhf_env_models, cfg, model, model_found(cfg, model, found, sizeof found), e));
  SS_TRY(ss_plugin_check_unread(&rlhf_env_types, cfg, p->env_type, NULL, e));
  if (p->env_type->check) SS_TRY(p->env_type->check(cfg, p, e));
  SS_TRY(ss_plugin_check_unread(&rlhf_populations, cfg, p->population, NULL, e));
  if (p->population->check) SS_TRY(p->population->check(cfg, p, e));
  return SS_OK;
}
