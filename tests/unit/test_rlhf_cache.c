/* SPSA's cache of report-independent labeler data (src/rlhf/data_cache.c) gives the same
 * estimates, bit for bit, as regenerating the data: theta_hat, gradient norms, intervals and
 * Sigma^{-1}, for several labelers and reports, cold and warm started; and it switches itself
 * off above its budget. */
#include <string.h>
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"
#include "unit.h"

static int same(const double *a, const double *b, size_t n) { return !memcmp(a, b, n * sizeof *a); }

static void test_cache_matches_regeneration(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.k = 4, p.n = 60, p.d = 6, p.S = 8, p.A = 3, p.L = 2.0;
  rlhf_env env;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
  rlhf_mle *mle;
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_create(p.d, p.n, p.lambda, &mle, &e), SS_OK);
  rlhf_data_cache *cache;
  CU_ASSERT_EQUAL_FATAL(rlhf_data_cache_create(&p, &env, 1 << 20, &cache, &e), SS_OK);
  CU_ASSERT_PTR_NOT_NULL_FATAL(cache);
  rlhf_estimates a, b;
  CU_ASSERT_EQUAL_FATAL(rlhf_estimates_alloc(&a, p.d, p.k, 0, p.k, 1, &e), SS_OK);
  CU_ASSERT_EQUAL_FATAL(rlhf_estimates_alloc(&b, p.d, p.k, 0, p.k, 1, &e), SS_OK);
  a.radius = b.radius = 0.3;
  b.cache = cache;
  int d = p.d, ok = 1;
  for (int round = 0; round < 3; round++) {
    a.warm = b.warm = round > 0;
    for (int64_t i = 0; i < p.k; i++) {
      double t[8];
      rlhf_theta_star(&p, i, t);
      for (int q = 0; q < d; q++) t[q] += 0.3 * ss_rng_normal(2, SS_P_TEST, (uint32_t)i, (uint64_t)(round * d + q));
      CU_ASSERT_EQUAL_FATAL(rlhf_estimate_one(&p, &env, mle, i, t, &a, i, &e), SS_OK);
      CU_ASSERT_EQUAL_FATAL(rlhf_estimate_one(&p, &env, mle, i, t, &b, i, &e), SS_OK);
      ok &= same(a.theta + i * d, b.theta + i * d, d) && same(a.lo + i * d, b.lo + i * d, d) &&
            same(a.hi + i * d, b.hi + i * d, d) && same(a.prec + i * d * d, b.prec + i * d * d, d * d) &&
            same(&a.grad[i], &b.grad[i], 1) && same(&a.grad_rel[i], &b.grad_rel[i], 1);
    }
  }
  CU_ASSERT(ok);
  /* over budget: no cache */
  rlhf_data_cache *none = (rlhf_data_cache *)&p;
  CU_ASSERT_EQUAL(rlhf_data_cache_create(&p, &env, rlhf_data_cache_bytes(&p) - 1, &none, &e), SS_OK);
  CU_ASSERT_PTR_NULL(none);
  rlhf_estimates_free(&a);
  rlhf_estimates_free(&b);
  rlhf_data_cache_destroy(&cache);
  rlhf_mle_destroy(&mle);
  rlhf_env_destroy(&env);
}

SS_UNIT_SUITE(rlhf_cache_suite)
{
  ss_unit_suite("rlhf_cache");
  ss_unit_test("cache_matches_regeneration", test_cache_matches_regeneration);
}
