/* The mechanism registry and the verbs the protocol calls on any mechanism: creation with a
 * block distribution of the arms over the ranks, reset, destruction. What the mechanisms
 * themselves call (the confidence radii) is in radius.c, so no mechanism calls back into the
 * file that lists it (no circle, scripts/check_arch.py --objects). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"

/* The registry: one extern and one table line per mechanism (each defined in its own file). */
extern const ss_bandit_mech_ops ss_bandit_optgtm_ops, ss_bandit_ggtm_ops, ss_bandit_linucb_ops;
extern const ss_bandit_mech_ops ss_bandit_lingreedy_ops, ss_bandit_uniform_ops;
static const void *const mechanisms[] = {
  &ss_bandit_optgtm_ops,
  &ss_bandit_ggtm_ops,
  &ss_bandit_linucb_ops,
  &ss_bandit_lingreedy_ops,
  &ss_bandit_uniform_ops,
};

const ss_plugin_family ss_bandit_mechanisms = {
  .what = "mechanism",
  .key = "bandit.mechanism",
  .items = mechanisms,
  .n = SS_PLUGIN_COUNT(mechanisms),
};

int ss_bandit_mech_count(void) { return ss_plugin_count(&ss_bandit_mechanisms); }
const char *ss_bandit_mech_name_at(int i) { return ss_plugin_name(ss_plugin_at(&ss_bandit_mechanisms, i)); }
const ss_bandit_mech_ops *ss_bandit_mech_find(const char *name)
{
  return ss_plugin_find(&ss_bandit_mechanisms, name);
}

int ss_bandit_mech_known(const char *name) { return ss_bandit_mech_find(name) != NULL; }

void ss_bandit_mech_params_default(ss_bandit_mech_params *p)
{
  memset(p, 0, sizeof *p);
  p->lambda = 1.0;
  p->delta = 0.0;
  p->radius = SS_BANDIT_RADIUS_AUTHORS;
  p->beta = 1.0;
  p->warmup = 10;
  p->refactor_every = 1000;
}

int ss_bandit_mech_create(const char *name, ss_comm *c, const ss_bandit_env *env,
                          const ss_bandit_mech_params *p, ss_bandit_mech **out, ss_err *e)
{
  *out = NULL;
  const ss_bandit_mech_ops *ops = ss_bandit_mech_find(name);
  if (!ops) return ss_fail(e, SS_EINPUT, "bandit: unknown mechanism '%s'", name ? name : "(null)");
  ss_bandit_mech *m = ss_calloc(1, sizeof *m, e);
  if (!m) return e->code;
  m->ops = ops;
  m->p = *p;
  m->K = env->K;
  m->T = env->T;
  m->d = env->d;
  m->rank = ss_comm_rank(c);
  m->size = ss_comm_size(c);
  m->lo = env->K * m->rank / m->size;
  m->hi = env->K * (m->rank + 1) / m->size;
  m->theta_star = env->theta;
  m->delta = p->delta > 0 ? p->delta : 1.0 / (double)env->T;
  m->beta = p->radius == SS_BANDIT_RADIUS_FIXED ? p->beta
                                                 : ss_bandit_beta_authors(m->d, m->T, p->lambda, m->delta);
  int rc = ops->create ? ops->create(m, e) : SS_OK;
  if (rc) {
    if (ops->destroy) ops->destroy(m);
    free(m);
    return rc;
  }
  ss_bandit_mech_reset(m, 0);
  *out = m;
  return SS_OK;
}

void ss_bandit_mech_destroy(ss_bandit_mech **m)
{
  if (!*m) return;
  if ((*m)->ops->destroy) (*m)->ops->destroy(*m);
  free(*m);
  *m = NULL;
}

const char *ss_bandit_mech_name(const ss_bandit_mech *m) { return m->ops->name; }

void ss_bandit_mech_reset(ss_bandit_mech *m, uint64_t rseed)
{
  m->rseed = rseed;
  if (m->ops->reset) m->ops->reset(m);
}
