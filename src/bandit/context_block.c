/* The shared-context block (include/stratsim/bandit_context.h): one keyed fill for a run
 * of rounds (the draws of consecutive rounds are consecutive in the generator's stream),
 * then the best true mean of each round over the rank's arms. */
#include <math.h>
#include <stdlib.h>
#include "stratsim/bandit_context.h"
#include "stratsim/rng.h"

int ss_bandit_context_block_init(ss_bandit_context_block *b, const ss_bandit_env *env, int64_t lo,
                                 int64_t hi, ss_err *e)
{
  b->env = env;
  b->lo = lo;
  b->hi = hi;
  b->t0 = 1;
  b->n = 0;
  b->base = ss_malloc((size_t)SS_BANDIT_BLOCK_ROUNDS * (size_t)env->d * sizeof(double), e);
  b->max_mean = ss_malloc((size_t)SS_BANDIT_BLOCK_ROUNDS * sizeof(double), e);
  if (e->code) {
    ss_bandit_context_block_free(b);
    return e->code;
  }
  return SS_OK;
}

void ss_bandit_context_block_fill(ss_bandit_context_block *b, int64_t t0)
{
  const ss_bandit_env *env = b->env;
  const int d = env->d;
  int64_t n = env->T - t0 + 1;
  if (n > SS_BANDIT_BLOCK_ROUNDS) n = SS_BANDIT_BLOCK_ROUNDS;
  b->t0 = t0;
  b->n = n;
  uint64_t count = (uint64_t)n * (uint64_t)d;
  ss_rng_u01_fill(env->seed, SS_P_BANDIT_USER, 0, (uint64_t)(t0 - 1) * (uint64_t)d, count, b->base);
  for (uint64_t k = 0; k < count; k++) b->base[k] = 2.0 * b->base[k] - 1.0;
  for (int64_t k = 0; k < n; k++) {
    const double *base = b->base + k * d;
    double best = -INFINITY;
    for (int64_t a = b->lo; a < b->hi; a++) {
      double mean = ss_bandit_true_mean(env, a, base);
      if (mean > best) best = mean;
    }
    b->max_mean[k] = best;
  }
}

void ss_bandit_context_block_free(ss_bandit_context_block *b)
{
  free(b->base);
  free(b->max_mean);
  b->base = b->max_mean = NULL;
}
