/* The bandit environment: theta*, true features, and contexts regenerated from the keyed
 * generator on demand (memory O(K d), never O(T K d)). */
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit.h"
#include "stratsim/rng.h"

int ss_bandit_env_alloc(ss_bandit_env *env, int64_t K, int d, int64_t T, ss_err *e)
{
  memset(env, 0, sizeof *env);
  env->K = K;
  env->d = d;
  env->T = T;
  env->noise_sd = 0.5;
  env->theta = ss_calloc((size_t)d, sizeof(double), e);
  env->ytrue = ss_calloc((size_t)K * (size_t)d, sizeof(double), e);
  env->wtrue = ss_calloc((size_t)K * (size_t)d, sizeof(double), e);
  if (!env->theta || !env->ytrue || !env->wtrue) {
    ss_bandit_env_free(env);
    return e->code ? e->code : ss_fail(e, SS_ERUNTIME, "out of memory");
  }
  return SS_OK;
}

void ss_bandit_env_prepare(ss_bandit_env *env)
{
  int d = env->d;
  for (int64_t a = 0; a < env->K; a++)
    for (int j = 0; j < d; j++)
      env->wtrue[a * d + j] = env->theta[j] * env->ytrue[a * d + j];
}

void ss_bandit_env_free(ss_bandit_env *env)
{
  free(env->theta);
  free(env->ytrue);
  free(env->wtrue);
  env->theta = env->ytrue = env->wtrue = NULL;
}

void ss_bandit_paper_features(int64_t K, int d, double *y)
{
  for (int64_t a = 0; a < K; a++)
    for (int j = 0; j < d; j++) y[a * d + j] = (j == (int)(a % d)) ? 0.1 : -0.1;
}

void ss_bandit_random_features(uint64_t seed, int64_t K, int d, double *y)
{
  for (int64_t a = 0; a < K; a++) {
    ss_rng_u01_fill(seed, SS_P_BANDIT_FEATURES, (uint32_t)a, 0, (uint64_t)d, y + a * d);
    for (int j = 0; j < d; j++) y[a * d + j] = 2.0 * y[a * d + j] - 1.0;
  }
}

void ss_bandit_random_theta(uint64_t seed, int d, double *theta)
{
  ss_rng_u01_fill(seed, SS_P_BANDIT_THETA, 0, 0, (uint64_t)d, theta);
  for (int j = 0; j < d; j++) theta[j] = 2.0 * theta[j] - 1.0;
}

void ss_bandit_base(const ss_bandit_env *env, int64_t t, int64_t arm, double *base)
{
  int d = env->d;
  uint64_t start = (uint64_t)(t - 1) * (uint64_t)d;
  if (env->contexts == SS_BANDIT_CTX_SHARED)
    ss_rng_u01_fill(env->seed, SS_P_BANDIT_USER, 0, start, (uint64_t)d, base);
  else
    ss_rng_u01_fill(env->seed, SS_P_BANDIT_CONTEXT, (uint32_t)arm, start, (uint64_t)d, base);
  for (int j = 0; j < d; j++) base[j] = 2.0 * base[j] - 1.0;
}

