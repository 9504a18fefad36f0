/* Config errors, one test per class: each must come back as SS_EINPUT with no config, as one
 * line that names file:line:column (or the --set argument), the key path, what was expected
 * and what was found, and the nearest key when one is close. A missing file is the
 * driver's business (it never reaches ss_config_parse) and is tested with the CLI. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/config.h"
#include "stratsim/experiment.h"
#include "unit.h"

static int sentinel;

/* Parses text (+ sets) as "t.yaml" and checks the error: code, no config, one line, the
 * message starts with `prefix`, and contains every further string (NULL-terminated). A
 * further string starting with '!' must NOT occur. Returns the message for extra checks. */
static const char *expect_error_v(const char *text, char *const *sets, int nsets, const char *prefix, va_list ap)
{
  static ss_err e;
  ss_err_clear(&e);
  ss_config *c = (ss_config *)&sentinel; /* must be overwritten with NULL */
  int rc = ss_config_parse("t.yaml", text, strlen(text), sets, nsets, &c, &e);
  CU_ASSERT_EQUAL(rc, SS_EINPUT);
  CU_ASSERT_EQUAL(e.code, SS_EINPUT);
  CU_ASSERT_PTR_NULL(c);
  if (c && c != (ss_config *)&sentinel) ss_config_free(&c);
  CU_ASSERT_PTR_NULL(strchr(e.msg, '\n'));
  int ok = !strncmp(e.msg, prefix, strlen(prefix));
  CU_ASSERT(ok);
  const char *part;
  while ((part = va_arg(ap, const char *))) {
    int found = part[0] == '!' ? !strstr(e.msg, part + 1) : !!strstr(e.msg, part);
    CU_ASSERT(found);
    ok &= found;
  }
  if (!ok || rc != SS_EINPUT)
    fprintf(stderr, "\n--- config:\n%s--- rc %d, message:\n%s\n--- wanted prefix '%s'\n", text, rc, e.msg, prefix);
  return e.msg;
}

static const char *expect_error(const char *text, const char *prefix, ...)
{
  va_list ap;
  va_start(ap, prefix);
  const char *m = expect_error_v(text, NULL, 0, prefix, ap);
  va_end(ap);
  return m;
}

static const char *expect_set_error(const char *text, const char *set, const char *prefix, ...)
{
  char *sets[1] = {(char *)set};
  va_list ap;
  va_start(ap, prefix);
  const char *m = expect_error_v(text, sets, 1, prefix, ap);
  va_end(ap);
  return m;
}

#define FAC "experiment: facility\n"

static void test_empty(void)
{
  expect_error("", "t.yaml:1:1: ", "empty", "expected a mapping", "experiment", NULL);
  expect_error("# only a comment\n\n   \n# another\n", "t.yaml:1:1: ", "empty", "expected a mapping", NULL);
  expect_error("\n\n\n", "t.yaml:1:1: ", "empty", NULL);
  expect_error("---\n...\n", "t.yaml:1:1: ", "empty", NULL);
}

static void test_not_a_mapping(void)
{
  expect_error("- experiment\n- facility\n", "t.yaml:1:1: ", "expected a mapping", "found a list", NULL);
  expect_error("\n\n  hello\n", "t.yaml:3:3: ", "expected a mapping", "found a scalar", NULL);
  expect_error("[experiment, facility]\n", "t.yaml:1:1: ", "expected a mapping", "found a list", NULL);
  expect_error("42\n", "t.yaml:1:1: ", "expected a mapping", "found a scalar", NULL);
}

static void test_duplicate_key(void)
{
  expect_error(FAC "seed: 1\nseed: 2\n", "t.yaml:3:1: seed: duplicate key", "first given at line 2", NULL);
  expect_error(FAC "facility:\n  agents: 3\n  dims: 1\n  agents: 4\n", "t.yaml:5:3: facility.agents: duplicate key",
               "first given at line 3", NULL);
  /* the same section twice is a duplicate too (YAML does not merge them) */
  expect_error(FAC "facility:\n  agents: 3\nfacility:\n  dims: 1\n", "t.yaml:4:1: facility: duplicate key",
               "first given at line 2", NULL);
  expect_error(FAC "sweep:\n  seed: [1, 2]\n  seed: [3]\n", "t.yaml:4:3: sweep.seed: duplicate key", NULL);
}

