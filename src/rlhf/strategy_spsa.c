/* SPSA strategic labelers (MODELS 1.6). Every strategic labeler i climbs its own utility
 * J_i(pi_hat(t_i, t_-i)) = <theta_i*, z> over its report t_i with Spall's gains; all of them
 * update simultaneously against the others' current reports. The 2 x (strategic labelers)
 * evaluations of a step are independent: they are spread over rank groups (a split of the
 * task's communicator), each evaluation relabelling and re-estimating its labeler and re-running
 * the aggregator and the certified policy solve over the group's states. What an estimate needs
 * that does not depend on the report (design, label thresholds, Sigma^{-1}) is cached per
 * labeler across all evaluations when it fits in RLHF_CACHE_BUDGET bytes per rank. The utilities come
 * back through an exact sum, so the dynamics are identical for any rank count or grouping. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "spsa_layout.h"
#include "stratsim/interrupt.h"
#include "stratsim/rng.h"
#include "stratsim/task_state.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "mdp_settings.h"
#include "solver.h"
#include "strategy_ops.h"

/* The settings, declared here and read once per task by spsa_read_settings (ctx->data). */
static const ss_key spsa_keys[] = {
  {"rlhf.spsa.steps", SS_T_INT, "200", 0, 1e7, 0, NULL, "SPSA steps"},
  {"rlhf.spsa.a", SS_T_REAL, "0.5", 0, 1e6, 0, NULL, "SPSA gain a (a_m = a / (m + 1 + A)^alpha)"},
  {"rlhf.spsa.c", SS_T_REAL, "0.1", 0, 1e6, SS_K_MIN_OPEN, NULL, "SPSA perturbation c (c_m = c / (m + 1)^gamma)"},
  {"rlhf.spsa.A", SS_T_REAL, "10", 0, 1e9, 0, NULL, "SPSA stability constant A"},
  {"rlhf.spsa.alpha", SS_T_REAL, "0.602", 0, 10, 0, NULL, "SPSA gain exponent alpha"},
  {"rlhf.spsa.gamma", SS_T_REAL, "0.101", 0, 10, 0, NULL, "SPSA perturbation exponent gamma"},
  {"rlhf.spsa.start", SS_T_INT, "0", 0, 1e6, 0, NULL, "SPSA start: 0 = the true parameter; s > 0 = the s-th keyed random point of the ball of radius B (several starts: sweep it)"},
  {"rlhf.spsa.groups", SS_T_INT, "0", 0, 1e6, 0, NULL, "rank groups for the evaluations of an SPSA step (0: one per rank, each holding whole policy states; for an MDP whose copy would exceed 64 MiB (about S A (8 d + 12 b + 40) bytes), one group of every rank, so the MDP stays distributed by state)"},
};

typedef struct {
  int steps;
  double a, c, A_gain, alpha_exp, gamma_exp;
  int groups; /* evaluation groups (0: one per rank) */
  int start;  /* 0 = theta_i*, s > 0 = a keyed random point of the ball */
} spsa_settings;

static int spsa_read_settings(const ss_config *cfg, const rlhf_params *p, void **data, ss_err *e)
{
  spsa_settings *S = ss_malloc(sizeof *S, e);
  if (!S) return e->code;
  S->steps = (int)ss_cfg_int(cfg, "rlhf.spsa.steps");
  S->a = ss_cfg_real(cfg, "rlhf.spsa.a");
  S->c = ss_cfg_real(cfg, "rlhf.spsa.c");
  S->A_gain = ss_cfg_real(cfg, "rlhf.spsa.A");
  S->alpha_exp = ss_cfg_real(cfg, "rlhf.spsa.alpha");
  S->gamma_exp = ss_cfg_real(cfg, "rlhf.spsa.gamma");
  S->groups = (int)ss_cfg_int(cfg, "rlhf.spsa.groups");
  S->start = (int)ss_cfg_int(cfg, "rlhf.spsa.start");
  *data = S;
  return SS_OK;
}

