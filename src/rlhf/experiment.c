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
#include "stratsim/rlhf.h"
#include "stratsim/collectives.h"
#include "agg_ops.h"
#include "choices.h"
#include "env_model.h"
#include "env_type.h"
#include "inputs.h"
#include "population_model.h"
#include "solver.h"
#include "strategy_ops.h"
#include "summary.h"

#define DEFAULT_ALGOS "[naive_mle, pessimistic_sw, median_mle, pessimistic_momle]"

static const ss_key keys[] = {
  {"rlhf.n", SS_T_INT, "100", 1, 1e8, 0, NULL, "comparisons per labeler"},
  {"rlhf.k", SS_T_INT, "5", 1, 4294967295.0, 0, NULL, "number of labelers"},
  {"rlhf.d", SS_T_INT, "16", 1, 64, 0, NULL, "feature dimension"},
  {"rlhf.horizon", SS_T_INT, "1", 1, 10000, 0, NULL, "horizon H (1: the contextual bandit; H > 1: a tabular MDP)"},
  {"rlhf.env.model", SS_T_ENUM, "auto", 0, 0, 0, SS_PLUGIN_CHOICES, "environment: contextual bandit or tabular MDP (auto: MDP iff horizon > 1)"},
  {"rlhf.B", SS_T_REAL, "1", 0, 1e6, SS_K_MIN_OPEN, NULL, "bound B on ||theta_i*|| (and on reports)"},
  {"rlhf.lambda", SS_T_REAL, "1e-3", 0, 1e6, SS_K_MIN_OPEN, NULL, "MLE ridge regulariser lambda (> 0)"},
  {"rlhf.confidence.c_f", SS_T_REAL, "1", 0, 1e6, 0, NULL, "constant c_f of the confidence radius f"},
  {"rlhf.confidence.delta", SS_T_REAL, "0.1", 0, 1, SS_K_MIN_OPEN | SS_K_MAX_OPEN, NULL, "confidence level delta of the radius"},
  {"rlhf.data", SS_T_ENUM, "comparisons", 0, 0, 0, SS_PLUGIN_CHOICES, "comparisons: each labeler's n Bradley-Terry comparisons and its MLE; exact: the infinite-data limit, the aggregators get the reported parameters themselves (radius 0)"},
  {"rlhf.labels.heldout", SS_T_BOOL, "false", 0, 0, 0, NULL, "true: the reported conditions (truthful, and the final strategic estimates) draw fresh label noise, independent of the noise SPSA optimised its reports against; false: the same common random numbers throughout"},
  {"rlhf.median", SS_T_ENUM, "lower", 0, 0, 0, SS_PLUGIN_CHOICES, "median of an even number of labelers: lower, upper or the mean of the two middle values"},
  {"rlhf.algorithms", SS_T_ENUM_LIST, DEFAULT_ALGOS, 0, 0, 0, SS_PLUGIN_CHOICES, "aggregators to compare, e.g. [naive_mle, median_mle]"},
  {"rlhf.policy.tol", SS_T_REAL, "1e-6", 0, 1, SS_K_MIN_OPEN, NULL, "policy optimisation stops at duality gap <= tol * max(|W|, |h|, 1e-3) (planner: also >= 1e-6 of its columns' largest |W|, docs/mdp.md)"},
  {"rlhf.policy.method", SS_T_ENUM, "planner", 0, 0, 0, SS_PLUGIN_CHOICES, "policy solver: the distributed certified planner (column generation, every H) or the dense LP / active set over every state (H = 1, reference)"},
  {"rlhf.policy.chunk", SS_T_INT, "0", 0, 1e9, 0, NULL, "states per fixed-order summation chunk (0: max(16, ceil(S/256)))"},
  {"rlhf.env.type", SS_T_ENUM, "gaussian", 0, 0, 0, SS_PLUGIN_CHOICES, "features: i.i.d. Gaussian rescaled to norm L, rlhf.env.features, or rlhf.env.file"},
  {"rlhf.env.states", SS_T_INT, "32", 1, 1e8, 0, NULL, "number of states S"},
  {"rlhf.env.actions", SS_T_INT, "4", 2, 256, 0, NULL, "number of actions A"},
  {"rlhf.env.rho", SS_T_REAL_LIST, NULL, 0, 1e300, 0, NULL, "state distribution (S weights, normalised); default uniform"},
  {"rlhf.population.model", SS_T_ENUM, "gaussian", 0, 0, 0, SS_PLUGIN_CHOICES, "how true parameters theta_i* are drawn (ktimes: the instance family of SP-RLHF Thm 3.5, docs/theory.md)"},
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
  rlhf_inputs inputs; /* the input plug-ins' settings (p points at them): params_free */
} run_params;