static void test_unknown_key(void)
{
  /* a typo in a nested key */
  expect_error(FAC "facility:\n  agnets: 3\n", "t.yaml:3:3: facility.agnets: unknown key",
               "did you mean 'facility.agents'?", NULL);
  expect_error(FAC "facility:\n  mechanism: [mean]\n", "t.yaml:3:3: facility.mechanism: unknown key",
               "did you mean 'facility.mechanisms'?", NULL);
  expect_error(FAC "output:\n  dumpdata: true\n", "t.yaml:3:3: output.dumpdata: unknown key",
               "did you mean 'output.dump_data'?", NULL);
  /* a key put at the top level that lives in a section */
  expect_error(FAC "agents: 5\n", "t.yaml:2:1: agents: unknown key", "did you mean 'facility.agents'?", NULL);
  expect_error(FAC "groups: 2\n", "t.yaml:2:1: groups: unknown key", "did you mean 'parallel.groups'?", NULL);
  /* a common key put into a section */
  expect_error(FAC "facility:\n  seeds: 3\n", "t.yaml:3:3: facility.seeds: unknown key", "did you mean '", NULL);
  /* nothing near: no suggestion */
  expect_error(FAC "zzzzqqq: 5\n", "t.yaml:2:1: zzzzqqq: unknown key", "!did you mean", NULL);
  expect_error(FAC "facility:\n  completely_unrelated_option: 1\n",
               "t.yaml:3:3: facility.completely_unrelated_option: unknown key", "!did you mean", NULL);
  /* a misspelt section */
  expect_error(FAC "facilty:\n  agents: 3\n", "t.yaml:2:1: facilty", "unknown key", "did you mean 'facility", NULL);
}

static void test_unknown_key_other_experiment(void)
{
  const char *other = ss_experiment_find("rlhf") ? "rlhf" : ss_experiment_find("bandit") ? "bandit" : NULL;
  if (!other) {
    /* no other experiment linked: the section is just unknown */
    expect_error(FAC "rlhf:\n  labelers: 3\n", "t.yaml:", "unknown key", NULL);
    fprintf(stderr, "\n(note: no rlhf/bandit experiment linked; other-experiment message not checked)\n");
    return;
  }
  const ss_experiment_ops *ops = ss_experiment_find(other);
  CU_ASSERT_FATAL(ops->nkeys > 0);
  const char *key = ops->keys[0].path; /* "<other>.<name>" */
  const char *dot = strchr(key, '.');
  CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
  char text[512], want[600], owner[128];
  /* the section itself is named: it is the whole section that is out of place */
  snprintf(text, sizeof text, FAC "%s:\n  %s: 1\n", other, dot + 1);
  snprintf(want, sizeof want, "t.yaml:2:1: %s: ", other);
  snprintf(owner, sizeof owner, "belongs to experiment '%s'", other);
  expect_error(text, want, owner, "but experiment is 'facility'", NULL);
  /* a dotted key of the other experiment in a sweep or a --set */
  snprintf(text, sizeof text, FAC "sweep:\n  %s: [1]\n", key);
  snprintf(want, sizeof want, "t.yaml:3:3: %s: ", key);
  expect_error(text, want, owner, "(in sweep)", NULL);
  char set[256];
  snprintf(set, sizeof set, "%s=1", key);
  snprintf(want, sizeof want, "--set %s: %s: ", set, key);
  expect_set_error(FAC, set, want, owner, NULL);
  /* and the reverse: a facility section in a config of the other experiment */
  snprintf(text, sizeof text, "experiment: %s\nfacility:\n  agents: 3\n", other);
  snprintf(owner, sizeof owner, "but experiment is '%s'", other);
  expect_error(text, "t.yaml:2:1: facility: ", "belongs to experiment 'facility'", owner, NULL);
}

