/* Config happy paths: defaults from the schema, nested mappings as dotted paths, --set
 * overrides of every value type, sweeps as a cartesian product (last key fastest), the
 * YAML writer loading back to the same config, the JSON writer producing valid JSON with
 * every key, value locations, and docs/config.md kept in step with the schema. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/config.h"
#include "stratsim/experiment.h"
#include "stratsim/plugin.h"
#include "unit.h"

static ss_config *parse_sets(const char *text, char *const *sets, int nsets)
{
  ss_config *c = NULL;
  ss_err e;
  ss_err_clear(&e);
  int rc = ss_config_parse("t.yaml", text, strlen(text), sets, nsets, &c, &e);
  if (rc) fprintf(stderr, "\nunexpected config error: %s\n", e.msg);
  CU_ASSERT_EQUAL(rc, SS_OK);
  CU_ASSERT_EQUAL(e.code, SS_OK);
  CU_ASSERT_PTR_NOT_NULL(c);
  return c;
}

static ss_config *parse(const char *text) { return parse_sets(text, NULL, 0); }

/* Every key the config of experiment `exp` holds: the common keys, then the experiment's. */
static int all_keys(const ss_experiment_ops *exp, const ss_key **out, int cap)
{
  int n = 0;
  for (int i = 0; i < ss_ncommon_keys && n < cap; i++) out[n++] = ss_common_key(i);
  for (int i = 0; i < ss_schema_nkeys(exp) && n < cap; i++) out[n++] = ss_schema_key(exp, i);
  return n;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* The two configs hold the same value for key k (typed comparison, reals bit for bit). */
static int same_value(const ss_config *a, const ss_config *b, const ss_key *k)
{
  const char *p = k->path;
  if (ss_cfg_has(a, p) != ss_cfg_has(b, p)) return 0;
  if (!ss_cfg_has(a, p)) return 1;
  int na, nb, ra, rb, ca, cb;
  switch (k->type) {
  case SS_T_BOOL: return ss_cfg_bool(a, p) == ss_cfg_bool(b, p);
  case SS_T_INT: return ss_cfg_int(a, p) == ss_cfg_int(b, p);
  case SS_T_REAL: return same_bits(ss_cfg_real(a, p), ss_cfg_real(b, p));
  case SS_T_STRING:
  case SS_T_ENUM: return !strcmp(ss_cfg_str(a, p), ss_cfg_str(b, p));
  case SS_T_REAL_LIST: {
    const double *x = ss_cfg_list(a, p, &na), *y = ss_cfg_list(b, p, &nb);
    return na == nb && !memcmp(x, y, (size_t)na * sizeof *x);
  }
  case SS_T_INT_LIST: {
    const long long *x = ss_cfg_int_list(a, p, &na), *y = ss_cfg_int_list(b, p, &nb);
    return na == nb && !memcmp(x, y, (size_t)na * sizeof *x);
  }
  case SS_T_REAL_MATRIX: {
    const double *x = ss_cfg_matrix(a, p, &ra, &ca), *y = ss_cfg_matrix(b, p, &rb, &cb);
    return ra == rb && ca == cb && !memcmp(x, y, (size_t)(ra * ca) * sizeof *x);
  }
  case SS_T_ENUM_LIST: {
    const char *const *x = ss_cfg_enum_list(a, p, &na), *const *y = ss_cfg_enum_list(b, p, &nb);
    if (na != nb) return 0;
    for (int i = 0; i < na; i++)
      if (strcmp(x[i], y[i])) return 0;
    return 1;
  }
  }
  return 0;
}

/* Every key of a and b agrees; names the first that does not. */
static void assert_same_config(const ss_config *a, const ss_config *b)
{
  const ss_experiment_ops *exp = ss_experiment_find(ss_cfg_experiment(a));
  CU_ASSERT_PTR_NOT_NULL_FATAL(exp);
  CU_ASSERT_STRING_EQUAL(ss_cfg_experiment(a), ss_cfg_experiment(b));
  const ss_key *keys[512];
  int n = all_keys(exp, keys, 512);
  for (int i = 0; i < n; i++) {
    int ok = same_value(a, b, keys[i]);
    CU_ASSERT(ok);
    if (!ok) fprintf(stderr, "\nkey %s differs\n", keys[i]->path);
  }
  CU_ASSERT_EQUAL(ss_config_npoints(a), ss_config_npoints(b));
  for (long i = 0; i < ss_config_npoints(a); i++) {
    char la[512], lb[512];
    ss_config_point_label(a, i, la, sizeof la);
    ss_config_point_label(b, i, lb, sizeof lb);
    CU_ASSERT_STRING_EQUAL(la, lb);
  }
}

/* A default as YAML text, read without the config code: numbers by strtod, booleans by
 * word, names and "[a, b]" lists by splitting. Returns whether the config's value matches. */
static int default_matches(const ss_config *c, const ss_key *k)
{
  const char *d = k->def, *p = k->path;
  switch (k->type) {
  case SS_T_BOOL: return ss_cfg_bool(c, p) == !strcmp(d, "true");
  case SS_T_INT: return (double)ss_cfg_int(c, p) == strtod(d, NULL);
  case SS_T_REAL: return ss_cfg_real(c, p) == strtod(d, NULL);
  case SS_T_STRING:
  case SS_T_ENUM: return !strcmp(ss_cfg_str(c, p), d);
  case SS_T_ENUM_LIST: {
    int n;
    const char *const *v = ss_cfg_enum_list(c, p, &n);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", d);
    int i = 0;
    for (char *tok = strtok(buf, "[], "); tok; tok = strtok(NULL, "[], "), i++)
      if (i >= n || strcmp(v[i], tok)) return 0;
    return i == n;
  }
  case SS_T_REAL_LIST:
  case SS_T_INT_LIST: {
    int n;
    const double *v = ss_cfg_list(c, p, &n);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", d);
    int i = 0;
    for (char *tok = strtok(buf, "[], "); tok; tok = strtok(NULL, "[], "), i++)
      if (i >= n || v[i] != strtod(tok, NULL)) return 0;
    return i == n;
  }
  case SS_T_REAL_MATRIX: return 1; /* no matrix key has a default */
  }
  return 0;
}

static void test_defaults(void)
{
  ss_config *c = parse("experiment: facility\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_STRING_EQUAL(ss_cfg_experiment(c), "facility");
  CU_ASSERT_STRING_EQUAL(ss_cfg_source(c), "t.yaml");
  const ss_key *keys[512];
  int n = all_keys(ss_experiment_find("facility"), keys, 512);
  CU_ASSERT(n == ss_ncommon_keys + ss_schema_nkeys(ss_experiment_find("facility")));
  for (int i = 0; i < n; i++) {
    const ss_key *k = keys[i];
    int set = !strcmp(k->path, "experiment");
    CU_ASSERT_EQUAL(ss_cfg_is_set(c, k->path), set);
    if (set) continue;
    CU_ASSERT_EQUAL(ss_cfg_has(c, k->path), k->def != NULL);
    if (k->def) {
      int ok = default_matches(c, k);
      CU_ASSERT(ok);
      if (!ok) fprintf(stderr, "\ndefault of %s is not '%s'\n", k->path, k->def);
    }
  }
  /* the defaults the documents promise (MODELS.md section 0, DESIGN.md) */
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "facility.median"), "lower");
  int nm;
  const char *const *mechs = ss_cfg_enum_list(c, "facility.mechanisms", &nm);
  CU_ASSERT_EQUAL_FATAL(nm, 2);
  CU_ASSERT_STRING_EQUAL(mechs[0], "mean");
  CU_ASSERT_STRING_EQUAL(mechs[1], "median");
  CU_ASSERT_EQUAL(ss_cfg_int(c, "seeds"), 1);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "parallel.groups"), 1);
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "output.dir"), "results");
  CU_ASSERT_EQUAL(ss_cfg_bool(c, "output.dump_data"), 0);
  CU_ASSERT(ss_cfg_real(c, "facility.lo") < ss_cfg_real(c, "facility.hi"));
  CU_ASSERT_PTR_NULL(ss_cfg_str(c, "name"));
  int rows = -1, cols = -1;
  CU_ASSERT_PTR_NULL(ss_cfg_matrix(c, "facility.locations", &rows, &cols));
  CU_ASSERT_EQUAL(rows, 0);
  CU_ASSERT_EQUAL(cols, 0);
  CU_ASSERT_EQUAL(ss_config_npoints(c), 1);
  ss_config_free(&c);
  CU_ASSERT_PTR_NULL(c);
  ss_config_free(&c); /* freeing NULL is harmless */
}

