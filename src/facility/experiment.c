/* experiment: facility. For each mechanism and seed: the truthful profile (social cost and
 * every agent's one-shot manipulation gain), then best-response dynamics from it (social
 * cost, rounds, what agents gained). Agents are owned in contiguous blocks by the ranks of
 * the task's group. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/experiment.h"
#include "stratsim/plugin.h"
#include "stratsim/facility.h"
#include "stratsim/rng.h"

static const ss_key keys[] = {
  {"facility.agents", SS_T_INT, "300", 1, 1e9, 0, NULL, "number of agents m"},
  {"facility.dims", SS_T_INT, "2", 1, 1024, 0, NULL, "dimension D of locations"},
  {"facility.lo", SS_T_REAL, "0", -1e12, 1e12, 0, NULL, "lower end of the location box [lo,hi]^D"},
  {"facility.hi", SS_T_REAL, "1", -1e12, 1e12, 0, NULL, "upper end of the location box"},
  {"facility.locations", SS_T_REAL_MATRIX, NULL, -1e12, 1e12, 0, NULL,
   "explicit true locations (agents x dims); default: uniform in the box from the keyed RNG"},
  {"facility.mechanisms", SS_T_ENUM_LIST, "[mean, median]", 0, 0, 0, SS_PLUGIN_CHOICES,
   "mechanisms to compare"},
  {"facility.median", SS_T_ENUM, "lower", 0, 0, 0, SS_PLUGIN_CHOICES,
   "median of an even count: lower and upper order statistics are strategyproof, their mean is not"},
  {"facility.max_rounds", SS_T_INT, "1000", 1, 1e9, 0, NULL, "cap on best-response rounds"},
  {"facility.tol", SS_T_REAL, "1e-9", 0, 1, SS_K_MIN_OPEN, NULL,
   "a deviation must lower the agent's cost by more than this to count as a gain"},
  {"facility.write_agents", SS_T_BOOL, "true", 0, 0, 0, NULL, "write facility_agents.csv (one row per agent)"},
};

static int check(const ss_config *cfg, ss_err *e)
{
  if (!(ss_cfg_real(cfg, "facility.lo") < ss_cfg_real(cfg, "facility.hi")))
    return ss_cfg_error(cfg, "facility.hi", e, "expected a value above facility.lo (%g), found %g",
                        ss_cfg_real(cfg, "facility.lo"), ss_cfg_real(cfg, "facility.hi"));
  int rows, cols;
  const double *loc = ss_cfg_matrix(cfg, "facility.locations", &rows, &cols);
  if (!loc) return SS_OK;
  if (rows != ss_cfg_int(cfg, "facility.agents"))
    return ss_cfg_error(cfg, "facility.locations", e, "expected %lld rows (facility.agents), found %d",
                        ss_cfg_int(cfg, "facility.agents"), rows);
  if (cols != ss_cfg_int(cfg, "facility.dims"))
    return ss_cfg_error(cfg, "facility.locations", e, "expected rows of %lld values (facility.dims), found %d",
                        ss_cfg_int(cfg, "facility.dims"), cols);
  for (int i = 0; i < rows * cols; i++)
    if (loc[i] < ss_cfg_real(cfg, "facility.lo") || loc[i] > ss_cfg_real(cfg, "facility.hi"))
      return ss_cfg_error(cfg, "facility.locations", e, "row %d: expected values in [lo, hi] = [%g, %g], found %g",
                          i / cols + 1, ss_cfg_real(cfg, "facility.lo"), ss_cfg_real(cfg, "facility.hi"), loc[i]);
  return SS_OK;
}

typedef struct {
  ss_fac_params p;
  int64_t first, n;      /* this rank's agents */
  double *truth, *reports;
  double *gain;          /* one-shot gain at the truthful profile */
  double *cost_truthful; /* each agent's cost when everyone is truthful */
  double *final_gain;    /* cost_truthful - cost at the end of the dynamics */
} fac_run;

