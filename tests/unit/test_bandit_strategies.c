/* The conformance suite of the bandit arm strategies, iterating the registry: every strategy
 * gives K x d finite initial reports, deterministically; non-adaptive ones have no epoch ops,
 * adaptive ones both; `truthful` reports the true features (its reference hook), `fixed`
 * the given ones. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"
#include "unit.h"

enum { K = 4, D = 3 };

static void test_strategies(void)
{
  ss_err e;
  ss_err_clear(&e);
  ss_bandit_env env;
  CU_ASSERT_FATAL(ss_bandit_env_alloc(&env, K, D, 100, &e) == SS_OK);
  env.seed = 5;
  const double theta[D] = {1.0, 0.8, 0.6};
  memcpy(env.theta, theta, sizeof theta);
  ss_bandit_random_features(5, K, D, env.ytrue);
  ss_bandit_env_prepare(&env);
  double given[K * D];
  for (int i = 0; i < K * D; i++) given[i] = 0.25 * (i % 5) - 0.5;
  ss_bandit_strategy_params sp = {.eps = 0.2, .eta = 0.2, .step_scale = 1e-4, .step_clip = 0.1, .fixed = given};
  CU_ASSERT(ss_bandit_strategies.n >= 3);
  for (int s = 0; s < ss_bandit_strategies.n; s++) {
    const ss_bandit_strategy_ops *ops = ss_plugin_at(&ss_bandit_strategies, s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->init);
    CU_ASSERT_PTR_NOT_NULL(ops->summary);
    CU_ASSERT(ops->adaptive ? ops->perturb && ops->step : !ops->perturb && !ops->step);
    double a[K * D], b[K * D];
    CU_ASSERT_EQUAL(ops->init(&sp, &env, a, &e), SS_OK);
    CU_ASSERT_EQUAL(ops->init(&sp, &env, b, &e), SS_OK);
    CU_ASSERT(!memcmp(a, b, sizeof a));
    for (int i = 0; i < K * D; i++) CU_ASSERT(isfinite(a[i]));
    /* reference hooks */
    if (!strcmp(ops->name, "truthful")) CU_ASSERT(!memcmp(a, env.ytrue, sizeof a));
    if (!strcmp(ops->name, "fixed")) CU_ASSERT(!memcmp(a, given, sizeof a));
    if (ops->adaptive) {
      int s1, s2;
      CU_ASSERT(ops->perturb(&sp, 0.3, &s1) == ops->perturb(&sp, 0.3, &s2) && s1 == s2);
      CU_ASSERT(fabs(ops->step(&sp, 0, 1, 500, 600)) <= sp.step_clip);
    }
  }
  ss_bandit_env_free(&env);
}

SS_UNIT_SUITE(bandit_strategies)
{
  ss_unit_suite("bandit_strategies");
  ss_unit_test("every registered strategy (conformance)", test_strategies);
}