static void params_free(run_params *rp) { rlhf_inputs_free(&rp->inputs); }

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
  p->median_kind = (ss_median_kind)ss_plugin_choice_value(&rlhf_median_kinds, cfg);
  p->exact = ss_plugin_choice_value(&rlhf_data_kinds, cfg);
  p->policy_tol = ss_cfg_real(cfg, "rlhf.policy.tol");
  p->policy_chunk = (int)ss_cfg_int(cfg, "rlhf.policy.chunk");
  p->H = (int)ss_cfg_int(cfg, "rlhf.horizon");
  p->S = (int)ss_cfg_int(cfg, "rlhf.env.states");
  p->A = (int)ss_cfg_int(cfg, "rlhf.env.actions");
  p->L = ss_cfg_real(cfg, "rlhf.env.L");
  int nl;
  p->rho_cfg = ss_cfg_list(cfg, "rlhf.env.rho", &nl);
  SS_TRY(rlhf_inputs_setup(cfg, p, &rp->inputs, e)); /* the env model, type and population */
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
static int check_params(const ss_config *cfg, const run_params *rp, ss_err *e)
{
  const rlhf_params *p = &rp->p;
  SS_TRY(rlhf_agg_check_all(cfg, e)); /* every aggregator checks its own settings */
  SS_TRY(rlhf_inputs_check(cfg, p, e)); /* the environment model and type, the population */
  SS_TRY(rlhf_solver_check(cfg, p, e)); /* the policy solver's (an MDP needs one that solves MDPs) */
  int n;
  const double *rho = ss_cfg_list(cfg, "rlhf.env.rho", &n);
  if (rho) {
    if (n != p->S) return ss_cfg_error(cfg, "rlhf.env.rho", e, "expected S = %d weights, found %d", p->S, n);
    double tot = 0;
    for (int i = 0; i < n; i++) tot += rho[i];
    if (!(tot > 0) || !isfinite(tot)) return ss_cfg_error(cfg, "rlhf.env.rho", e, "expected weights with a positive finite sum");
  }
  SS_TRY(rlhf_strategy_check(rp->strategy, cfg, p, e)); /* its own settings */
  const long long *lst = ss_cfg_int_list(cfg, "rlhf.strategic.labelers", &n);
  for (int i = 0; lst && i < n; i++)
    if (lst[i] < 0 || lst[i] >= p->k)
      return ss_cfg_error(cfg, "rlhf.strategic.labelers", e, "expected labelers in [0, %lld) (rlhf.k = %lld), found %lld", (long long)p->k, (long long)p->k, lst[i]);
  return SS_OK;
}