static void fac_run_free(fac_run *r)
{
  free(r->truth);
  free(r->reports);
  free(r->gain);
  free(r->cost_truthful);
  free(r->final_gain);
}

static void true_locations(const ss_config *cfg, uint64_t seed, fac_run *r)
{
  const double *loc = ss_cfg_matrix(cfg, "facility.locations", NULL, NULL);
  int D = r->p.D;
  for (int64_t i = 0; i < r->n; i++)
    for (int j = 0; j < D; j++) {
      int64_t a = r->first + i;
      r->truth[i * D + j] = loc ? loc[a * D + j]
                                : r->p.lo + (r->p.hi - r->p.lo) *
                                                ss_rng_u01(seed, SS_P_FACILITY_LOCATION, (uint32_t)a, (uint64_t)j);
    }
}

/* Social cost (exact sum) and each agent's cost for the current reports. */
static int social_cost(ss_comm *c, const ss_fac_mechanism *mech, fac_run *r, double *agent_cost,
                       double *total, ss_err *e)
{
  ss_fac_summary s = {0};
  double *f = ss_calloc((size_t)r->p.D, sizeof *f, e);
  if (mech->summarize(c, &r->p, r->reports, r->n, &s, e)) { free(f); ss_fac_summary_free(&s); return e->code; }
  ss_fac_outcome(mech, &s, &r->p, f);
  ss_xsum acc;
  ss_xsum_init(&acc);
  for (int64_t i = 0; i < r->n; i++) {
    double cost = 0;
    for (int j = 0; j < r->p.D; j++) cost += fabs(f[j] - r->truth[i * r->p.D + j]);
    if (agent_cost) agent_cost[i] = cost;
    ss_xsum_add(&acc, cost);
  }
  ss_comm_sum_xsum(c, &acc, 1);
  *total = ss_xsum_value(&acc);
  free(f);
  ss_fac_summary_free(&s);
  return SS_OK;
}

static int one_shot_gains(ss_comm *c, const ss_fac_mechanism *mech, fac_run *r, double *max_gain, ss_err *e)
{
  ss_fac_summary s = {0};
  double *br = ss_calloc((size_t)r->p.D, sizeof *br, e);
  if (mech->summarize(c, &r->p, r->reports, r->n, &s, e)) { free(br); ss_fac_summary_free(&s); return e->code; }
  *max_gain = 0;
  for (int64_t i = 0; i < r->n; i++) {
    r->gain[i] = ss_fac_best_response(mech, &s, &r->p, r->truth + i * r->p.D, r->reports + i * r->p.D, br);
    if (r->gain[i] > *max_gain) *max_gain = r->gain[i];
  }
  ss_comm_max_double(c, max_gain, 1);
  free(br);
  ss_fac_summary_free(&s);
  return SS_OK;
}

/* This rank's agent rows as text; gathered to the group leader in agent order. */
static int agent_rows(ss_comm *c, const char *mech, uint64_t seed, fac_run *r, ss_table *t, ss_err *e)
{
  char *buf = NULL, *all = NULL;
  size_t len = 0, alen = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) ss_fail(e, SS_ERUNTIME, "out of memory");
  for (int64_t i = 0; f && i < r->n; i++) {
    fprintf(f, "%s,%llu,%lld", mech, (unsigned long long)seed, (long long)(r->first + i));
    for (int j = 0; j < r->p.D; j++) fprintf(f, ",%.17g", r->truth[i * r->p.D + j]);
    for (int j = 0; j < r->p.D; j++) fprintf(f, ",%.17g", r->reports[i * r->p.D + j]);
    fprintf(f, ",%.17g,%.17g\n", r->gain[i], r->final_gain[i]);
  }
  if (f) fclose(f);
  int rc = ss_par_gather_bytes(c, buf ? buf : "", len, 0, &all, &alen, e); /* agrees first */
  if (!rc && ss_comm_rank(c) == 0) ss_table_append_body(t, all, alen);
  free(buf);
  free(all);
  return rc;
}

