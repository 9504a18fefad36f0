/* RLHF config errors (issue 3, "Bad input"): each bad value comes back from ss_config_parse
 * as SS_EINPUT with no config, naming the file position, the key, what was expected and what
 * was found. Inline YAML, one test per class. */
#include <stdio.h>
#include <string.h>
#include "stratsim/config.h"
#include "unit.h"

/* Parses text and checks code, no config, and that every part occurs in the message. */
static void expect(const char *text, const char *const *parts)
{
  ss_err e;
  ss_err_clear(&e);
  ss_config *c = NULL;
  int rc = ss_config_parse("t.yaml", text, strlen(text), NULL, 0, &c, &e);
  CU_ASSERT_EQUAL(rc, SS_EINPUT);
  CU_ASSERT_EQUAL(e.code, SS_EINPUT);
  CU_ASSERT_PTR_NULL(c);
  if (c) ss_config_free(&c);
  int ok = rc == SS_EINPUT;
  for (int i = 0; parts[i]; i++) {
    int found = strstr(e.msg, parts[i]) != NULL;
    CU_ASSERT(found);
    ok &= found;
  }
  if (!ok) fprintf(stderr, "\n--- config:\n%s--- rc %d: %s\n", text, rc, e.msg);
}

static void expect_ok(const char *text)
{
  ss_err e;
  ss_err_clear(&e);
  ss_config *c = NULL;
  int rc = ss_config_parse("t.yaml", text, strlen(text), NULL, 0, &c, &e);
  CU_ASSERT_EQUAL(rc, SS_OK);
  if (rc) fprintf(stderr, "\n--- config:\n%s--- unexpected error: %s\n", text, e.msg);
  if (c) ss_config_free(&c);
}

static void test_k_and_n(void)
{
  expect("experiment: rlhf\nrlhf:\n  k: 0\n", (const char *[]){"t.yaml:3:", "rlhf.k", "expected", "found '0'", NULL});
  expect("experiment: rlhf\nrlhf:\n  n: 0\n", (const char *[]){"t.yaml:3:", "rlhf.n", "expected", "found '0'", NULL});
  expect("experiment: rlhf\nrlhf:\n  n: -5\n", (const char *[]){"rlhf.n", "found '-5'", NULL});
  expect_ok("experiment: rlhf\nrlhf:\n  k: 1\n  n: 1\n  strategy: truthful\n");
}

static void test_lambda(void)
{
  expect("experiment: rlhf\nrlhf:\n  lambda: 0\n", (const char *[]){"t.yaml:3:", "rlhf.lambda", "expected", "found '0'", NULL});
  expect("experiment: rlhf\nrlhf:\n  lambda: -1e-3\n", (const char *[]){"rlhf.lambda", "found", NULL});
}

/* explicit features: 1 state x 2 actions, rows of d values */
static void test_features(void)
{
  const char *good = "experiment: rlhf\nrlhf:\n  d: 2\n  k: 2\n  env:\n    type: explicit\n"
                     "    states: 1\n    actions: 2\n    features: [[0.5, 0.5], [0.75, 0]]\n";
  expect_ok(good);
  /* d disagrees with the width of the rows */
  expect("experiment: rlhf\nrlhf:\n  d: 3\n  k: 2\n  env:\n    type: explicit\n"
         "    states: 1\n    actions: 2\n    features: [[0.5, 0.5], [0.75, 0]]\n",
         (const char *[]){"t.yaml:", "rlhf.env.features", "d = 3", "found 2", NULL});
  /* wrong number of rows for S*A */
  expect("experiment: rlhf\nrlhf:\n  d: 2\n  k: 2\n  env:\n    type: explicit\n"
         "    states: 2\n    actions: 2\n    features: [[0.5, 0.5], [0.75, 0]]\n",
         (const char *[]){"rlhf.env.features", "S*A", "found 2", NULL});
  /* NaN and Inf */
  expect("experiment: rlhf\nrlhf:\n  d: 2\n  k: 2\n  env:\n    type: explicit\n"
         "    states: 1\n    actions: 2\n    features: [[.nan, 0.5], [0.75, 0]]\n",
         (const char *[]){"t.yaml:", "rlhf.env.features", NULL});
  expect("experiment: rlhf\nrlhf:\n  d: 2\n  k: 2\n  env:\n    type: explicit\n"
         "    states: 1\n    actions: 2\n    features: [[0.5, 0.5], [.inf, 0]]\n",
         (const char *[]){"t.yaml:", "rlhf.env.features", NULL});
}

static void test_strategic_list(void)
{
  expect_ok("experiment: rlhf\nrlhf:\n  k: 3\n  strategic:\n    labelers: [0, 2]\n");
  expect("experiment: rlhf\nrlhf:\n  k: 3\n  strategic:\n    labelers: [0, 3]\n",
         (const char *[]){"t.yaml:", "rlhf.strategic.labelers", "[0, 3)", "found 3", NULL});
}

static void test_algorithms(void)
{
  expect_ok("experiment: rlhf\nrlhf:\n  algorithms: [naive_mle, median_mle]\n");
  expect("experiment: rlhf\nrlhf:\n  algorithms: [naive_mle, median_mel]\n",
         (const char *[]){"t.yaml:3:", "rlhf.algorithms", "expected", "median_mel", NULL});
  expect("experiment: rlhf\nrlhf:\n  algorithms: [naive_mle, naive_mle]\n",
         (const char *[]){"rlhf.algorithms", "naive_mle", NULL});
}

SS_UNIT_SUITE(rlhf_config_suite)
{
  ss_unit_suite("rlhf_config");
  ss_unit_test("k < 1, n < 1", test_k_and_n);
  ss_unit_test("lambda <= 0", test_lambda);
  ss_unit_test("explicit features: d, rows, NaN/Inf", test_features);
  ss_unit_test("strategic list names a nonexistent labeler", test_strategic_list);
  ss_unit_test("algorithms is an enum list", test_algorithms);
}
