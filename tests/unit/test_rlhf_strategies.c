/* The conformance suite of the RLHF strategies, iterating the registry (a strategy may add a
 * reference hook: the config lines it needs to run), and the `fixed` strategy
 * (strategy_fixed.c): known answers against the other strategies
 * (reporting theta_i* is `truthful`, reporting exaggerate's reports is `exaggerate`), the two
 * row forms (k rows, or one per strategic labeler), the CSV file, and its bad inputs
 * (file:line messages, SS_EINPUT at parse time). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stratsim/xsum.h"
#include "stratsim/rlhf.h"
#include "../../src/rlhf/strategy_ops.h"
#include "unit.h"

enum { K = 4, D = 2 };
/* labelers 1 and 3 are strategic */
static const double tstar[K * D] = {0.5, 0.25, -0.25, 0.5, 0.125, -0.5, 0.75, 0.1};
static const unsigned char flags[K] = {0, 1, 0, 1};

static ss_config *config(const char *strategy, const char *extra, ss_err *e)
{
  char text[4096];
  snprintf(text, sizeof text,
           "experiment: rlhf\nrlhf:\n  k: %d\n  d: %d\n  B: 1\n  strategy: %s\n"
           "  strategic:\n    labelers: [1, 3]\n  spsa:\n    steps: 0\n%s",
           K, D, strategy, extra ? extra : "");
  ss_config *c = NULL;
  ss_err_clear(e);
  ss_config_parse("t.yaml", text, strlen(text), NULL, 0, &c, e);
  return c;
}

static int run(const char *strategy, const char *extra, double *reports)
{
  ss_err e;
  ss_config *cfg = config(strategy, extra, &e);
  if (!cfg) {
    fprintf(stderr, "\n  %s: %s\n", strategy, e.msg);
    return e.code;
  }
  rlhf_params p;
  rlhf_params_default(&p);
  p.k = K;
  p.d = D;
  p.B = 1;
  double mean[D];
  for (int j = 0; j < D; j++) {
    double col[K];
    for (int i = 0; i < K; i++) col[i] = tstar[i * D + j];
    mean[j] = ss_sum_exact(col, K) / K;
  }
  const rlhf_strategy_ops *ops = rlhf_strategy_find(strategy);
  rlhf_strategy_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.p = &p;
  ctx.comm = ss_unit_world();
  ctx.strategic = flags;
  ctx.theta_star = tstar;
  ctx.theta_star_mean = mean;
  void *data = NULL;
  int rc = rlhf_strategy_setup(ops, cfg, &p, &data, &e);
  ctx.data = data;
  if (!rc) rc = rlhf_strategy_run(ops, &ctx, reports, &e);
  rlhf_strategy_teardown(ops, &data);
  ss_config_free(&cfg);
  return rc;
}

/* "  fixed:\n    reports: [[..], ..]\n" of the given rows */
static void reports_yaml(const double *rows, int n, char *buf, size_t len)
{
  size_t u = (size_t)snprintf(buf, len, "  fixed:\n    reports: [");
  for (int i = 0; i < n; i++)
    u += (size_t)snprintf(buf + u, len - u, "%s[%.17g, %.17g]", i ? ", " : "", rows[i * D], rows[i * D + 1]);
  snprintf(buf + u, len - u, "]\n");
}

static void test_truth_is_truthful(void)
{
  double want[K * D], got[K * D];
  char extra[1024];
  CU_ASSERT_EQUAL_FATAL(run("truthful", NULL, want), SS_OK);
  reports_yaml(tstar, K, extra, sizeof extra); /* k rows: everyone's truth */
  CU_ASSERT_EQUAL(run("fixed", extra, got), SS_OK);
  CU_ASSERT(!memcmp(got, want, sizeof got));
  const double strat_rows[2 * D] = {-0.25, 0.5, 0.75, 0.1}; /* one row per strategic labeler */
  reports_yaml(strat_rows, 2, extra, sizeof extra);
  CU_ASSERT_EQUAL(run("fixed", extra, got), SS_OK);
  CU_ASSERT(!memcmp(got, want, sizeof got));
}