static int set_headers(ss_task *task, int D, ss_err *e)
{
  SS_TRY(ss_table_header(ss_tableset_get(task->tables, "facility_runs"),
                         "mechanism,seed,condition,social_cost,max_gain,rounds,converged,moves,"
                         "max_remaining_gain,agents,dims",
                         e));
  if (!ss_cfg_bool(task->cfg, "facility.write_agents")) return SS_OK;
  char header[65536] = "mechanism,seed,agent";
  for (int j = 1; j <= D; j++) snprintf(header + strlen(header), sizeof header - strlen(header), ",true_location_%d", j);
  for (int j = 1; j <= D; j++) snprintf(header + strlen(header), sizeof header - strlen(header), ",report_%d", j);
  snprintf(header + strlen(header), sizeof header - strlen(header), ",gain,final_gain");
  return ss_table_header(ss_tableset_get(task->tables, "facility_agents"), header, e);
}

/* What the summary reads: one typed record per facility_runs row (stratsim/table.h). */
#define RUN_RECORDS "facility_runs.records" /* internal: never a CSV file */
typedef struct {
  char mechanism[SS_RECORD_NAME]; /* the mechanism's registry name */
  int64_t best_response;          /* the condition: 0 truthful, 1 best_response */
  double social_cost, max_gain, rounds;
} run_record;

static void run_record_add(ss_tableset *tables, const char *mechanism, int best_response, double social_cost,
                           double max_gain, long rounds)
{
  run_record rec;
  memset(&rec, 0, sizeof rec);
  snprintf(rec.mechanism, sizeof rec.mechanism, "%s", mechanism); /* registry names fit (test_table_records) */
  rec.best_response = best_response;
  rec.social_cost = social_cost;
  rec.max_gain = max_gain;
  rec.rounds = (double)rounds;
  ss_records_add(ss_tableset_records(tables, RUN_RECORDS, sizeof rec), &rec);
}

static int run_mechanism(ss_task *task, const ss_fac_mechanism *mech, fac_run *r, ss_err *e)
{
  ss_comm *c = task->comm;
  ss_table *runs = ss_tableset_get(task->tables, "facility_runs");
  int phase_truth = ss_phase(task->timers, "facility_truthful");
  int phase_dyn = ss_phase(task->timers, "facility_dynamics");
  double cost_truth, cost_final, max_gain, max_final = -INFINITY, remaining;
  ss_fac_dynamics dyn;

  ss_phase_begin(task->timers, phase_truth);
  if (!e->code) memcpy(r->reports, r->truth, (size_t)(r->n * r->p.D) * sizeof *r->reports);
  int rc = social_cost( /* agrees on a pending error (the run's allocations) first */c, mech, r, r->cost_truthful, &cost_truth, e);
  if (!rc) rc = one_shot_gains(c, mech, r, &max_gain, e);
  ss_phase_end(task->timers, phase_truth);
  if (rc) return rc;
  if (ss_comm_rank(c) == 0) {
    ss_table_row(runs, "%s,%llu,truthful,%.17g,%.17g,0,1,0,%.17g,%lld,%d", mech->name,
                 (unsigned long long)task->seed, cost_truth, max_gain, max_gain, (long long)r->p.m, r->p.D);
    run_record_add(task->tables, mech->name, 0, cost_truth, max_gain, 0);
  }

  ss_phase_begin(task->timers, phase_dyn);
  double *one_shot = ss_calloc((size_t)(r->n ? r->n : 1), sizeof *one_shot, e);
  double *cost_now = ss_calloc((size_t)(r->n ? r->n : 1), sizeof *cost_now, e);
  if (!e->code) memcpy(one_shot, r->gain, (size_t)r->n * sizeof *one_shot);
  rc = ss_fac_run_dynamics( /* agrees on a failed allocation first */c, mech, &r->p, r->first, r->n, r->truth, r->reports,
                                    ss_cfg_int(task->cfg, "facility.max_rounds"), &dyn, e);
  if (!rc) rc = social_cost(c, mech, r, cost_now, &cost_final, e);
  for (int64_t i = 0; !rc && i < r->n; i++) {
    r->final_gain[i] = r->cost_truthful[i] - cost_now[i];
    if (r->final_gain[i] > max_final) max_final = r->final_gain[i];
  }
  ss_comm_max_double(c, &max_final, 1);
  if (!rc) rc = one_shot_gains(c, mech, r, &remaining, e); /* overwrites gain: restore below */
  if (!rc) memcpy(r->gain, one_shot, (size_t)r->n * sizeof *one_shot);
  ss_phase_end(task->timers, phase_dyn);
  free(one_shot);
  free(cost_now);
  if (rc) return rc;
  if (ss_comm_rank(c) == 0) {
    ss_table_row(runs, "%s,%llu,best_response,%.17g,%.17g,%ld,%d,%ld,%.17g,%lld,%d", mech->name,
                 (unsigned long long)task->seed, cost_final, max_final, dyn.rounds, dyn.converged, dyn.moves,
                 remaining, (long long)r->p.m, r->p.D);
    run_record_add(task->tables, mech->name, 1, cost_final, max_final, dyn.rounds);
  }
  if (ss_cfg_bool(task->cfg, "facility.write_agents"))
    return agent_rows(c, mech->name, task->seed, r, ss_tableset_get(task->tables, "facility_agents"), e);
  return SS_OK;
}