static const char *const full_text =
    "# every facility key, nested\n"
    "experiment: facility\n"
    "name: full run\n"
    "seed: 4294967295\n"
    "seeds: 3\n"
    "parallel:\n"
    "  groups: 2\n"
    "output:\n"
    "  dir: out/x\n"
    "  dump_data: yes\n"
    "facility:\n"
    "  agents: 3\n"
    "  dims: 2\n"
    "  lo: -2.5\n"
    "  hi: 0.30000000000000004\n"
    "  locations:\n"
    "    - [-2.5, 0.1]\n"
    "    - [-0.0, 0.30000000000000004]\n"
    "    - [-1e-300, -2.5]\n"
    "  mechanisms:\n"
    "    - median\n"
    "    - mean\n"
    "  median: upper\n"
    "  max_rounds: 1e3\n"
    "  tol: 1e-6\n"
    "  write_agents: off\n";

static void test_nested_paths(void)
{
  ss_config *c = parse(full_text);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "name"), "full run");
  CU_ASSERT_EQUAL(ss_cfg_int(c, "seed"), 4294967295LL);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "seeds"), 3);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "parallel.groups"), 2);
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "output.dir"), "out/x");
  CU_ASSERT_EQUAL(ss_cfg_bool(c, "output.dump_data"), 1);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "facility.agents"), 3);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "facility.dims"), 2);
  CU_ASSERT_EQUAL(ss_cfg_real(c, "facility.lo"), -2.5);
  CU_ASSERT_EQUAL(ss_cfg_real(c, "facility.hi"), 0.1 + 0.2);
  int rows, cols;
  const double *loc = ss_cfg_matrix(c, "facility.locations", &rows, &cols);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loc);
  CU_ASSERT_EQUAL(rows, 3);
  CU_ASSERT_EQUAL(cols, 2);
  const double want[6] = {-2.5, 0.1, 0, 0.1 + 0.2, -1e-300, -2.5};
  for (int i = 0; i < 6; i++) CU_ASSERT(same_bits(loc[i], want[i])); /* -0.0 read as +0 */
  int n;
  const char *const *m = ss_cfg_enum_list(c, "facility.mechanisms", &n);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  CU_ASSERT_STRING_EQUAL(m[0], "median"); /* order as written */
  CU_ASSERT_STRING_EQUAL(m[1], "mean");
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "facility.median"), "upper");
  CU_ASSERT_EQUAL(ss_cfg_int(c, "facility.max_rounds"), 1000); /* an integer written as 1e3 */
  CU_ASSERT_EQUAL(ss_cfg_real(c, "facility.tol"), 1e-6);
  CU_ASSERT_EQUAL(ss_cfg_bool(c, "facility.write_agents"), 0);
  /* an int key read as real gives the same number */
  CU_ASSERT_EQUAL(ss_cfg_real(c, "facility.agents"), 3.0);
  CU_ASSERT(ss_cfg_is_set(c, "facility.agents"));
  CU_ASSERT(ss_cfg_is_set(c, "parallel.groups"));
  ss_config_free(&c);

  /* flow style for a section is the same config as block style */
  ss_config *a = parse("experiment: facility\nfacility: {agents: 5, median: mean}\noutput: {dir: r}\n");
  ss_config *b = parse("experiment: facility\nfacility:\n  agents: 5\n  median: mean\noutput:\n  dir: r\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  assert_same_config(a, b);
  CU_ASSERT_EQUAL(ss_cfg_int(a, "facility.agents"), 5);
  ss_config_free(&a);
  ss_config_free(&b);
}

