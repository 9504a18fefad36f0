/* Fixed reports: the K x d reported features ỹ come from the config (bandit.reported). */
#include <string.h>
#include "stratsim/bandit_mech.h"

/* Its settings (the shape is checked by its check: K x d). */
static const ss_key fixed_keys[] = {
  {"bandit.reported", SS_T_REAL_MATRIX, NULL, -1e3, 1e3, 0, NULL,
   "K x d reported features for strategy fixed"},
};

static int init(const ss_bandit_strategy_params *sp, const ss_bandit_env *env, double *yrep, ss_err *e)
{
  if (!sp->fixed) return ss_fail(e, SS_EINPUT, "bandit: strategy 'fixed' needs bandit.reported");
  memcpy(yrep, sp->fixed, (size_t)env->K * (size_t)env->d * sizeof(double));
  return SS_OK;
}

static int check(const ss_config *cfg, long long K, long long d, ss_err *e)
{
  return ss_bandit_check_matrix(cfg, "bandit.reported", K, d, "bandit.strategy is fixed", e);
}

const ss_bandit_strategy_ops ss_bandit_fixed_ops = {
    .name = "fixed",
    .summary = "reported features given in the config (bandit.reported, K x d)",
    .keys = fixed_keys,
    .nkeys = sizeof fixed_keys / sizeof fixed_keys[0],
    .adaptive = 0,
    .check = check,
    .init = init,
};
