/* The RLHF config check reads an explicit MDP's features and transitions files: a bad file is a
 * config error (SS_EINPUT, exit 2), but an allocation that fails while reading them is a runtime
 * error (SS_ERUNTIME, exit 1), passed through unchanged. Every allocation of a parse of
 * tests/data/mdp_explicit.yaml is failed in turn: none may come back as a config error. */
#include <stdio.h>
#include <string.h>
#include "stratsim/config.h"
#include "unit.h"

static int parse(const char *text, ss_err *e)
{
  ss_config *c = NULL;
  ss_err_clear(e);
  int rc = ss_config_parse("alloc.yaml", text, strlen(text), NULL, 0, &c, e);
  ss_config_free(&c);
  return rc;
}

static void test_alloc_failures(void)
{
  char text[2048], feat[512], trans[512];
  snprintf(feat, sizeof feat, "%s", ss_unit_data("mdp_explicit/features.csv"));
  snprintf(trans, sizeof trans, "%s", ss_unit_data("mdp_explicit/transitions.csv"));
  snprintf(text, sizeof text,
           "experiment: rlhf\nrlhf:\n  k: 3\n  d: 2\n  n: 30\n  horizon: 3\n  env:\n    type: csv\n"
           "    states: 4\n    actions: 2\n    file: %s\n  mdp:\n    transitions: %s\n", feat, trans);
  ss_err e;
  ss_alloc_fail_after(-1);
  CU_ASSERT_EQUAL_FATAL(parse(text, &e), SS_OK);
  long n = ss_alloc_count();
  CU_ASSERT(n > 0);
  long input = 0, runtime = 0;
  for (long i = 0; i < n; i++) {
    ss_alloc_fail_after(i);
    int rc = parse(text, &e);
    input += rc == SS_EINPUT;
    runtime += rc == SS_ERUNTIME;
    if (rc == SS_EINPUT) fprintf(stderr, "allocation %ld of %ld: a config error: %s\n", i, n, e.msg);
  }
  ss_alloc_fail_after(-1);
  CU_ASSERT_EQUAL(input, 0);
  CU_ASSERT(runtime > 0);
}

SS_UNIT_SUITE(suite_rlhf_check_alloc)
{
  ss_unit_suite("rlhf_check_alloc");
  ss_unit_test("an allocation failing in the MDP files' check is a runtime error", test_alloc_failures);
}
