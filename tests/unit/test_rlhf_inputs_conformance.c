/* The conformance suites of the RLHF experiment's input families, iterating the registry (as
 * test_rlhf_conformance.c does for the aggregators): environment types (rlhf.env.type),
 * environment models (rlhf.env.model), population models (rlhf.population.model) and the
 * enumerations (rlhf.median, rlhf.data, rlhf.mdp.features, rlhf.population.norm,
 * rlhf.momle.set). Every member is checked without being named here: its name finds it back
 * in the registry, a config naming it selects it and its own setup reads its settings, its
 * output has the declared shape, is finite and is the same bits for the same key;
 * features are what the environment holds, with L their largest norm; every theta_i* lies in
 * the ball of radius B and does not depend on the order labelers are drawn in. A member may
 * add a small reference hook below (its output from the definition, MODELS 1.1-1.2, 1.9). The
 * schema-vs-registry checks of every family are in test_plugins.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stratsim/plugin.h"
#include "stratsim/rlhf.h"
#include "../../src/rlhf/choices.h"
#include "../../src/rlhf/env_model.h"
#include "../../src/rlhf/env_type.h"
#include "../../src/rlhf/population_model.h"
#include "conformance.h"
#include "rlhf_select.h"
#include "unit.h"

enum { S = 3, A = 2, D = 3, KL = 6 };

static int all_finite(const double *v, int n)
{
  for (int i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

static double norm(const double *v, int n)
{
  double s = 0;
  for (int i = 0; i < n; i++) s += v[i] * v[i];
  return sqrt(s);
}

static ss_config *parse_rlhf(const char *yaml, const char *set1, ss_err *e)
{
  return ss_unit_parse_config("experiment: rlhf\nrlhf:\n  d: 3\n  env:\n    states: 3\n    actions: 2\n", yaml, set1, e);
}

/* ------------------------------------------------------------------ environment types */
/* S*A rows of D features with distinct norms (the largest 5: row 4). */
static const double given_phi[S * A * D] = {1, 0, 0, 0, 2, 0, 0, 0, 0.5, 1, 1, 1, 3, -4, 0, -0.25, 0.5, 0};

typedef struct {
  rlhf_params p;
  ss_unit_rlhf_inputs sel;
  char file[64];
  const double *want; /* the features from the definition, or NULL */
  double row_norm;    /* > 0: every row has this norm */
} env_case;

/* "[[a, b, c], ...]": the S*A rows of given_phi as a YAML matrix */
static void phi_yaml(char *buf, size_t len)
{
  size_t u = (size_t)snprintf(buf, len, "[");
  for (int r = 0; r < S * A; r++)
    u += (size_t)snprintf(buf + u, len - u, "%s[%.17g, %.17g, %.17g]", r ? ", " : "", given_phi[r * D],
                          given_phi[r * D + 1], given_phi[r * D + 2]);
  snprintf(buf + u, len - u, "]");
}

/* Reference hook: the inputs of a type (its config lines) and what it must give. */
static void env_case_of(const char *name, env_case *c)
{
  char lines[1024], mat[512];
  rlhf_params_default(&c->p);
  c->p.S = S;
  c->p.A = A;
  c->p.d = D;
  c->p.seed = 31;
  c->p.L = 2.5;
  c->want = NULL;
  c->row_norm = 0;
  c->file[0] = 0;
  lines[0] = 0;
  if (!strcmp(name, "gaussian")) c->row_norm = 2.5;
  if (!strcmp(name, "explicit")) {
    phi_yaml(mat, sizeof mat);
    snprintf(lines, sizeof lines, "    features: %s\n", mat);
    c->want = given_phi;
  }
  if (!strcmp(name, "csv")) {
    snprintf(c->file, sizeof c->file, "/tmp/stratsim-envconf-XXXXXX");
    int fd = mkstemp(c->file);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "phi_1,phi_2,phi_3\n");
    for (int r = 0; r < S * A; r++)
      fprintf(f, "%.17g,%.17g,%.17g\n", given_phi[r * D], given_phi[r * D + 1], given_phi[r * D + 2]);
    fclose(f);
    snprintf(lines, sizeof lines, "    file: %s\n", c->file);
    c->want = given_phi;
  }
  char yaml[2048];
  snprintf(yaml, sizeof yaml, "  d: %d\n  env:\n    type: %s\n    states: %d\n    actions: %d\n%s", D, name, S, A, lines);
  ss_err e;
  CU_ASSERT_EQUAL_FATAL(ss_unit_rlhf_select(yaml, &c->p, &c->sel, &e), SS_OK);
}