/* The task's parameters, this rank's block of agents and its arrays. */
/* facility.median: the median kinds (src/core/median_choices.c) */
static const ss_plugin_family median_kinds = {
  .what = "median kind",
  .key = "facility.median",
  .items = ss_median_choices,
  .n = SS_MEDIAN_NCHOICES,
};

static void fac_setup(const ss_task *task, fac_run *r, ss_err *e)
{
  const ss_config *cfg = task->cfg;
  r->p.m = ss_cfg_int(cfg, "facility.agents");
  r->p.D = (int)ss_cfg_int(cfg, "facility.dims");
  r->p.lo = ss_cfg_real(cfg, "facility.lo");
  r->p.hi = ss_cfg_real(cfg, "facility.hi");
  r->p.tol = ss_cfg_real(cfg, "facility.tol");
  r->p.median = (ss_median_kind)ss_plugin_choice_value(&median_kinds, cfg);
  int P = ss_comm_size(task->comm), me = ss_comm_rank(task->comm);
  r->first = r->p.m * me / P;
  r->n = r->p.m * (me + 1) / P - r->first;
  size_t cells = (size_t)(r->n ? r->n : 1) * (size_t)r->p.D;
  r->truth = ss_calloc(cells, sizeof *r->truth, e);
  r->reports = ss_calloc(cells, sizeof *r->reports, e);
  r->gain = ss_calloc(cells, sizeof *r->gain, e);
  r->cost_truthful = ss_calloc(cells, sizeof *r->cost_truthful, e);
  r->final_gain = ss_calloc(cells, sizeof *r->final_gain, e);
}

/* One task: setup, the true locations, then every mechanism (truthful and best responses). */
static int run(ss_task *task, ss_err *e)
{
  const ss_config *cfg = task->cfg;
  fac_run r = {0};
  fac_setup(task, &r, e);
  int rc = set_headers(task, r.p.D, e);
  if (!rc && (!r.truth || !r.reports || !r.gain || !r.cost_truthful || !r.final_gain)) rc = e->code;
  if (!e->code) true_locations(cfg, task->seed, &r);
  int nmech;
  const char *const *mechs = ss_cfg_enum_list(cfg, "facility.mechanisms", &nmech);
  for (int k = 0; k < nmech; k++) { /* the first one agrees on a failure above */
    if ((rc = run_mechanism(task, ss_fac_mechanism_find(mechs[k]), &r, e))) break;
    ss_task_progress(task, (k + 1.0) / nmech);
  }
  fac_run_free(&r);
  return rc;
}

