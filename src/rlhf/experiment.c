/* `experiment: rlhf` (MODELS section 1, H = 1): the config keys and their cross-checks, one
 * task (one seed of one sweep point) = truthful and strategic conditions for every algorithm,
 * and the tables rlhf_runs, rlhf_labelers, rlhf_table (+ comparisons, estimates, environment,
 * policies with output.dump_data). Each rank owns a block of labelers; the median confidence
 * set is assembled with exact distributed medians; the policy solve spreads states over the
 * task's ranks. See docs/rlhf.md for the files and every modelling choice. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/experiment.h"
#include "stratsim/median.h"
#include "stratsim/task_state.h"
#include "stratsim/xsum.h"
#include "rlhf_impl.h"

#define DEFAULT_ALGOS "[naive_mle, pessimistic_sw, median_mle, pessimistic_momle]"

static const ss_key keys[] = {
  {"rlhf.n", SS_T_INT, "100", 1, 1e8, 0, NULL, "comparisons per labeler"},
  {"rlhf.k", SS_T_INT, "5", 1, 4294967295.0, 0, NULL, "number of labelers"},
  {"rlhf.d", SS_T_INT, "16", 1, 64, 0, NULL, "feature dimension"},
  {"rlhf.horizon", SS_T_INT, "1", 1, 10000, 0, NULL, "horizon H (1: the contextual bandit; H > 1: a tabular MDP)"},
  {"rlhf.env.model", SS_T_ENUM, "auto", 0, 0, 0, "auto|contextual|mdp", "environment: contextual bandit or tabular MDP (auto: MDP iff horizon > 1)"},
  {"rlhf.mdp.successors", SS_T_INT, "4", 1, 1e6, 0, NULL, "generated MDP: successors b per (s,a), Dirichlet(1) weights"},
  {"rlhf.mdp.transitions", SS_T_STRING, NULL, 0, 0, SS_K_PATH, NULL, "explicit MDP (env.type csv, features in rlhf.env.file; relative paths: from the config file's folder): CSV of rows 's,a,next,p' grouped by (s,a) in s-major order, each row summing to 1; or a PETSc binary AIJ matrix of S*A x S (MatView), recognised by its class id"},
  {"rlhf.mdp.features", SS_T_ENUM, "store", 0, 0, 0, "store|regenerate", "MDP features: stored per rank (S/p x A x d) or regenerated from the keyed generator in every pass"},
  {"rlhf.B", SS_T_REAL, "1", 0, 1e6, SS_K_MIN_OPEN, NULL, "bound B on ||theta_i*|| (and on reports)"},
  {"rlhf.lambda", SS_T_REAL, "1e-3", 0, 1e6, SS_K_MIN_OPEN, NULL, "MLE ridge regulariser lambda (> 0)"},
  {"rlhf.confidence.c_f", SS_T_REAL, "1", 0, 1e6, 0, NULL, "constant c_f of the confidence radius f"},
  {"rlhf.confidence.delta", SS_T_REAL, "0.1", 0, 1, SS_K_MIN_OPEN | SS_K_MAX_OPEN, NULL, "confidence level delta of the radius"},
  {"rlhf.data", SS_T_ENUM, "comparisons", 0, 0, 0, "comparisons|exact", "comparisons: each labeler's n Bradley-Terry comparisons and its MLE; exact: the infinite-data limit, the aggregators get the reported parameters themselves (radius 0)"},
  {"rlhf.labels.heldout", SS_T_BOOL, "false", 0, 0, 0, NULL, "true: the reported conditions (truthful, and the final strategic estimates) draw fresh label noise, independent of the noise SPSA optimised its reports against; false: the same common random numbers throughout"},
  {"rlhf.median", SS_T_ENUM, "lower", 0, 0, 0, "lower|upper|mean", "median of an even number of labelers: lower, upper or the mean of the two middle values"},
  {"rlhf.algorithms", SS_T_ENUM_LIST, DEFAULT_ALGOS, 0, 0, 0, SS_PLUGIN_CHOICES, "aggregators to compare, e.g. [naive_mle, median_mle]"},
  {"rlhf.policy.tol", SS_T_REAL, "1e-6", 0, 1, SS_K_MIN_OPEN, NULL, "policy optimisation stops at duality gap <= tol * max(|W|, |h|, 1e-3) (planner: also >= 1e-6 of its columns' largest |W|, docs/mdp.md)"},
  {"rlhf.policy.method", SS_T_ENUM, "planner", 0, 0, 0, SS_PLUGIN_CHOICES, "policy solver: the distributed certified planner (column generation, every H) or the dense LP / active set over every state (H = 1, reference)"},
  {"rlhf.policy.chunk", SS_T_INT, "0", 0, 1e9, 0, NULL, "states per fixed-order summation chunk (0: max(16, ceil(S/256)))"},
  {"rlhf.env.type", SS_T_ENUM, "gaussian", 0, 0, 0, SS_PLUGIN_CHOICES, "features: i.i.d. Gaussian rescaled to norm L, rlhf.env.features, or rlhf.env.file"},
  {"rlhf.env.states", SS_T_INT, "32", 1, 1e8, 0, NULL, "number of states S"},
  {"rlhf.env.actions", SS_T_INT, "4", 2, 256, 0, NULL, "number of actions A"},
  {"rlhf.env.rho", SS_T_REAL_LIST, NULL, 0, 1e300, 0, NULL, "state distribution (S weights, normalised); default uniform"},
  {"rlhf.population.model", SS_T_ENUM, "gaussian", 0, 0, 0, "gaussian|clusters|explicit|ktimes", "how true parameters theta_i* are drawn (ktimes: the instance family of SP-RLHF Thm 3.5, docs/theory.md)"},
  {"rlhf.population.delta", SS_T_REAL, "0.01", 0, 0.5, 0, NULL, "ktimes: the family's delta (second choice 1 - delta, j-th choice delta (d - j))"},
  {"rlhf.population.mean", SS_T_REAL_LIST, NULL, -1e6, 1e6, 0, NULL, "gaussian/clusters centre (d values); default a random direction of norm mean_norm"},
  {"rlhf.population.mean_norm", SS_T_REAL, "0.5", 0, 1e6, 0, NULL, "norm of the random centre"},
  {"rlhf.population.std", SS_T_REAL, "0.2", 0, 1e6, 0, NULL, "gaussian: per-coordinate standard deviation s"},
  {"rlhf.population.clusters", SS_T_INT, "2", 1, 1e6, 0, NULL, "clusters: number of centres G (labeler i in cluster i mod G)"},
  {"rlhf.population.cluster_spread", SS_T_REAL, "0.5", 0, 1e6, 0, NULL, "clusters: distance of each centre from the mean"},
  {"rlhf.population.cluster_std", SS_T_REAL, "0.1", 0, 1e6, 0, NULL, "clusters: per-coordinate spread around a centre"},
  {"rlhf.population.thetas", SS_T_REAL_MATRIX, NULL, -1e6, 1e6, 0, NULL, "explicit: k rows of d values, each of norm <= B"},
  {"rlhf.population.norm", SS_T_ENUM, "ball", 0, 0, 0, "ball|sphere", "gaussian/clusters: ball projects theta_i* onto ||theta|| <= B; sphere rescales it to ||theta|| = B"},
  {"rlhf.strategic.fraction", SS_T_REAL, "1", 0, 1, 0, NULL, "fraction of labelers that are strategic (a keyed random subset)"},
  {"rlhf.strategic.labelers", SS_T_INT_LIST, NULL, 0, 4294967295.0, 0, NULL, "explicit list of strategic labelers (0-based); overrides fraction"},
  {"rlhf.strategy", SS_T_ENUM, "spsa", 0, 0, 0, SS_PLUGIN_CHOICES, "how strategic labelers report"},
  {"rlhf.output.labelers", SS_T_BOOL, "true", 0, 0, 0, NULL, "write rlhf_labelers.csv (k rows per algorithm and seed)"},
};

/* ------------------------------------------------------------------ parameters */
typedef struct {
  rlhf_params p;
  const rlhf_agg_ops *algos[16];
  int nalgos;
  const rlhf_strategy_ops *strategy;
  double fraction;
  const long long *strat_list;
  int nstrat_list;
  int write_labelers, dump;
  int heldout; /* rlhf.labels.heldout */
} run_params;