static void env_case_free(env_case *c)
{
  ss_unit_rlhf_release(&c->sel);
  if (c->file[0]) unlink(c->file);
}

static void check_env_type(const rlhf_env_type_ops *ops)
{
  CU_ASSERT_PTR_NOT_NULL_FATAL(ops->features);
  CU_ASSERT(rlhf_env_type_find(ops->name) == ops);
  env_case c;
  env_case_of(ops->name, &c);
  CU_ASSERT(c.p.env_type == ops); /* the config naming it selects it */
  ss_err e;
  ss_err_clear(&e);
  double *a = NULL, *b = NULL;
  CU_ASSERT_EQUAL_FATAL(ops->features(&c.p, &a, &e), SS_OK);
  CU_ASSERT_EQUAL_FATAL(ops->features(&c.p, &b, &e), SS_OK);
  size_t n = (size_t)S * A * D;
  CU_ASSERT(all_finite(a, (int)n));
  CU_ASSERT(!memcmp(a, b, n * sizeof *a)); /* the same key: the same bits */
  double maxnorm = 0;
  for (int r = 0; r < S * A; r++) {
    double nr = norm(a + r * D, D);
    maxnorm = fmax(maxnorm, nr);
    if (c.row_norm > 0) CU_ASSERT(fabs(nr - c.row_norm) <= 1e-12 * c.row_norm);
  }
  if (c.want) CU_ASSERT(!memcmp(a, c.want, n * sizeof *a));
  /* the environment holds these features, and L is their largest norm (an upper bound on
   * every ||phi(s,a)||) */
  rlhf_env env;
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&c.p, &env, &e), SS_OK);
  CU_ASSERT(env.S == S && env.A == A && env.d == D);
  CU_ASSERT(!memcmp(env.phi, a, n * sizeof *a));
  CU_ASSERT(env.L >= maxnorm && env.L <= maxnorm * (1 + 1e-15));
  rlhf_env_destroy(&env);
  free(a);
  free(b);
  env_case_free(&c);
}

static void test_env_types(void)
{
  CU_ASSERT(ss_plugin_count(&rlhf_env_types) >= 1);
  for (int i = 0; i < ss_plugin_count(&rlhf_env_types); i++) check_env_type(ss_plugin_at(&rlhf_env_types, i));
}

/* A type that checks its inputs refuses a config without them, naming one of its keys; one
 * without a check validates with nothing more (conformance.c). */
static ss_config *parse_set(const char *set, ss_err *e) { return parse_rlhf("", set, e); }
/* the types with an input that has no default (a key without one): they need it given */
static int env_type_checks(const void *ops)
{
  const rlhf_env_type_ops *t = ops;
  for (int j = 0; j < t->nkeys; j++)
    if (!t->keys[j].def) return 1;
  return 0;
}
static void test_env_types_check(void) { ss_unit_check_inputs_refused(&rlhf_env_types, parse_set, env_type_checks); }

/* ------------------------------------------------------------------ environment models */
/* Reference hook: is the model an MDP at horizon H (-1: no reference)? */
static int ref_model_mdp(const char *name, int H)
{
  if (!strcmp(name, "auto")) return H > 1;
  if (!strcmp(name, "contextual")) return 0;
  if (!strcmp(name, "mdp")) return 1;
  return -1;
}

static void test_env_models(void)
{
  CU_ASSERT(ss_plugin_count(&rlhf_env_models) >= 1);
  for (int i = 0; i < ss_plugin_count(&rlhf_env_models); i++) {
    const rlhf_env_model_ops *ops = ss_plugin_at(&rlhf_env_models, i);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->mdp);
    for (int H = 1; H <= 4; H++) {
      int m = ops->mdp(H);
      const rlhf_env_model_ops *in_effect = ops->resolve ? ops->resolve(H) : ops;
      CU_ASSERT(in_effect->resolve == NULL && in_effect->mdp(H) == m); /* it stands for a registered model */
      CU_ASSERT(ss_plugin_find(&rlhf_env_models, in_effect->name) == in_effect);
      CU_ASSERT(m == 0 || m == 1);
      CU_ASSERT_EQUAL(m, ops->mdp(H));
      if (H > 1) CU_ASSERT(m == 1 || !strcmp(ops->name, "contextual")); /* H > 1 is an MDP */
      int want = ref_model_mdp(ops->name, H);
      if (want >= 0) CU_ASSERT_EQUAL(m, want);
    }
    /* a config naming the model selects it (at horizon 1, the one every model accepts) */
    char sel[128];
    snprintf(sel, sizeof sel, "rlhf.env.model=%s", ops->name);
    ss_err e;
    ss_config *cfg = parse_rlhf("", sel, &e);
    if (cfg) {
      CU_ASSERT(ss_plugin_selected(&rlhf_env_models, cfg) == ops);
      CU_ASSERT_EQUAL(rlhf_env_model_mdp(cfg), ops->mdp(1));
    } else {
      CU_ASSERT_EQUAL(e.code, SS_EINPUT); /* a refusal of the combination, never a crash */
      CU_ASSERT(strstr(e.msg, "not registered") == NULL);
    }
    ss_config_free(&cfg);
  }
}

