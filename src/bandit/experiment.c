/* `experiment: bandit`: the config keys, their cross-checks, one task (one seed of one
 * sweep point) = the epoch protocol of one mechanism against one arm strategy, and the
 * three tables bandit_epochs, bandit_arms and bandit_curves (docs/bandit.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/experiment.h"
#include "bandit_resume.h"
#include "stratsim/plugin.h"

static const ss_key keys[] = {
    {"bandit.mechanism", SS_T_ENUM, "optgtm", 0, 0, 0, SS_PLUGIN_CHOICES,
     "the mechanism that picks an arm each round"},
    {"bandit.strategy", SS_T_ENUM, "truthful", 0, 0, 0, SS_PLUGIN_CHOICES,
     "how arms report: truthfully, fixed reports (bandit.reported), or learned over epochs"},
    {"bandit.K", SS_T_INT, "4", 1, 1e6, 0, NULL, "number of arms"},
    {"bandit.d", SS_T_INT, "5", 1, 1000, 0, NULL, "context dimension"},
    {"bandit.T", SS_T_INT, "10000", 1, 1e12, 0, NULL, "rounds per rollout"},
    {"bandit.noise_sd", SS_T_REAL, "0.5", 0, 1e6, 0, NULL, "standard deviation of the Gaussian reward noise"},
    {"bandit.theta_source", SS_T_ENUM, "given", 0, 0, 0, SS_PLUGIN_CHOICES,
     "theta* from bandit.theta, or drawn uniformly on [-1,1]^d per seed"},
    {"bandit.features", SS_T_ENUM, "paper", 0, 0, 0, SS_PLUGIN_CHOICES,
     "true arm features y_a: the paper's (+0.1 at coordinate a mod d, -0.1 elsewhere), uniform on "
     "[-1,1]^d per seed, all ones, or bandit.true_features"},
    {"bandit.contexts", SS_T_ENUM, "shared", 0, 0, 0, SS_PLUGIN_CHOICES,
     "x*_{t,a} = c_t * y_a with one user context c_t per round (shared), or z_{t,a} * y_a with "
     "independent z_{t,a} per round and arm (iid); c, z uniform on [-1,1]^d"},
    {"bandit.lambda", SS_T_REAL, "1", 0, 1e12, SS_K_MIN_OPEN, NULL, "ridge regulariser"},
    {"bandit.delta", SS_T_REAL, "0", 0, 1, SS_K_MAX_OPEN, NULL,
     "confidence level of radii and eliminations; 0 means 1/T"},
    {"bandit.radius", SS_T_ENUM, "authors", 0, 0, 0, SS_PLUGIN_CHOICES,
     "confidence radius: the authors' constant, the per-arm Abbasi-Yadkori radius, or bandit.beta"},
    {"bandit.warmup", SS_T_INT, "10", 0, 1e12, 0, NULL,
     "uniform random rounds before LinUCB / LinGreedy start scoring"},
    {"bandit.refactor_every", SS_T_INT, "1000", 0, 1e12, 0, NULL,
     "rebuild each V^{-1} from V by Cholesky every this many Sherman-Morrison updates (0: never)"},
    {"bandit.crn", SS_T_BOOL, "false", 0, 0, 0, NULL,
     "common random numbers: every rollout of an epoch uses the same reward noise and draws"},
    {"bandit.curve_stride", SS_T_INT, "100", 0, 1e12, 0, NULL,
     "cumulative-regret curve every this many rounds (and at T), epoch 0 and last; 0: no curves"},
    {"bandit.rollout_groups", SS_T_INT, "0", 0, 1e6, 0, NULL,
     "rank groups for the rollouts of an epoch (each spreads the arms over its ranks); 0: one per rank"},
    {"bandit.write_arms", SS_T_BOOL, "true", 0, 0, 0, NULL, "write bandit_arms.csv (K rows per epoch)"},
};

static int check(const ss_config *cfg, ss_err *e)
{
  long long K = ss_cfg_int(cfg, "bandit.K"), d = ss_cfg_int(cfg, "bandit.d");
  /* the selected plug-ins check their own inputs; an input that no selected plug-in reads is
   * a mistake, not something to skip silently */
  const ss_bandit_theta_ops *theta = ss_plugin_selected(&ss_bandit_theta_sources, cfg);
  if (theta->check) SS_TRY(theta->check(cfg, d, e));
  const ss_bandit_features_ops *features = ss_plugin_selected(&ss_bandit_features, cfg);
  const ss_bandit_strategy_ops *strategy = ss_plugin_selected(&ss_bandit_strategies, cfg);
  if (features->check)
    SS_TRY(features->check(cfg, K, d, e));
  else if (ss_cfg_matrix(cfg, "bandit.true_features", NULL, NULL))
    return ss_cfg_error(cfg, "bandit.true_features", e, "only features: given uses true_features; found "
                        "features %s", ss_cfg_str(cfg, "bandit.features"));
  if (strategy->check)
    SS_TRY(strategy->check(cfg, K, d, e));
  else if (ss_cfg_matrix(cfg, "bandit.reported", NULL, NULL)) /* `reported: ~` (as show-config writes it) gives none */
    return ss_cfg_error(cfg, "bandit.reported", e, "only strategy fixed uses reported features; "
                        "found strategy %s", ss_cfg_str(cfg, "bandit.strategy"));
  /* every rank keeps the K x d true, reported and weighted features (replicated), and the
   * gradient strategy runs 1 + K d rollouts per epoch: refuse sizes no node can hold */
  if (K * d > 100000000LL)
    return ss_cfg_error(cfg, "bandit.K", e, "every rank keeps K x d feature arrays; expected K d <= 1e8, "
                        "found K d = %lld", K * d);
  return SS_OK;
}