static int parse_algorithms(const ss_config *cfg, const rlhf_agg_ops **out, int *n, ss_err *e)
{
  int cnt = 0;
  const char *const *names = ss_cfg_enum_list(cfg, "rlhf.algorithms", &cnt);
  *n = 0;
  if (!names || cnt == 0) return ss_cfg_error(cfg, "rlhf.algorithms", e, "expected at least one aggregator, found none");
  if (cnt > 16) return ss_cfg_error(cfg, "rlhf.algorithms", e, "expected at most 16 aggregators, found %d", cnt);
  for (int i = 0; i < cnt; i++) {
    const rlhf_agg_ops *ops = rlhf_agg_find(names[i]);
    if (!ops) return ss_plugin_unknown(&rlhf_aggregators, names[i], e);
    out[(*n)++] = ops;
  }
  return SS_OK;
}

static int read_params(const ss_config *cfg, uint64_t seed, run_params *rp, ss_err *e)
{
  memset(rp, 0, sizeof *rp);
  rlhf_params *p = &rp->p;
  rlhf_params_default(p);
  p->seed = seed;
  p->n = (int)ss_cfg_int(cfg, "rlhf.n");
  p->k = ss_cfg_int(cfg, "rlhf.k");
  p->d = (int)ss_cfg_int(cfg, "rlhf.d");
  p->B = ss_cfg_real(cfg, "rlhf.B");
  p->lambda = ss_cfg_real(cfg, "rlhf.lambda");
  p->c_f = ss_cfg_real(cfg, "rlhf.confidence.c_f");
  p->delta = ss_cfg_real(cfg, "rlhf.confidence.delta");
  const char *med = ss_cfg_str(cfg, "rlhf.median");
  p->median_kind = !strcmp(med, "lower") ? SS_MEDIAN_LOWER : !strcmp(med, "upper") ? SS_MEDIAN_UPPER : SS_MEDIAN_MEAN;
  p->exact = !strcmp(ss_cfg_str(cfg, "rlhf.data"), "exact");
  p->policy_tol = ss_cfg_real(cfg, "rlhf.policy.tol");
  p->policy_chunk = (int)ss_cfg_int(cfg, "rlhf.policy.chunk");
  p->policy_method = rlhf_builtin_kind(&rlhf_solvers, ss_cfg_str(cfg, "rlhf.policy.method"));
  p->policy_smoothing = ss_cfg_real(cfg, "rlhf.policy.smoothing");
  p->policy_max_passes = (int)ss_cfg_int(cfg, "rlhf.policy.max_passes");
  p->H = (int)ss_cfg_int(cfg, "rlhf.horizon");
  const char *model = ss_cfg_str(cfg, "rlhf.env.model");
  p->mdp = !strcmp(model, "mdp") || (!strcmp(model, "auto") && p->H > 1);
  p->mdp_successors = (int)ss_cfg_int(cfg, "rlhf.mdp.successors");
  p->mdp_regenerate = !strcmp(ss_cfg_str(cfg, "rlhf.mdp.features"), "regenerate");
  p->mdp_transitions = ss_cfg_str(cfg, "rlhf.mdp.transitions");
  p->env_kind = rlhf_builtin_kind(&rlhf_env_types, ss_cfg_str(cfg, "rlhf.env.type"));
  p->S = (int)ss_cfg_int(cfg, "rlhf.env.states");
  p->A = (int)ss_cfg_int(cfg, "rlhf.env.actions");
  p->L = ss_cfg_real(cfg, "rlhf.env.L");
  int r, c, nl;
  p->phi_cfg = ss_cfg_matrix(cfg, "rlhf.env.features", &r, &c);
  p->env_file = ss_cfg_str(cfg, "rlhf.env.file");
  p->rho_cfg = ss_cfg_list(cfg, "rlhf.env.rho", &nl);
  const char *pm = ss_cfg_str(cfg, "rlhf.population.model");
  p->pop_kind = !strcmp(pm, "clusters") ? RLHF_POP_CLUSTERS : !strcmp(pm, "explicit") ? RLHF_POP_EXPLICIT
                 : !strcmp(pm, "ktimes") ? RLHF_POP_KTIMES : RLHF_POP_GAUSSIAN;
  p->pop_delta = ss_cfg_real(cfg, "rlhf.population.delta");
  p->pop_mean = ss_cfg_list(cfg, "rlhf.population.mean", &nl);
  p->pop_mean_norm = ss_cfg_real(cfg, "rlhf.population.mean_norm");
  p->pop_std = ss_cfg_real(cfg, "rlhf.population.std");
  p->clusters = (int)ss_cfg_int(cfg, "rlhf.population.clusters");
  p->cluster_spread = ss_cfg_real(cfg, "rlhf.population.cluster_spread");
  p->cluster_std = ss_cfg_real(cfg, "rlhf.population.cluster_std");
  p->pop_thetas = ss_cfg_matrix(cfg, "rlhf.population.thetas", &r, &c);
  p->pop_sphere = !strcmp(ss_cfg_str(cfg, "rlhf.population.norm"), "sphere");
  SS_TRY(parse_algorithms(cfg, rp->algos, &rp->nalgos, e));
  rp->strategy = rlhf_strategy_find(ss_cfg_str(cfg, "rlhf.strategy"));
  if (!rp->strategy) return ss_plugin_unknown(&rlhf_strategies, ss_cfg_str(cfg, "rlhf.strategy"), e);
  rp->fraction = ss_cfg_real(cfg, "rlhf.strategic.fraction");
  rp->strat_list = ss_cfg_int_list(cfg, "rlhf.strategic.labelers", &rp->nstrat_list);
  rp->write_labelers = ss_cfg_bool(cfg, "rlhf.output.labelers");
  rp->dump = ss_cfg_bool(cfg, "output.dump_data");
  rp->heldout = ss_cfg_bool(cfg, "rlhf.labels.heldout");
  return SS_OK;
}

