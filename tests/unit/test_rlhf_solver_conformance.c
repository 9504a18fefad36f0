/* The conformance suite of the RLHF policy solvers (rlhf.policy.method), iterating the registry
 * (as test_rlhf_conformance.c does for the aggregators): every solver, on tiny contextual
 * problems and for every registered aggregator, returns a certified policy whose bracket
 * [objective, dual] is checked from the definitions, not from the solver's own numbers:
 * - the policy is a distribution per state, and W of its z (recomputed from the features)
 *   is the objective;
 * - the dual is h(theta_dual) = sum_s rho(s) max_a <theta_dual, phi(s,a)>, recomputed;
 * - the objective is at least W of every deterministic policy (brute force over all A^S of
 *   them; exact for a linear W, whose optimum is one of them), and so is the dual;
 * - every solver agrees with every other within the tolerance, and a solve is the same bits
 *   when repeated.
 * And its own settings and checks, from its ops alone (test_settings, test_mdp): setup reads
 * its own keys, with the schema's defaults; an MDP is refused unless it solves MDPs.
 * A solver needs no hook here: the registry gives its ops, and the states take them as a
 * config's selection does (rlhf_states_set_solver). The dense solver is the reference at
 * H = 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/plugin.h"
#include "stratsim/rlhf.h"
#include "../../src/rlhf/mdp_settings.h"
#include "../../src/rlhf/solver.h"
#include "conformance.h"
#include "unit.h"

enum { S = 3, A = 2, D = 3, KL = 4, NSOLVER_MAX = 8 };
static const double TOL = 1e-7;

/* The labelers' parameters every aggregator is built from (exactly, on one rank). */
static void make_labelers(double *theta, double *prec, double *lo, double *hi)
{
  static const double t[KL * D] = {0.8, -0.2, 0.3, 0.1, 0.9, -0.4, -0.5, 0.4, 0.6, 0.3, 0.3, 0.3};
  memcpy(theta, t, sizeof t);
  for (int i = 0; i < KL * D; i++) {
    lo[i] = t[i] - 0.1 - 0.02 * (i % 5);
    hi[i] = t[i] + 0.1 + 0.03 * (i % 3);
  }
  for (int i = 0; i < KL; i++)
    for (int a = 0; a < D; a++)
      for (int b = 0; b < D; b++) prec[(i * D + a) * D + b] = a == b ? 2.0 + 0.5 * i : 0.2;
}

