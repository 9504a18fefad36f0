/* The conformance suites of the bandit experiment's input families, iterating the registry (as
 * test_bandit_conformance.c does for the mechanisms): true arm features (bandit.features) and
 * theta* sources (bandit.theta_source), and the enumerations bandit.contexts and bandit.radius.
 * Every member is checked without being named here: a config selecting it validates, its
 * output has the declared shape, is finite and is the same bits for the same key (seed), and
 * a row does not depend on how many rows are asked for (keyed by arm); a member may add a
 * small reference hook (its output from the definition) below. The schema-vs-registry checks
 * of every family are in test_plugins.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"
#include "conformance.h"
#include "unit.h"

enum { K = 5, D = 3 };

/* The config of every test: K arms in D dimensions, plus the lines a member needs (its
 * reference hook's inputs below); `sel` selects the member ("bandit.features=paper"). */
static const char base_yaml[] = "experiment: bandit\nbandit:\n  K: 5\n  d: 3\n";
static const char theta_yaml[] = "  theta: [0.5, -0.25, 1.5]\n";
static const double given_y[K * D] = {1, 2, 3, -1, 0.5, 0, 0, 0, 0.25, 4, -4, 2, 0.125, 1, -1};
static const double given_theta[D] = {0.5, -0.25, 1.5};

static ss_config *parse_with(const char *lines, const char *sel, ss_err *e)
{
  return ss_unit_parse_config(base_yaml, lines, sel, e);
}