static void test_integer_spellings(void)
{
  static const struct { const char *text; long long want; } cases[] = {
    {"1e3", 1000}, {"2.0e1", 20}, {"1.5e1", 15}, {"+7", 7}, {"1000000000", 1000000000}, {"1E2", 100},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[256];
    snprintf(text, sizeof text, "experiment: facility\nfacility:\n  agents: %s\n", cases[i].text);
    ss_config *c = parse(text);
    if (!c) continue;
    CU_ASSERT_EQUAL(ss_cfg_int(c, "facility.agents"), cases[i].want);
    ss_config_free(&c);
  }
  ss_config *c = parse("experiment: facility\nseed: 0\nfacility: {tol: 1}\n"); /* closed ends accepted */
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "seed"), 0);
  CU_ASSERT_EQUAL(ss_cfg_real(c, "facility.tol"), 1.0);
  ss_config_free(&c);
}

static void test_set_overrides(void)
{
  char *sets[] = {
    "facility.agents=2",                      /* int, wins over the file's 5 */
    "facility.lo=-1.5",                       /* real */
    "output.dump_data=true",                  /* bool */
    "facility.mechanisms=[median]",           /* enum list */
    "facility.locations=[[0.25, -1], [1e-3, 0.5]]", /* matrix as flow text */
    "facility.median=mean",                   /* enum */
    "name=from set",                          /* string */
    "seed=7",
    "seed=8",                                 /* the last --set of a key wins */
  };
  int nsets = (int)(sizeof sets / sizeof sets[0]);
  ss_config *c = parse_sets("experiment: facility\nseed: 3\nfacility:\n  agents: 5\n  dims: 2\n  lo: 0\n",
                            sets, nsets);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "facility.agents"), 2);
  CU_ASSERT_EQUAL(ss_cfg_real(c, "facility.lo"), -1.5);
  CU_ASSERT_EQUAL(ss_cfg_bool(c, "output.dump_data"), 1);
  int n;
  const char *const *m = ss_cfg_enum_list(c, "facility.mechanisms", &n);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  CU_ASSERT_STRING_EQUAL(m[0], "median");
  int rows, cols;
  const double *loc = ss_cfg_matrix(c, "facility.locations", &rows, &cols);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loc);
  CU_ASSERT_EQUAL(rows, 2);
  CU_ASSERT_EQUAL(cols, 2);
  CU_ASSERT(loc[0] == 0.25 && loc[1] == -1 && loc[2] == 1e-3 && loc[3] == 0.5);
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "facility.median"), "mean");
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "name"), "from set");
  CU_ASSERT_EQUAL(ss_cfg_int(c, "seed"), 8);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "facility.dims"), 2); /* untouched keys keep the file's value */
  CU_ASSERT_STRING_EQUAL(ss_cfg_where(c, "facility.agents"), "--set facility.agents=2");
  CU_ASSERT_STRING_EQUAL(ss_cfg_where(c, "seed"), "--set seed=8");
  CU_ASSERT(ss_cfg_is_set(c, "output.dump_data"));

  /* the overrides as given, for the manifest */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ss_config_write_overrides_json(c, f);
  fclose(f);
  CU_ASSERT_STRING_EQUAL(buf,
                         "[\"facility.agents=2\", \"facility.lo=-1.5\", \"output.dump_data=true\", "
                         "\"facility.mechanisms=[median]\", \"facility.locations=[[0.25, -1], [1e-3, 0.5]]\", "
                         "\"facility.median=mean\", \"name=from set\", \"seed=7\", \"seed=8\"]");
  free(buf);
  ss_config_free(&c);

  /* the experiment itself may come from --set; a string value with a quote is escaped in JSON */
  char *exp_set[] = {"experiment=facility", "name=a\"b"};
  c = parse_sets("seed: 4\n", exp_set, 2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_STRING_EQUAL(ss_cfg_experiment(c), "facility");
  CU_ASSERT_EQUAL(ss_cfg_int(c, "seed"), 4);
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "name"), "a\"b");
  buf = NULL;
  f = open_memstream(&buf, &len);
  ss_config_write_overrides_json(c, f);
  fclose(f);
  CU_ASSERT_STRING_EQUAL(buf, "[\"experiment=facility\", \"name=a\\\"b\"]");
  free(buf);
  ss_config_free(&c);

  /* no overrides: an empty JSON list */
  c = parse("experiment: facility\n");
  buf = NULL;
  f = open_memstream(&buf, &len);
  ss_config_write_overrides_json(c, f);
  fclose(f);
  CU_ASSERT_STRING_EQUAL(buf, "[]");
  free(buf);
  ss_config_free(&c);

  /* --set null on an optional key unsets what the file gave */
  char *unset[] = {"facility.locations=~"};
  c = parse_sets("experiment: facility\nfacility:\n  agents: 1\n  dims: 1\n  locations: [[0.5]]\n", unset, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_FALSE(ss_cfg_has(c, "facility.locations"));
  ss_config_free(&c);
}