/* Start s > 0 (rlhf.spsa.start): each strategic labeler starts from a point uniform in the
 * ball of radius B, keyed (seed, SPSA, labeler, index above every step's Delta draws); its
 * Delta draws are keyed apart per start too (start 0 keeps the original keys). */
#define SPSA_START_INDEX(s) ((uint64_t)(s) << 40)
static void spsa_random_starts(const rlhf_strategy_ctx *ctx, int start, double *reports)
{
  int d = ctx->p->d;
  for (int64_t i = 0; i < ctx->p->k; i++) {
    if (!ctx->strategic[i]) continue;
    double *r = reports + i * d, nrm = 0;
    uint64_t base = SPSA_START_INDEX(start) | ((uint64_t)1 << 39);
    ss_rng_normal_fill(ctx->p->seed, SS_P_RLHF_SPSA, (uint32_t)i, base, (uint64_t)d, r);
    for (int j = 0; j < d; j++) nrm += r[j] * r[j];
    nrm = sqrt(nrm);
    double rad = ctx->p->B * pow(ss_rng_u01(ctx->p->seed, SS_P_RLHF_SPSA, (uint32_t)i, base + d), 1.0 / d);
    for (int j = 0; j < d; j++) r[j] = nrm > 0 ? r[j] * rad / nrm : 0.0;
  }
}

/* The run's workspace. */
typedef struct {
  rlhf_strategy_ctx *ctx;
  const spsa_settings *S; /* ctx->data */
  double *reports;    /* k x d, replicated */
  int d, G, color, grank, with_prec;
  int64_t k, nstrat, nev, first, count;
  ss_comm *gcomm;     /* this rank's evaluation group */
  rlhf_states *gstates;
  rlhf_data_cache *cache;
  int64_t *who;       /* the strategic labelers */
  double *u, *delta;  /* utilities of the evaluations; the step's perturbation signs */
  double *warm;       /* k x d, replicated: every labeler's estimate at the last step (warm starts) */
  rlhf_estimates mine, all;
} spsa_ws;

int rlhf_spsa_groups(int configured, const rlhf_params *p, int P)
{
  double copy = (double)p->S * p->A * (8.0 * p->d + 12.0 * rlhf_mdp_settings_of(p)->successors + 40.0);
  int G = configured > 0 ? configured : p->mdp && copy > RLHF_SPSA_REPLICATE_BUDGET ? 1 : P;
  return G < P ? G : P;
}

/* Groups, states, cache and arrays. Collective over ctx->comm. */
static int spsa_setup(spsa_ws *w, ss_err *e)
{
  rlhf_strategy_ctx *ctx = w->ctx;
  const rlhf_params *p = ctx->p;
  int P = ss_comm_size(ctx->comm), rank = ss_comm_rank(ctx->comm);
  w->d = p->d;
  w->k = p->k;
  for (int64_t i = 0; i < w->k; i++) w->nstrat += ctx->strategic[i];
  w->nev = 2 * w->nstrat;
  w->G = rlhf_spsa_groups(w->S->groups, p, P);
  if (w->G > P) w->G = P;
  if (w->G > w->nev) w->G = (int)w->nev;
  w->color = (int)((int64_t)rank * w->G / P);
  rlhf_block(w->k, P, rank, &w->first, &w->count);
  w->with_prec = rlhf_agg_needs_prec(ctx->agg);
  w->who = ss_malloc((size_t)w->nstrat * sizeof *w->who, e);
  w->u = ss_malloc((size_t)w->nev * sizeof *w->u, e);
  w->delta = ss_malloc((size_t)w->nstrat * w->d * sizeof *w->delta, e);
  w->warm = ss_calloc((size_t)w->k * w->d, sizeof *w->warm, e);
  for (int64_t i = 0, q = 0; w->who && i < w->k; i++)
    if (ctx->strategic[i]) w->who[q++] = i;
  /* local, agreed on by the split; then the group's states, whose creation agrees over the
   * group; a group's failure reaches every group in the step's first allgather over comm */
  if (!e->code) rlhf_data_cache_create(p, ctx->env, RLHF_CACHE_BUDGET, &w->cache, e);
  if (!e->code) rlhf_estimates_alloc(&w->mine, w->d, w->k, w->first, w->count, w->with_prec, e);
  w->mine.cache = w->cache;
  w->mine.radius = rlhf_params_radius(p, ctx->env->Lx);
  SS_TRY(ss_par_split(ctx->comm, w->color, rank, &w->gcomm, e));
  w->grank = ss_comm_rank(w->gcomm);
  if (!rlhf_states_create(w->gcomm, ctx->env, p->policy_chunk, &w->gstates, e)) rlhf_states_use_solver_of(w->gstates, ctx->states);
  return e->code;
}