/* ------------------------------------------------------------------ population models */
/* explicit thetas: each of norm <= B (the config checks it) */
static const double pop_thetas[KL * D] = {0.1, 0.2, 0.3, -0.5, 0, 0.5, 0, 0, 0, 0.75, 0, 0, 0, -0.3, 0.4, 0.2, 0.2, -0.2};
static const double pop_mean[D] = {0.3, -0.2, 0.1};

/* The config lines of each model's settings (a model with other keys gets none of them: the
 * config refuses a key its model does not read). */
static void pop_settings(const char *name, int degenerate, char *buf, size_t len)
{
  buf[0] = 0;
  if (!strcmp(name, "gaussian"))
    snprintf(buf, len, degenerate ? "    mean: [0.3, -0.2, 0.1]\n    std: 0\n" : "    std: 0.6\n    mean_norm: 0.7\n");
  if (!strcmp(name, "clusters"))
    snprintf(buf, len, degenerate ? "    mean: [0.3, -0.2, 0.1]\n    cluster_spread: 0\n    cluster_std: 0\n"
                                  : "    mean_norm: 0.7\n    clusters: 3\n    cluster_spread: 0.5\n    cluster_std: 0.4\n");
  if (!strcmp(name, "explicit"))
    snprintf(buf, len, "    thetas: [[0.1, 0.2, 0.3], [-0.5, 0, 0.5], [0, 0, 0], [0.75, 0, 0], [0, -0.3, 0.4], [0.2, 0.2, -0.2]]\n");
  if (!strcmp(name, "ktimes")) snprintf(buf, len, "    delta: 0.1\n");
}

/* Reference hook: the theta_i* of the model under degenerate settings where the definition
 * gives it in closed form (want: KL x D), and whether the model is a keyed random draw. */
static int pop_reference(const char *name, const rlhf_params *p, double *want, int *random)
{
  *random = 0;
  if (!strcmp(name, "gaussian") || !strcmp(name, "clusters")) {
    *random = 1; /* no spread: every labeler at the mean */
    for (int i = 0; i < KL; i++) memcpy(want + i * D, pop_mean, sizeof pop_mean);
    return 1;
  }
  if (!strcmp(name, "explicit")) {
    memcpy(want, pop_thetas, sizeof pop_thetas);
    return 1;
  }
  if (!strcmp(name, "ktimes")) { /* MODELS 1.9, m = 3: values 1, 1 - delta, 0 */
    double dl = 0.1, n = sqrt(1 + (1 - dl) * (1 - dl));
    for (int i = 0; i < KL; i++) {
      double *t = want + i * D;
      if (i == 0) t[0] = 1, t[1] = 1 - dl, t[2] = 0;
      else t[0] = 0, t[1] = 1, t[2] = 1 - dl;
      for (int j = 0; j < D; j++) t[j] *= p->B / n;
    }
    return 1;
  }
  return 0;
}

/* p with the model selected by name and its settings read by its setup (degenerate: the
 * reference's settings; norm: the population.norm line or ""). */
static void pop_params(const rlhf_population_ops *ops, int degenerate, const char *norm, rlhf_params *p,
                       ss_unit_rlhf_inputs *sel)
{
  rlhf_params_default(p);
  p->d = D;
  p->k = KL;
  p->seed = 77;
  p->B = 0.8; /* below some draws' norms: the projection onto the ball is exercised */
  char settings[512], yaml[1024];
  pop_settings(ops->name, degenerate, settings, sizeof settings);
  snprintf(yaml, sizeof yaml, "  d: %d\n  k: %d\n  B: 0.8\n  population:\n    model: %s\n%s%s", D, KL, ops->name,
           settings, norm);
  ss_err e;
  CU_ASSERT_EQUAL_FATAL(ss_unit_rlhf_select(yaml, p, sel, &e), SS_OK);
  CU_ASSERT(p->population == ops); /* the config naming it selects it */
}