static const char *const sweep_text =
    "experiment: facility\n"
    "facility:\n"
    "  agents: 9\n"
    "  median: lower\n"
    "sweep:\n"
    "  facility.agents: [3, 5]\n"
    "  facility.median: [lower, upper, mean]\n"
    "  seed: [11, 12]\n";

static void test_sweep_product(void)
{
  ss_config *c = parse(sweep_text);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(ss_config_npoints(c), 2 * 3 * 2);
  const long long agents[2] = {3, 5}, seeds[2] = {11, 12};
  const char *medians[3] = {"lower", "upper", "mean"};
  for (long i = 0; i < 12; i++) {
    /* last key fastest: i = ((a * 3) + m) * 2 + s */
    int a = (int)(i / 6), m = (int)(i / 2 % 3), s = (int)(i % 2);
    ss_config *pt = NULL;
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(ss_config_point(c, i, &pt, &e), SS_OK);
    CU_ASSERT_EQUAL(ss_cfg_int(pt, "facility.agents"), agents[a]);
    CU_ASSERT_STRING_EQUAL(ss_cfg_str(pt, "facility.median"), medians[m]);
    CU_ASSERT_EQUAL(ss_cfg_int(pt, "seed"), seeds[s]);
    CU_ASSERT_EQUAL(ss_config_npoints(pt), 1); /* a point has no sweep */
    CU_ASSERT_EQUAL(ss_cfg_int(pt, "facility.dims"), 2); /* unswept keys as in the base */
    char label[256], want[256];
    ss_config_point_label(c, i, label, sizeof label);
    snprintf(want, sizeof want, "facility.agents=%lld facility.median=%s seed=%lld", agents[a], medians[m],
             seeds[s]);
    CU_ASSERT_STRING_EQUAL(label, want);
    /* the point's value remembers the sweep entry it came from */
    CU_ASSERT(!strncmp(ss_cfg_where(pt, "seed"), "t.yaml:8:", 9));
    ss_config_free(&pt);
  }
  /* the base config keeps the file's values */
  CU_ASSERT_EQUAL(ss_cfg_int(c, "facility.agents"), 9);
  ss_config_free(&c);

  /* a sweep over a list-valued key: each value is a whole list */
  c = parse("experiment: facility\nsweep:\n  facility.mechanisms: [[mean], [median, mean]]\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(ss_config_npoints(c), 2);
  ss_config *pt = NULL;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(ss_config_point(c, 1, &pt, &e), SS_OK);
  int n;
  const char *const *m = ss_cfg_enum_list(pt, "facility.mechanisms", &n);
  CU_ASSERT_EQUAL(n, 2);
  if (n == 2) CU_ASSERT(!strcmp(m[0], "median") && !strcmp(m[1], "mean"));
  char label[256];
  ss_config_point_label(c, 0, label, sizeof label);
  CU_ASSERT_STRING_EQUAL(label, "facility.mechanisms=[mean]");
  ss_config_free(&pt);
  ss_config_free(&c);
}

static void test_set_pins_swept_key(void)
{
  char *sets[] = {"facility.median=upper"};
  ss_config *c = parse_sets(sweep_text, sets, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(ss_config_npoints(c), 4); /* median no longer swept */
  for (long i = 0; i < 4; i++) {
    ss_config *pt = NULL;
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(ss_config_point(c, i, &pt, &e), SS_OK);
    CU_ASSERT_STRING_EQUAL(ss_cfg_str(pt, "facility.median"), "upper");
    CU_ASSERT_EQUAL(ss_cfg_int(pt, "facility.agents"), i < 2 ? 3 : 5);
    CU_ASSERT_EQUAL(ss_cfg_int(pt, "seed"), 11 + i % 2);
    char label[256];
    ss_config_point_label(c, i, label, sizeof label);
    CU_ASSERT_PTR_NULL(strstr(label, "median"));
    ss_config_free(&pt);
  }
  /* pinning every swept key leaves one point */
  char *all[] = {"facility.median=upper", "seed=1", "facility.agents=4"};
  ss_config_free(&c);
  c = parse_sets(sweep_text, all, 3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_EQUAL(ss_config_npoints(c), 1);
  char label[64] = "x";
  ss_config_point_label(c, 0, label, sizeof label);
  CU_ASSERT_STRING_EQUAL(label, "");
  ss_config_free(&c);
}

/* Writes c as YAML, parses that text, and checks the two configs agree on every key; the
 * reparsed config writes the same bytes again. */
static void check_round_trip(const ss_config *c)
{
  char *text = NULL, *again = NULL;
  size_t len = 0, len2 = 0;
  FILE *f = open_memstream(&text, &len);
  ss_config_write_yaml(c, f);
  fclose(f);
  ss_config *back = NULL;
  ss_err e;
  ss_err_clear(&e);
  int rc = ss_config_parse(ss_cfg_source(c), text, len, NULL, 0, &back, &e);
  if (rc) fprintf(stderr, "\nshow-config output does not load: %s\n%s", e.msg, text);
  CU_ASSERT_EQUAL_FATAL(rc, SS_OK);
  assert_same_config(c, back);
  f = open_memstream(&again, &len2);
  ss_config_write_yaml(back, f);
  fclose(f);
  CU_ASSERT_STRING_EQUAL(text, again);
  /* every key of the schema is named in the output, sections nested */
  const ss_key *keys[512];
  int n = all_keys(ss_experiment_find(ss_cfg_experiment(c)), keys, 512);
  for (int i = 0; i < n; i++) {
    const char *dot = strrchr(keys[i]->path, '.');
    char line[300];
    snprintf(line, sizeof line, "\n%s%s:", dot ? "  " : "", dot ? dot + 1 : keys[i]->path);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, line));
  }
  free(text);
  free(again);
  ss_config_free(&back);
}

static void test_yaml_round_trip(void)
{
  const char *texts[] = {
    "experiment: facility\n",
    full_text,
    sweep_text,
    "experiment: facility\nname: \"quote \\\" backslash \\\\ tab \\t colon: hash # end\"\n"
    "facility: {lo: 0.1, hi: 1e12, tol: 5e-324}\n",
    "experiment: facility\nname: 'yes'\noutput: {dir: '~'}\n", /* strings that look like other types */
    "experiment: facility\nsweep:\n  facility.lo: [-0.0, 0.1]\n  facility.mechanisms: [[mean], [median, mean]]\n",
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    ss_config *c = parse(texts[i]);
    if (!c) continue;
    check_round_trip(c);
    ss_config_free(&c);
  }
  /* the unusual strings above survived as strings */
  ss_config *c = parse(texts[4]);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "name"), "yes");
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "output.dir"), "~");
  ss_config_free(&c);
  char *sets[] = {"facility.agents=2", "facility.dims=1", "facility.locations=[[0.5], [1]]"};
  c = parse_sets("experiment: facility\n", sets, 3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  check_round_trip(c);
  ss_config_free(&c);
}