/* The seeds' records of one (mechanism, condition), summed and printed. Returns the largest
 * gain. */
static double summarise_condition(const run_record *rec, long nrec, const char *mech, int best_response, FILE *out)
{
  double sc = 0, sq = 0, g = 0, rounds = 0;
  long n = 0;
  for (long i = 0; i < nrec; i++) {
    if (strcmp(rec[i].mechanism, mech) || rec[i].best_response != best_response) continue;
    double c = rec[i].social_cost;
    sc += c;
    sq += c * c;
    g = fmax(g, rec[i].max_gain);
    rounds += rec[i].rounds;
    n++;
  }
  if (!n) return 0;
  double mean = sc / n, var = n > 1 ? (sq - n * mean * mean) / (n - 1) : 0;
  fprintf(out, "  %-9s %-14s %12.6f +- %9.6f %14.3g %10.1f\n", mech, best_response ? "best_response" : "truthful",
          mean, var > 0 ? sqrt(var / n) : 0.0, g, rounds / n);
  return g;
}

/* Means over seeds per (mechanism, condition), and the verdict the demo is about, from the
 * typed records the tasks added next to their facility_runs rows. */
static int finish(const ss_config *cfg, ss_tableset *tables, FILE *out, ss_err *e)
{
  long nrec;
  const run_record *rec = ss_records_data(ss_tableset_records(tables, RUN_RECORDS, sizeof *rec), &nrec);
  SS_TRY(ss_tableset_check(tables, e));
  int nmech;
  const char *const *mechs = ss_cfg_enum_list(cfg, "facility.mechanisms", &nmech);
  fprintf(out, "facility location: %lld agents in [%g,%g]^%lld, %lld seed%s\n",
          ss_cfg_int(cfg, "facility.agents"), ss_cfg_real(cfg, "facility.lo"), ss_cfg_real(cfg, "facility.hi"),
          ss_cfg_int(cfg, "facility.dims"), ss_cfg_int(cfg, "seeds"), ss_cfg_int(cfg, "seeds") > 1 ? "s" : "");
  fprintf(out, "  %-9s %-14s %25s %14s %10s\n", "mechanism", "condition", "social_cost (mean +- s.e.)",
          "max_gain", "rounds");
  for (int k = 0; k < nmech; k++) {
    double truthful_gain = summarise_condition(rec, nrec, mechs[k], 0, out);
    summarise_condition(rec, nrec, mechs[k], 1, out);
    fprintf(out, "  -> %s: %s (largest one-shot manipulation gain %.3g)\n", mechs[k],
            truthful_gain > ss_cfg_real(cfg, "facility.tol") ? "manipulable" : "no agent can gain by lying",
            truthful_gain);
  }
  return SS_OK;
}

/* facility_agents.csv has one location column per dimension */
static const char *columns_depend_on(const ss_config *cfg, const char *key)
{
  return !strcmp(key, "facility.dims") && ss_cfg_bool(cfg, "facility.write_agents") ? "facility_agents" : NULL;
}

static const ss_plugin_family *const plugins[] = {&ss_fac_mechanisms, &median_kinds, NULL};

const ss_experiment_ops ss_facility_experiment = {
    .name = "facility",
    .summary = "facility location with mean or median (the hospital example)",
    .keys = keys,
    .nkeys = (int)(sizeof keys / sizeof keys[0]),
    .plugins = plugins,
    .check = check,
    .run = run,
    .finish = finish,
    .memory = ss_facility_memory,
    .columns_depend_on = columns_depend_on,
};