static void test_wrong_type(void)
{
  expect_error(FAC "facility:\n  agents: many\n", "t.yaml:3:11: facility.agents: ",
               "expected an integer in [1, 1000000000]", "found 'many'", NULL);
  expect_error(FAC "facility:\n  agents: [1, 2]\n", "t.yaml:3:11: facility.agents: ", "expected an integer",
               "found a list", NULL);
  expect_error(FAC "facility:\n  lo: {a: 1}\n", "t.yaml:3:7: facility.lo: ", "expected a finite real number",
               "found a mapping", NULL);
  expect_error(FAC "facility:\n  write_agents: maybe\n", "t.yaml:3:17: facility.write_agents: ",
               "expected a boolean (true or false)", "found 'maybe'", NULL);
  expect_error(FAC "facility:\n  write_agents: 1\n", "t.yaml:3:17: facility.write_agents: ", "expected a boolean",
               "found '1'", NULL);
  expect_error(FAC "name: [a, b]\n", "t.yaml:2:7: name: ", "expected a string", "found a list", NULL);
  expect_error(FAC "output:\n  dir: {x: 1}\n", "t.yaml:3:8: output.dir: ", "expected a string", "found a mapping",
               NULL);
  expect_error(FAC "facility:\n  agents: 2.5\n", "t.yaml:3:11: facility.agents: ", "expected an integer",
               "found '2.5'", NULL);
  expect_error(FAC "facility:\n  agents: 12abc\n", "t.yaml:3:11: facility.agents: ", "expected an integer",
               "found '12abc'", NULL);
  expect_error(FAC "facility:\n  agents: ''\n", "t.yaml:3:11: facility.agents: ", "expected an integer", NULL);
  expect_error(FAC "facility:\n  lo: 1.5abc\n", "t.yaml:3:7: facility.lo: ", "expected a finite real number",
               "found '1.5abc'", NULL);
  /* a scalar or a list where a section is expected */
  expect_error(FAC "facility: 3\n", "t.yaml:2:11: facility: ", "expected a mapping", "found a scalar", NULL);
  expect_error(FAC "parallel: [1]\n", "t.yaml:2:11: parallel: ", "expected a mapping", "found a list", NULL);
  /* a structure as a key */
  expect_error(FAC "? [a, b]\n: 1\n", "t.yaml:2:3: ", "expected a key name", "found a list", NULL);
}

static void test_non_finite_reals(void)
{
  const char *bad[] = {".nan", "nan", "NaN", ".inf", "-.inf", "inf", "-inf", "infinity", "1e999", "-1e400", "1e-400"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[128], found[64];
    snprintf(text, sizeof text, FAC "facility:\n  hi: %s\n", bad[i]);
    snprintf(found, sizeof found, "found '%s'", bad[i]);
    expect_error(text, "t.yaml:3:7: facility.hi: ", "expected a finite real number", found, NULL);
  }
  /* in a matrix element too, with the element's own position */
  expect_error(FAC "facility:\n  agents: 1\n  dims: 2\n  locations: [[0.5, .nan]]\n",
               "t.yaml:5:21: facility.locations: ", "finite real", "found '.nan'", NULL);
}

static void test_out_of_range(void)
{
  expect_error(FAC "facility:\n  agents: 0\n", "t.yaml:3:11: facility.agents: ", "expected an integer in [1, 1000000000]",
               "found '0'", NULL);
  expect_error(FAC "facility:\n  agents: -3\n", "t.yaml:3:11: facility.agents: ", "[1, 1000000000]", "found '-3'", NULL);
  expect_error(FAC "facility:\n  agents: 1e10\n", "t.yaml:3:11: facility.agents: ", "[1, 1000000000]", "found '1e10'",
               NULL);
  expect_error(FAC "facility:\n  dims: 1025\n", "t.yaml:3:9: facility.dims: ", "expected an integer in [1, 1024]",
               "found '1025'", NULL);
  expect_error(FAC "seed: 4294967296\n", "t.yaml:2:7: seed: ", "in [0, 4294967295]", "found '4294967296'", NULL);
  expect_error(FAC "seed: -1\n", "t.yaml:2:7: seed: ", "in [0, 4294967295]", NULL);
  expect_error(FAC "seed: 99999999999999999999999\n", "t.yaml:2:7: seed: ", "expected an integer", NULL);
  /* an open bound: tol must be above 0 */
  expect_error(FAC "facility:\n  tol: 0\n", "t.yaml:3:8: facility.tol: ", "expected a finite real number in (0, 1]",
               "found '0'", NULL);
  expect_error(FAC "facility:\n  tol: -0.0\n", "t.yaml:3:8: facility.tol: ", "in (0, 1]", NULL);
  expect_error(FAC "facility:\n  tol: 1.0000001\n", "t.yaml:3:8: facility.tol: ", "in (0, 1]", "found '1.0000001'", NULL);
  expect_error(FAC "facility:\n  lo: -2e12\n", "t.yaml:3:7: facility.lo: ", "in [-1e+12, 1e+12]", "found '-2e12'", NULL);
  /* list and matrix elements are range checked one by one */
  expect_error(FAC "facility:\n  agents: 1\n  dims: 1\n  locations: [[2e12]]\n", "t.yaml:5:16: facility.locations: ",
               "found '2e12'", NULL);
}