/* ---- what the summary reads: one typed record per bandit_epochs row ---- */
#define EPOCH_RECORDS "bandit_epochs.records" /* internal (stratsim/table.h): never a CSV file */
typedef struct {
  char mechanism[SS_RECORD_NAME]; /* the mechanism's registry name */
  int64_t epoch;
  double regret;
} epoch_record;

static void epoch_record_add(ss_tableset *tables, const char *mechanism, int epoch, double regret)
{
  epoch_record r;
  memset(&r, 0, sizeof r);
  snprintf(r.mechanism, sizeof r.mechanism, "%s", mechanism); /* registry names fit (test_table_records) */
  r.epoch = epoch;
  r.regret = regret;
  ss_records_add(ss_tableset_records(tables, EPOCH_RECORDS, sizeof r), &r);
}

/* ---- one task ---- */
typedef struct {
  ss_task *task;
  const char *mechanism;
  int K, d;
  int64_t T, stride;
  int rank0, write_arms;
  ss_table *epochs, *arms, *curves;
} sink_ctx;

static void sink(void *vctx, const ss_bandit_epoch *ep)
{
  sink_ctx *s = vctx;
  if (!s->rank0) return;
  unsigned long long seed = (unsigned long long)s->task->seed;
  ss_table_add(s->epochs, "%s,%llu,%d,%.17g,%lld,%.17g,", s->mechanism, seed, ep->epoch, ep->regret,
               (long long)ep->all_eliminated_rounds, ep->manipulation);
  if (isnan(ep->theta_error)) ss_table_add(s->epochs, "nan");
  else ss_table_add(s->epochs, "%.17g", ep->theta_error);
  ss_table_end_row(s->epochs);
  epoch_record_add(s->task->tables, s->mechanism, ep->epoch, ep->regret); /* for finish */
  if (s->arms)
    for (int a = 0; a < s->K; a++) {
      ss_table_add(s->arms, "%s,%llu,%d,%d,%lld,%lld", s->mechanism, seed, ep->epoch, a,
                   (long long)ep->selections[a], (long long)ep->eliminated[a]);
      for (int j = 0; j < s->d; j++) ss_table_add(s->arms, ",%.17g", ep->reported[(size_t)a * s->d + j]);
      ss_table_end_row(s->arms);
    }
  if (s->curves && ep->curve)
    for (int64_t k = 0; k < ep->ncurve; k++)
      ss_table_row(s->curves, "%s,%llu,%d,%lld,%.17g", s->mechanism, seed, ep->epoch,
                   (long long)ss_bandit_curve_round(s->T, s->stride, k), ep->curve[k]);
}

static void progress(void *ctx, double fraction) { ss_task_progress(ctx, fraction); }

static int headers(sink_ctx *s, ss_err *e)
{
  ss_tableset *ts = s->task->tables;
  s->epochs = ss_tableset_get(ts, "bandit_epochs");
  SS_TRY(ss_table_header(s->epochs, "mechanism,seed,epoch,regret,all_eliminated_rounds,manipulation,theta_error", e));
  if (s->write_arms) {
    size_t len = 64 + (size_t)s->d * 24;
    char *h = ss_malloc(len, e);
    if (!h) return e->code;
    size_t at = (size_t)snprintf(h, len, "mechanism,seed,epoch,arm,selections,eliminated_round");
    for (int j = 0; j < s->d; j++) at += (size_t)snprintf(h + at, len - at, ",reported_%d", j);
    s->arms = ss_tableset_get(ts, "bandit_arms");
    int rc = ss_table_header(s->arms, h, e);
    free(h);
    SS_TRY(rc);
  }
  if (s->stride > 0) {
    s->curves = ss_tableset_get(ts, "bandit_curves");
    SS_TRY(ss_table_header(s->curves, "mechanism,seed,epoch,round,cumulative_regret", e));
  }
  return SS_OK;
}

