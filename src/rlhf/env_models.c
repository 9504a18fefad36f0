/* The registry of environment models (rlhf.env.model): a contextual bandit (one step) or a
 * tabular MDP (docs/mdp.md), or the horizon's choice. The MDP model owns the rlhf.mdp.* keys
 * and the checks every MDP needs; the environment type checks its own MDP inputs (its check
 * op, env_types.c). */
#include <stdio.h>
#include "stratsim/rlhf.h"
#include "choices.h"
#include "env_model.h"
#include "env_type.h"
#include "mdp_settings.h"

static const ss_key mdp_keys[] = {
  {"rlhf.mdp.successors", SS_T_INT, "4", 1, 1e6, 0, NULL, "generated MDP: successors b per (s,a), Dirichlet(1) weights"},
  {"rlhf.mdp.transitions", SS_T_STRING, NULL, 0, 0, SS_K_PATH, NULL, "explicit MDP (env.type csv, features in rlhf.env.file; relative paths: from the config file's folder): CSV of rows 's,a,next,p' grouped by (s,a) in s-major order, each row summing to 1; or a PETSc binary AIJ matrix of S*A x S (MatView), recognised by its class id"},
  {"rlhf.mdp.features", SS_T_ENUM, "store", 0, 0, 0, SS_PLUGIN_CHOICES, "MDP features: stored per rank (S/p x A x d) or regenerated from the keyed generator in every pass"},
};

static int mdp_setup(const ss_config *cfg, void **data, ss_err *e)
{
  rlhf_mdp_settings *s = ss_malloc(sizeof *s, e);
  if (!(*data = s)) return e->code;
  s->successors = (int)ss_cfg_int(cfg, "rlhf.mdp.successors");
  s->regenerate = ss_plugin_choice_value(&rlhf_mdp_feature_kinds, cfg);
  s->transitions = ss_cfg_str(cfg, "rlhf.mdp.transitions");
  return SS_OK;
}

/* The types that can feed an MDP (those with mdp_features), "a or b", from the registry. */
static const char *mdp_types(char *buf, size_t len)
{
  size_t used = 0;
  int n = 0;
  buf[0] = '\0';
  for (int i = 0; i < ss_plugin_count(&rlhf_env_types) && used < len; i++) {
    const rlhf_env_type_ops *t = ss_plugin_at(&rlhf_env_types, i);
    if (t->mdp_features) used += (size_t)snprintf(buf + used, len - used, "%s%s", n++ ? " or " : "", t->name);
  }
  return buf;
}

static int mdp_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  char types[256];
  if (!p->env_type->mdp_features)
    return ss_cfg_error(cfg, "rlhf.env.type", e, "expected %s for an MDP, found %s", mdp_types(types, sizeof types), p->env_type->name);
  int n;
  if (ss_cfg_list(cfg, "rlhf.env.rho", &n))
    return ss_cfg_error(cfg, "rlhf.env.rho", e, "expected no rho for a generated MDP (rho is uniform)");
  if ((double)p->S * p->A >= 4294967296.0)
    return ss_cfg_error(cfg, "rlhf.env.states", e, "expected S*A < 2^32 for an MDP, found %.0f", (double)p->S * p->A);
  return SS_OK;
}

static int contextual_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  if (p->H > 1)
    return ss_cfg_error(cfg, "rlhf.env.model", e, "expected mdp or auto for horizon %d > 1, found contextual", p->H);
  return SS_OK;
}

static int contextual(int H) { return 0; }
static int mdp(int H) { return 1; }
static int automatic(int H) { return H > 1; }

static const rlhf_env_model_ops model_contextual = {
  .name = "contextual",
  .summary = "a contextual bandit: S x A features, one step",
  .mdp = contextual,
  .check = contextual_check,
};
static const rlhf_env_model_ops model_mdp = {
  .name = "mdp",
  .summary = "a tabular MDP over the distributed states",
  .keys = mdp_keys,
  .nkeys = SS_PLUGIN_COUNT(mdp_keys),
  .mdp = mdp,
  .setup = mdp_setup,
  .check = mdp_check,
};
static const rlhf_env_model_ops *resolve_auto(int H) { return H > 1 ? &model_mdp : &model_contextual; }
static const rlhf_env_model_ops model_auto = {
  .name = "auto",
  .summary = "an MDP iff rlhf.horizon > 1",
  .mdp = automatic,
  .resolve = resolve_auto,
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
  .keys_offset = SS_PLUGIN_KEYS(rlhf_env_model_ops),
};

const rlhf_env_model_ops *rlhf_env_model_effective(const ss_config *cfg)
{
  const rlhf_env_model_ops *m = ss_plugin_selected(&rlhf_env_models, cfg);
  return m->resolve ? m->resolve((int)ss_cfg_int(cfg, "rlhf.horizon")) : m;
}

int rlhf_env_model_mdp(const ss_config *cfg)
{
  const rlhf_env_model_ops *m = ss_plugin_selected(&rlhf_env_models, cfg);
  return m->mdp((int)ss_cfg_int(cfg, "rlhf.horizon"));
}