static void test_exaggerate_reports(void)
{
  for (double a = 0.25; a <= 4; a *= 2) {
    double want[K * D], got[K * D], got_m[K * D], strat_rows[2 * D];
    char extra[1024];
    snprintf(extra, sizeof extra, "  exaggerate:\n    alpha: %.17g\n", a);
    CU_ASSERT_EQUAL_FATAL(run("exaggerate", extra, want), SS_OK);
    CU_ASSERT(memcmp(want, tstar, sizeof want) != 0); /* it did move someone */
    reports_yaml(want, K, extra, sizeof extra);
    CU_ASSERT_EQUAL(run("fixed", extra, got), SS_OK);
    CU_ASSERT(!memcmp(got, want, sizeof got));
    memcpy(strat_rows, want + 1 * D, D * sizeof *want);
    memcpy(strat_rows + D, want + 3 * D, D * sizeof *want);
    reports_yaml(strat_rows, 2, extra, sizeof extra);
    CU_ASSERT(run("fixed", extra, got_m) == SS_OK && !memcmp(got_m, want, sizeof got_m));
  }
}

/* A temporary file with the given text; its path in buf. */
static void temp_file(const char *text, char *path, size_t len)
{
  snprintf(path, len, "/tmp/stratsim-fixed-XXXXXX");
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
}

static void test_file(void)
{
  char path[64], extra[256];
  double want[K * D], got[K * D];
  const double rows[2 * D] = {0.5, -0.5, 0, 1};
  reports_yaml(rows, 2, extra, sizeof extra);
  CU_ASSERT_EQUAL_FATAL(run("fixed", extra, want), SS_OK);
  CU_ASSERT(want[2] == 0.5 && want[3] == -0.5 && want[6] == 0 && want[7] == 1);
  temp_file("# reports of labelers 1 and 3\nt1,t2\n0.5, -0.5\r\n\n0,1\n", path, sizeof path);
  snprintf(extra, sizeof extra, "  fixed:\n    file: %s\n", path);
  CU_ASSERT_EQUAL(run("fixed", extra, got), SS_OK);
  CU_ASSERT(!memcmp(got, want, sizeof got));
  unlink(path);
}

/* Parsing fails with SS_EINPUT and every part in the message. */
static void expect_bad(const char *file_text, const char *extra_fmt, const char *const *parts)
{
  char path[64] = "", extra[512];
  if (file_text) temp_file(file_text, path, sizeof path);
  snprintf(extra, sizeof extra, extra_fmt, path);
  ss_err e;
  ss_config *cfg = config("fixed", extra, &e);
  CU_ASSERT_PTR_NULL(cfg);
  CU_ASSERT_EQUAL(e.code, SS_EINPUT);
  for (int i = 0; parts[i]; i++) {
    char want[256];
    snprintf(want, sizeof want, parts[i], path);
    CU_ASSERT(strstr(e.msg, want) != NULL);
    if (!strstr(e.msg, want)) fprintf(stderr, "\n  want '%s' in '%s'\n", want, e.msg);
  }
  ss_config_free(&cfg);
  if (file_text) unlink(path);
}

