/* The epoch protocol (MODELS 2.3). Epoch e runs rollout 0 (the evaluation: regret,
 * utilities, eliminations, curves) and, for adaptive strategies before the final
 * evaluation, one rollout per (arm i, coordinate j) with ỹ_ij perturbed. The 1 + K d
 * rollouts of an epoch are independent, so they are dealt round-robin to rank groups
 * (rollout r to group r mod G); each group spreads the arms over its ranks and runs its
 * rollouts in batches that share the user contexts (ss_bandit_rollouts). Results are
 * combined with integer sums and exact sums, so every layout gives the same bits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"
#include "stratsim/interrupt.h"

typedef struct {
  int64_t K;
  int d;
  int64_t nint;       /* selections K | eliminated+1 K | all-eliminated | has theta error | pert K d */
  int64_t *ints;
  double dbl[3];      /* regret, manipulation, theta error */
} epoch_buf;

static void clear(epoch_buf *b, int64_t nint)
{
  memset(b->ints, 0, (size_t)nint * sizeof(int64_t));
  b->dbl[0] = b->dbl[1] = b->dbl[2] = 0;
}

/* Memory a batch of rollouts may use for its mechanisms and reports: batches are what
 * lets the rollouts of a group share the user contexts, but each rollout of a batch has a
 * mechanism of its own (O(K d^2 / P) doubles), so huge instances run one at a time. */
enum { BATCH_BYTES = 32 << 20 };

/* Rollouts this group runs at once. */
static int batch_size(const ss_bandit_env *env, int64_t owned, int64_t per_group)
{
  double lane = 8.0 * ((double)owned * (double)(ss_ridge_ndoubles(env->d) + 8) +
                       (double)env->K * (double)(env->d + 2));
  double fit = BATCH_BYTES / lane;
  int64_t n = fit < 1 ? 1 : (int64_t)fit;
  if (n > per_group) n = per_group;
  return (int)(n > 0 ? n : 1);
}

/* The state of one rollout slot of a batch. */
typedef struct {
  ss_bandit_mech *m;
  double *yrep;        /* K x d */
  int64_t *sel, *elim; /* K */
} slot;