static void test_bad_enum(void)
{
  expect_error(FAC "facility:\n  median: lowr\n", "t.yaml:3:11: facility.median: ",
               "expected one of lower|upper|mean", "found 'lowr'", "did you mean 'lower'?", NULL);
  expect_error(FAC "facility:\n  median: middle\n", "t.yaml:3:11: facility.median: ",
               "expected one of lower|upper|mean", "found 'middle'", "!did you mean", NULL);
  expect_error(FAC "facility:\n  median: [lower]\n", "t.yaml:3:11: facility.median: ", "expected one of", "found a list",
               NULL);
  /* enum lists: bad name, repeat, empty, not a list */
  expect_error(FAC "facility:\n  mechanisms: [mean, medain]\n", "t.yaml:3:22: facility.mechanisms: ",
               "expected one of mean|median", "found 'medain'", "did you mean 'median'?", NULL);
  expect_error(FAC "facility:\n  mechanisms: [mean, median, mean]\n", "t.yaml:3:30: facility.mechanisms: ",
               "'mean' is listed twice", NULL);
  expect_error(FAC "facility:\n  mechanisms:\n    - median\n    - median\n", "t.yaml:5:7: facility.mechanisms: ",
               "'median' is listed twice", NULL);
  expect_error(FAC "facility:\n  mechanisms: []\n", "t.yaml:3:15: facility.mechanisms: ",
               "expected a list of distinct names from mean|median", NULL);
  expect_error(FAC "facility:\n  mechanisms: mean\n", "t.yaml:3:15: facility.mechanisms: ",
               "expected a list of distinct names from mean|median", "found 'mean'", NULL);
}

static void test_matrix(void)
{
  expect_error(FAC "facility:\n  agents: 2\n  dims: 2\n  locations: [[0.1, 0.2], [0.3]]\n",
               "t.yaml:5:27: facility.locations: ", "expected row 2 to have 2 entries like row 1", "found 1", NULL);
  expect_error(FAC "facility:\n  agents: 3\n  dims: 2\n  locations:\n    - [0.1, 0.2]\n    - [0.3, 0.4]\n"
                   "    - [0.5, 0.6, 0.7]\n",
               "t.yaml:8:7: facility.locations: ", "expected row 3 to have 2 entries like row 1", "found 3", NULL);
  expect_error(FAC "facility:\n  locations: [0.1, 0.2]\n", "t.yaml:3:15: facility.locations: ",
               "expected a list of equal-length lists", "found '0.1'", NULL);
  expect_error(FAC "facility:\n  locations: 0.5\n", "t.yaml:3:14: facility.locations: ", "expected a list of equal-length lists",
               "found '0.5'", NULL);
  expect_error(FAC "facility:\n  locations: [[]]\n", "t.yaml:3:15: facility.locations: ", "expected a list of", NULL);
  expect_error(FAC "facility:\n  agents: 1\n  dims: 2\n  locations: [[0.1, x]]\n", "t.yaml:5:21: facility.locations: ",
               "finite real", "found 'x'", NULL);
}

