/* The parameters of one RLHF task (`experiment: rlhf`): the shared rlhf_params, the selected
 * aggregators and strategy, and the run's output switches, read from a checked config; and the
 * experiment's cross-key checks, which call each selected plug-in's own. */
#ifndef STRATSIM_RLHF_RUN_PARAMS_H
#define STRATSIM_RLHF_RUN_PARAMS_H

#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "inputs.h"
#include "strategy_ops.h"

typedef struct {
  rlhf_params p;
  const rlhf_agg_ops *algos[16];
  int nalgos;
  const rlhf_strategy_ops *strategy;
  double fraction;
  const long long *strat_list;
  int nstrat_list;
  int write_labelers, dump;
  int heldout; /* rlhf.labels.heldout */
  rlhf_inputs inputs; /* the input plug-ins' settings (p points at them): params_free */
} rlhf_run_params;

/* Reads the parameters of the task with this seed (the env model and type and the population
 * set up through their own setup ops); rlhf_run_params_free releases their settings, also after
 * a failure. Not collective. */
int rlhf_run_params_read(const ss_config *cfg, uint64_t seed, rlhf_run_params *rp, ss_err *e);
void rlhf_run_params_free(rlhf_run_params *rp);
/* The cross-key checks (config errors, exit 2): every aggregator's, the inputs', the policy
 * solver's and the strategy's own checks, then rho and the strategic labelers. */
int rlhf_run_params_check(const ss_config *cfg, const rlhf_run_params *rp, ss_err *e);

#endif