static double dot(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/* max over the A^S deterministic policies of W(z_pi), from the features. */
static double best_vertex(const rlhf_env *env, const rlhf_agg *agg)
{
  double best = -INFINITY;
  int n = 1;
  for (int s = 0; s < S; s++) n *= A;
  for (int code = 0; code < n; code++) {
    double z[D] = {0, 0, 0};
    for (int s = 0, c = code; s < S; s++, c /= A)
      for (int j = 0; j < D; j++) z[j] += env->rho[s] * env->phi[(s * A + c % A) * D + j];
    best = fmax(best, rlhf_agg_value(agg, z));
  }
  return best;
}

/* h(theta) from the definition. */
static double dual_value(const rlhf_env *env, const double *theta)
{
  double h = 0;
  for (int s = 0; s < S; s++) {
    double m = -INFINITY;
    for (int a = 0; a < A; a++) m = fmax(m, dot(theta, env->phi + (s * A + a) * D));
    h += env->rho[s] * m;
  }
  return h;
}

/* The checks of one certified policy against the definitions; returns the objective. */
static double check_policy(const rlhf_env *env, const rlhf_agg *agg, const rlhf_policy *pol)
{
  CU_ASSERT(pol->converged);
  CU_ASSERT(pol->rel_gap <= TOL);
  CU_ASSERT(pol->gap >= -1e-12);
  CU_ASSERT_FATAL(pol->s_first == 0 && pol->s_count == S && pol->A == A); /* one rank */
  double z[D] = {0, 0, 0};
  for (int s = 0; s < S; s++) {
    double sum = 0;
    for (int a = 0; a < A; a++) {
      double pr = pol->prob[s * A + a];
      CU_ASSERT(pr >= 0 && pr <= 1);
      sum += pr;
      for (int j = 0; j < D; j++) z[j] += env->rho[s] * pr * env->phi[(s * A + a) * D + j];
    }
    CU_ASSERT(fabs(sum - 1) <= 1e-12);
  }
  double scale = fmax(fabs(pol->objective), 1e-3);
  CU_ASSERT(fabs(rlhf_agg_value(agg, z) - pol->objective) <= 1e-12 * scale);
  for (int j = 0; j < D; j++) CU_ASSERT(fabs(z[j] - pol->z[j]) <= 1e-12);
  CU_ASSERT(fabs(dual_value(env, pol->theta_dual) - pol->dual) <= 1e-12 * fmax(fabs(pol->dual), 1e-3));
  double vert = best_vertex(env, agg);
  CU_ASSERT(pol->dual >= vert - 1e-12);                       /* a valid upper bound */
  CU_ASSERT(pol->objective >= vert - 2 * TOL * fmax(fabs(vert), 1e-3)); /* at least every vertex */
  return pol->objective;
}

static void solve_all(const rlhf_env *env, rlhf_states *st, const rlhf_agg *agg)
{
  double obj[NSOLVER_MAX];
  int n = ss_plugin_count(&rlhf_solvers);
  CU_ASSERT_FATAL(n >= 1 && n <= NSOLVER_MAX);
  for (int i = 0; i < n; i++) {
    const rlhf_solver_ops *ops = ss_plugin_at(&rlhf_solvers, i);
    CU_ASSERT_FATAL(ops->solve != NULL);
    CU_ASSERT(rlhf_solver_find(ops->name) == ops);
    rlhf_states_set_solver(st, ops, NULL); /* its defaults (test_settings: = the schema's) */
    ss_err e;
    ss_err_clear(&e);
    rlhf_policy a, b;
    CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, TOL, &a, &e), SS_OK);
    CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, TOL, &b, &e), SS_OK);
    obj[i] = check_policy(env, agg, &a);
    CU_ASSERT(a.objective == b.objective && a.dual == b.dual); /* the same bits */
    CU_ASSERT(!memcmp(a.prob, b.prob, (size_t)S * A * sizeof *a.prob));
    /* every solver agrees with every earlier one: both certified within TOL of the optimum */
    for (int j = 0; j < i; j++) {
      double diff = fabs(obj[i] - obj[j]), sc = fmax(fmax(fabs(obj[i]), fabs(obj[j])), 1e-3);
      if (diff > 2 * TOL * sc)
        fprintf(stderr, "\n  %s: solvers %d and %d disagree: %.17g vs %.17g\n", rlhf_agg_name(agg), i, j,
                obj[i], obj[j]);
      CU_ASSERT(diff <= 2 * TOL * sc);
    }
    rlhf_policy_free(&a);
    rlhf_policy_free(&b);
  }
}

static void test_solvers(void)
{
  double theta[KL * D], prec[KL * D * D], lo[KL * D], hi[KL * D];
  make_labelers(theta, prec, lo, hi);
  for (int t = 0; t < 4; t++) {
    rlhf_params p;
    rlhf_params_default(&p);
    p.S = S;
    p.A = A;
    p.d = D;
    p.seed = 900 + t;
    rlhf_env env;
    ss_err e;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
    rlhf_states *st;
    CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 0, &st, &e), SS_OK);
    for (int a = 0; a < rlhf_agg_count(); a++) {
      rlhf_agg *agg = NULL;
      CU_ASSERT_EQUAL_FATAL(rlhf_agg_build_exact(rlhf_agg_find(rlhf_agg_name_at(a)), D, KL, theta, prec, lo,
                                                 hi, 0.3, SS_MEDIAN_LOWER, &agg, &e), SS_OK);
      solve_all(&env, st, agg);
      rlhf_agg_destroy(&agg);
    }
    rlhf_states_destroy(&st);
    rlhf_env_destroy(&env);
  }
}