/* Does the model read population.norm (gaussian, clusters)? */
static int reads_norm(const rlhf_population_ops *ops)
{
  for (int j = 0; j < ops->nkeys; j++)
    if (!strcmp(ops->keys[j].path, "rlhf.population.norm")) return 1;
  return 0;
}

static void check_population(const rlhf_population_ops *ops)
{
  CU_ASSERT_PTR_NOT_NULL_FATAL(ops->theta);
  CU_ASSERT(ss_plugin_find(&rlhf_populations, ops->name) == ops);
  rlhf_params p;
  ss_unit_rlhf_inputs sel;
  pop_params(ops, 0, "", &p, &sel);
  double fwd[KL * D], back[KL * D], again[KL * D];
  for (int i = 0; i < KL * D; i++) fwd[i] = back[i] = NAN;
  for (int i = 0; i < KL; i++) ops->theta(&p, i, fwd + i * D);
  for (int i = KL - 1; i >= 0; i--) ops->theta(&p, i, back + i * D); /* any order */
  for (int i = 0; i < KL; i++) rlhf_theta_star(&p, i, again + i * D); /* through the selection */
  CU_ASSERT(all_finite(fwd, KL * D));
  CU_ASSERT(!memcmp(fwd, back, sizeof fwd));
  CU_ASSERT(!memcmp(fwd, again, sizeof fwd));
  for (int i = 0; i < KL; i++) CU_ASSERT(norm(fwd + i * D, D) <= p.B * (1 + 1e-12));
  ss_unit_rlhf_release(&sel);
  /* the sphere: full strength, only the direction varies (for the models that read the norm) */
  if (reads_norm(ops)) {
    pop_params(ops, 0, "    norm: sphere\n", &p, &sel);
    for (int i = 0; i < KL; i++) {
      double t[D];
      ops->theta(&p, i, t);
      CU_ASSERT(fabs(norm(t, D) - p.B) <= 1e-12 * p.B);
    }
    ss_unit_rlhf_release(&sel);
  }
  double want[KL * D];
  int random;
  pop_params(ops, 1, "", &p, &sel);
  if (pop_reference(ops->name, &p, want, &random)) {
    for (int i = 0; i < KL; i++) {
      double t[D];
      ops->theta(&p, i, t);
      for (int j = 0; j < D; j++) CU_ASSERT_DOUBLE_EQUAL(t[j], want[i * D + j], 1e-15);
    }
  }
  ss_unit_rlhf_release(&sel);
  if (random) { /* the seed keys the draw */
    pop_params(ops, 0, "", &p, &sel);
    double other[KL * D];
    p.seed = 78;
    for (int i = 0; i < KL; i++) ops->theta(&p, i, other + i * D);
    CU_ASSERT(memcmp(fwd, other, sizeof fwd) != 0);
    ss_unit_rlhf_release(&sel);
  }
}

static void test_populations(void)
{
  CU_ASSERT(ss_plugin_count(&rlhf_populations) >= 1);
  for (int i = 0; i < ss_plugin_count(&rlhf_populations); i++) check_population(ss_plugin_at(&rlhf_populations, i));
}

/* ------------------------------------------------------------------ unread inputs */
/* A value of key k's type, other than its default, that parses (the config then refuses it
 * only for being unread); the schema's copy of k has the registry's choices filled in. */
static const char *other_value(const ss_key *k, char *buf, size_t len)
{
  const ss_experiment_ops *exp = ss_experiment_find("rlhf");
  for (int i = 0; i < ss_schema_nkeys(exp); i++)
    if (!strcmp(ss_schema_key(exp, i)->path, k->path)) k = ss_schema_key(exp, i);
  switch (k->type) {
  case SS_T_REAL_LIST: return "[0.1, 0.1, 0.1]";
  case SS_T_REAL_MATRIX: return "[[0.1, 0.1, 0.1]]";
  case SS_T_STRING: return "unread.csv";
  case SS_T_BOOL: return k->def && !strcmp(k->def, "true") ? "false" : "true";
  case SS_T_ENUM: /* the first choice that is not the default */
    for (const char *c = k->choices; c && *c;) {
      size_t n = strcspn(c, "|");
      if (!k->def || strlen(k->def) != n || strncmp(c, k->def, n)) {
        snprintf(buf, len, "%.*s", (int)n, c);
        return buf;
      }
      c += n + (c[n] == '|');
    }
    return "?";
  default: /* a number inside the range, not the default */
    snprintf(buf, len, "%.6g", (k->min + k->max) / 2);
    if (k->def && !strcmp(buf, k->def)) snprintf(buf, len, "%.6g", k->max);
    return buf;
  }
}

