/* Truthful arms: every arm reports its true features, ỹ_a = y_a. */
#include <string.h>
#include "stratsim/bandit_mech.h"

static int init(const ss_bandit_strategy_params *sp, const ss_bandit_env *env, double *yrep, ss_err *e)
{
  memcpy(yrep, env->ytrue, (size_t)env->K * (size_t)env->d * sizeof(double));
  return SS_OK;
}

const ss_bandit_strategy_ops ss_bandit_truthful_ops = {
    .name = "truthful",
    .summary = "every arm reports its true features",
    .adaptive = 0,
    .init = init,
};