static int rlhf_check(const ss_config *cfg, ss_err *e)
{
  run_params rp;
  int rc = read_params(cfg, 1, &rp, e);
  if (!rc) rc = check_params(cfg, &rp, e);
  params_free(&rp);
  return rc;
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

/* Gathers every rank's text to rank 0 of c (rank order) and appends it to table tb there.
 * Collective; may be called with an error pending (the gather agrees on it first). */
static int gather_rows(ss_comm *c, ss_tableset *ts, const char *table, const char *header,
                       text *t, ss_err *e)
{
  char *all = NULL;
  size_t len = 0;
  ss_table *tb = NULL;
  if (t->failed) ss_fail(e, SS_ERUNTIME, "out of memory building the %s rows", table);
  /* rank 0's header check, before the gather that agrees on it */
  if (!e->code && ss_comm_rank(c) == 0) {
    tb = ss_tableset_get(ts, table);
    ss_table_header(tb, header, e);
  }
  int rc = ss_par_gather_bytes(c, t->buf ? t->buf : "", t->len, 0, &all, &len, e);
  t->len = 0;
  if (!rc && tb && len) ss_table_append_body(tb, all, len); /* a failed append: ss_tableset_check */
  free(all);
  return rc;
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
  /* a local build's failure stays pending: the policy solve agrees on it first */
  rlhf_agg_build(ops, c, p, est, tsm, &agg, e);
  int rc = rlhf_policy_solve(st, agg, p->policy_tol, pol, e);
  rlhf_agg_destroy(&agg);
  return rc;
}

/* One task's resources and intermediate results: the run below is a sequence of named steps
 * over it (setup, oracle, estimate, dump, strategic setup, then per algorithm: aggregate and
 * plan, strategise, write), and run_free releases whatever was made. */
enum { PH_SETUP, PH_MLE, PH_POLICY, PH_STRAT, PH_OUT, PH_N };

typedef struct {
  ss_task *task;
  run_params rp;
  rlhf_params p_eval; /* the reported conditions' labels (held out from SPSA's or not) */
  ss_comm *comm, *self;
  int rank, d;
  int64_t k, first, count;
  int ph[PH_N];
  rlhf_env env;
  rlhf_states *st;
  rlhf_mle *mle;
  rlhf_estimates est_t, est_s;
  double *tstar, *tstar_all, *reports, *ju_t, *ju_s;
  unsigned char *strategic;
  void *strategy_data; /* the strategy's settings, read once at setup */
  const rlhf_solver_ops *solver; /* the policy solver and its settings (x->st's), read at setup */
  void *solver_settings;
  text tx, cmp;
  int need_prec, strategic_run;
  double tsm[RLHF_DMAX]; /* the exact mean of the true parameters: the oracle */
  double sw_opt, radius, grad_max;
  ss_table *runs;
} run_ctx;

static void phase_begin(run_ctx *x, int ph) { ss_phase_begin(x->task->timers, x->ph[ph]); }
static void phase_end(run_ctx *x, int ph) { ss_phase_end(x->task->timers, x->ph[ph]); }

static int run_init(run_ctx *x, ss_task *task, ss_err *e)
{
  static const char *const names[PH_N] = {"rlhf.setup", "rlhf.estimate", "rlhf.policy", "rlhf.strategy", "rlhf.output"};
  memset(x, 0, sizeof *x);
  x->task = task;
  SS_TRY(read_params(task->cfg, task->seed, &x->rp, e));
  x->comm = task->comm;
  x->rank = ss_comm_rank(x->comm);
  x->d = x->rp.p.d;
  x->k = x->rp.p.k;
  rlhf_block(x->k, ss_comm_size(x->comm), x->rank, &x->first, &x->count);
  for (int i = 0; i < PH_N; i++) x->ph[i] = ss_phase(task->timers, names[i]);
  for (int a = 0; a < x->rp.nalgos; a++) x->need_prec |= rlhf_agg_needs_prec(x->rp.algos[a]);
  x->strategic_run = !x->rp.strategy->reports_truth;
  x->p_eval = x->rp.p;
  x->p_eval.label_stream = x->rp.heldout ? 1u : 0u;
  return SS_OK;
}

static void run_free(run_ctx *x)
{
  free(x->tx.buf);
  free(x->cmp.buf);
  rlhf_estimates_free(&x->est_t);
  rlhf_estimates_free(&x->est_s);
  free(x->tstar);
  free(x->tstar_all);
  free(x->reports);
  free(x->ju_t);
  free(x->ju_s);
  free(x->strategic);
  rlhf_strategy_teardown(x->rp.strategy, &x->strategy_data);
  rlhf_mle_destroy(&x->mle);
  rlhf_states_destroy(&x->st);
  free(x->solver_settings);
  if (x->self) ss_comm_free(&x->self);
  rlhf_env_destroy(&x->env);
  params_free(&x->rp);
}

/* The environment, the distributed states, a one-rank communicator, the MLE solver and the
 * block's arrays. */
static int run_setup(run_ctx *x, ss_err *e)
{
  const rlhf_params *p = &x->rp.p;
  size_t rows = (size_t)(x->count ? x->count : 1);
  phase_begin(x, PH_SETUP);
  /* local: the environment, the MLE solver, the block's arrays, the strategy's settings and
   * the headers of the per-algorithm tables; the states' creation (collective) agrees on them */
  if (p->mdp) rlhf_env_create_mdp(p, &x->env, e);
  else rlhf_env_create(p, &x->env, e);
  if (!e->code) rlhf_mle_create(x->d, p->n, p->lambda, &x->mle, e);
  if (!e->code) {
    x->tstar = ss_malloc(rows * x->d * sizeof *x->tstar, e);
    x->strategic = ss_malloc((size_t)x->k, e);
    x->ju_t = ss_malloc(rows * sizeof *x->ju_t, e);
    x->ju_s = ss_malloc(rows * sizeof *x->ju_s, e);
  }
  if (!e->code) rlhf_strategy_setup(x->rp.strategy, x->task->cfg, p, &x->strategy_data, e);
  if (!e->code) {
    x->runs = ss_tableset_get(x->task->tables, "rlhf_runs");
    ss_table_header(x->runs, "n,k,d,algorithm,seed,condition,subopt,social_welfare,optimal_social_welfare,objective,duality_gap,max_gain,dual_value,relative_gap,converged,strategy,S,A,mle_grad_rel_max", e);
  }
  if (!e->code)
    ss_table_header(ss_tableset_get(x->task->tables, "rlhf_solves"), "n,algorithm,seed,condition,horizon,method,passes,columns,relative_gap,converged", e);
  if (!e->code) rlhf_solver_setup(x->task->cfg, &x->solver, &x->solver_settings, e);
  int rc = rlhf_states_create(x->comm, &x->env, p->policy_chunk, &x->st, e);
  if (!rc) rlhf_states_set_solver(x->st, x->solver, x->solver_settings);
  if (!rc && p->mdp) rc = rlhf_env_set_design(&x->env, x->st, p, e);
  if (!rc) rc = ss_par_split(x->comm, x->rank, 0, &x->self, e);
  phase_end(x, PH_SETUP);
  return rc;
}

/* The true parameters of the block, their exact mean (the oracle), who is strategic, and
 * the optimal social welfare. */
static int run_oracle(run_ctx *x, ss_err *e)
{
  const rlhf_params *p = &x->rp.p;
  int d = x->d;
  ss_xsum acc[RLHF_DMAX];
  for (int j = 0; j < d; j++) ss_xsum_init(&acc[j]);
  for (int64_t r = 0; r < x->count; r++) {
    rlhf_theta_star(p, x->first + r, x->tstar + r * d);
    for (int j = 0; j < d; j++) ss_xsum_add(&acc[j], x->tstar[r * d + j]);
  }
  SS_TRY(ss_par_sum_xsum(x->comm, acc, d, e));
  for (int j = 0; j < d; j++) x->tsm[j] = ss_xsum_value(&acc[j]) / (double)x->k;
  rlhf_strategic_flags(p, x->rp.fraction, x->rp.strat_list, x->rp.nstrat_list, x->strategic);
  rlhf_policy opt;
  memset(&opt, 0, sizeof opt);
  phase_begin(x, PH_POLICY);
  int rc = rlhf_policy_greedy(x->st, x->tsm, &opt, e);
  phase_end(x, PH_POLICY);
  if (rc) return rc;
  x->sw_opt = rlhf_dot(x->tsm, opt.z, d);
  rlhf_policy_free(&opt);
  return SS_OK;
}

/* Truthful estimates of the block (data generated per labeler on the fly). */
static int run_estimate(run_ctx *x, ss_err *e)
{
  x->radius = rlhf_params_radius(&x->rp.p, x->env.Lx);
  int rc = rlhf_estimates_alloc(&x->est_t, x->d, x->k, x->first, x->count, x->need_prec, e);
  x->est_t.radius = x->radius;
  dump_ctx dc = {&x->cmp, x->rp.p.n, x->rp.p.seed};
  phase_begin(x, PH_MLE);
  if (!rc) rc = rlhf_estimate_block(&x->p_eval, &x->env, x->mle, x->tstar, &x->est_t, x->rp.dump ? dump_comparisons : NULL, &dc, e);
  phase_end(x, PH_MLE);
  x->grad_max = 0;
  for (int64_t r = 0; !e->code && r < x->count; r++) x->grad_max = fmax(x->grad_max, x->est_t.grad_rel[r]);
  return ss_par_max_double(x->comm, &x->grad_max, 1, e); /* agrees on the local estimates first */
}

/* output.dump_data: the features and start distribution, on rank 0 (MDPs: features are
 * distributed, not dumped). */
static int dump_environment(run_ctx *x, ss_err *e)
{
  const rlhf_env *env = &x->env;
  int d = x->d;
  for (int s = 0; s < env->S; s++)
    for (int a = 0; a < env->A; a++) {
      text_add(&x->tx, "%llu,%d,%d,%.17g", (unsigned long long)x->rp.p.seed, s, a, env->rho[s]);
      for (int j = 0; j < d; j++) text_add(&x->tx, ",%.17g", env->phi[((size_t)s * env->A + a) * d + j]);
      text_add(&x->tx, "\n");
    }
  char *hdr = header_with("seed,s,a,rho", "phi_", d, "");
  ss_table *tb = ss_tableset_get(x->task->tables, "environment");
  int rc = ss_table_header(tb, hdr, e);
  if (!rc) ss_table_append_body(tb, x->tx.buf, x->tx.len);
  x->tx.len = 0;
  free(hdr);
  return rc;
}

/* output.dump_data: the comparisons, the truthful estimates and the environment. */
static int run_dump(run_ctx *x, ss_err *e)
{
  const rlhf_params *p = &x->rp.p;
  int d = x->d, rc = SS_OK;
  phase_begin(x, PH_OUT);
  /* rank 0's environment table first: the gathers below agree on it */
  if (x->rp.dump && x->rank == 0 && x->env.phi) dump_environment(x, e);
  if (x->rp.dump) {
    char *hdr = header_with("n,seed,labeler,j", "x_", d, ",label");
    rc = gather_rows(x->comm, x->task->tables, "comparisons", hdr, &x->cmp, e);
    free(hdr);
    for (int64_t r = 0; r < x->count && !rc; r++) {
      text_add(&x->tx, "%d,%llu,%lld", p->n, (unsigned long long)p->seed, (long long)(x->first + r));
      for (int j = 0; j < d; j++) text_add(&x->tx, ",%.17g", x->est_t.theta[r * d + j]);
      text_add(&x->tx, ",%.17g,%.17g\n", x->radius, x->est_t.grad[r]);
    }
    hdr = header_with("n,seed,labeler", "theta_", d, ",radius,grad_norm");
    if (!rc) rc = gather_rows(x->comm, x->task->tables, "estimates", hdr, &x->tx, e);
    free(hdr);
  }
  free(x->cmp.buf);
  x->cmp.buf = NULL;
  phase_end(x, PH_OUT);
  return rc;
}

/* Strategic reports need every labeler's true parameter (replicated). */
static int run_strategic_setup(run_ctx *x, ss_err *e)
{
  if (!x->strategic_run) return SS_OK;
  size_t kd = (size_t)x->k * x->d;
  x->tstar_all = ss_malloc(kd * sizeof *x->tstar_all, e);
  x->reports = ss_malloc(kd * sizeof *x->reports, e);
  if (!e->code) rlhf_estimates_alloc(&x->est_s, x->d, x->k, x->first, x->count, x->need_prec, e);
  x->est_s.radius = x->radius;
  /* every rank takes part, a rank whose allocations failed too: then all return its error */
  return ss_comm_allgather_doubles(x->comm, x->tstar, x->count * x->d, x->tstar_all, e);
}

/* Aggregate the estimates with one algorithm and plan its policy. */
static int aggregate_and_plan(run_ctx *x, const rlhf_agg_ops *ops, const rlhf_estimates *est,
                              rlhf_policy *pol, ss_err *e)
{
  phase_begin(x, PH_POLICY);
  int rc = solve_condition(x->comm, x->st, ops, &x->rp.p, est, x->tsm, pol, e);
  phase_end(x, PH_POLICY);
  return rc;
}

static void strategy_ctx_fill(run_ctx *x, const rlhf_agg_ops *ops, rlhf_strategy_ctx *sc)
{
  memset(sc, 0, sizeof *sc);
  sc->p = &x->rp.p;
  sc->env = &x->env;
  sc->comm = x->comm;
  sc->self = x->self;
  sc->states = x->st;
  sc->mle = x->mle;
  sc->strategic = x->strategic;
  sc->theta_star = x->tstar_all;
  sc->theta_star_mean = x->tsm;
  sc->agg = ops;
  sc->data = x->strategy_data; /* its settings, read once at setup */
}

/* The strategic condition of algorithm a: the labelers' reports, their estimates, and the
 * policy planned from them. */
static int strategise(run_ctx *x, int a, rlhf_policy *pol_s, ss_err *e)
{
  const rlhf_agg_ops *ops = x->rp.algos[a];
  rlhf_strategy_ctx sc;
  strategy_ctx_fill(x, ops, &sc);
  progress_ctx pc = {x->task, (double)a / x->rp.nalgos, 1.0 / x->rp.nalgos};
  sc.progress = spsa_progress;
  sc.progress_ctx = &pc;
  spsa_state_ctx ssc = {x->task, a};
  spsa_resume_state(&ssc, &sc);
  phase_begin(x, PH_STRAT);
  int rc = rlhf_strategy_run(x->rp.strategy, &sc, x->reports, e);
  phase_end(x, PH_STRAT);
  /* a strategy's local failure and the estimates' are agreed on by the aggregator's build */
  phase_begin(x, PH_MLE);
  if (!rc) rlhf_estimate_block(&x->p_eval, &x->env, x->mle, x->reports + x->first * x->d, &x->est_s, NULL, NULL, e);
  phase_end(x, PH_MLE);
  return aggregate_and_plan(x, ops, &x->est_s, pol_s, e);
}

/* rlhf_runs and rlhf_solves: one row per condition, on rank 0. */
static void write_runs(run_ctx *x, const char *aname, const rlhf_policy *pols[2], double max_gain)
{
  const rlhf_params *p = &x->rp.p;
  for (int cond = 0; cond < 2; cond++) {
    const rlhf_policy *pol = pols[cond];
    double sw = rlhf_dot(x->tsm, pol->z, x->d);
    if (x->rank == 0)
      ss_table_row(x->runs, "%d,%lld,%d,%s,%llu,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%d,%s,%d,%d,%.3g",
                   p->n, (long long)x->k, x->d, aname, (unsigned long long)p->seed,
                   cond ? "strategic" : "truthful", x->sw_opt - sw, sw, x->sw_opt, pol->objective,
                   pol->gap, cond ? max_gain : 0.0, pol->dual, pol->rel_gap, pol->converged,
                   rlhf_strategy_name(x->rp.strategy), x->env.S, x->env.A, x->grad_max);
    if (x->rank == 0) /* what the summary reads, typed (summary.c) */
      rlhf_run_record_add(x->task->tables, aname, p->seed, p->n, cond, x->sw_opt - sw, pol->rel_gap, pol->converged);
  }
  ss_table *solves = ss_tableset_get(x->task->tables, "rlhf_solves"); /* its header: run_setup */
  for (int cond = 0; cond < 2; cond++) {
    const rlhf_policy *pol = pols[cond];
    if (x->rank == 0)
      ss_table_row(solves, "%d,%s,%llu,%s,%d,%s,%d,%d,%.17g,%d", p->n, aname,
                   (unsigned long long)p->seed, cond ? "strategic" : "truthful", p->H,
                   pol->method, pol->passes, pol->columns, pol->rel_gap,
                   pol->converged);
  }
}

/* rlhf_labelers (the block's utilities) and, with output.dump_data, the policies. */
static int write_block_rows(run_ctx *x, const char *aname, const rlhf_policy *pols[2], int rc,
                            ss_err *e)
{
  const rlhf_params *p = &x->rp.p;
  if (x->rp.write_labelers) {
    for (int64_t r = 0; r < x->count; r++)
      text_add(&x->tx, "%d,%s,%llu,%lld,%d,%.17g,%.17g,%.17g\n", p->n, aname,
               (unsigned long long)p->seed, (long long)(x->first + r), x->strategic[x->first + r],
               x->ju_t[r], x->ju_s[r], x->ju_s[r] - x->ju_t[r]);
    if (!rc) rc = gather_rows(x->comm, x->task->tables, "rlhf_labelers", "n,algorithm,seed,labeler,strategic,utility_truthful,utility_strategic,gain", &x->tx, e);
  }
  for (int cond = 0; x->rp.dump && !rc && cond < 2; cond++) {
    const rlhf_policy *pol = pols[cond];
    for (int s = 0; s < pol->s_count; s++)
      for (int b = 0; b < pol->A; b++)
        text_add(&x->tx, "%d,%s,%llu,%s,%d,%d,%.17g\n", p->n, aname, (unsigned long long)p->seed,
                 cond ? "strategic" : "truthful", pol->s_first + s, b, pol->prob[(size_t)s * pol->A + b]);
    rc = gather_rows(x->comm, x->task->tables, "policies", "n,algorithm,seed,condition,s,a,prob", &x->tx, e);
  }
  return rc;
}

/* The labelers' utilities under both policies, the largest gain, and every row of this
 * algorithm. */
static int write_algorithm(run_ctx *x, const char *aname, const rlhf_policy *pols[2], ss_err *e)
{
  double max_gain = -INFINITY;
  for (int64_t r = 0; r < x->count; r++) {
    x->ju_s[r] = rlhf_dot(x->tstar + r * x->d, pols[1]->z, x->d);
    max_gain = fmax(max_gain, x->ju_s[r] - x->ju_t[r]);
  }
  int rc = ss_par_max_double(x->comm, &max_gain, 1, e);
  phase_begin(x, PH_OUT);
  if (!rc) write_runs(x, aname, pols, max_gain); /* a failed row append: ss_tableset_check */
  rc = write_block_rows(x, aname, pols, rc, e);
  phase_end(x, PH_OUT);
  return rc;
}

/* One algorithm: both conditions planned, then written. */
static int run_algorithm(run_ctx *x, int a, ss_err *e)
{
  const rlhf_agg_ops *ops = x->rp.algos[a];
  rlhf_policy pol_t, pol_s;
  memset(&pol_t, 0, sizeof pol_t);
  memset(&pol_s, 0, sizeof pol_s);
  int rc = aggregate_and_plan(x, ops, &x->est_t, &pol_t, e);
  if (!rc) {
    for (int64_t r = 0; r < x->count; r++) x->ju_t[r] = rlhf_dot(x->tstar + r * x->d, pol_t.z, x->d);
    if (x->strategic_run) rc = strategise(x, a, &pol_s, e);
  }
  if (!rc) {
    const rlhf_policy *pols[2] = {&pol_t, x->strategic_run ? &pol_s : &pol_t};
    rc = write_algorithm(x, ops->name, pols, e);
    ss_task_progress(x->task, (a + 1.0) / x->rp.nalgos);
  }
  rlhf_policy_free(&pol_t);
  rlhf_policy_free(&pol_s);
  return rc;
}

static int rlhf_run(ss_task *task, ss_err *e)
{
  run_ctx x;
  int rc = run_init(&x, task, e);
  if (!rc) rc = run_setup(&x, e);
  if (!rc) rc = run_oracle(&x, e);
  if (!rc) rc = run_estimate(&x, e);
  if (!rc) rc = run_dump(&x, e);
  if (!rc) rc = run_strategic_setup(&x, e);
  for (int a = 0; a < x.rp.nalgos && !rc; a++) rc = run_algorithm(&x, a, e);
  run_free(&x);
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

static const ss_plugin_family *const plugins[] = {
  &rlhf_aggregators, &rlhf_solvers, &rlhf_env_types, &rlhf_strategies, &rlhf_env_models, &rlhf_populations,
  &rlhf_median_kinds, &rlhf_data_kinds, &rlhf_mdp_feature_kinds, &rlhf_norm_kinds, &rlhf_momle_sets, NULL};

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