static void test_bad_set(void)
{
  expect_set_error(FAC, "facility.agents", "--set facility.agents: ", "expected key.path=value", NULL);
  expect_set_error(FAC, "=5", "--set =5: ", "expected key.path=value", NULL);
  expect_set_error(FAC, "facility.agents=", "--set facility.agents=: facility.agents: ", "expected a value after '='",
                   NULL);
  expect_set_error(FAC, "facility.agents=[1,", "--set facility.agents=[1,: facility.agents: ", "not valid YAML", NULL);
  expect_set_error(FAC, "facility.mechanisms=[mean", "--set facility.mechanisms=[mean: facility.mechanisms: ",
                   "not valid YAML", NULL);
  expect_set_error(FAC, "facility.agnets=3", "--set facility.agnets=3: facility.agnets: unknown key",
                   "did you mean 'facility.agents'?", NULL);
  expect_set_error(FAC, "agents=3", "--set agents=3: agents: unknown key", "did you mean 'facility.agents'?", NULL);
  expect_set_error(FAC, "facility.agents=abc", "--set facility.agents=abc", "facility.agents: ", "expected an integer",
                   "found 'abc'", NULL);
  expect_set_error(FAC, "facility.tol=0", "--set facility.tol=0", "facility.tol: ", "in (0, 1]", NULL);
  expect_set_error(FAC, "facility.median=lowr", "--set facility.median=lowr", "did you mean 'lower'?", NULL);
  expect_set_error(FAC, "facility.mechanisms=[mean, mean]", "--set facility.mechanisms=[mean, mean]",
                   "'mean' is listed twice", NULL);
  expect_set_error(FAC, "facility.locations=[[0.1], [0.2, 0.3]]", "--set facility.locations=",
                   "expected row 2 to have 1 entries", NULL);
  expect_set_error(FAC, "sweep={}", "--set sweep={}: ", "--set cannot change the sweep", NULL);
  expect_set_error(FAC, "sweep.seed=[1, 2]", "--set sweep.seed=[1, 2]: ", "--set cannot change the sweep", NULL);
  /* a --set value is checked like the file: cross-key checks too */
  expect_set_error(FAC, "facility.hi=-1", "--set facility.hi=-1: facility.hi: ", "above facility.lo", NULL);
}

static void test_experiment_kind(void)
{
  expect_error("experiment: facilty\n", "t.yaml:1:13: experiment: ", "expected one of ", "facility", "found 'facilty'",
               "did you mean 'facility'?", NULL);
  expect_error("experiment: warehouse\n", "t.yaml:1:13: experiment: ", "found 'warehouse'", "!did you mean", NULL);
  expect_error("experiment: [facility]\n", "t.yaml:1:13: experiment: ", "expected one of", "found a list", NULL);
  expect_error("experiment:\n  kind: facility\n", "t.yaml:2:3: experiment: ", "expected one of", "found a mapping", NULL);
  expect_set_error("seed: 1\n", "experiment=facilty", "--set experiment=facilty: experiment: ", "found 'facilty'",
                   "did you mean 'facility'?", NULL);
  /* missing */
  expect_error("seed: 1\nfacility:\n  agents: 3\n", "t.yaml", "experiment: missing required key", "expected one of",
               "facility", NULL);
}

static void test_sweep_errors(void)
{
  expect_error(FAC "sweep:\n  facility.agnets: [1, 2]\n", "t.yaml:3:3: facility.agnets: unknown key",
               "did you mean 'facility.agents'?", "(in sweep)", NULL);
  expect_error(FAC "sweep:\n  zzzzqqq: [1, 2]\n", "t.yaml:3:3: zzzzqqq: unknown key", "(in sweep)", NULL);
  expect_error(FAC "sweep:\n  facility.agents: [3, x]\n", "t.yaml:3:24: facility.agents: ", "expected an integer",
               "found 'x'", NULL);
  expect_error(FAC "sweep:\n  facility.median: [lower, lowest]\n", "t.yaml:3:28: facility.median: ",
               "found 'lowest'", "did you mean 'lower'?", NULL);
  expect_error(FAC "sweep:\n  facility.tol: [1e-9, 0]\n", "t.yaml:3:24: facility.tol: ", "in (0, 1]", NULL);
  expect_error(FAC "sweep: [1, 2]\n", "t.yaml:2:8: sweep: ", "expected a mapping", "found a list", NULL);
  expect_error(FAC "sweep: 3\n", "t.yaml:2:8: sweep: ", "expected a mapping", "found a scalar", NULL);
  expect_error(FAC "sweep:\n  seed: 3\n", "t.yaml:3:9: sweep.seed: ", "expected a non-empty list", "found a single value",
               NULL);
  expect_error(FAC "sweep:\n  seed: []\n", "t.yaml:3:9: sweep.seed: ", "expected a non-empty list", "found an empty list",
               NULL);
  expect_error(FAC "sweep:\n  experiment: [facility, rlhf]\n", "t.yaml:3:3: sweep: ", "experiment kind cannot be swept",
               NULL);
  expect_error(FAC "sweep:\n  ? [a]\n  : [1]\n", "t.yaml:3:5: sweep: ", "expected a key path", NULL);
  /* a point that fails a cross-key check names the point */
  expect_error(FAC "sweep:\n  facility.hi: [2, -1]\n", "t.yaml:3:20: facility.hi: ", "above facility.lo",
               "(at sweep point 1: facility.hi=-1)", NULL);
}