/* A tiny rlhf config selecting solver name (horizon H), one --set applied. */
static ss_config *solver_config(const char *name, int H, const char *set, ss_err *e)
{
  char tail[256];
  snprintf(tail, sizeof tail, "  horizon: %d\n  policy:\n    method: %s\n", H, name);
  return ss_unit_parse_config("experiment: rlhf\nrlhf:\n  d: 3\n  env:\n    states: 3\n    actions: 2\n", tail,
                              set, e);
}

/* "key=value" of a value of key k other than its default (numbers inside its bounds). */
static int other_value(const ss_key *k, char *buf, size_t len)
{
  double def = strtod(k->def, NULL), v;
  if (k->type == SS_T_INT) v = def + 1 <= k->max ? def + 1 : def - 1;
  else if (k->type == SS_T_REAL) v = 0.5 * (k->min + def);
  else return 0;
  snprintf(buf, len, "%s=%.17g", k->path, v);
  return v != def;
}

/* One solver's settings: a setup op exactly when it has settings; rlhf_solver_setup of a
 * config selecting it gives it; its defaults (setup without a config) are the schema's, byte
 * for byte; and each of its keys set to another value changes them (it reads its own keys). */
static void check_settings(const rlhf_solver_ops *ops)
{
  CU_ASSERT((ops->setup != NULL) == (ops->settings_size > 0));
  ss_err e;
  ss_config *cfg = solver_config(ops->name, 1, "output.dump_data=false", &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
  const rlhf_solver_ops *got = NULL;
  void *set = NULL;
  CU_ASSERT_EQUAL_FATAL(rlhf_solver_setup(cfg, &got, &set, &e), SS_OK);
  CU_ASSERT_PTR_EQUAL(got, ops);
  CU_ASSERT((set != NULL) == (ops->settings_size > 0));
  ss_config_free(&cfg);
  if (!set) return;
  unsigned char def[256];
  CU_ASSERT_FATAL(ops->settings_size <= sizeof def);
  ops->setup(NULL, def);
  CU_ASSERT(!memcmp(def, set, ops->settings_size));
  for (int i = 0; i < ops->nkeys; i++) {
    char one[160];
    CU_ASSERT_FATAL(other_value(&ops->keys[i], one, sizeof one)); /* a numeric key (else: extend) */
    cfg = solver_config(ops->name, 1, one, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    void *mine = NULL;
    CU_ASSERT_EQUAL_FATAL(rlhf_solver_setup(cfg, &got, &mine, &e), SS_OK);
    CU_ASSERT(memcmp(def, mine, ops->settings_size) != 0);
    free(mine);
    ss_config_free(&cfg);
  }
  free(set);
}

/* A key of another solver, set to a value other than its default, is refused under ops,
 * naming the key (unless ops declares it too). */
static void check_foreign_keys(const rlhf_solver_ops *ops)
{
  for (int j = 0; j < ss_plugin_count(&rlhf_solvers); j++) {
    const rlhf_solver_ops *other = ss_plugin_at(&rlhf_solvers, j);
    for (int i = 0; other != ops && i < other->nkeys; i++) {
      int mine = 0;
      for (int q = 0; q < ops->nkeys; q++) mine |= !strcmp(ops->keys[q].path, other->keys[i].path);
      char one[160];
      if (mine || !other_value(&other->keys[i], one, sizeof one)) continue;
      ss_err e;
      ss_config *cfg = solver_config(ops->name, 1, one, &e);
      CU_ASSERT_PTR_NULL(cfg);
      CU_ASSERT(!cfg && e.code == SS_EINPUT && strstr(e.msg, other->keys[i].path) != NULL);
      ss_config_free(&cfg);
    }
  }
}

static void test_settings(void)
{
  ss_err e;
  /* the first registered solver is the schema's default */
  ss_config *cfg = ss_unit_parse_config("experiment: rlhf\n", "", "output.dump_data=false", &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
  CU_ASSERT_PTR_EQUAL(ss_plugin_selected(&rlhf_solvers, cfg), rlhf_solver_default());
  ss_config_free(&cfg);
  for (int i = 0; i < ss_plugin_count(&rlhf_solvers); i++) {
    check_settings(ss_plugin_at(&rlhf_solvers, i));
    check_foreign_keys(ss_plugin_at(&rlhf_solvers, i));
  }
}

/* An MDP config (horizon 2) validates with a solver that solves MDPs and is refused, naming
 * rlhf.policy.method and every solver that would do, with one that does not; the states of an
 * MDP refuse such a solver at solve time as well (on every rank alike). */
static void test_mdp(void)
{
  int with = 0;
  for (int i = 0; i < ss_plugin_count(&rlhf_solvers); i++) {
    const rlhf_solver_ops *ops = ss_plugin_at(&rlhf_solvers, i);
    ss_err e;
    ss_config *cfg = solver_config(ops->name, 2, "output.dump_data=false", &e); /* parse + check */
    with += ops->mdp;
    CU_ASSERT((cfg != NULL) == ops->mdp);
    ss_config_free(&cfg);
    if (ops->mdp) continue;
    CU_ASSERT_EQUAL(e.code, SS_EINPUT);
    CU_ASSERT(strstr(e.msg, "rlhf.policy.method: expected ") != NULL);
    for (int j = 0; j < ss_plugin_count(&rlhf_solvers); j++) {
      const rlhf_solver_ops *o = ss_plugin_at(&rlhf_solvers, j);
      if (o->mdp) CU_ASSERT(strstr(e.msg, o->name) != NULL);
    }
    rlhf_params p;
    rlhf_params_default(&p);
    static const rlhf_mdp_settings two = {.successors = 2};
    p.S = 3, p.A = 2, p.d = 3, p.H = 2, p.mdp = 1, p.mdp_data = &two;
    rlhf_env env;
    rlhf_states *st = NULL;
    ss_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(rlhf_env_create_mdp(&p, &env, &e), SS_OK);
    CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), &env, 0, &st, &e), SS_OK);
    rlhf_states_set_solver(st, ops, NULL);
    double theta[KL * D], prec[KL * D * D], lo[KL * D], hi[KL * D];
    make_labelers(theta, prec, lo, hi);
    rlhf_agg *agg = NULL;
    CU_ASSERT_EQUAL_FATAL(rlhf_agg_build_exact(rlhf_agg_find("pessimistic_momle"), D, KL, theta, prec, lo, hi,
                                               0.3, SS_MEDIAN_LOWER, &agg, &e), SS_OK);
    rlhf_policy pol;
    CU_ASSERT_EQUAL(rlhf_policy_solve(st, agg, TOL, &pol, &e), SS_EINPUT);
    CU_ASSERT(strstr(e.msg, ops->name) != NULL);
    rlhf_policy_free(&pol);
    rlhf_agg_destroy(&agg);
    rlhf_states_destroy(&st);
    rlhf_env_destroy(&env);
  }
  CU_ASSERT(with >= 1 && rlhf_solver_default()->mdp); /* states given no solver solve MDPs */
}

SS_UNIT_SUITE(rlhf_solver_conformance)
{
  ss_unit_suite("rlhf_solver_conformance");
  ss_unit_test("every registered policy solver, every aggregator", test_solvers);
  ss_unit_test("every solver's settings: its own keys, the schema's defaults, no other solver's keys", test_settings);
  ss_unit_test("every solver: an MDP refused unless it solves MDPs", test_mdp);
}
