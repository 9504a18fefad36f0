/* One task of `experiment: rlhf` (one seed of one sweep point): truthful and strategic
 * conditions for every algorithm, written to rlhf_runs, rlhf_solves, rlhf_labelers (+ the
 * comparisons, estimates, environment and policies with output.dump_data). Each rank owns a
 * block of labelers; the median confidence set is assembled with exact distributed medians;
 * the policy solve spreads states over the task's ranks. rlhf_run reads as its table of
 * contents: setup, oracle, estimate, dump, strategic setup, then per algorithm aggregate and
 * plan, strategise, write. */
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
#include "run.h"
#include "run_params.h"
#include "text_rows.h"
typedef struct {
  rlhf_text *t;
  int n;
  uint64_t seed;
} dump_ctx;

static void dump_comparisons(void *ctx, int64_t i, int n, int d, const double *x,
                             const unsigned char *o)
{
  dump_ctx *dc = ctx;
  for (int j = 0; j < n; j++) {
    rlhf_text_add(dc->t, "%d,%llu,%lld,%d", dc->n, (unsigned long long)dc->seed, (long long)i, j);
    for (int q = 0; q < d; q++) rlhf_text_add(dc->t, ",%.17g", x[(size_t)j * d + q]);
    rlhf_text_add(dc->t, ",%d\n", o[j]);
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
  rlhf_run_params rp;
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
  rlhf_text tx, cmp;
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
  SS_TRY(rlhf_run_params_read(task->cfg, task->seed, &x->rp, e));
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
  rlhf_run_params_free(&x->rp);
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
  if (!e->code) rlhf_mle_configure(x->mle, x->task->cfg, e);
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
      rlhf_text_add(&x->tx, "%llu,%d,%d,%.17g", (unsigned long long)x->rp.p.seed, s, a, env->rho[s]);
      for (int j = 0; j < d; j++) rlhf_text_add(&x->tx, ",%.17g", env->phi[((size_t)s * env->A + a) * d + j]);
      rlhf_text_add(&x->tx, "\n");
    }
  char *hdr = rlhf_header_with("seed,s,a,rho", "phi_", d, "");
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
    char *hdr = rlhf_header_with("n,seed,labeler,j", "x_", d, ",label");
    rc = rlhf_gather_rows(x->comm, x->task->tables, "comparisons", hdr, &x->cmp, e);
    free(hdr);
    for (int64_t r = 0; r < x->count && !rc; r++) {
      rlhf_text_add(&x->tx, "%d,%llu,%lld", p->n, (unsigned long long)p->seed, (long long)(x->first + r));
      for (int j = 0; j < d; j++) rlhf_text_add(&x->tx, ",%.17g", x->est_t.theta[r * d + j]);
      rlhf_text_add(&x->tx, ",%.17g,%.17g\n", x->radius, x->est_t.grad[r]);
    }
    hdr = rlhf_header_with("n,seed,labeler", "theta_", d, ",radius,grad_norm");
    if (!rc) rc = rlhf_gather_rows(x->comm, x->task->tables, "estimates", hdr, &x->tx, e);
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
      rlhf_text_add(&x->tx, "%d,%s,%llu,%lld,%d,%.17g,%.17g,%.17g\n", p->n, aname,
               (unsigned long long)p->seed, (long long)(x->first + r), x->strategic[x->first + r],
               x->ju_t[r], x->ju_s[r], x->ju_s[r] - x->ju_t[r]);
    if (!rc) rc = rlhf_gather_rows(x->comm, x->task->tables, "rlhf_labelers", "n,algorithm,seed,labeler,strategic,utility_truthful,utility_strategic,gain", &x->tx, e);
  }
  for (int cond = 0; x->rp.dump && !rc && cond < 2; cond++) {
    const rlhf_policy *pol = pols[cond];
    for (int s = 0; s < pol->s_count; s++)
      for (int b = 0; b < pol->A; b++)
        rlhf_text_add(&x->tx, "%d,%s,%llu,%s,%d,%d,%.17g\n", p->n, aname, (unsigned long long)p->seed,
                 cond ? "strategic" : "truthful", pol->s_first + s, b, pol->prob[(size_t)s * pol->A + b]);
    rc = rlhf_gather_rows(x->comm, x->task->tables, "policies", "n,algorithm,seed,condition,s,a,prob", &x->tx, e);
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

int rlhf_run(ss_task *task, ss_err *e)
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