static void test_yaml_syntax(void)
{
  expect_error(FAC "seed: 1: 2\n", "t.yaml:2:8: ", "YAML syntax error", NULL);
  expect_error(FAC "facility:\n\tagents: 3\n", "t.yaml:3:1: ", "YAML syntax error", NULL);
  expect_error(FAC "facility:\n  agents: [1, 2\n", "t.yaml:", "YAML syntax error", NULL);
  expect_error(FAC "name: \"unterminated\n", "t.yaml:", "YAML syntax error", NULL);
  expect_error(FAC "facility:\n    agents: 3\n  dims: 2\n", "t.yaml:4:", "YAML syntax error", NULL);
  /* a second document is not a config */
  expect_error(FAC "---\nseed: 2\n", "t.yaml:", NULL);
}

static void test_facility_cross_checks(void)
{
  expect_error(FAC "facility:\n  lo: 1\n  hi: 1\n", "t.yaml:4:7: facility.hi: ", "expected a value above facility.lo (1)",
               "found 1", NULL);
  expect_error(FAC "facility:\n  lo: 2\n  hi: -3\n", "t.yaml:4:7: facility.hi: ", "above facility.lo (2)", "found -3",
               NULL);
  /* hi left at its default: the message still names the file */
  expect_error(FAC "facility:\n  lo: 5\n", "t.yaml", "facility.hi: ", "above facility.lo (5)", "found 1", NULL);
  expect_error(FAC "facility:\n  agents: 3\n  dims: 1\n  locations: [[0.1], [0.2]]\n", "t.yaml:5:14: facility.locations: ",
               "expected 3 rows (facility.agents)", "found 2", NULL);
  expect_error(FAC "facility:\n  agents: 2\n  dims: 3\n  locations: [[0.1, 0.2], [0.3, 0.4]]\n",
               "t.yaml:5:14: facility.locations: ", "expected rows of 3 values (facility.dims)", "found 2", NULL);
  expect_error(FAC "facility:\n  agents: 2\n  dims: 2\n  locations: [[0.1, 0.2], [0.3, 1.5]]\n",
               "t.yaml:5:14: facility.locations: ", "row 2", "expected values in [lo, hi] = [0, 1]", "found 1.5", NULL);
  expect_error(FAC "facility:\n  agents: 1\n  dims: 1\n  lo: -1\n  hi: 0\n  locations: [[-1.25]]\n",
               "t.yaml:7:14: facility.locations: ", "row 1", "[-1, 0]", "found -1.25", NULL);
  /* agents changed by --set no longer matches the file's locations */
  expect_set_error(FAC "facility:\n  agents: 1\n  dims: 1\n  locations: [[0.5]]\n", "facility.agents=2",
                   "t.yaml:5:14: facility.locations: ", "expected 2 rows", "found 1", NULL);
}

/* The same bytes give the same message: messages depend on nothing but the input. */
static void test_deterministic(void)
{
  const char *text = FAC "facility:\n  agnets: 3\n";
  char first[SS_ERRMSG];
  snprintf(first, sizeof first, "%s", expect_error(text, "t.yaml:3:3: ", NULL));
  for (int i = 0; i < 3; i++) CU_ASSERT_STRING_EQUAL(expect_error(text, "t.yaml:3:3: ", NULL), first);
}

SS_UNIT_SUITE(suite_config_errors)
{
  ss_unit_suite("config_errors");
  ss_unit_test("empty file", test_empty);
  ss_unit_test("top level not a mapping", test_not_a_mapping);
  ss_unit_test("duplicate key", test_duplicate_key);
  ss_unit_test("unknown key and suggestion", test_unknown_key);
  ss_unit_test("key of another experiment", test_unknown_key_other_experiment);
  ss_unit_test("wrong type", test_wrong_type);
  ss_unit_test("NaN and infinities", test_non_finite_reals);
  ss_unit_test("out of range", test_out_of_range);
  ss_unit_test("bad enum and enum list", test_bad_enum);
  ss_unit_test("matrix shape", test_matrix);
  ss_unit_test("bad --set", test_bad_set);
  ss_unit_test("experiment kind", test_experiment_kind);
  ss_unit_test("sweep errors", test_sweep_errors);
  ss_unit_test("YAML syntax error", test_yaml_syntax);
  ss_unit_test("facility cross-key checks", test_facility_cross_checks);
  ss_unit_test("messages are deterministic", test_deterministic);
}