static void spsa_free(spsa_ws *w)
{
  rlhf_estimates_free(&w->mine);
  rlhf_estimates_free(&w->all);
  rlhf_data_cache_destroy(&w->cache);
  rlhf_states_destroy(&w->gstates);
  if (w->gcomm) ss_comm_free(&w->gcomm);
  free(w->who);
  free(w->u);
  free(w->delta);
  free(w->warm);
}

/* Evaluation ev of a step (labeler who[ev / 2] perturbed by +-cm delta): its utility in u[ev]
 * on group rank 0. Collective over the evaluation group. */
static int spsa_eval(spsa_ws *w, int64_t ev, double cm, ss_err *e)
{
  double save[RLHF_DMAX * (3 + RLHF_DMAX)];
  rlhf_strategy_ctx *ctx = w->ctx;
  int d = w->d;
  int64_t s = ev / 2, i = w->who[s];
  double sign = ev % 2 ? -1.0 : 1.0, t[RLHF_DMAX], z[RLHF_DMAX];
  size_t n = (size_t)d, ws = n * sizeof *save, ps = n * n * sizeof *save;
  rlhf_estimates *all = &w->all;
  for (int j = 0; j < d; j++) t[j] = w->reports[i * d + j] + sign * cm * w->delta[s * d + j];
  /* swap labeler i's row for its re-estimate at the perturbed report */
  memcpy(save, all->theta + i * n, ws);
  memcpy(save + n, all->lo + i * n, ws);
  memcpy(save + 2 * n, all->hi + i * n, ws);
  if (w->with_prec) memcpy(save + 3 * n, all->prec + i * n * n, ps);
  all->warm = 1; /* from labeler i's estimate at its current report */
  rlhf_estimate_one(ctx->p, ctx->env, ctx->mle, i, t, all, i, e);
  rlhf_agg *agg = NULL;
  if (!e->code) rlhf_agg_build(ctx->agg, ctx->self, ctx->p, all, ctx->theta_star_mean, &agg, e);
  /* the evaluation so far is local: the group's policy solve agrees on it first */
  int rc = rlhf_solve_aggregate(w->gstates, agg, ctx->p->policy_tol, z, e);
  rlhf_agg_destroy(&agg);
  if (!rc && w->grank == 0) w->u[ev] = rlhf_dot(ctx->theta_star + i * d, z, d);
  memcpy(all->theta + i * n, save, ws);
  memcpy(all->lo + i * n, save + n, ws);
  memcpy(all->hi + i * n, save + 2 * n, ws);
  if (w->with_prec) memcpy(all->prec + i * n * n, save + 3 * n, ps);
  return rc;
}

/* SPSA step m: everyone's estimate at the current reports, the 2 x strategic evaluations, and
 * the simultaneous update. The reports change only at the end, so a stop anywhere inside
 * leaves the state (reports, warm) of the step's start. Collective over ctx->comm. */
