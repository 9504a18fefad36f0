/* The registry of RLHF policy solvers (rlhf.policy.method), one line per solver, each solver
 * one file: the distributed certified planner (policy_plan.c -> planner.c, every horizon) and
 * the dense LP / active set over every state (policy_dense.c; H = 1, the reference). Here
 * also what the experiment and the states do with the selected solver, through its ops only:
 * its settings, its checks, its memory. policy.c reaches it through the states, never by
 * name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "solver.h"
#include "states.h"

extern const rlhf_solver_ops rlhf_solver_planner;
extern const rlhf_solver_ops rlhf_solver_dense;

static const void *const solvers[] = {
  &rlhf_solver_planner, /* the first: the default */
  &rlhf_solver_dense,
};

const ss_plugin_family rlhf_solvers = {
  .what = "policy solver",
  .key = "rlhf.policy.method",
  .items = solvers,
  .n = SS_PLUGIN_COUNT(solvers),
  .keys_offset = SS_PLUGIN_KEYS(rlhf_solver_ops),
};

const rlhf_solver_ops *rlhf_solver_find(const char *name) { return ss_plugin_find(&rlhf_solvers, name); }

const rlhf_solver_ops *rlhf_solver_default(void) { return ss_plugin_at(&rlhf_solvers, 0); }

int rlhf_solver_setup(const ss_config *cfg, const rlhf_solver_ops **solver, void **settings,
                      ss_err *e)
{
  const rlhf_solver_ops *s = ss_plugin_selected(&rlhf_solvers, cfg); /* the schema checked it */
  *solver = s;
  *settings = NULL;
  if (!s->settings_size) return SS_OK;
  *settings = ss_calloc(1, s->settings_size, e);
  if (!*settings) return e->code;
  s->setup(cfg, *settings);
  return SS_OK;
}

/* "a|b" of the solvers that solve MDPs, into buf. */
static const char *mdp_solvers(char *buf, size_t len)
{
  buf[0] = '\0';
  for (int i = 0; i < ss_plugin_count(&rlhf_solvers); i++) {
    const rlhf_solver_ops *s = ss_plugin_at(&rlhf_solvers, i);
    if (s->mdp) snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "|" : "", s->name);
  }
  return buf;
}

int rlhf_solver_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  const rlhf_solver_ops *s = ss_plugin_selected(&rlhf_solvers, cfg);
  char names[256];
  SS_TRY(ss_plugin_check_unread(&rlhf_solvers, cfg, s, NULL, e)); /* another solver's key, set */
  if (p->mdp && !s->mdp)
    return ss_cfg_error(cfg, rlhf_solvers.key, e, "expected %s for an MDP (the %s solver is H = 1 only), found %s",
                        mdp_solvers(names, sizeof names), s->name, s->name);
  return SS_OK;
}

double rlhf_solver_states_memory(const ss_config *cfg, double S, double A, double d)
{
  const rlhf_solver_ops *s = ss_plugin_selected(&rlhf_solvers, cfg);
  return s->states_memory ? s->states_memory(S, A, d) : 0;
}

void rlhf_states_set_solver(rlhf_states *st, const rlhf_solver_ops *solver, const void *settings)
{
  st->solver = solver ? solver : rlhf_solver_default();
  st->solver_settings = settings;
}

void rlhf_states_use_solver_of(rlhf_states *st, const rlhf_states *from)
{
  rlhf_states_set_solver(st, from ? from->solver : NULL, from ? from->solver_settings : NULL);
}