static int all_finite(const double *v, int n)
{
  for (int i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

/* ------------------------------------------------------------------ reference hooks */
/* The config lines a features kind needs (theta* is given for every kind). */
static const char *features_inputs(const char *name)
{
  if (!strcmp(name, "given"))
    return "  theta: [0.5, -0.25, 1.5]\n"
           "  true_features: [[1, 2, 3], [-1, 0.5, 0], [0, 0, 0.25], [4, -4, 2], [0.125, 1, -1]]\n";
  return theta_yaml;
}

static const char *theta_inputs(const char *name) { return !strcmp(name, "given") ? theta_yaml : ""; }

/* The K x D features of a member from its definition (docs/bandit.md); 0 when it has none. */
static int ref_features(const char *name, uint64_t seed, double *y)
{
  if (!strcmp(name, "paper")) { /* +0.1 at coordinate a mod d, -0.1 elsewhere */
    for (int a = 0; a < K; a++)
      for (int j = 0; j < D; j++) y[a * D + j] = j == a % D ? 0.1 : -0.1;
    return 1;
  }
  if (!strcmp(name, "ones")) {
    for (int i = 0; i < K * D; i++) y[i] = 1.0;
    return 1;
  }
  if (!strcmp(name, "given")) {
    memcpy(y, given_y, sizeof given_y);
    return 1;
  }
  return 0;
}

/* Is the member a keyed random draw (on [-1,1]: different seeds give different values)? */
static int drawn(const char *name) { return !strcmp(name, "random"); }

static int ref_theta(const char *name, double *theta)
{
  if (!strcmp(name, "given")) {
    memcpy(theta, given_theta, sizeof given_theta);
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------ features */
static void test_features(void)
{
  CU_ASSERT(ss_plugin_count(&ss_bandit_features) >= 1);
  for (int i = 0; i < ss_plugin_count(&ss_bandit_features); i++) {
    const ss_bandit_features_ops *ops = ss_plugin_at(&ss_bandit_features, i);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->fill);
    CU_ASSERT_PTR_NOT_NULL(ops->summary);
    char sel[128];
    snprintf(sel, sizeof sel, "bandit.features=%s", ops->name);
    ss_err e;
    ss_config *cfg = parse_with(features_inputs(ops->name), sel, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT(ss_plugin_selected(&ss_bandit_features, cfg) == ops);
    if (ops->check) CU_ASSERT_EQUAL(ops->check(cfg, K, D, &e), SS_OK);
    double a[K * D], b[K * D], c[K * D], pre[2 * D];
    for (int j = 0; j < K * D; j++) a[j] = b[j] = c[j] = NAN;
    ops->fill(cfg, 17, K, D, a);
    ops->fill(cfg, 17, K, D, b);
    ops->fill(cfg, 18, K, D, c);
    ops->fill(cfg, 17, 2, D, pre);
    CU_ASSERT(all_finite(a, K * D));                     /* every entry written, finite */
    CU_ASSERT(!memcmp(a, b, sizeof a));                  /* the same key: the same bits */
    CU_ASSERT(!memcmp(a, pre, sizeof pre));              /* arm a's row does not depend on K */
    if (drawn(ops->name)) {
      CU_ASSERT(memcmp(a, c, sizeof a) != 0);            /* the seed keys the draw */
      for (int j = 0; j < K * D; j++) CU_ASSERT(a[j] >= -1 && a[j] <= 1);
    } else {
      CU_ASSERT(!memcmp(a, c, sizeof a));                /* a fixed kind ignores the seed */
    }
    double want[K * D];
    if (ref_features(ops->name, 17, want))
      for (int j = 0; j < K * D; j++) CU_ASSERT_DOUBLE_EQUAL(a[j], want[j], 1e-15);
    ss_config_free(&cfg);
  }
}

/* A member that checks its inputs refuses a config without them, naming one of its keys. */
static ss_config *parse_theta_only(const char *set, ss_err *e) { return parse_with(theta_yaml, set, e); }
static int features_checks(const void *ops) { return ((const ss_bandit_features_ops *)ops)->check != NULL; }
static void test_features_checks(void) { ss_unit_check_inputs_refused(&ss_bandit_features, parse_theta_only, features_checks); }

/* ------------------------------------------------------------------ theta* sources */
static void test_theta_sources(void)
{
  CU_ASSERT(ss_plugin_count(&ss_bandit_theta_sources) >= 1);
  for (int i = 0; i < ss_plugin_count(&ss_bandit_theta_sources); i++) {
    const ss_bandit_theta_ops *ops = ss_plugin_at(&ss_bandit_theta_sources, i);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->fill);
    char sel[128];
    snprintf(sel, sizeof sel, "bandit.theta_source=%s", ops->name);
    ss_err e;
    ss_config *cfg = parse_with(theta_inputs(ops->name), sel, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT(ss_plugin_selected(&ss_bandit_theta_sources, cfg) == ops);
    if (ops->check) {
      CU_ASSERT_EQUAL(ops->check(cfg, D, &e), SS_OK);
      CU_ASSERT_EQUAL(ops->check(cfg, D + 1, &e), SS_EINPUT); /* the wrong dimension */
    }
    double a[D] = {NAN, NAN, NAN}, b[D], c[D];
    ops->fill(cfg, 5, D, a);
    ops->fill(cfg, 5, D, b);
    ops->fill(cfg, 6, D, c);
    CU_ASSERT(all_finite(a, D));
    CU_ASSERT(!memcmp(a, b, sizeof a));
    if (drawn(ops->name)) {
      CU_ASSERT(memcmp(a, c, sizeof a) != 0);
      for (int j = 0; j < D; j++) CU_ASSERT(a[j] >= -1 && a[j] <= 1);
    } else {
      CU_ASSERT(!memcmp(a, c, sizeof a));
    }
    double want[D];
    if (ref_theta(ops->name, want)) CU_ASSERT(!memcmp(a, want, sizeof want));
    ss_config_free(&cfg);
  }
}

/* ------------------------------------------------------------------ enumerations */
/* Every choice of an enumeration selects its own constant (conformance.c). */
static void test_enumerations(void)
{
  ss_unit_check_choices(&ss_bandit_contexts, parse_theta_only, 0);
  ss_unit_check_choices(&ss_bandit_radii, parse_theta_only, 0);
}

SS_UNIT_SUITE(bandit_inputs_conformance)
{
  ss_unit_suite("bandit_inputs_conformance");
  ss_unit_test("every registered features kind", test_features);
  ss_unit_test("features kinds with inputs refuse a config without them", test_features_checks);
  ss_unit_test("every registered theta* source", test_theta_sources);
  ss_unit_test("every choice of bandit.contexts and bandit.radius", test_enumerations);
}