int ss_bandit_protocol_run(ss_comm *c, const ss_bandit_env *env, const ss_bandit_protocol *pr,
                           void (*sink)(void *ctx, const ss_bandit_epoch *ep), void *sink_ctx,
                           void (*progress)(void *ctx, double fraction), void *progress_ctx,
                           ss_err *e)
{
  const ss_bandit_strategy_ops *strat = ss_bandit_strategy_find(pr->strategy);
  if (!strat) return ss_fail(e, SS_EINPUT, "bandit: unknown strategy '%s'", pr->strategy ? pr->strategy : "(null)");
  const int64_t K = env->K;
  const int d = env->d;
  const int size = ss_comm_size(c), rank = ss_comm_rank(c);
  int groups = pr->rollout_groups <= 0 || pr->rollout_groups > size ? size : pr->rollout_groups;
  int color = (int)((int64_t)rank * groups / size);
  ss_comm *g = c;
  if (groups > 1) {
    int rc = ss_comm_split(c, color, rank, &g);
    if (rc) return ss_fail(e, rc, "bandit: could not split into rollout groups");
  }
  /* With several groups, group rank 0 contributes its rollouts' results to the sums over c;
   * with one group every rank already holds every result. */
  const int contribute = groups == 1 || ss_comm_rank(g) == 0;
  const int nep = strat->adaptive ? pr->epochs : 0;
  const int64_t npert = strat->adaptive ? K * d : 0;
  const int64_t curve_len = ss_bandit_curve_len(env->T, pr->curve_stride);
  const int gsize = ss_comm_size(g), grank = ss_comm_rank(g);
  const int64_t owned = K * (grank + 1) / gsize - K * grank / gsize;
  const int nbatch = batch_size(env, owned, (1 + npert + groups - 1) / groups);

  epoch_buf buf = {.K = K, .d = d, .nint = 2 * K + 2 + npert};
  double *yrep = ss_malloc((size_t)K * d * sizeof(double), e);
  int64_t *sel = ss_malloc((size_t)K * sizeof(int64_t), e);
  int64_t *elim_out = ss_malloc((size_t)K * sizeof(int64_t), e);
  double *curve = ss_malloc((size_t)(curve_len > 0 ? curve_len : 1) * sizeof(double), e);
  slot *slots = ss_calloc((size_t)nbatch, sizeof(slot), e);
  ss_bandit_mech **mechs = ss_calloc((size_t)nbatch, sizeof(ss_bandit_mech *), e);
  const double **reps = ss_calloc((size_t)nbatch, sizeof(double *), e);
  ss_bandit_rollout_opts *opts = ss_calloc((size_t)nbatch, sizeof(ss_bandit_rollout_opts), e);
  ss_bandit_outcome *outs = ss_calloc((size_t)nbatch, sizeof(ss_bandit_outcome), e);
  int64_t *which = ss_calloc((size_t)nbatch, sizeof(int64_t), e);
  buf.ints = ss_malloc((size_t)buf.nint * sizeof(int64_t), e);
  for (int k = 0; slots && k < nbatch && !e->code; k++) {
    slots[k].yrep = ss_malloc((size_t)K * d * sizeof(double), e);
    slots[k].sel = ss_malloc((size_t)K * sizeof(int64_t), e);
    slots[k].elim = ss_malloc((size_t)K * sizeof(int64_t), e);
    if (!e->code) ss_bandit_mech_create(pr->mechanism, g, env, &pr->mech, &slots[k].m, e);
    if (!e->code) mechs[k] = slots[k].m;
  }
  if (!e->code) strat->init(&pr->strat, env, yrep, e);
  int rc = ss_par_check(c, e);

  int64_t total = 0, done = 0;
  ss_safepoint sp;
  ss_safepoint_init(&sp);
  for (int ep = 0; ep <= nep; ep++) total += ep < nep ? 1 + npert : 1;

  for (int ep = 0; !rc && ep <= nep; ep++) {
    const int64_t nroll = ep < nep ? 1 + npert : 1;
    const int want_curve = curve_len > 0 && (ep == 0 || ep == nep);
    clear(&buf, buf.nint);
    /* This group's rollouts (r = color, color + groups, ...), nbatch at a time. */
    for (int64_t first = color; first < nroll && !rc; first += (int64_t)nbatch * groups) {
      int n = 0;
      for (int64_t r = first; r < nroll && n < nbatch; r += groups, n++) {
        slot *sl = &slots[n];
        which[n] = r;
        memcpy(sl->yrep, yrep, (size_t)K * d * sizeof(double));
        ss_bandit_rollout_opts *o = &opts[n];
        *o = (ss_bandit_rollout_opts){0};
        o->rseed = ss_bandit_rollout_seed(env->seed, ep, pr->crn ? 0 : r);
        outs[n] = (ss_bandit_outcome){.selections = sl->sel, .eliminated = sl->elim};
        if (r == 0) {
          o->details = 1;
          o->curve_stride = want_curve ? pr->curve_stride : 0;
          o->curve = want_curve ? curve : NULL;
          if (nroll == 1) {
            o->progress = progress;
            o->progress_ctx = progress_ctx;
          }
        } else {
          int64_t i = (r - 1) / d;
          int j = (int)((r - 1) % d);
          int sign;
          sl->yrep[i * d + j] = strat->perturb(&pr->strat, yrep[i * d + j], &sign);
        }
        reps[n] = sl->yrep;
      }
      rc = ss_bandit_rollouts(g, env, n, mechs, reps, opts, outs, e);
      for (int k = 0; !rc && contribute && k < n; k++) {
        int64_t r = which[k];
        if (r == 0) {
          for (int64_t a = 0; a < K; a++) {
            buf.ints[a] = slots[k].sel[a];
            buf.ints[K + a] = slots[k].elim[a] + 1;
          }
          buf.ints[2 * K] = outs[k].all_eliminated_rounds;
          buf.ints[2 * K + 1] = isnan(outs[k].theta_error) ? 0 : 1;
          buf.dbl[0] = outs[k].regret;
          buf.dbl[1] = outs[k].manipulation;
          buf.dbl[2] = isnan(outs[k].theta_error) ? 0 : outs[k].theta_error;
        } else {
          buf.ints[2 * K + 2 + (r - 1)] = slots[k].sel[(r - 1) / d];
        }
      }
      done += (int64_t)n * groups; /* every group advances by about n rollouts per turn */
      if (progress && nroll > 1) progress(progress_ctx, (double)(done < total ? done : total) / (double)total);
    }
    rc = ss_par_check(c, e); /* a failed group must not leave the others waiting */
    if (rc) break;
    if (groups > 1) {
      ss_comm_sum_i64(c, buf.ints, (int)buf.nint);
      ss_comm_sum_exact(c, buf.dbl, 3);
    }
    for (int64_t a = 0; a < K; a++) {
      sel[a] = buf.ints[a];
      elim_out[a] = buf.ints[K + a] - 1;
    }
    ss_bandit_epoch rec = {
        .epoch = ep,
        .last = ep == nep,
        .regret = buf.dbl[0],
        .all_eliminated_rounds = buf.ints[2 * K],
        .manipulation = buf.dbl[1],
        .theta_error = buf.ints[2 * K + 1] ? buf.dbl[2] : NAN,
        .selections = sel,
        .eliminated = elim_out,
        .reported = yrep,
        .curve = want_curve && rank == 0 ? curve : NULL,
        .ncurve = want_curve ? curve_len : 0,
    };
    if (sink) sink(sink_ctx, &rec);
    if (ep < nep) {
      /* All steps at once, from this epoch's utilities; reports stay in [-1, 1]. */
      for (int64_t i = 0; i < K; i++)
        for (int j = 0; j < d; j++) {
          int sign;
          strat->perturb(&pr->strat, yrep[i * d + j], &sign);
          double v = yrep[i * d + j] +
                     strat->step(&pr->strat, ep, sign, sel[i], buf.ints[2 * K + 2 + i * d + j]);
          yrep[i * d + j] = v < -1.0 ? -1.0 : v > 1.0 ? 1.0 : v;
        }
      /* safe point: the state is (yrep, ep + 1); see interrupt.h */
      rc = ss_safepoint_check(&sp, c, "bandit epoch", ep + 1, nep + 1, e);
    }
  }
  for (int k = 0; slots && k < nbatch; k++) {
    ss_bandit_mech_destroy(&slots[k].m);
    free(slots[k].yrep);
    free(slots[k].sel);
    free(slots[k].elim);
  }
  if (g != c) ss_comm_free(&g);
  free(slots);
  free(mechs);
  free(reps);
  free(opts);
  free(outs);
  free(which);
  free(yrep);
  free(sel);
  free(elim_out);
  free(curve);
  free(buf.ints);
  return rc;
}