/* ---- a small JSON checker: validates the grammar and records every object key's path ---- */

typedef struct {
  const char *s;
  int ok;
  char paths[128][128];
  int npaths;
} json;

static void ws(json *j)
{
  while (*j->s == ' ' || *j->s == '\n' || *j->s == '\t' || *j->s == '\r') j->s++;
}

static void jstring(json *j, char *out, size_t cap)
{
  size_t n = 0;
  if (*j->s != '"') { j->ok = 0; return; }
  j->s++;
  while (*j->s && *j->s != '"') {
    if ((unsigned char)*j->s < 0x20) { j->ok = 0; return; }
    if (*j->s == '\\') {
      j->s++;
      if (!strchr("\"\\/bfnrtu", *j->s) || !*j->s) { j->ok = 0; return; }
    }
    if (n + 1 < cap) out[n++] = *j->s;
    j->s++;
  }
  if (*j->s != '"') { j->ok = 0; return; }
  j->s++;
  out[n] = 0;
}

static void jvalue(json *j, const char *path);

static void jobject(json *j, const char *path)
{
  j->s++;
  ws(j);
  if (*j->s == '}') { j->s++; return; }
  for (;;) {
    char key[128], sub[256];
    ws(j);
    jstring(j, key, sizeof key);
    if (!j->ok) return;
    snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
    if (j->npaths < 128 && snprintf(j->paths[j->npaths++], 128, "%s", sub) >= 128) j->ok = 0; /* a path too long for the test */
    ws(j);
    if (*j->s != ':') { j->ok = 0; return; }
    j->s++;
    jvalue(j, sub);
    if (!j->ok) return;
    ws(j);
    if (*j->s == ',') { j->s++; continue; }
    if (*j->s == '}') { j->s++; return; }
    j->ok = 0;
    return;
  }
}

