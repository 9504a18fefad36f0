/* The parameters of one RLHF task and the experiment's cross-key checks (run_params.h). */
#include <math.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/plugin.h"
#include "choices.h"
#include "run_params.h"
#include "solver.h"

void rlhf_run_params_free(rlhf_run_params *rp) { rlhf_inputs_free(&rp->inputs); }

static int parse_algorithms(const ss_config *cfg, const rlhf_agg_ops **out, int *n, ss_err *e)
{
  int cnt = 0;
  const char *const *names = ss_cfg_enum_list(cfg, "rlhf.algorithms", &cnt);
  *n = 0;
  if (!names || cnt == 0) return ss_cfg_error(cfg, "rlhf.algorithms", e, "expected at least one aggregator, found none");
  if (cnt > 16) return ss_cfg_error(cfg, "rlhf.algorithms", e, "expected at most 16 aggregators, found %d", cnt);
  for (int i = 0; i < cnt; i++) {
    const rlhf_agg_ops *ops = rlhf_agg_find(names[i]);
    if (!ops) return ss_plugin_unknown(&rlhf_aggregators, names[i], e);
    out[(*n)++] = ops;
  }
  return SS_OK;
}

int rlhf_run_params_read(const ss_config *cfg, uint64_t seed, rlhf_run_params *rp, ss_err *e)
{
  memset(rp, 0, sizeof *rp);
  rlhf_params *p = &rp->p;
  rlhf_params_default(p);
  p->seed = seed;
  p->n = (int)ss_cfg_int(cfg, "rlhf.n");
  p->k = ss_cfg_int(cfg, "rlhf.k");
  p->d = (int)ss_cfg_int(cfg, "rlhf.d");
  p->B = ss_cfg_real(cfg, "rlhf.B");
  p->lambda = ss_cfg_real(cfg, "rlhf.lambda");
  p->c_f = ss_cfg_real(cfg, "rlhf.confidence.c_f");
  p->delta = ss_cfg_real(cfg, "rlhf.confidence.delta");
  p->median_kind = (ss_median_kind)ss_plugin_choice_value(&rlhf_median_kinds, cfg);
  p->exact = ss_plugin_choice_value(&rlhf_data_kinds, cfg);
  p->policy_tol = ss_cfg_real(cfg, "rlhf.policy.tol");
  p->policy_chunk = (int)ss_cfg_int(cfg, "rlhf.policy.chunk");
  p->H = (int)ss_cfg_int(cfg, "rlhf.horizon");
  p->S = (int)ss_cfg_int(cfg, "rlhf.env.states");
  p->A = (int)ss_cfg_int(cfg, "rlhf.env.actions");
  p->L = ss_cfg_real(cfg, "rlhf.env.L");
  int nl;
  p->rho_cfg = ss_cfg_list(cfg, "rlhf.env.rho", &nl);
  SS_TRY(rlhf_inputs_setup(cfg, p, &rp->inputs, e)); /* the env model, type and population */
  SS_TRY(parse_algorithms(cfg, rp->algos, &rp->nalgos, e));
  rp->strategy = rlhf_strategy_find(ss_cfg_str(cfg, "rlhf.strategy"));
  if (!rp->strategy) return ss_plugin_unknown(&rlhf_strategies, ss_cfg_str(cfg, "rlhf.strategy"), e);
  rp->fraction = ss_cfg_real(cfg, "rlhf.strategic.fraction");
  rp->strat_list = ss_cfg_int_list(cfg, "rlhf.strategic.labelers", &rp->nstrat_list);
  rp->write_labelers = ss_cfg_bool(cfg, "rlhf.output.labelers");
  rp->dump = ss_cfg_bool(cfg, "output.dump_data");
  rp->heldout = ss_cfg_bool(cfg, "rlhf.labels.heldout");
  return SS_OK;
}

int rlhf_run_params_check(const ss_config *cfg, const rlhf_run_params *rp, ss_err *e)
{
  const rlhf_params *p = &rp->p;
  SS_TRY(rlhf_agg_check_all(cfg, e)); /* every aggregator checks its own settings */
  SS_TRY(rlhf_inputs_check(cfg, p, e)); /* the environment model and type, the population */
  SS_TRY(rlhf_solver_check(cfg, p, e)); /* the policy solver's (an MDP needs one that solves MDPs) */
  int n;
  const double *rho = ss_cfg_list(cfg, "rlhf.env.rho", &n);
  if (rho) {
    if (n != p->S) return ss_cfg_error(cfg, "rlhf.env.rho", e, "expected S = %d weights, found %d", p->S, n);
    double tot = 0;
    for (int i = 0; i < n; i++) tot += rho[i];
    if (!(tot > 0) || !isfinite(tot)) return ss_cfg_error(cfg, "rlhf.env.rho", e, "expected weights with a positive finite sum");
  }
  SS_TRY(rlhf_strategy_check(rp->strategy, cfg, p, e)); /* its own settings */
  const long long *lst = ss_cfg_int_list(cfg, "rlhf.strategic.labelers", &n);
  for (int i = 0; lst && i < n; i++)
    if (lst[i] < 0 || lst[i] >= p->k)
      return ss_cfg_error(cfg, "rlhf.strategic.labelers", e, "expected labelers in [0, %lld) (rlhf.k = %lld), found %lld", (long long)p->k, (long long)p->k, lst[i]);
  return SS_OK;
}