static void test_bad_inputs(void)
{
  const char *f = "  fixed:\n    file: %s\n";
  expect_bad("0.5,0\n0.1\n", f, (const char *const[]){"%s:2: rlhf.fixed.file: expected d = 2 values", "found 1", NULL});
  expect_bad("0.5,0\n0.1,0.2,0.3\n", f, (const char *const[]){"%s:2:", "found 3", NULL});
  expect_bad("0.5,0\n\n0.1,x\n", f, (const char *const[]){"%s:3: rlhf.fixed.file: expected 2 numbers", NULL});
  expect_bad("0.5,0\n0.1,0.2 junk\n", f, (const char *const[]){"%s:2: rlhf.fixed.file: expected a number", NULL});
  expect_bad("0.5,0\n2,0\n", f, (const char *const[]){"%s:2: rlhf.fixed.file: expected ||row|| <= B = 1", NULL});
  expect_bad("0.5,0\nnan,0\n", f, (const char *const[]){"%s:2: rlhf.fixed.file: expected finite", NULL});
  expect_bad("0,0\n0,0\n0,0\n", f, (const char *const[]){"rlhf.fixed.file: expected k = 4 rows (rlhf.k) or one per strategic labeler (2), found 3", NULL});
  expect_bad("0,0\n0,0\n0,0\n0,0\n0,0\n", f, (const char *const[]){"%s:5: rlhf.fixed.file: expected at most k = 4 rows", NULL});
  expect_bad("# nothing\n", f, (const char *const[]){"rlhf.fixed.file: expected rows of d = 2 values, found none", NULL});
  expect_bad(NULL, "  fixed:\n    file: /nonexistent/reports.csv%s\n", (const char *const[]){"/nonexistent/reports.csv", NULL});
  expect_bad("0,0\n0,0\n", "  fixed:\n    file: %s\n    reports: [[0, 0], [0, 0]]\n",
             (const char *const[]){"rlhf.fixed.file", "found both", NULL});
  expect_bad(NULL, "%s", (const char *const[]){"rlhf.fixed.reports: expected k rows of d values for strategy fixed, found none", NULL});
  expect_bad(NULL, "  fixed:\n    reports: [[0, 0, 0], [0, 0, 0]]%s\n", (const char *const[]){"rlhf.fixed.reports: expected rows of d = 2 values, found 3", NULL});
  expect_bad(NULL, "  fixed:\n    reports: [[0, 0], [0, 0], [0, 0]]%s\n", (const char *const[]){"rlhf.fixed.reports", "found 3", NULL});
  expect_bad(NULL, "  fixed:\n    reports: [[0, 0], [3, 0]]%s\n", (const char *const[]){"rlhf.fixed.reports", "norm 3", "(row 1)", NULL});
}

/* ------------------------------------------------------------------ conformance */
/* Config lines a strategy needs to run (its reference hook); none for most. */
static const char *strategy_hook(const char *name)
{
  if (!strcmp(name, "fixed")) return "  fixed:\n    reports: [[0, 0.5], [0.5, 0], [0, -0.5], [-0.5, 0]]\n";
  return NULL;
}

/* Every registered strategy: selectable with its settings, non-strategic labelers report the
 * truth, every report lies in the ball of radius B, and two runs agree bit for bit. */
static void test_conformance(void)
{
  CU_ASSERT(rlhf_strategies.n >= 4);
  for (int s = 0; s < rlhf_strategies.n; s++) {
    const rlhf_strategy_ops *ops = ss_plugin_at(&rlhf_strategies, s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->run);
    CU_ASSERT_PTR_NOT_NULL(ops->summary);
    double r1[K * D], r2[K * D];
    CU_ASSERT_EQUAL(run(ops->name, strategy_hook(ops->name), r1), SS_OK);
    CU_ASSERT_EQUAL(run(ops->name, strategy_hook(ops->name), r2), SS_OK);
    CU_ASSERT(!memcmp(r1, r2, sizeof r1));
    for (int i = 0; i < K; i++) {
      if (!flags[i]) CU_ASSERT(!memcmp(r1 + i * D, tstar + i * D, D * sizeof *r1));
      CU_ASSERT(hypot(r1[i * D], r1[i * D + 1]) <= 1 + 1e-12);
    }
  }
}

SS_UNIT_SUITE(rlhf_strategy_suite)
{
  ss_unit_suite("rlhf_strategies");
  ss_unit_test("every registered strategy (conformance)", test_conformance);
  ss_unit_test("reporting theta* is truthful", test_truth_is_truthful);
  ss_unit_test("reporting exaggerate's reports is exaggerate", test_exaggerate_reports);
  ss_unit_test("reports from a CSV file", test_file);
  ss_unit_test("bad reports: file:line, exit 2", test_bad_inputs);
}