static void jarray(json *j, const char *path)
{
  j->s++;
  ws(j);
  if (*j->s == ']') { j->s++; return; }
  for (;;) {
    jvalue(j, path);
    if (!j->ok) return;
    ws(j);
    if (*j->s == ',') { j->s++; continue; }
    if (*j->s == ']') { j->s++; return; }
    j->ok = 0;
    return;
  }
}

static void jvalue(json *j, const char *path)
{
  ws(j);
  char tmp[512];
  if (*j->s == '{') jobject(j, path);
  else if (*j->s == '[') jarray(j, path);
  else if (*j->s == '"') jstring(j, tmp, sizeof tmp);
  else if (!strncmp(j->s, "true", 4)) j->s += 4;
  else if (!strncmp(j->s, "false", 5)) j->s += 5;
  else if (!strncmp(j->s, "null", 4)) j->s += 4;
  else {
    /* a JSON number: -?int frac? exp? (no nan, inf, leading +) */
    const char *p = j->s;
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else { j->ok = 0; return; }
    if (*p == '.') {
      p++;
      if (!(*p >= '0' && *p <= '9')) { j->ok = 0; return; }
      while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
      p++;
      if (*p == '+' || *p == '-') p++;
      if (!(*p >= '0' && *p <= '9')) { j->ok = 0; return; }
      while (*p >= '0' && *p <= '9') p++;
    }
    j->s = p;
  }
}

static int json_has_path(const json *j, const char *path)
{
  int n = 0;
  for (int i = 0; i < j->npaths; i++) n += !strcmp(j->paths[i], path);
  return n;
}

