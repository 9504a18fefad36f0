/* The registry of MLE solvers (rlhf.mle.solver), one line per solver, each solver one file:
 * damped Newton (mle_newton.c, the default) and PETSc Tao (mle_tao.c); and the selection of an
 * rlhf_mle's solver, by name or from the config. */
#include <string.h>
#include "stratsim/rlhf.h"
#include "mle_solver.h"

static const void *const solvers[] = {
  &rlhf_mle_newton, /* the first: the default */
  &rlhf_mle_tao,
};

const ss_plugin_family rlhf_mle_solvers = {
  .what = "MLE solver",
  .key = "rlhf.mle.solver",
  .items = solvers,
  .n = SS_PLUGIN_COUNT(solvers),
  .keys_offset = SS_PLUGIN_KEYS(rlhf_mle_solver_ops),
};

static int mle_select(rlhf_mle *m, const rlhf_mle_solver_ops *s, ss_err *e)
{
  if (m->solver == s) return SS_OK;
  if (m->solver && m->solver->teardown) m->solver->teardown(m);
  m->solver = s;
  if (s->setup && s->setup(m, e)) {
    m->solver = ss_plugin_at(&rlhf_mle_solvers, 0); /* the default: it has no setup */
    return e->code;
  }
  return SS_OK;
}

int rlhf_mle_use(rlhf_mle *m, const char *solver, ss_err *e)
{
  const rlhf_mle_solver_ops *s = solver ? ss_plugin_find(&rlhf_mle_solvers, solver)
                                        : ss_plugin_at(&rlhf_mle_solvers, 0);
  if (!s) return ss_fail(e, SS_EINPUT, "rlhf: no MLE solver '%s'", solver);
  return mle_select(m, s, e);
}

int rlhf_mle_configure(rlhf_mle *m, const ss_config *cfg, ss_err *e)
{
  return mle_select(m, ss_plugin_selected(&rlhf_mle_solvers, cfg), e); /* the schema checked it */
}

const char *rlhf_mle_solver_name(const rlhf_mle *m) { return m->solver->name; }

int rlhf_mle_check(const ss_config *cfg, ss_err *e)
{
  const rlhf_mle_solver_ops *s = ss_plugin_selected(&rlhf_mle_solvers, cfg);
  for (int i = 0; i < ss_plugin_count(&rlhf_mle_solvers); i++) {
    const rlhf_mle_solver_ops *o = ss_plugin_at(&rlhf_mle_solvers, i);
    if (o != s && o->petsc_prefix && (!s->petsc_prefix || strcmp(o->petsc_prefix, s->petsc_prefix)) &&
        mle_petsc_options_given(o->petsc_prefix))
      return ss_cfg_error(cfg, rlhf_mle_solvers.key, e, "PETSc options -%s* are read only by mle.solver %s; found %s",
                          o->petsc_prefix, o->name, s->name);
  }
  return SS_OK;
}