/* The config of the defaults with two --set lines, or NULL with the error in e. */
static ss_config *parse_two(const char *a, const char *b, ss_err *e)
{
  static const char text[] = "experiment: rlhf\nrlhf:\n  d: 3\n  env:\n    states: 3\n    actions: 2\n";
  char one[256], two[256];
  snprintf(one, sizeof one, "%s", a);
  snprintf(two, sizeof two, "%s", b);
  char *sets[2] = {one, two};
  ss_config *c = NULL;
  ss_err_clear(e);
  return ss_config_parse("unread.yaml", text, strlen(text), sets, 2, &c, e) ? NULL : c;
}

/* One generic rule for every input family: a key of a plug-in that is not the one in effect,
 * set in the config, is refused (exit 2), naming the key and the plug-in that reads it. For
 * each plug-in's key, each other plug-in that does not declare it is selected in turn. */
static void check_unread_refused(const ss_plugin_family *f, const char *(*value_of)(const void *ops))
{
  for (int p = 0; p < ss_plugin_count(f); p++) {
    int nk = 0;
    const ss_key *ks = ss_plugin_keys_of(f, ss_plugin_at(f, p), &nk);
    for (int j = 0; j < nk; j++)
      for (int q = 0; q < ss_plugin_count(f); q++) {
        int nq = 0, shared = 0;
        const ss_key *kq = ss_plugin_keys_of(f, ss_plugin_at(f, q), &nq);
        for (int i = 0; i < nq; i++) shared |= !strcmp(kq[i].path, ks[j].path);
        if (shared) continue;
        char sel[128], set[256], val[64];
        snprintf(sel, sizeof sel, "%s=%s", f->key, value_of(ss_plugin_at(f, q)));
        snprintf(set, sizeof set, "%s=%s", ks[j].path, other_value(&ks[j], val, sizeof val));
        ss_err e;
        ss_config *cfg = parse_two(sel, set, &e);
        CU_ASSERT_PTR_NULL(cfg);
        CU_ASSERT_EQUAL(e.code, SS_EINPUT);
        CU_ASSERT(strstr(e.msg, ks[j].path) != NULL && strstr(e.msg, "only") != NULL);
        CU_ASSERT(strstr(e.msg, ss_plugin_name(ss_plugin_at(f, p))) != NULL);
        if (cfg || !strstr(e.msg, "only")) fprintf(stderr, "unread %s with %s: %s\n", set, sel, cfg ? "accepted" : e.msg);
        ss_config_free(&cfg);
        if (!ks[j].def) continue;
        /* given its default, as a written config.yaml gives every key: never "unread" (the
         * config may still be refused for a missing input of the selection) */
        snprintf(set, sizeof set, "%s=%s", ks[j].path, ks[j].def);
        cfg = parse_two(sel, set, &e);
        CU_ASSERT(cfg || strstr(e.msg, "only") == NULL);
        ss_config_free(&cfg);
      }
  }
}

static const char *by_name(const void *ops) { return ss_plugin_name(ops); }
/* an environment model is in effect at a horizon: auto stands for contextual at horizon 1 */
static const char *model_at_h1(const void *ops) { return ((const rlhf_env_model_ops *)ops)->resolve ? "auto" : ss_plugin_name(ops); }

static void test_unread_refused(void)
{
  check_unread_refused(&rlhf_env_types, by_name);
  check_unread_refused(&rlhf_populations, by_name);
  check_unread_refused(&rlhf_env_models, model_at_h1);
}

/* ------------------------------------------------------------------ enumerations */
/* Every choice selects its own constant, or is refused at config time naming the key (as
 * rlhf.momle.set's socp): conformance.c. */

static void test_enumerations(void)
{
  const ss_plugin_family *fams[] = {&rlhf_median_kinds, &rlhf_data_kinds, &rlhf_mdp_feature_kinds,
                                    &rlhf_norm_kinds, &rlhf_momle_sets};
  for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) ss_unit_check_choices(fams[i], parse_set, 1);
}

SS_UNIT_SUITE(rlhf_inputs_conformance)
{
  ss_unit_suite("rlhf_inputs_conformance");
  ss_unit_test("every registered environment type", test_env_types);
  ss_unit_test("environment types with inputs refuse a config without them", test_env_types_check);
  ss_unit_test("every registered environment model", test_env_models);
  ss_unit_test("every registered population model", test_populations);
  ss_unit_test("a key of a plug-in not in effect is refused, naming who reads it", test_unread_refused);
  ss_unit_test("every choice of the rlhf enumerations", test_enumerations);
}