static void check_json(const ss_config *c, int indent)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  ss_config_write_json(c, f, indent);
  fclose(f);
  /* balanced braces and brackets outside strings */
  int depth = 0, min_depth = 0, in_str = 0;
  for (const char *p = text; *p; p++) {
    if (in_str) {
      if (*p == '\\') p++;
      else if (*p == '"') in_str = 0;
      continue;
    }
    if (*p == '"') in_str = 1;
    else if (*p == '{' || *p == '[') depth++;
    else if (*p == '}' || *p == ']') depth--;
    if (depth < min_depth) min_depth = depth;
  }
  CU_ASSERT_EQUAL(depth, 0);
  CU_ASSERT_EQUAL(min_depth, 0);
  CU_ASSERT_FALSE(in_str);
  json j = {text, 1, {{0}}, 0};
  jvalue(&j, "");
  ws(&j);
  CU_ASSERT(j.ok && *j.s == 0);
  if (!(j.ok && *j.s == 0)) fprintf(stderr, "\ninvalid JSON near: %.40s\nin:\n%s\n", j.s, text);
  const ss_key *keys[512];
  int n = all_keys(ss_experiment_find(ss_cfg_experiment(c)), keys, 512);
  for (int i = 0; i < n; i++) {
    CU_ASSERT_EQUAL(json_has_path(&j, keys[i]->path), 1);
    if (json_has_path(&j, keys[i]->path) != 1) fprintf(stderr, "\nJSON: key %s missing or repeated\n", keys[i]->path);
  }
  CU_ASSERT_EQUAL(json_has_path(&j, "sweep"), ss_config_npoints(c) > 1);
  free(text);
}

static void test_json_writer(void)
{
  const char *texts[] = {"experiment: facility\n", full_text, sweep_text,
                         "experiment: facility\nname: \"a\\\"b\\\\c\\td\"\n"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    ss_config *c = parse(texts[i]);
    if (!c) continue;
    check_json(c, 0);
    check_json(c, 2);
    ss_config_free(&c);
  }
}

static void test_where(void)
{
  ss_config *c = parse("experiment: facility\nfacility:\n  agents: 7\n  mechanisms: [median]\nseed:   9\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  CU_ASSERT_STRING_EQUAL(ss_cfg_where(c, "facility.agents"), "t.yaml:3:11");
  CU_ASSERT_STRING_EQUAL(ss_cfg_where(c, "facility.mechanisms"), "t.yaml:4:15");
  CU_ASSERT_STRING_EQUAL(ss_cfg_where(c, "seed"), "t.yaml:5:9");
  CU_ASSERT_STRING_EQUAL(ss_cfg_where(c, "experiment"), "t.yaml:1:13");
  CU_ASSERT_STRING_EQUAL(ss_cfg_where(c, "facility.dims"), "t.yaml"); /* default: the file only */
  /* a key's own error in the standard form */
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_cfg_error(c, "facility.agents", &e, "expected an odd count, found %d", 7), SS_EINPUT);
  CU_ASSERT_EQUAL(e.code, SS_EINPUT);
  CU_ASSERT_STRING_EQUAL(e.msg, "t.yaml:3:11: facility.agents: expected an odd count, found 7");
  ss_config_free(&c);
}

