/* The conformance suite of the experiments (the family `experiment`, src/experiments.c),
 * iterating the registry: every experiment has its required ops (name, summary, keys, run),
 * its keys live under its section, a config naming only the experiment validates (every
 * default is a valid value and the defaults pass its cross-key check), the check is the same
 * answer when repeated, and the optional memory estimate of that config is finite, positive,
 * the same on repeat, and does not grow when more ranks share a task. The schema-vs-registry
 * checks are in test_plugins.c; what each experiment computes is tested in its own suites. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "stratsim/experiment.h"
#include "stratsim/plugin.h"
#include "unit.h"

static ss_config *defaults_of(const ss_experiment_ops *exp, ss_err *e)
{
  char text[128];
  snprintf(text, sizeof text, "experiment: %s\n", exp->name);
  ss_config *c = NULL;
  ss_err_clear(e);
  if (ss_config_parse("conformance.yaml", text, strlen(text), NULL, 0, &c, e) != SS_OK) return NULL;
  return c;
}

static double memory_total(const ss_experiment_ops *exp, const ss_config *cfg, int ranks, double *result)
{
  ss_mem_estimate m;
  memset(&m, 0, sizeof m);
  *result = -1;
  exp->memory(cfg, ranks, &m, result);
  return ss_mem_total(&m);
}

static void test_experiments(void)
{
  CU_ASSERT(ss_experiment_count() >= 3);
  for (int x = 0; x < ss_experiment_count(); x++) {
    const ss_experiment_ops *exp = ss_experiment_at(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(exp);
    CU_ASSERT(ss_experiment_find(exp->name) == exp);
    CU_ASSERT_PTR_NOT_NULL(exp->summary);
    CU_ASSERT_PTR_NOT_NULL(exp->run);
    CU_ASSERT_FATAL(exp->keys && exp->nkeys > 0);
    size_t len = strlen(exp->name);
    for (int i = 0; i < exp->nkeys; i++)
      CU_ASSERT(!strncmp(exp->keys[i].path, exp->name, len) && exp->keys[i].path[len] == '.');
    ss_err e;
    ss_config *cfg = defaults_of(exp, &e);
    if (!cfg) fprintf(stderr, "\n  experiment %s: its defaults do not validate: %s\n", exp->name, e.msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    if (exp->check) {
      CU_ASSERT_EQUAL(exp->check(cfg, &e), SS_OK);
      CU_ASSERT_EQUAL(exp->check(cfg, &e), SS_OK);
    }
    if (exp->columns_depend_on) CU_ASSERT_PTR_NULL(exp->columns_depend_on(cfg, "experiment"));
    if (exp->memory) {
      double r1, r1b, r2;
      double m1 = memory_total(exp, cfg, 1, &r1), m1b = memory_total(exp, cfg, 1, &r1b);
      double m2 = memory_total(exp, cfg, 2, &r2);
      CU_ASSERT(isfinite(m1) && m1 > 0);
      CU_ASSERT(m1 == m1b && r1 == r1b); /* the same answer */
      CU_ASSERT(isfinite(r1) && r1 >= 0);
      CU_ASSERT(isfinite(m2) && m2 <= m1 * (1 + 1e-12)); /* two ranks share the task's state */
    }
    ss_config_free(&cfg);
  }
}

SS_UNIT_SUITE(experiment_conformance)
{
  ss_unit_suite("experiment_conformance");
  ss_unit_test("every registered experiment", test_experiments);
}
