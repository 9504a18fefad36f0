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
#include "stratsim/interrupt.h"
#include "stratsim/rng.h"
#include "rlhf_impl.h"

/* The settings, declared here and read once per task by spsa_setup (ctx->data). */
static const ss_key spsa_keys[] = {
  {"rlhf.spsa.steps", SS_T_INT, "200", 0, 1e7, 0, NULL, "SPSA steps"},
  {"rlhf.spsa.a", SS_T_REAL, "0.5", 0, 1e6, 0, NULL, "SPSA gain a (a_m = a / (m + 1 + A)^alpha)"},
  {"rlhf.spsa.c", SS_T_REAL, "0.1", 0, 1e6, SS_K_MIN_OPEN, NULL, "SPSA perturbation c (c_m = c / (m + 1)^gamma)"},
  {"rlhf.spsa.A", SS_T_REAL, "10", 0, 1e9, 0, NULL, "SPSA stability constant A"},
  {"rlhf.spsa.alpha", SS_T_REAL, "0.602", 0, 10, 0, NULL, "SPSA gain exponent alpha"},
  {"rlhf.spsa.gamma", SS_T_REAL, "0.101", 0, 10, 0, NULL, "SPSA perturbation exponent gamma"},
  {"rlhf.spsa.start", SS_T_INT, "0", 0, 1e6, 0, NULL, "SPSA start: 0 = the true parameter; s > 0 = the s-th keyed random point of the ball of radius B (several starts: sweep it)"},
  {"rlhf.spsa.groups", SS_T_INT, "0", 0, 1e6, 0, NULL, "rank groups for the evaluations of an SPSA step (0: one per rank)"},
};

typedef struct {
  int steps;
  double a, c, A_gain, alpha_exp, gamma_exp;
  int groups; /* evaluation groups (0: one per rank) */
  int start;  /* 0 = theta_i*, s > 0 = a keyed random point of the ball */
} spsa_settings;

static int spsa_setup(const ss_config *cfg, const rlhf_params *p, void **data, ss_err *e)
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