static void test_enum_list_and_null(void)
{
  ss_config *c = parse("experiment: facility\nfacility:\n  mechanisms: [median]\n  locations: ~\nname: null\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  int n = -1;
  const char *const *m = ss_cfg_enum_list(c, "facility.mechanisms", &n);
  CU_ASSERT_EQUAL(n, 1);
  CU_ASSERT_STRING_EQUAL(m[0], "median");
  CU_ASSERT_FALSE(ss_cfg_has(c, "facility.locations"));
  CU_ASSERT_PTR_NULL(ss_cfg_matrix(c, "facility.locations", NULL, NULL));
  CU_ASSERT_FALSE(ss_cfg_has(c, "name"));
  CU_ASSERT_PTR_NULL(ss_cfg_str(c, "name"));
  ss_config_free(&c);
  /* null means "not given" for keys with a default too (what show-config writes loads back) */
  char *sets[] = {"seeds=~"};
  ss_err e = {0};
  const char *text = "experiment: facility\nseed: ~\nfacility:\n  median: null\n  agents:\nseeds: 4\n";
  CU_ASSERT_EQUAL_FATAL(ss_config_parse("t.yaml", text, strlen(text), sets, 1, &c, &e), SS_OK);
  CU_ASSERT_EQUAL(ss_cfg_int(c, "seed"), 1);
  CU_ASSERT_FALSE(ss_cfg_is_set(c, "seed"));
  CU_ASSERT_EQUAL(ss_cfg_int(c, "seeds"), 1);
  CU_ASSERT_FALSE(ss_cfg_is_set(c, "seeds"));
  CU_ASSERT_STRING_EQUAL(ss_cfg_str(c, "facility.median"), "lower");
  CU_ASSERT_FALSE(ss_cfg_is_set(c, "facility.median"));
  ss_config_free(&c);
  /* every registered mechanism name is a valid choice, in any order */
  c = parse("experiment: facility\nfacility:\n  mechanisms:\n    - median\n    - mean\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  m = ss_cfg_enum_list(c, "facility.mechanisms", &n);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  CU_ASSERT_STRING_EQUAL(m[0], "median");
  CU_ASSERT_STRING_EQUAL(m[1], "mean");
  ss_config_free(&c);
  /* booleans in every YAML spelling the schema accepts */
  const char *yes[] = {"true", "True", "yes", "on"}, *no[] = {"false", "FALSE", "no", "off"};
  for (int i = 0; i < 4; i++) {
    char text[128];
    snprintf(text, sizeof text, "experiment: facility\noutput:\n  dump_data: %s\nfacility:\n  write_agents: %s\n",
             yes[i], no[i]);
    c = parse(text);
    if (!c) continue;
    CU_ASSERT_EQUAL(ss_cfg_bool(c, "output.dump_data"), 1);
    CU_ASSERT_EQUAL(ss_cfg_bool(c, "facility.write_agents"), 0);
    ss_config_free(&c);
  }
}

/* The shipped configs are valid. */
static void test_shipped_demo(void)
{
  FILE *f = fopen("configs/demo.yaml", "rb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  char buf[65536];
  size_t len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  ss_config *c = NULL;
  ss_err e;
  ss_err_clear(&e);
  int rc = ss_config_parse("configs/demo.yaml", buf, len, NULL, 0, &c, &e);
  if (rc) fprintf(stderr, "\nconfigs/demo.yaml: %s\n", e.msg);
  CU_ASSERT_EQUAL(rc, SS_OK);
  if (c) CU_ASSERT_STRING_EQUAL(ss_cfg_experiment(c), "facility");
  ss_config_free(&c);
}

static void test_docs_in_step(void)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  ss_schema_write_markdown(f);
  fclose(f);
  /* the generator names every key of every experiment */
  for (int i = 0; i < ss_ncommon_keys; i++) {
    char cell[256];
    snprintf(cell, sizeof cell, "| `%s` |", ss_common_keys[i].path);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, cell));
  }
  for (int x = 0; x < ss_experiment_count(); x++)
    for (int i = 0; i < ss_schema_nkeys(ss_experiment_at(x)); i++) { /* plug-ins' keys too */
      char cell[256];
      snprintf(cell, sizeof cell, "| `%s` |", ss_schema_key(ss_experiment_at(x), i)->path);
      CU_ASSERT_PTR_NOT_NULL(strstr(text, cell));
    }
  FILE *doc = fopen("docs/config.md", "rb");
  if (!doc) {
    fprintf(stderr, "\ndocs/config.md is missing: run `make docs` to generate it from the schema\n");
    CU_FAIL("docs/config.md is missing: run `make docs`");
    free(text);
    return;
  }
  char *want = NULL;
  size_t wlen = 0;
  FILE *w = open_memstream(&want, &wlen);
  char chunk[4096];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, doc)) > 0) fwrite(chunk, 1, got, w);
  fclose(doc);
  fclose(w);
  int same = len == wlen && !memcmp(text, want, len);
  CU_ASSERT(same);
  if (!same) {
    size_t at = 0;
    while (at < len && at < wlen && text[at] == want[at]) at++;
    fprintf(stderr, "\ndocs/config.md is out of step with the schema from byte %zu: run `make docs`\n", at);
  }
  free(text);
  free(want);
}

SS_UNIT_SUITE(suite_config)
{
  ss_unit_suite("config");
  ss_unit_test("defaults from the schema", test_defaults);
  ss_unit_test("nested mappings are dotted paths", test_nested_paths);
  ss_unit_test("integers written as reals", test_integer_spellings);
  ss_unit_test("--set overrides every type and wins", test_set_overrides);
  ss_unit_test("sweep cartesian product", test_sweep_product);
  ss_unit_test("--set pins a swept key", test_set_pins_swept_key);
  ss_unit_test("show-config YAML round trip", test_yaml_round_trip);
  ss_unit_test("JSON writer", test_json_writer);
  ss_unit_test("where a value came from", test_where);
  ss_unit_test("enum lists, booleans and null", test_enum_list_and_null);
  ss_unit_test("configs/demo.yaml is valid", test_shipped_demo);
  ss_unit_test("docs/config.md in step with the schema", test_docs_in_step);
}