static int build_env(const ss_config *cfg, uint64_t seed, ss_bandit_env *env, ss_err *e)
{
  int64_t K = ss_cfg_int(cfg, "bandit.K"), T = ss_cfg_int(cfg, "bandit.T");
  int d = (int)ss_cfg_int(cfg, "bandit.d");
  SS_TRY(ss_bandit_env_alloc(env, K, d, T, e));
  env->noise_sd = ss_cfg_real(cfg, "bandit.noise_sd");
  env->contexts = ss_plugin_choice_value(&ss_bandit_contexts, cfg);
  env->seed = seed;
  const ss_bandit_theta_ops *theta = ss_plugin_selected(&ss_bandit_theta_sources, cfg);
  theta->fill(cfg, seed, d, env->theta);
  const ss_bandit_features_ops *features = ss_plugin_selected(&ss_bandit_features, cfg);
  features->fill(cfg, seed, K, d, env->ytrue);
  ss_bandit_env_prepare(env);
  return SS_OK;
}

static void read_protocol(const ss_config *cfg, ss_bandit_protocol *pr)
{
  memset(pr, 0, sizeof *pr);
  pr->mechanism = ss_cfg_str(cfg, "bandit.mechanism");
  pr->strategy = ss_cfg_str(cfg, "bandit.strategy");
  ss_bandit_mech_params_default(&pr->mech);
  pr->mech.lambda = ss_cfg_real(cfg, "bandit.lambda");
  pr->mech.delta = ss_cfg_real(cfg, "bandit.delta");
  pr->mech.radius = ss_plugin_choice_value(&ss_bandit_radii, cfg);
  pr->mech.beta = ss_cfg_real(cfg, "bandit.beta");
  pr->mech.S = ss_cfg_real(cfg, "bandit.S");
  pr->mech.L = ss_cfg_real(cfg, "bandit.L");
  pr->mech.warmup = ss_cfg_int(cfg, "bandit.warmup");
  pr->mech.refactor_every = ss_cfg_int(cfg, "bandit.refactor_every");
  pr->strat.eps = ss_cfg_real(cfg, "bandit.eps");
  pr->strat.eta = ss_cfg_real(cfg, "bandit.eta");
  pr->strat.step_scale = ss_cfg_real(cfg, "bandit.step_scale");
  pr->strat.step_clip = ss_cfg_real(cfg, "bandit.step_clip");
  int rows, cols;
  pr->strat.fixed = ss_cfg_is_set(cfg, "bandit.reported") ? ss_cfg_matrix(cfg, "bandit.reported", &rows, &cols)
                                                          : NULL;
  pr->epochs = (int)ss_cfg_int(cfg, "bandit.epochs");
  pr->crn = ss_cfg_bool(cfg, "bandit.crn");
  pr->curve_stride = ss_cfg_int(cfg, "bandit.curve_stride");
  pr->rollout_groups = (int)ss_cfg_int(cfg, "bandit.rollout_groups");
}

static int run(ss_task *task, ss_err *e)
{
  const ss_config *cfg = task->cfg;
  ss_bandit_env env;
  ss_bandit_protocol pr;
  read_protocol(cfg, &pr);
  int rc = build_env(cfg, task->seed, &env, e);
  sink_ctx s = {.task = task,
                .mechanism = pr.mechanism,
                .K = (int)ss_cfg_int(cfg, "bandit.K"),
                .d = (int)ss_cfg_int(cfg, "bandit.d"),
                .T = ss_cfg_int(cfg, "bandit.T"),
                .stride = pr.curve_stride,
                .rank0 = ss_comm_rank(task->comm) == 0,
                .write_arms = ss_cfg_bool(cfg, "bandit.write_arms")};
  ss_bandit_resume res = {0};
  if (!rc && s.rank0) rc = headers(&s, e);
  if (!rc) rc = ss_bandit_task_resume(task, s.K, s.d, &res, e); /* in-task checkpoints */
  pr.resume = &res;
  /* the protocol agrees on a pending error (the environment, the headers, the resumed state:
   * all local) before its first collective; a failed environment keeps its shape (K, d, T) */
  int phase = ss_phase(task->timers, "bandit_rollouts");
  ss_phase_begin(task->timers, phase);
  ss_bandit_protocol_run(task->comm, &env, &pr, sink, &s, progress, task, e);
  ss_phase_end(task->timers, phase);
  rc = ss_bandit_task_save(task, s.K, s.d, pr.epochs, &res, e);
  free(res.yrep);
  ss_bandit_env_free(&env);
  return rc;
}

