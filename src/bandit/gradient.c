/* Gradient arms, the paper's finite-difference protocol (MODELS 2.3): start truthful; per
 * epoch each arm perturbs one coordinate at a time by +eps (-eps above 0.99), reads its
 * utility (selections) from a rollout with the others fixed, and steps by
 * clip(eta * 1e-4 * sign * (u' - u) / eps / (epoch + 1), -0.1, 0.1). The epoch loop itself
 * is in protocol.c; this file holds the arithmetic of one coordinate. */
#include <string.h>
#include "stratsim/bandit_mech.h"

/* Its settings, read by the protocol's parameters (ss_bandit_strategy_params). */
static const ss_key gradient_keys[] = {
  {"bandit.epochs", SS_T_INT, "20", 0, 100000, 0, NULL,
   "strategy gradient: adaptation epochs before the final evaluation"},
  {"bandit.eps", SS_T_REAL, "0.2", 0, 2, SS_K_MIN_OPEN, NULL, "strategy gradient: finite-difference step"},
  {"bandit.eta", SS_T_REAL, "0.2", 0, 1e6, 0, NULL, "strategy gradient: learning rate"},
  {"bandit.step_scale", SS_T_REAL, "1e-4", 0, 1e6, 0, NULL,
   "strategy gradient: the factor 1e-4 of the authors' step"},
  {"bandit.step_clip", SS_T_REAL, "0.1", 0, 2, 0, NULL, "strategy gradient: largest step per coordinate"},
};

static int init(const ss_bandit_strategy_params *sp, const ss_bandit_env *env, double *yrep, ss_err *e)
{
  memcpy(yrep, env->ytrue, (size_t)env->K * (size_t)env->d * sizeof(double));
  return SS_OK;
}

static double clip(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static double perturb(const ss_bandit_strategy_params *sp, double v, int *sign)
{
  *sign = v > 0.99 ? -1 : 1;
  return clip(v + *sign * sp->eps, -1.0, 1.0);
}

static double step(const ss_bandit_strategy_params *sp, int epoch, int sign, int64_t u, int64_t u_pert)
{
  double g = sp->eta * sp->step_scale * sign * (double)(u_pert - u) / sp->eps / (epoch + 1);
  return clip(g, -sp->step_clip, sp->step_clip);
}

const ss_bandit_strategy_ops ss_bandit_gradient_ops = {
    .name = "gradient",
    .summary = "arms learn their reports by finite differences over epochs (the paper's protocol)",
    .keys = gradient_keys,
    .nkeys = sizeof gradient_keys / sizeof gradient_keys[0],
    .adaptive = 1,
    .init = init,
    .perturb = perturb,
    .step = step,
};
