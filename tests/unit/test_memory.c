/* Memory estimates (src/core/memory.c, src/<experiment>/memory.c): the limit syntax, the
 * closed forms of the largest terms, the d^2 term of the bandit, the largest sweep point. */
#include <string.h>
#include "stratsim/config.h"
#include "stratsim/memory.h"
#include "unit.h"

static ss_config *parse(const char *text, const char *set)
{
  ss_config *cfg = NULL;
  ss_err e = {0};
  char *sets[1] = {(char *)set};
  ss_config_parse("mem.yaml", text, strlen(text), sets, set ? 1 : 0, &cfg, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
  return cfg;
}

static double estimate(ss_config *cfg, int ranks, int with_results)
{
  ss_mem_estimate m;
  ss_err e = {0};
  CU_ASSERT_EQUAL(ss_memory_estimate(cfg, -1, ranks, 1, with_results, &m, &e), SS_OK);
  return ss_mem_total(&m);
}

static void test_limit_syntax(void)
{
  double b;
  int a;
  CU_ASSERT(!ss_mem_parse_limit("auto", &b, &a) && a == 1);
  CU_ASSERT(!ss_mem_parse_limit("none", &b, &a) && !a && b < 0);
  CU_ASSERT(!ss_mem_parse_limit("4G", &b, &a) && b == 4.0 * 1073741824);
  CU_ASSERT(!ss_mem_parse_limit("4GB", &b, &a) && b == 4.0 * 1073741824);
  CU_ASSERT(!ss_mem_parse_limit("512MiB", &b, &a) && b == 512.0 * 1048576);
  CU_ASSERT(!ss_mem_parse_limit("1.5t", &b, &a) && b == 1.5 * 1099511627776.0);
  CU_ASSERT(!ss_mem_parse_limit("2000000000", &b, &a) && b == 2e9);
  CU_ASSERT(!ss_mem_parse_limit("100B", &b, &a) && b == 100);
  const char *bad[] = {"", "G", "4X", "4GX", "-1G", "0", "nan", "4 G", "inf"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CU_ASSERT(ss_mem_parse_limit(bad[i], &b, &a) != 0);
}

static void test_facility_arrays(void)
{
  /* no agent rows: the estimate is the baseline + 8 (m/P + 1)(5 D + 2) + the tiny run rows */
  ss_config *cfg = parse("experiment: facility\nfacility: {agents: 1000000, dims: 3, write_agents: false}\n", NULL);
  double one = estimate(cfg, 1, 0), two = estimate(cfg, 2, 0);
  CU_ASSERT_DOUBLE_EQUAL(one - two, 8 * (1e6 - 5e5) * 17, 1.0);
  ss_config_free(&cfg);
}

static void test_bandit_d_squared(void)
{
  /* OptGTM keeps two packed d x d matrices per owned arm: K = 1e5, d = 1000 needs ~750 GiB on
   * one rank; the K d arrays alone are under 4 GiB (the old K d <= 1e8 guard let it pass) */
  ss_config *cfg = parse("experiment: bandit\nbandit: {K: 100000, d: 1000, theta_source: random, rollout_groups: 1}\n", NULL);
  /* the learners' state, and the same again gathered on rank 0 by an in-task checkpoint */
  double one = estimate(cfg, 1, 0);
  CU_ASSERT(one > 2 * 1e5 * 1000.0 * 1001 * 8);
  CU_ASSERT(one < 1.2 * 2 * (1e5 * 1000.0 * 1001 * 8) + 5e9);
  double four = estimate(cfg, 4, 0);
  ss_config_free(&cfg);
  /* the same run without per-arm state: the replicated K x d arrays and the K-row tables */
  cfg = parse("experiment: bandit\nbandit: {K: 100000, d: 1000, theta_source: random, mechanism: uniform, rollout_groups: 1}\n", NULL);
  double rest = estimate(cfg, 1, 0);
  CU_ASSERT(rest < 1e10);
  /* with one rollout group the arms are spread over the ranks (the default, a group per rank,
   * keeps every arm on every rank); the gathered copy stays whole: 2 S on one rank, S / 4 + S on
   * four, a ratio of 1.6 */
  CU_ASSERT((one - rest) / (four - rest) > 1.5 && (one - rest) / (four - rest) < 1.7);
  ss_config_free(&cfg);
}

static void test_sweep_takes_largest_point(void)
{
  ss_config *big = parse("experiment: rlhf\nrlhf: {k: 200000}\n", NULL);
  ss_config *sweep = parse("experiment: rlhf\nsweep: {rlhf.k: [5, 200000, 10]}\n", NULL);
  double b = estimate(big, 2, 0), s = estimate(sweep, 2, 0);
  CU_ASSERT_DOUBLE_EQUAL(b, s, 1.0);
  /* rank 0 also holds every task's rows: more than the task alone */
  CU_ASSERT(estimate(sweep, 2, 1) > s);
  ss_config_free(&big);
  ss_config_free(&sweep);
}

SS_UNIT_SUITE(suite_memory)
{
  ss_unit_suite("memory");
  ss_unit_test("limits.memory_per_rank syntax", test_limit_syntax);
  ss_unit_test("facility agent arrays: closed form", test_facility_arrays);
  ss_unit_test("bandit: the d^2 ridge state per arm", test_bandit_d_squared);
  ss_unit_test("a sweep is estimated at its largest point", test_sweep_takes_largest_point);
}