/* ---- after all tasks: a human summary per mechanism ---- */
typedef struct {
  char name[SS_RECORD_NAME];
  double first_sum, first_sq, last_sum, last_sq;
  long first_n, last_n;
  long last_epoch;
} mech_summary;

/* The standard error of a mean from its sum and sum of squares over n seeds (0 for n < 2). */
static double std_error(double sum, double sq, long n)
{
  if (n < 2) return 0.0;
  double mean = sum / n, var = (sq - n * mean * mean) / (n - 1);
  return var > 0 ? sqrt(var / n) : 0.0;
}

/* The slot of mechanism name in ms (nm of at most max used), added on first use; -1 if full. */
static int mech_slot(mech_summary *ms, int *nm, int max, const char *name)
{
  int k = 0;
  while (k < *nm && strcmp(ms[k].name, name)) k++;
  if (k < *nm) return k;
  if (*nm == max) return -1;
  memset(&ms[k], 0, sizeof ms[k]);
  snprintf(ms[k].name, sizeof ms[k].name, "%s", name);
  (*nm)++;
  return k;
}

/* Per mechanism: the regret of epoch 0 and of the last epoch, mean +- s.e. over seeds, from
 * the typed records the tasks added next to their bandit_epochs rows. */
static int finish(const ss_config *cfg, ss_tableset *tables, FILE *summary, ss_err *e)
{
  if (!summary) return SS_OK;
  long n;
  const epoch_record *rec = ss_records_data(ss_tableset_records(tables, EPOCH_RECORDS, sizeof *rec), &n);
  SS_TRY(ss_tableset_check(tables, e));
  mech_summary ms[8];
  int nm = 0;
  /* Pass 1: the last epoch per mechanism; pass 2: sums. */
  for (int pass = 0; pass < 2; pass++)
    for (long i = 0; i < n; i++) {
      long ep = (long)rec[i].epoch;
      double reg = rec[i].regret;
      int k = mech_slot(ms, &nm, 8, rec[i].mechanism);
      if (k < 0) continue;
      if (pass == 0) {
        if (ep > ms[k].last_epoch) ms[k].last_epoch = ep;
        continue;
      }
      if (ep == 0) {
        ms[k].first_sum += reg;
        ms[k].first_sq += reg * reg;
        ms[k].first_n++;
      }
      if (ep == ms[k].last_epoch && ep > 0) {
        ms[k].last_sum += reg;
        ms[k].last_sq += reg * reg;
        ms[k].last_n++;
      }
    }
  for (int k = 0; k < nm; k++) {
    double m0 = ms[k].first_n ? ms[k].first_sum / ms[k].first_n : NAN;
    fprintf(summary, "bandit %-9s regret (mean +- s.e. over %ld seed%s) epoch 0: %.1f +- %.1f", ms[k].name,
            ms[k].first_n, ms[k].first_n == 1 ? "" : "s", m0, std_error(ms[k].first_sum, ms[k].first_sq, ms[k].first_n));
    if (ms[k].last_n) {
      double m1 = ms[k].last_sum / ms[k].last_n;
      fprintf(summary, ", epoch %ld: %.1f +- %.1f (x%.2f)", ms[k].last_epoch, m1,
              std_error(ms[k].last_sum, ms[k].last_sq, ms[k].last_n), m1 / m0);
    }
    fprintf(summary, "\n");
  }
  return SS_OK;
}

/* bandit_arms.csv has one reported-feature column per dimension */
static const char *columns_depend_on(const ss_config *cfg, const char *key)
{
  return !strcmp(key, "bandit.d") && ss_cfg_bool(cfg, "bandit.write_arms") ? "bandit_arms" : NULL;
}

static const ss_plugin_family *const plugins[] = {&ss_bandit_mechanisms, &ss_bandit_strategies,
                                                   &ss_bandit_features, &ss_bandit_theta_sources,
                                                   &ss_bandit_contexts, &ss_bandit_radii, NULL};

const ss_experiment_ops ss_bandit_experiment = {
    .name = "bandit",
    .summary = "strategic linear contextual bandits: OptGTM, GGTM, LinUCB vs arms that game them",
    .keys = keys,
    .nkeys = sizeof keys / sizeof keys[0],
    .plugins = plugins,
    .check = check,
    .run = run,
    .finish = finish,
    .memory = ss_bandit_memory,
    .columns_depend_on = columns_depend_on,
};