static int spsa_step(spsa_ws *w, int m, ss_err *e)
{
  rlhf_strategy_ctx *ctx = w->ctx;
  const rlhf_params *p = ctx->p;
  int d = w->d;
  const spsa_settings *S = w->S;
  double am = S->a / pow(m + 1 + S->A_gain, S->alpha_exp);
  double cm = S->c / pow(m + 1, S->gamma_exp);
  /* everyone's estimate at the current reports: the block, then replicated; warm starts from
   * each labeler's previous estimate (deterministic, whichever rank holds it) */
  w->mine.warm = m > 0;
  if (!e->code) rlhf_estimate_block(p, ctx->env, ctx->mle, w->reports + w->first * d, &w->mine, NULL, NULL, e);
  /* the block's estimates are local (and so is a group's failure in setup or in the previous
   * step's save): the allgather agrees on them first */
  SS_TRY(rlhf_estimates_allgather(ctx->comm, &w->mine, &w->all, e));
  w->all.cache = w->cache;
  for (int64_t s = 0; s < w->nstrat; s++)
    for (int j = 0; j < d; j++)
      w->delta[s * d + j] = ss_rng_u01(p->seed, SS_P_RLHF_SPSA, (uint32_t)w->who[s],
                                       SPSA_START_INDEX(S->start) + (uint64_t)m * d + j) < 0.5 ? -1.0 : 1.0;
  int rc = SS_OK;
  for (int64_t ev = 0; ev < w->nev && !rc; ev++) {
    w->u[ev] = 0;
    if (ev % w->G == w->color) rc = spsa_eval(w, ev, cm, e);
  }
  /* a group that failed stops every group: the sum agrees first */
  SS_TRY(ss_par_sum_exact(ctx->comm, w->u, (int)w->nev, e));
  memcpy(w->warm, w->all.theta, (size_t)w->k * d * sizeof *w->warm);
  rlhf_estimates_free(&w->all);
  for (int64_t s = 0; s < w->nstrat; s++) {
    int64_t i = w->who[s];
    double ghat = (w->u[2 * s] - w->u[2 * s + 1]) / (2 * cm);
    for (int j = 0; j < d; j++) w->reports[i * d + j] += am * ghat * w->delta[s * d + j];
    rlhf_project_ball(w->reports + i * d, d, p->B);
  }
  return SS_OK;
}

/* The record of the state at the start of step m (m = steps: the final reports):
 * "SPSAST01", m, steps, k, d, start (u64 each), reports (k x d), warm (k x d), doubles in the
 * machine's byte order (the same build resumes). Every rank of comm calls it. */
#define SPSA_MAGIC "SPSAST01"
static int spsa_save(spsa_ws *w, int m, ss_err *e)
{
  rlhf_strategy_ctx *ctx = w->ctx;
  if (!ctx->save || m == 0) return SS_OK;
  size_t kd = (size_t)w->k * w->d, len = 48 + 2 * kd * sizeof(double);
  /* local (the save too): the caller's next collective agrees on a failure */
  unsigned char *rec = ss_malloc(len, e);
  if (!rec) return e->code;
  memcpy(rec, SPSA_MAGIC, 8);
  unsigned long long h[5] = {(unsigned long long)m, (unsigned long long)w->S->steps, (unsigned long long)w->k,
                             (unsigned long long)w->d, (unsigned long long)w->S->start};
  for (int i = 0; i < 5; i++) ss_put_le64(rec + 8 + 8 * i, h[i]);
  memcpy(rec + 48, w->reports, kd * sizeof(double));
  memcpy(rec + 48 + kd * sizeof(double), w->warm, kd * sizeof(double));
  char where[160];
  snprintf(where, sizeof where, "SPSA step %d of %d (%s)", m, w->S->steps, ctx->agg->name);
  ctx->save(ctx->save_ctx, rec, len, where, e);
  free(rec);
  return e->code;
}