static int spsa_run(rlhf_strategy_ctx *ctx, double *reports, ss_err *e)
{
  const spsa_settings *S = ctx->data;
  const rlhf_params *p = ctx->p;
  int d = p->d;
  int64_t k = p->k;
  int P = ss_comm_size(ctx->comm), rank = ss_comm_rank(ctx->comm);
  memcpy(reports, ctx->theta_star, (size_t)k * d * sizeof *reports);
  if (S->start > 0) spsa_random_starts(ctx, S->start, reports);
  int64_t nstrat = 0;
  for (int64_t i = 0; i < k; i++) nstrat += ctx->strategic[i];
  if (nstrat == 0 || S->steps == 0) return SS_OK;
  int64_t nev = 2 * nstrat;
  int G = S->groups > 0 ? S->groups : P;
  if (G > P) G = P;
  if (G > nev) G = (int)nev;
  int color = (int)((int64_t)rank * G / P);
  ss_comm *gcomm = NULL;
  rlhf_states *gstates = NULL;
  int64_t *who = malloc((size_t)nstrat * sizeof *who);
  double *u = malloc((size_t)nev * sizeof *u);
  double *delta = malloc((size_t)nstrat * d * sizeof *delta);
  int64_t first, count;
  rlhf_block(k, P, rank, &first, &count);
  rlhf_estimates mine, all;
  rlhf_data_cache *cache = NULL;
  memset(&mine, 0, sizeof mine);
  memset(&all, 0, sizeof all);
  int with_prec = rlhf_agg_needs_prec(ctx->agg);
  if (!who || !u || !delta) ss_fail(e, SS_ERUNTIME, "out of memory");
  /* local failures are agreed on before each collective step */
  int rc = ss_comm_agree(ctx->comm, e);
  if (!rc) {
    if (ss_comm_split(ctx->comm, color, rank, &gcomm)) ss_fail(e, SS_ERUNTIME, "comm split failed");
    rc = ss_comm_agree(ctx->comm, e);
  }
  if (!rc) { /* the states are collective over the group only */
    if (!rlhf_states_create(gcomm, ctx->env, p->policy_chunk, &gstates, e) &&
        !rlhf_data_cache_create(p, ctx->env, RLHF_CACHE_BUDGET, &cache, e)) {
      rlhf_states_configure(gstates, p);
      rlhf_estimates_alloc(&mine, d, k, first, count, with_prec, e);
    }
    mine.cache = cache;
    rc = ss_comm_agree(ctx->comm, e);
  }
  mine.radius = rlhf_params_radius(p, ctx->env->Lx);
  int gsize = gcomm ? ss_comm_size(gcomm) : 1, grank = gcomm ? ss_comm_rank(gcomm) : 0;
  (void)gsize;
  if (!rc) {
    int64_t q = 0;
    for (int64_t i = 0; i < k; i++)
      if (ctx->strategic[i]) who[q++] = i;
  }
  double save[RLHF_DMAX * (3 + RLHF_DMAX) + 2];
  ss_safepoint sp;
  ss_safepoint_init(&sp);
  for (int m = 0; m < S->steps && !rc; m++) {
    double am = S->a / pow(m + 1 + S->A_gain, S->alpha_exp);
    double cm = S->c / pow(m + 1, S->gamma_exp);
    /* everyone's estimate at the current reports: the block, then replicated */
    /* warm starts (deterministic: each labeler's previous estimate, whichever rank holds it) */
    mine.warm = m > 0;
    rlhf_estimate_block(p, ctx->env, ctx->mle, reports + first * d, &mine, NULL, NULL, e);
    rc = ss_comm_agree(ctx->comm, e); /* the block's estimates are local */
    if (!rc) rc = rlhf_estimates_allgather(ctx->comm, &mine, &all, e);
    if (rc) break;
    all.cache = cache;
    for (int64_t s = 0; s < nstrat; s++)
      for (int j = 0; j < d; j++)
        delta[s * d + j] =
            ss_rng_u01(p->seed, SS_P_RLHF_SPSA, (uint32_t)who[s],
                       SPSA_START_INDEX(S->start) + (uint64_t)m * d + j) < 0.5 ? -1.0 : 1.0;
    for (int64_t ev = 0; ev < nev && !rc; ev++) {
      u[ev] = 0;
      if (ev % G != color) continue;
      int64_t s = ev / 2, i = who[s];
      double sign = ev % 2 ? -1.0 : 1.0, t[RLHF_DMAX];
      for (int j = 0; j < d; j++) t[j] = reports[i * d + j] + sign * cm * delta[s * d + j];
      /* swap labeler i's row for its re-estimate at the perturbed report */
      size_t w = (size_t)d;
      memcpy(save, all.theta + i * w, w * sizeof *save);
      memcpy(save + w, all.lo + i * w, w * sizeof *save);
      memcpy(save + 2 * w, all.hi + i * w, w * sizeof *save);
      if (with_prec) memcpy(save + 3 * w, all.prec + i * w * w, w * w * sizeof *save);
      all.warm = 1; /* from labeler i's estimate at its current report */
      rlhf_estimate_one(p, ctx->env, ctx->mle, i, t, &all, i, e);
      rlhf_agg *agg = NULL;
      if (!e->code) rlhf_agg_build(ctx->agg, ctx->self, p, &all, ctx->theta_star_mean, &agg, e);
      /* the evaluation so far is local: agreed on in the group before its policy solve */
      rc = ss_comm_agree(gcomm, e);
      double z[RLHF_DMAX];
      if (!rc) rc = rlhf_solve_aggregate(gstates, agg, p->policy_tol, z, e);
      rlhf_agg_destroy(&agg);
      if (!rc && grank == 0) u[ev] = rlhf_dot(ctx->theta_star + i * d, z, d);
      memcpy(all.theta + i * w, save, w * sizeof *save);
      memcpy(all.lo + i * w, save + w, w * sizeof *save);
      memcpy(all.hi + i * w, save + 2 * w, w * sizeof *save);
      if (with_prec) memcpy(all.prec + i * w * w, save + 3 * w, w * w * sizeof *save);
    }
    rlhf_estimates_free(&all);
    rc = ss_comm_agree(ctx->comm, e); /* a group that failed stops every group */
    if (rc) break;
    ss_comm_sum_exact(ctx->comm, u, (int)nev);
    for (int64_t s = 0; s < nstrat; s++) {
      int64_t i = who[s];
      double ghat = (u[2 * s] - u[2 * s + 1]) / (2 * cm);
      for (int j = 0; j < d; j++) reports[i * d + j] += am * ghat * delta[s * d + j];
      rlhf_project_ball(reports + i * d, d, p->B);
    }
    if (ctx->progress) ctx->progress(ctx->progress_ctx, (m + 1.0) / S->steps);
    /* safe point: the state is (reports, m + 1); see interrupt.h */
    if (m + 1 < S->steps) rc = ss_safepoint_check(&sp, ctx->comm, "SPSA step", m + 1, S->steps, e);
  }
  rlhf_estimates_free(&mine);
  rlhf_estimates_free(&all);
  rlhf_data_cache_destroy(&cache);
  rlhf_states_destroy(&gstates);
  if (gcomm) ss_comm_free(&gcomm);
  free(who);
  free(u);
  free(delta);
  return rc;
}

const rlhf_strategy_ops rlhf_strategy_spsa = {
  .name = "spsa",
  .summary = "every strategic labeler climbs its own utility over its report with SPSA (MODELS 1.6)",
  .keys = spsa_keys,
  .nkeys = SS_PLUGIN_COUNT(spsa_keys),
  .setup = spsa_setup,
  .run = spsa_run,
};