/* ------------------------------------------------------------------ check */
static int all_finite(const double *v, long n)
{
  for (long i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

/* Explicit MDPs: both files are read and checked here, streaming (O(1) memory), so a bad file
 * is a config error naming the file, the line and the row before anything runs. */
static int check_mdp_files(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  if (p->env_kind == RLHF_ENV_GAUSSIAN) {
    if (p->mdp_transitions)
      return ss_cfg_error(cfg, "rlhf.mdp.transitions", e, "expected no transitions file for generated features (rlhf.env.type gaussian); use env.type csv");
    return SS_OK;
  }
  if (p->env_kind != RLHF_ENV_CSV)
    return ss_cfg_error(cfg, "rlhf.env.type", e, "expected gaussian or csv for an MDP, found %s", ss_cfg_str(cfg, "rlhf.env.type"));
  if (!p->env_file) return ss_cfg_error(cfg, "rlhf.env.file", e, "expected a features file for an explicit MDP, found none");
  if (!p->mdp_transitions) return ss_cfg_error(cfg, "rlhf.mdp.transitions", e, "expected a transitions file for an explicit MDP (env.type csv), found none");
  if (p->mdp_regenerate) return ss_cfg_error(cfg, "rlhf.mdp.features", e, "expected store for an explicit MDP (only generated features can be regenerated), found regenerate");
  ss_err fe;
  ss_err_clear(&fe);
  if (rlhf_read_features(p->env_file, p->S, p->A, p->d, 0, 0, NULL, &fe))
    return ss_cfg_error(cfg, "rlhf.env.file", e, "%s", fe.msg);
  if (rlhf_mdp_scan_transitions(p->mdp_transitions, p->S, p->A, NULL, NULL, &fe))
    return ss_cfg_error(cfg, "rlhf.mdp.transitions", e, "%s", fe.msg);
  return SS_OK;
}

static int check_mdp(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  if (p->H > 1 && !p->mdp)
    return ss_cfg_error(cfg, "rlhf.env.model", e, "expected mdp or auto for horizon %d > 1, found contextual", p->H);
  if (!p->mdp && p->mdp_transitions)
    return ss_cfg_error(cfg, "rlhf.mdp.transitions", e, "only an MDP (rlhf.horizon > 1 or env.model mdp) reads "
                        "a transitions file; found horizon %d, env.model %s", p->H, ss_cfg_str(cfg, "rlhf.env.model"));
  if (!p->mdp && p->mdp_regenerate)
    return ss_cfg_error(cfg, "rlhf.mdp.features", e, "only an MDP (rlhf.horizon > 1 or env.model mdp) regenerates "
                        "its features; found horizon %d, env.model %s", p->H, ss_cfg_str(cfg, "rlhf.env.model"));
  if (!p->mdp) return SS_OK;
  SS_TRY(check_mdp_files(cfg, p, e));
  int n;
  if (ss_cfg_list(cfg, "rlhf.env.rho", &n))
    return ss_cfg_error(cfg, "rlhf.env.rho", e, "expected no rho for a generated MDP (rho is uniform)");
  if ((double)p->S * p->A >= 4294967296.0)
    return ss_cfg_error(cfg, "rlhf.env.states", e, "expected S*A < 2^32 for an MDP, found %.0f", (double)p->S * p->A);
  if (p->policy_method == RLHF_METHOD_DENSE)
    return ss_cfg_error(cfg, "rlhf.policy.method", e, "expected planner for an MDP (the dense solvers are H = 1 only), found dense");
  return SS_OK;
}

/* A k x d matrix of parameters (explicit thetas, fixed reports): shape, finite, norm <= B. */
static int check_rows(const ss_config *cfg, const char *key, const char *why, const rlhf_params *p,
                      ss_err *e)
{
  int r, c;
  const double *t = ss_cfg_matrix(cfg, key, &r, &c);
  if (!t) return ss_cfg_error(cfg, key, e, "expected k rows of d values for %s, found none", why);
  if (c != p->d) return ss_cfg_error(cfg, key, e, "expected rows of d = %d values, found %d", p->d, c);
  if (r != p->k) return ss_cfg_error(cfg, key, e, "expected k = %lld rows (rlhf.k), found %d", (long long)p->k, r);
  if (!all_finite(t, (long)r * c)) return ss_cfg_error(cfg, key, e, "expected finite values, found NaN or Inf");
  for (int i = 0; i < r; i++) {
    double nrm = sqrt(rlhf_dot(t + (size_t)i * c, t + (size_t)i * c, c));
    if (nrm > p->B * (1 + 1e-12))
      return ss_cfg_error(cfg, key, e, "expected ||row|| <= B = %g (rlhf.B), found row %d with norm %g", p->B, i, nrm);
  }
  return SS_OK;
}

static int rlhf_check(const ss_config *cfg, ss_err *e)
{
  run_params rp;
  SS_TRY(read_params(cfg, 1, &rp, e));
  const rlhf_params *p = &rp.p;
  SS_TRY(rlhf_agg_check_all(cfg, e)); /* every aggregator checks its own settings */
  int r, c, n;
  SS_TRY(check_mdp(cfg, p, e));
  /* an input that its mode ignores is a mistake, not something to skip silently */
  if (p->env_kind != RLHF_ENV_CSV && ss_cfg_is_set(cfg, "rlhf.env.file"))
    return ss_cfg_error(cfg, "rlhf.env.file", e, "only env.type csv reads a features file; found env.type %s",
                        ss_cfg_str(cfg, "rlhf.env.type"));
  if (p->env_kind != RLHF_ENV_EXPLICIT && ss_cfg_is_set(cfg, "rlhf.env.features"))
    return ss_cfg_error(cfg, "rlhf.env.features", e, "only env.type explicit uses inline features; found env.type %s",
                        ss_cfg_str(cfg, "rlhf.env.type"));
  if (p->pop_kind != RLHF_POP_EXPLICIT && ss_cfg_is_set(cfg, "rlhf.population.thetas"))
    return ss_cfg_error(cfg, "rlhf.population.thetas", e, "only population.model explicit uses thetas; found "
                        "population.model %s", ss_cfg_str(cfg, "rlhf.population.model"));
  if (p->env_kind == RLHF_ENV_EXPLICIT) {
    const double *f = ss_cfg_matrix(cfg, "rlhf.env.features", &r, &c);
    if (!f) return ss_cfg_error(cfg, "rlhf.env.features", e, "expected a matrix of features for env.type explicit, found none");
    if (c != p->d)
      return ss_cfg_error(cfg, "rlhf.env.features", e, "expected rows of d = %d values (rlhf.d), found %d", p->d, c);
    if (r != p->S * p->A)
      return ss_cfg_error(cfg, "rlhf.env.features", e, "expected S*A = %d*%d = %d rows (rlhf.env.states x rlhf.env.actions), found %d", p->S, p->A, p->S * p->A, r);
    if (!all_finite(f, (long)r * c)) return ss_cfg_error(cfg, "rlhf.env.features", e, "expected finite features, found NaN or Inf");
  }
  if (p->env_kind == RLHF_ENV_CSV && !p->mdp) {
    if (!p->env_file) return ss_cfg_error(cfg, "rlhf.env.file", e, "expected a features file for env.type csv, found none");
    double *phi;
    ss_err fe;
    ss_err_clear(&fe);
    if (rlhf_env_read_csv(p->env_file, p->S, p->A, p->d, &phi, &fe))
      return ss_cfg_error(cfg, "rlhf.env.file", e, "%s", fe.msg);
    free(phi);
  }
  const double *rho = ss_cfg_list(cfg, "rlhf.env.rho", &n);
  if (rho) {
    if (n != p->S) return ss_cfg_error(cfg, "rlhf.env.rho", e, "expected S = %d weights, found %d", p->S, n);
    double tot = 0;
    for (int i = 0; i < n; i++) tot += rho[i];
    if (!(tot > 0) || !isfinite(tot)) return ss_cfg_error(cfg, "rlhf.env.rho", e, "expected weights with a positive finite sum");
  }
  if (p->pop_mean) {
    ss_cfg_list(cfg, "rlhf.population.mean", &n);
    if (n != p->d) return ss_cfg_error(cfg, "rlhf.population.mean", e, "expected d = %d values, found %d", p->d, n);
  }
  if (p->pop_kind == RLHF_POP_EXPLICIT)
    SS_TRY(check_rows(cfg, "rlhf.population.thetas", "population.model explicit", p, e));
  SS_TRY(rlhf_strategy_check(rp.strategy, cfg, p, e)); /* its own settings */
  const long long *lst = ss_cfg_int_list(cfg, "rlhf.strategic.labelers", &n);
  for (int i = 0; lst && i < n; i++)
    if (lst[i] < 0 || lst[i] >= p->k)
      return ss_cfg_error(cfg, "rlhf.strategic.labelers", e, "expected labelers in [0, %lld) (rlhf.k = %lld), found %lld", (long long)p->k, (long long)p->k, lst[i]);
  return SS_OK;
}

/* ------------------------------------------------------------------ output helpers */
typedef struct {
  char *buf;
  size_t len, cap;
  int failed; /* out of memory: rows were dropped, gather_rows reports it */
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(text *t, const char *fmt, ...)
{
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    size_t room = t->cap - t->len;
    int w = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? room : 0, fmt, ap);
    va_end(ap);
    if (w < 0 || t->failed) {
      t->failed = 1;
      return;
    }
    if (t->buf && (size_t)w < room) {
      t->len += (size_t)w;
      return;
    }
    size_t nc = t->cap ? t->cap * 2 : 4096;
    while (nc < t->len + (size_t)w + 1) nc *= 2;
    char *nb = ss_realloc(t->buf, nc, NULL);
    if (!nb) {
      t->failed = 1;
      return;
    }
    t->buf = nb;
    t->cap = nc;
  }
}

/* Gathers every rank's text to rank 0 of c (rank order) and appends it to table tb there. */
static int gather_rows(ss_comm *c, ss_tableset *ts, const char *table, const char *header,
                       text *t, ss_err *e)
{
  char *all = NULL;
  size_t len = 0;
  if (t->failed) ss_fail(e, SS_ERUNTIME, "out of memory building the %s rows", table);
  int rc = ss_comm_gather_bytes(c, t->buf ? t->buf : "", t->len, 0, &all, &len);
  t->len = 0;
  if (rc) return ss_fail(e, SS_ERUNTIME, "gathering %s rows failed", table);
  if (ss_comm_rank(c) == 0) {
    ss_table *tb = ss_tableset_get(ts, table);
    rc = ss_table_header(tb, header, e);
    if (!rc && len) ss_table_append_body(tb, all, len);
  }
  free(all);
  return ss_par_check(c, e); /* rank 0's header check decides for every rank */
}

static char *header_with(const char *pre, const char *stem, int d, const char *post)
{
  text t = {0};
  text_add(&t, "%s", pre);
  for (int j = 1; j <= d; j++) text_add(&t, ",%s%d", stem, j);
  text_add(&t, "%s", post);
  if (t.failed) free(t.buf); /* NULL: ss_table_header reports it */
  return t.failed ? NULL : t.buf;
}

/* ------------------------------------------------------------------ run */
typedef struct {
  text *t;
  int n;
  uint64_t seed;
} dump_ctx;

static void dump_comparisons(void *ctx, int64_t i, int n, int d, const double *x,
                             const unsigned char *o)
{
  dump_ctx *dc = ctx;
  for (int j = 0; j < n; j++) {
    text_add(dc->t, "%d,%llu,%lld,%d", dc->n, (unsigned long long)dc->seed, (long long)i, j);
    for (int q = 0; q < d; q++) text_add(dc->t, ",%.17g", x[(size_t)j * d + q]);
    text_add(dc->t, ",%d\n", o[j]);
  }
}

typedef struct {
  ss_task *task;
  double base, span;
} progress_ctx;

static void spsa_progress(void *ctx, double f)
{
  progress_ctx *pc = ctx;
  ss_task_progress(pc->task, pc->base + pc->span * f);
}

/* In-task checkpoints: algorithm a's SPSA record under "rlhf.spsa.<a>" of the task's state. */
typedef struct {
  ss_task *task;
  int algo;
} spsa_state_ctx;

static int spsa_save_state(void *ctx, const void *record, size_t len, const char *where, ss_err *e)
{
  spsa_state_ctx *sc = ctx;
  char key[40];
  snprintf(key, sizeof key, "rlhf.spsa.%d", sc->algo);
  if (!sc->task->save || ss_task_state_put(sc->task->save, key, record, len, e)) return e->code;
  return ss_task_state_put(sc->task->save, "where", where, strlen(where) + 1, e);
}

static void spsa_resume_state(spsa_state_ctx *sc, rlhf_strategy_ctx *c)
{
  char key[40];
  snprintf(key, sizeof key, "rlhf.spsa.%d", sc->algo);
  c->resume = ss_task_state_get(sc->task->resume, key, &c->resume_len);
  c->save = spsa_save_state;
  c->save_ctx = sc;
}

static int solve_condition(ss_comm *c, rlhf_states *st, const rlhf_agg_ops *ops,
                           const rlhf_params *p, const rlhf_estimates *est, const double *tsm,
                           rlhf_policy *pol, ss_err *e)
{
  rlhf_agg *agg = NULL;
  SS_TRY(rlhf_agg_build(ops, c, p, est, tsm, &agg, e));
  int rc = rlhf_policy_solve(st, agg, p->policy_tol, pol, e);
  rlhf_agg_destroy(&agg);
  return rc;
}

static int rlhf_run(ss_task *task, ss_err *e)
{
  run_params rp;
  SS_TRY(read_params(task->cfg, task->seed, &rp, e));
  rlhf_params *p = &rp.p;
  ss_comm *comm = task->comm;
  int P = ss_comm_size(comm), rank = ss_comm_rank(comm);
  int d = p->d;
  int64_t k = p->k, first, count;
  rlhf_block(k, P, rank, &first, &count);
  int ph_setup = ss_phase(task->timers, "rlhf.setup");
  int ph_mle = ss_phase(task->timers, "rlhf.estimate");
  int ph_policy = ss_phase(task->timers, "rlhf.policy");
  int ph_strat = ss_phase(task->timers, "rlhf.strategy");
  int ph_out = ss_phase(task->timers, "rlhf.output");

  rlhf_env env;
  memset(&env, 0, sizeof env);
  rlhf_states *st = NULL;
  ss_comm *self = NULL;
  rlhf_mle *mle = NULL;
  rlhf_estimates est_t, est_s;
  memset(&est_t, 0, sizeof est_t);
  memset(&est_s, 0, sizeof est_s);
  double *tstar = NULL, *tstar_all = NULL, *reports = NULL, *ju_t = NULL, *ju_s = NULL;
  unsigned char *strategic = NULL;
  void *strategy_data = NULL;
  text tx = {0};
  char *hdr = NULL;
  int need_prec = 0;
  for (int a = 0; a < rp.nalgos; a++) need_prec |= rlhf_agg_needs_prec(rp.algos[a]);
  int strategic_run = !rp.strategy->reports_truth;

  ss_phase_begin(task->timers, ph_setup);
  if (p->mdp) rlhf_env_create_mdp(p, &env, e);
  else rlhf_env_create(p, &env, e);
  int rc = ss_par_check(comm, e); /* the environment is local; the states are collective */
  if (!rc) rc = rlhf_states_create(comm, &env, p->policy_chunk, &st, e);
  if (!rc) rlhf_states_configure(st, p);
  if (!rc && p->mdp) rc = rlhf_env_set_design(&env, st, p, e);
  if (!rc && ss_comm_split(comm, rank, 0, &self)) rc = ss_fail(e, SS_ERUNTIME, "comm split failed");
  if (!rc) rc = rlhf_mle_create(d, p->n, p->lambda, &mle, e);
  if (!rc) {
    tstar = ss_malloc((size_t)(count ? count : 1) * d * sizeof *tstar, e);
    strategic = ss_malloc((size_t)k, e);
    ju_t = ss_malloc((size_t)(count ? count : 1) * sizeof *ju_t, e);
    ju_s = ss_malloc((size_t)(count ? count : 1) * sizeof *ju_s, e);
    if (!tstar || !strategic || !ju_t || !ju_s) rc = SS_ERUNTIME;
  }
  if (!rc) rc = rlhf_strategy_setup(rp.strategy, task->cfg, p, &strategy_data, e);
  rc = ss_par_check(comm, e); /* the solver and the arrays are local */
  ss_phase_end(task->timers, ph_setup);
  if (rc) goto done;

  /* true parameters of the block and their exact mean: the oracle */
  double tsm[RLHF_DMAX];
  {
    ss_xsum acc[RLHF_DMAX];
    for (int j = 0; j < d; j++) ss_xsum_init(&acc[j]);
    for (int64_t r = 0; r < count; r++) {
      rlhf_theta_star(p, first + r, tstar + r * d);
      for (int j = 0; j < d; j++) ss_xsum_add(&acc[j], tstar[r * d + j]);
    }
    ss_comm_sum_xsum(comm, acc, d);
    for (int j = 0; j < d; j++) tsm[j] = ss_xsum_value(&acc[j]) / (double)k;
  }
  rlhf_strategic_flags(p, rp.fraction, rp.strat_list, rp.nstrat_list, strategic);
  rlhf_policy opt;
  memset(&opt, 0, sizeof opt);
  ss_phase_begin(task->timers, ph_policy);
  rc = rlhf_policy_greedy(st, tsm, &opt, e);
  ss_phase_end(task->timers, ph_policy);
  if (rc) goto done;
  double sw_opt = rlhf_dot(tsm, opt.z, d);
  rlhf_policy_free(&opt);

  /* truthful estimates of the block (data generated per labeler on the fly) */
  double radius = rlhf_params_radius(p, env.Lx);
  rc = rlhf_estimates_alloc(&est_t, d, k, first, count, need_prec, e);
  est_t.radius = radius;
  text cmp = {0};
  dump_ctx dc = {&cmp, p->n, p->seed};
  ss_phase_begin(task->timers, ph_mle);
  rlhf_params p_eval = *p; /* the reported conditions' labels (held out from SPSA's or not) */
  p_eval.label_stream = rp.heldout ? 1u : 0u;
  if (!rc) rc = rlhf_estimate_block(&p_eval, &env, mle, tstar, &est_t, rp.dump ? dump_comparisons : NULL, &dc, e);
  ss_phase_end(task->timers, ph_mle);
  rc = ss_par_check(comm, e) ? e->code : rc;
  if (rc) {
    free(cmp.buf);
    goto done;
  }
  double grad_max = 0;
  for (int64_t r = 0; r < count; r++) grad_max = fmax(grad_max, est_t.grad_rel[r]);
  ss_comm_max_double(comm, &grad_max, 1);

  ss_phase_begin(task->timers, ph_out);
  if (rp.dump) {
    hdr = header_with("n,seed,labeler,j", "x_", d, ",label");
    rc = gather_rows(comm, task->tables, "comparisons", hdr, &cmp, e);
    free(hdr);
    hdr = NULL;
    for (int64_t r = 0; r < count && !rc; r++) {
      text_add(&tx, "%d,%llu,%lld", p->n, (unsigned long long)p->seed, (long long)(first + r));
      for (int j = 0; j < d; j++) text_add(&tx, ",%.17g", est_t.theta[r * d + j]);
      text_add(&tx, ",%.17g,%.17g\n", radius, est_t.grad[r]);
    }
    hdr = header_with("n,seed,labeler", "theta_", d, ",radius,grad_norm");
    if (!rc) rc = gather_rows(comm, task->tables, "estimates", hdr, &tx, e);
    free(hdr);
    hdr = NULL;
    if (!rc && rank == 0 && env.phi) { /* MDPs: features are distributed, not dumped */
      for (int s = 0; s < env.S; s++)
        for (int a = 0; a < env.A; a++) {
          text_add(&tx, "%llu,%d,%d,%.17g", (unsigned long long)p->seed, s, a, env.rho[s]);
          for (int j = 0; j < d; j++) text_add(&tx, ",%.17g", env.phi[((size_t)s * env.A + a) * d + j]);
          text_add(&tx, "\n");
        }
      hdr = header_with("seed,s,a,rho", "phi_", d, "");
      ss_table *tb = ss_tableset_get(task->tables, "environment");
      rc = ss_table_header(tb, hdr, e);
      if (!rc) ss_table_append_body(tb, tx.buf, tx.len);
      tx.len = 0;
      free(hdr);
      hdr = NULL;
    }
  }
  free(cmp.buf);
  ss_phase_end(task->timers, ph_out);
  rc = ss_par_check(comm, e); /* rank 0 alone wrote the environment table */
  if (rc) goto done;

  /* strategic reports need every labeler's true parameter (replicated) */
  if (strategic_run) {
    tstar_all = ss_malloc((size_t)k * d * sizeof *tstar_all, e);
    reports = ss_malloc((size_t)k * d * sizeof *reports, e);
    /* every rank takes part, a rank whose allocations failed too: then all return its error */
    rc = ss_rlhf_allgather(comm, tstar, count * d, tstar_all, e);
    if (!rc) rlhf_estimates_alloc(&est_s, d, k, first, count, need_prec, e);
    est_s.radius = radius;
    rc = ss_par_check(comm, e);
    if (rc) goto done;
  }

  ss_table *runs = ss_tableset_get(task->tables, "rlhf_runs");
  rc = ss_table_header(runs, "n,k,d,algorithm,seed,condition,subopt,social_welfare,optimal_social_welfare,objective,duality_gap,max_gain,dual_value,relative_gap,converged,strategy,S,A,mle_grad_rel_max", e);
  if ((rc = ss_par_check(comm, e))) goto done; /* the header's copy is a local allocation */
  for (int a = 0; a < rp.nalgos && !rc; a++) {
    const rlhf_agg_ops *ops = rp.algos[a];
    const char *aname = ops->name;
    rlhf_policy pol_t, pol_s;
    memset(&pol_t, 0, sizeof pol_t);
    memset(&pol_s, 0, sizeof pol_s);
    ss_phase_begin(task->timers, ph_policy);
    rc = solve_condition(comm, st, ops, p, &est_t, tsm, &pol_t, e);
    ss_phase_end(task->timers, ph_policy);
    if (rc) break;
    for (int64_t r = 0; r < count; r++) ju_t[r] = rlhf_dot(tstar + r * d, pol_t.z, d);
    int own_strategic = 0;
    if (strategic_run) {
      rlhf_strategy_ctx sc;
      memset(&sc, 0, sizeof sc);
      sc.p = p;
      sc.env = &env;
      sc.comm = comm;
      sc.self = self;
      sc.states = st;
      sc.mle = mle;
      sc.strategic = strategic;
      sc.theta_star = tstar_all;
      sc.theta_star_mean = tsm;
      sc.agg = ops;
      sc.data = strategy_data; /* its settings, read once at setup */
      progress_ctx pc = {task, (double)a / rp.nalgos, 1.0 / rp.nalgos};
      sc.progress = spsa_progress;
      sc.progress_ctx = &pc;
      spsa_state_ctx ssc = {task, a};
      spsa_resume_state(&ssc, &sc);
      ss_phase_begin(task->timers, ph_strat);
      rc = rlhf_strategy_run(rp.strategy, &sc, reports, e);
      ss_phase_end(task->timers, ph_strat);
      ss_phase_begin(task->timers, ph_mle);
      if (!rc) {
        rlhf_estimate_block(&p_eval, &env, mle, reports + first * d, &est_s, NULL, NULL, e);
        rc = ss_par_check(comm, e); /* the estimates are local */
      }
      ss_phase_end(task->timers, ph_mle);
      ss_phase_begin(task->timers, ph_policy);
      if (!rc) rc = solve_condition(comm, st, ops, p, &est_s, tsm, &pol_s, e);
      ss_phase_end(task->timers, ph_policy);
      own_strategic = 1;
    }
    if (rc) {
      rlhf_policy_free(&pol_t);
      rlhf_policy_free(&pol_s);
      break;
    }
    const rlhf_policy *ps = own_strategic ? &pol_s : &pol_t;
    double max_gain = -INFINITY;
    for (int64_t r = 0; r < count; r++) {
      ju_s[r] = rlhf_dot(tstar + r * d, ps->z, d);
      max_gain = fmax(max_gain, ju_s[r] - ju_t[r]);
    }
    ss_comm_max_double(comm, &max_gain, 1);
    ss_phase_begin(task->timers, ph_out);
    for (int cond = 0; cond < 2; cond++) {
      const rlhf_policy *pol = cond ? ps : &pol_t;
      double sw = rlhf_dot(tsm, pol->z, d);
      if (rank == 0)
        ss_table_row(runs, "%d,%lld,%d,%s,%llu,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%d,%s,%d,%d,%.3g",
                     p->n, (long long)k, d, aname, (unsigned long long)p->seed,
                     cond ? "strategic" : "truthful", sw_opt - sw, sw, sw_opt, pol->objective,
                     pol->gap, cond ? max_gain : 0.0, pol->dual, pol->rel_gap, pol->converged,
                     rlhf_strategy_name(rp.strategy), env.S, env.A, grad_max);
    }
    ss_table *solves = ss_tableset_get(task->tables, "rlhf_solves");
    rc = ss_table_header(solves, "n,algorithm,seed,condition,horizon,method,passes,columns,relative_gap,converged", e);
    for (int cond = 0; cond < 2 && !rc; cond++) {
      const rlhf_policy *pol = cond ? ps : &pol_t;
      if (rank == 0)
        ss_table_row(solves, "%d,%s,%llu,%s,%d,%s,%d,%d,%.17g,%d", p->n, aname,
                     (unsigned long long)p->seed, cond ? "strategic" : "truthful", p->H,
                     pol->passes ? "planner" : "dense", pol->passes, pol->columns, pol->rel_gap,
                     pol->converged);
    }
    if (rp.write_labelers) {
      for (int64_t r = 0; r < count; r++)
        text_add(&tx, "%d,%s,%llu,%lld,%d,%.17g,%.17g,%.17g\n", p->n, aname,
                 (unsigned long long)p->seed, (long long)(first + r), strategic[first + r],
                 ju_t[r], ju_s[r], ju_s[r] - ju_t[r]);
      if (!rc) rc = gather_rows(comm, task->tables, "rlhf_labelers", "n,algorithm,seed,labeler,strategic,utility_truthful,utility_strategic,gain", &tx, e);
    }
    if (rp.dump && !rc) {
      for (int cond = 0; cond < 2; cond++) {
        const rlhf_policy *pol = cond ? ps : &pol_t;
        for (int s = 0; s < pol->s_count; s++)
          for (int b = 0; b < pol->A; b++)
            text_add(&tx, "%d,%s,%llu,%s,%d,%d,%.17g\n", p->n, aname, (unsigned long long)p->seed,
                     cond ? "strategic" : "truthful", pol->s_first + s, b, pol->prob[(size_t)s * pol->A + b]);
        if (!rc) rc = gather_rows(comm, task->tables, "policies", "n,algorithm,seed,condition,s,a,prob", &tx, e);
      }
    }
    ss_phase_end(task->timers, ph_out);
    rlhf_policy_free(&pol_t);
    rlhf_policy_free(&pol_s);
    ss_task_progress(task, (a + 1.0) / rp.nalgos);
  }
done:
  free(tx.buf);
  free(hdr);
  rlhf_estimates_free(&est_t);
  rlhf_estimates_free(&est_s);
  free(tstar);
  free(tstar_all);
  free(reports);
  free(ju_t);
  free(ju_s);
  free(strategic);
  rlhf_strategy_teardown(rp.strategy, &strategy_data);
  rlhf_mle_destroy(&mle);
  rlhf_states_destroy(&st);
  if (self) ss_comm_free(&self);
  rlhf_env_destroy(&env);
  return rc;
}

/* ------------------------------------------------------------------ finish */
typedef struct {
  char alg[64];
  long point;
  int n;
  int cnt;
  double sum[3], sumsq[3];
  double pending_t; /* truthful subopt of the current seed */
} cell;

/* Uncertified policy solves (converged = 0: max_passes reached, or the planner stopped at the
 * master's accuracy above tol) are reported loudly: a "warning: " line in the summary, which
 * the manifest copies into its "warnings" (docs/mdp.md). */
static void certify_warning(const ss_config *cfg, ss_table *runs, long nr, FILE *summary)
{
  int c_conv = ss_table_column(runs, "converged"), c_gap = ss_table_column(runs, "relative_gap");
  if (!summary || c_conv < 0 || c_gap < 0) return;
  long bad = 0;
  double worst = 0;
  char buf[64];
  for (long r = 0; r < nr; r++) {
    ss_table_field(runs, r, c_conv, buf, sizeof buf);
    if (atoi(buf) == 1) continue;
    bad++;
    ss_table_field(runs, r, c_gap, buf, sizeof buf);
    double g = strtod(buf, NULL);
    if (!(g <= worst)) worst = g; /* a NaN gap is the worst */
  }
  if (bad)
    fprintf(summary, "warning: %ld of %ld policy solves not certified (relative gap > rlhf.policy.tol = %g, "
            "largest %.3g): rows with converged = 0 in rlhf_runs.csv and rlhf_solves.csv\n",
            bad, nr, ss_cfg_real(cfg, "rlhf.policy.tol"), worst);
}

static int rlhf_finish(const ss_config *cfg, ss_tableset *tables, FILE *summary, ss_err *e)
{
  ss_table *runs = ss_tableset_get(tables, "rlhf_runs");
  long nr = ss_table_nrows(runs);
  int c_n = ss_table_column(runs, "n"), c_alg = ss_table_column(runs, "algorithm");
  int c_cond = ss_table_column(runs, "condition"), c_sub = ss_table_column(runs, "subopt");
  int c_seed = ss_table_column(runs, "seed");
  if (nr == 0 || c_n < 0) return SS_OK;
  cell *cells = ss_calloc((size_t)nr, sizeof *cells, e);
  if (!cells) return SS_ERUNTIME;
  int nc = 0;
  char buf[128], alg[64], cond[32], seedbuf[32];
  /* pair each truthful row with the strategic row of the same (point, algorithm, seed) */
  double *tval = ss_calloc((size_t)nr, sizeof *tval, e);
  char (*tkey)[160] = ss_calloc((size_t)nr, sizeof *tkey, e);
  if (!tval || !tkey) {
    free(cells);
    free(tval);
    free(tkey);
    return ss_fail(e, SS_ERUNTIME, "out of memory");
  }
  int nt = 0;
  for (long r = 0; r < nr; r++) {
    ss_table_field(runs, r, c_alg, alg, sizeof alg);
    ss_table_field(runs, r, c_cond, cond, sizeof cond);
    ss_table_field(runs, r, c_seed, seedbuf, sizeof seedbuf);
    ss_table_field(runs, r, c_sub, buf, sizeof buf);
    double sub = strtod(buf, NULL);
    long point = 0; /* finish sees one sweep point at a time */
    char key[160];
    snprintf(key, sizeof key, "%ld|%s|%s", point, alg, seedbuf);
    if (!strcmp(cond, "truthful")) {
      snprintf(tkey[nt], sizeof tkey[nt], "%s", key);
      tval[nt++] = sub;
      continue;
    }
    double tv = NAN;
    for (int q = nt - 1; q >= 0; q--)
      if (!strcmp(tkey[q], key)) {
        tv = tval[q];
        break;
      }
    int ci = -1;
    for (int q = 0; q < nc; q++)
      if (cells[q].point == point && !strcmp(cells[q].alg, alg)) ci = q;
    if (ci < 0) {
      ci = nc++;
      snprintf(cells[ci].alg, sizeof cells[ci].alg, "%s", alg);
      cells[ci].point = point;
      ss_table_field(runs, r, c_n, buf, sizeof buf);
      cells[ci].n = atoi(buf);
    }
    double v[3] = {tv, sub, sub - tv};
    cells[ci].cnt++;
    for (int q = 0; q < 3; q++) {
      cells[ci].sum[q] += v[q];
      cells[ci].sumsq[q] += v[q] * v[q];
    }
  }
  ss_table *tb = ss_tableset_get(tables, "rlhf_table");
  int rc = ss_table_header(tb, "n,algorithm,seeds,truthful_mean,truthful_se,strategic_mean,strategic_se,difference_mean,difference_se", e);
  if (summary && !rc)
    fprintf(summary, "RLHF SubOpt (mean +- s.e. over %lld seed%s): truthful | strategic | difference\n",
            ss_cfg_int(cfg, "seeds"), ss_cfg_int(cfg, "seeds") == 1 ? "" : "s");
  for (int q = 0; q < nc && !rc; q++) {
    double mean[3], se[3];
    for (int j = 0; j < 3; j++) {
      mean[j] = cells[q].sum[j] / cells[q].cnt;
      double var = cells[q].cnt > 1 ? (cells[q].sumsq[j] - cells[q].cnt * mean[j] * mean[j]) / (cells[q].cnt - 1) : 0;
      se[j] = var > 0 ? sqrt(var / cells[q].cnt) : 0;
    }
    ss_table_row(tb, "%d,%s,%d,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g", cells[q].n, cells[q].alg,
                 cells[q].cnt, mean[0], se[0], mean[1], se[1], mean[2], se[2]);
    if (summary)
      fprintf(summary, "  n=%-5d %-18s %.3f +- %.3f | %.3f +- %.3f | %+.3f +- %.3f\n", cells[q].n,
              cells[q].alg, mean[0], se[0], mean[1], se[1], mean[2], se[2]);
  }
  if (!rc) certify_warning(cfg, runs, nr, summary);
  free(cells);
  free(tval);
  free(tkey);
  return rc;
}

/* the environment (features, start distribution) is the same for every point unless a
 * swept key changes it */
static const char *const shared_tables[] = {"environment", NULL};

/* the dumps (comparisons, estimates, environment) have one column per feature dimension */
static const char *columns_depend_on(const ss_config *cfg, const char *key)
{
  return !strcmp(key, "rlhf.d") && ss_cfg_bool(cfg, "output.dump_data") ? "comparisons" : NULL;
}

static const ss_plugin_family *const plugins[] = {&rlhf_aggregators, &rlhf_solvers, &rlhf_env_types,
                                                   &rlhf_strategies, NULL};

const ss_experiment_ops ss_rlhf_experiment = {
    .name = "rlhf",
    .summary = "RLHF with strategic labelers: Pessimistic Median of MLEs and baselines (SP-RLHF)",
    .keys = keys,
    .nkeys = (int)(sizeof keys / sizeof keys[0]),
    .plugins = plugins,
    .check = rlhf_check,
    .run = rlhf_run,
    .finish = rlhf_finish,
    .shared_tables = shared_tables,
    .memory = ss_rlhf_memory,
    .columns_depend_on = columns_depend_on,
};