/* The state saved by spsa_save, if any: *m0 = the step to continue from. */
static int spsa_restore(spsa_ws *w, int *m0, ss_err *e)
{
  rlhf_strategy_ctx *ctx = w->ctx;
  const unsigned char *rec = ctx->resume;
  size_t kd = (size_t)w->k * w->d;
  *m0 = 0;
  if (!rec) return SS_OK;
  if (ctx->resume_len != 48 + 2 * kd * sizeof(double) || memcmp(rec, SPSA_MAGIC, 8) ||
      ss_get_le64(rec + 16) != (unsigned long long)w->S->steps || ss_get_le64(rec + 24) != (unsigned long long)w->k ||
      ss_get_le64(rec + 32) != (unsigned long long)w->d || ss_get_le64(rec + 40) != (unsigned long long)w->S->start ||
      ss_get_le64(rec + 8) > (unsigned long long)w->S->steps)
    return ss_fail(e, SS_EINPUT, "the checkpoint's SPSA state does not match this run (%zu bytes)", ctx->resume_len);
  *m0 = (int)ss_get_le64(rec + 8);
  memcpy(w->reports, rec + 48, kd * sizeof(double));
  memcpy(w->warm, rec + 48 + kd * sizeof(double), kd * sizeof(double));
  if (w->count) memcpy(w->mine.theta, w->warm + w->first * w->d, (size_t)w->count * w->d * sizeof(double));
  return SS_OK;
}

static int spsa_run(rlhf_strategy_ctx *ctx, double *reports, ss_err *e)
{
  const spsa_settings *S = ctx->data;
  memcpy(reports, ctx->theta_star, (size_t)ctx->p->k * ctx->p->d * sizeof *reports);
  if (S->start > 0) spsa_random_starts(ctx, S->start, reports);
  int64_t nstrat = 0;
  for (int64_t i = 0; i < ctx->p->k; i++) nstrat += ctx->strategic[i];
  if (nstrat == 0 || S->steps == 0) return SS_OK;
  spsa_ws w;
  memset(&w, 0, sizeof w);
  w.ctx = ctx;
  w.S = S;
  w.reports = reports;
  /* setup and restore may fail on some ranks only: the first step's allgather agrees on it
   * (every rank enters the loop, which runs at least once) */
  int m = 0, rc = SS_OK;
  if (!spsa_setup(&w, e)) spsa_restore(&w, &m, e);
  ss_safepoint sp;
  ss_safepoint_init(&sp);
  while (!rc && m < S->steps) {
    if ((rc = spsa_step(&w, m, e))) break; /* a stop inside step m: its start is the state */
    m++;
    if (ctx->progress) ctx->progress(ctx->progress_ctx, (double)m / S->steps);
    /* safe point: the state is (reports, warm, m); a periodic checkpoint saves it and goes on */
    int due = 0;
    if (m < S->steps) rc = ss_safepoint_due(&sp, ctx->comm, "SPSA step", m, S->steps, &due, e);
    if (!rc && due && !(rc = spsa_save(&w, m, e))) rc = ss_periodic_write(ctx->comm, e);
  }
  /* the state to continue from: at a stop, the start of step m; at the end, the final reports
   * (a resumed task then skips this run) */
  if (!rc || rc == SS_EINTR) {
    ss_err stop = *e;
    ss_err_clear(e);
    if (!spsa_save(&w, m, e)) *e = stop; /* a failed save is reported instead */
    rc = e->code;
  }
  spsa_free(&w);
  return rc;
}

const rlhf_strategy_ops rlhf_strategy_spsa = {
  .name = "spsa",
  .summary = "every strategic labeler climbs its own utility over its report with SPSA (MODELS 1.6)",
  .optimises = 1,
  .keys = spsa_keys,
  .nkeys = SS_PLUGIN_COUNT(spsa_keys),
  .setup = spsa_read_settings,
  .run = spsa_run,
};
