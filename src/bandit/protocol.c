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

/* The protocol's state and workspace. */
typedef struct {
  ss_comm *c, *g;                /* the task's ranks; this rank's rollout group */
  const ss_bandit_env *env;
  const ss_bandit_protocol *pr;
  const ss_bandit_strategy_ops *strat;
  int64_t K, npert, curve_len, total, done;
  int d, groups, color, contribute, nep, nbatch, nslots; /* nslots >= nbatch: the slots allocated */
  epoch_buf buf;
  double *yrep, *curve;          /* the current reports (K x d, replicated); epoch curves */
  int64_t *sel, *elim_out;       /* K: the evaluation rollout's results */
  slot *slots;
  ss_bandit_mech **mechs;
  const double **reps;
  ss_bandit_rollout_opts *opts;
  ss_bandit_outcome *outs;
  int64_t *which;
  void (*progress)(void *ctx, double fraction);
  void *progress_ctx;
  /* in-task checkpoints in the middle of an epoch's one rollout (rollout_state.c) */
  ss_bandit_rollout_ckpt ck;
  int ck_epoch;      /* the epoch ck saves */
  char *from;        /* the resumed rollout state, of epoch from_epoch (NULL: none) */
  size_t fromlen;
  int from_epoch;
} proto;

/* The batch size of this rank's group: the smallest over its ranks. Each rank sized its batch
 * by its own arms, and the ranks of a group must run the same batches (their rounds'
 * selections pair up): with K = 100, d = 10 on 3 ranks in one group, 34 arms gave 711 rollouts
 * and 33 gave 728, and the run hung. One reduction over c (each group's minimum in its slot)
 * that also agrees on the setup's local failures, pending in e. Collective over c. */
static int group_batch(proto *w, ss_err *e)
{
  int64_t *nb = ss_malloc((size_t)w->groups * sizeof *nb, e);
  for (int q = 0; nb && q < w->groups; q++) nb[q] = q == w->color ? w->nbatch : INT64_MAX;
  int64_t none = INT64_MAX; /* a rank that could not allocate nb takes part with one slot */
  int rc = ss_par_min_i64(w->c, nb ? nb : &none, nb ? w->groups : 1, e);
  if (!rc) w->nbatch = (int)nb[w->color];
  free(nb);
  return rc;
}

/* Groups, buffers, mechanisms, the strategy's first reports. Collective over c. */
static int proto_setup(proto *w, ss_err *e)
{
  const ss_bandit_env *env = w->env;
  int size = ss_comm_size(w->c), rank = ss_comm_rank(w->c), pg = w->pr->rollout_groups;
  w->K = env->K;
  w->d = env->d;
  w->groups = pg <= 0 || pg > size ? size : pg;
  w->color = (int)((int64_t)rank * w->groups / size);
  w->g = w->c;
  if (w->groups > 1 && ss_par_split(w->c, w->color, rank, &w->g, e)) { /* fails on every rank */
    w->g = w->c;
    return e->code;
  }
  /* With several groups, group rank 0 contributes its rollouts' results to the sums over c;
   * with one group every rank already holds every result. */
  w->contribute = w->groups == 1 || ss_comm_rank(w->g) == 0;
  w->nep = w->strat->adaptive ? w->pr->epochs : 0;
  w->npert = w->strat->adaptive ? w->K * w->d : 0;
  w->curve_len = ss_bandit_curve_len(env->T, w->pr->curve_stride);
  int gsize = ss_comm_size(w->g), grank = ss_comm_rank(w->g);
  int64_t owned = w->K * (grank + 1) / gsize - w->K * grank / gsize;
  w->nbatch = w->nslots = batch_size(env, owned, (1 + w->npert + w->groups - 1) / w->groups);
  size_t kd = (size_t)w->K * w->d, nb = (size_t)w->nslots;
  w->buf = (epoch_buf){.K = w->K, .d = w->d, .nint = 2 * w->K + 2 + w->npert};
  w->yrep = ss_malloc(kd * sizeof(double), e);
  w->sel = ss_malloc((size_t)w->K * sizeof(int64_t), e);
  w->elim_out = ss_malloc((size_t)w->K * sizeof(int64_t), e);
  w->curve = ss_malloc((size_t)(w->curve_len > 0 ? w->curve_len : 1) * sizeof(double), e);
  w->slots = ss_calloc(nb, sizeof(slot), e);
  w->mechs = ss_calloc(nb, sizeof(ss_bandit_mech *), e);
  w->reps = ss_calloc(nb, sizeof(double *), e);
  w->opts = ss_calloc(nb, sizeof(ss_bandit_rollout_opts), e);
  w->outs = ss_calloc(nb, sizeof(ss_bandit_outcome), e);
  w->which = ss_calloc(nb, sizeof(int64_t), e);
  w->buf.ints = ss_malloc((size_t)w->buf.nint * sizeof(int64_t), e);
  for (int k = 0; w->slots && k < w->nslots && !e->code; k++) {
    w->slots[k].yrep = ss_malloc(kd * sizeof(double), e);
    w->slots[k].sel = ss_malloc((size_t)w->K * sizeof(int64_t), e);
    w->slots[k].elim = ss_malloc((size_t)w->K * sizeof(int64_t), e);
    if (!e->code) ss_bandit_mech_create(w->pr->mechanism, w->g, env, &w->pr->mech, &w->slots[k].m, e);
    if (!e->code) w->mechs[k] = w->slots[k].m;
  }
  if (!e->code) w->strat->init(&w->pr->strat, env, w->yrep, e);
  for (int ep = 0; ep <= w->nep; ep++) w->total += ep < w->nep ? 1 + w->npert : 1;
  return group_batch(w, e);
}

static void proto_free(proto *w)
{
  for (int k = 0; w->slots && k < w->nslots; k++) {
    ss_bandit_mech_destroy(&w->slots[k].m);
    free(w->slots[k].yrep);
    free(w->slots[k].sel);
    free(w->slots[k].elim);
  }
  if (w->g != w->c) ss_comm_free(&w->g);
  free(w->slots);
  free(w->mechs);
  free(w->reps);
  free(w->opts);
  free(w->outs);
  free(w->which);
  free(w->yrep);
  free(w->sel);
  free(w->elim_out);
  free(w->curve);
  free(w->buf.ints);
  free(w->from);
}

/* ck->put: the rollout's state after round t, on rank 0 of c; at a periodic checkpoint, the
 * task's state with it (the epoch's reports, the rows so far). */
static int rollout_put(ss_bandit_rollout_ckpt *ck, int64_t t, char *rec, size_t len, int due, ss_err *e)
{
  proto *w = ck->ctx;
  ss_bandit_resume *res = w->pr->resume;
  free(res->rollout);
  res->rollout = rec;
  res->rollout_len = len;
  res->round = t;
  if (!due || !res->save) return SS_OK;
  res->epoch = w->ck_epoch;
  memcpy(res->yrep, w->yrep, (size_t)w->K * w->d * sizeof(double));
  return res->save(res, w->nep, e);
}

static int rollout_write(ss_bandit_rollout_ckpt *ck, ss_err *e)
{
  proto *w = ck->ctx;
  return ss_periodic_write(w->c, e);
}

/* The checkpoints of epoch ep's rollouts: only an epoch of one rollout (the truthful and fixed
 * strategies, the final evaluation) saves its rollout's state; a stop in an epoch of 1 + K d
 * rollouts, spread over rank groups at different rounds, restarts the epoch. */
static ss_bandit_rollout_ckpt *rollout_ckpt(proto *w, int ep, int64_t nroll)
{
  if (nroll != 1 || !w->pr->resume || !ss_bandit_mech_saves(w->slots[0].m)) return NULL;
  w->ck = (ss_bandit_rollout_ckpt){.task = w->c, .put = rollout_put, .write = rollout_write, .ctx = w};
  if (w->from && w->from_epoch == ep) {
    w->ck.from = w->from;
    w->ck.fromlen = w->fromlen;
  }
  w->ck_epoch = ep;
  return &w->ck;
}

/* The next batch of this group's rollouts of epoch ep, from rollout `first` (every
 * groups-th): their reports (rollout 0 the evaluation, r > 0 one coordinate perturbed) and
 * options. Returns how many. */
static int fill_batch(proto *w, int ep, int64_t first, int64_t nroll, int want_curve)
{
  int n = 0, d = w->d;
  for (int64_t r = first; r < nroll && n < w->nbatch; r += w->groups, n++) {
    slot *sl = &w->slots[n];
    w->which[n] = r;
    memcpy(sl->yrep, w->yrep, (size_t)w->K * d * sizeof(double));
    ss_bandit_rollout_opts *o = &w->opts[n];
    *o = (ss_bandit_rollout_opts){0};
    o->rseed = ss_bandit_rollout_seed(w->env->seed, ep, w->pr->crn ? 0 : r);
    w->outs[n] = (ss_bandit_outcome){.selections = sl->sel, .eliminated = sl->elim};
    if (r == 0) {
      o->details = 1;
      o->curve_stride = want_curve ? w->pr->curve_stride : 0;
      o->curve = want_curve ? w->curve : NULL;
      if (nroll == 1) {
        o->progress = w->progress;
        o->progress_ctx = w->progress_ctx;
      }
    } else {
      int64_t i = (r - 1) / d;
      int j = (int)((r - 1) % d), sign;
      sl->yrep[i * d + j] = w->strat->perturb(&w->pr->strat, w->yrep[i * d + j], &sign);
    }
    w->reps[n] = sl->yrep;
  }
  return n;
}

/* A batch's results into the epoch's sums (on the ranks that contribute). */
static void add_batch(proto *w, int n)
{
  epoch_buf *b = &w->buf;
  int64_t K = w->K;
  for (int k = 0; w->contribute && k < n; k++) {
    int64_t r = w->which[k];
    const ss_bandit_outcome *out = &w->outs[k];
    if (r > 0) {
      b->ints[2 * K + 2 + (r - 1)] = w->slots[k].sel[(r - 1) / w->d];
      continue;
    }
    for (int64_t a = 0; a < K; a++) {
      b->ints[a] = w->slots[k].sel[a];
      b->ints[K + a] = w->slots[k].elim[a] + 1;
    }
    b->ints[2 * K] = out->all_eliminated_rounds;
    b->ints[2 * K + 1] = isnan(out->theta_error) ? 0 : 1;
    b->dbl[0] = out->regret;
    b->dbl[1] = out->manipulation;
    b->dbl[2] = isnan(out->theta_error) ? 0 : out->theta_error;
  }
}

/* Every rollout of epoch ep, their results summed over c. Collective over c. */
static int run_epoch(proto *w, int ep, int want_curve, ss_err *e)
{
  const int64_t nroll = ep < w->nep ? 1 + w->npert : 1;
  int rc = SS_OK;
  ss_bandit_rollout_ckpt *ck = rollout_ckpt(w, ep, nroll);
  clear(&w->buf, w->buf.nint);
  /* This group's rollouts (r = color, color + groups, ...), nbatch at a time. */
  for (int64_t first = w->color; first < nroll && !rc; first += (int64_t)w->nbatch * w->groups) {
    int n = fill_batch(w, ep, first, nroll, want_curve);
    w->opts[0].ckpt = ck;
    rc = ss_bandit_rollouts(w->g, w->env, n, w->mechs, w->reps, w->opts, w->outs, e);
    if (!rc) add_batch(w, n);
    w->done += (int64_t)n * w->groups; /* every group advances by about n rollouts per turn */
    if (w->progress && nroll > 1)
      w->progress(w->progress_ctx, (double)(w->done < w->total ? w->done : w->total) / (double)w->total);
  }
  /* the other groups take part in the one rollout's safe points (its checkpoints) */
  if (ck && w->color != 0) rc = ss_bandit_rollout_shadow(ck, w->env->T, e);
  if (w->groups > 1) { /* the sum agrees first: a failed group does not leave the others waiting */
    SS_TRY(ss_par_sum_i64(w->c, w->buf.ints, (int)w->buf.nint, e));
    ss_comm_sum_exact(w->c, w->buf.dbl, 3);
  } else if (rc) {
    return rc; /* one group: the rollouts agreed on it over all of c */
  }
  if (ck && w->pr->resume->rollout) { /* the rollout finished: its state is obsolete */
    free(w->pr->resume->rollout);
    w->pr->resume->rollout = NULL;
  }
  for (int64_t a = 0; a < w->K; a++) {
    w->sel[a] = w->buf.ints[a];
    w->elim_out[a] = w->buf.ints[w->K + a] - 1;
  }
  return SS_OK;
}

/* Epoch ep's record to the sink (on every rank of c). */
static void emit(proto *w, int ep, int want_curve, void (*sink)(void *ctx, const ss_bandit_epoch *ep),
                 void *sink_ctx)
{
  const epoch_buf *b = &w->buf;
  ss_bandit_epoch rec = {
      .epoch = ep,
      .last = ep == w->nep,
      .regret = b->dbl[0],
      .all_eliminated_rounds = b->ints[2 * w->K],
      .manipulation = b->dbl[1],
      .theta_error = b->ints[2 * w->K + 1] ? b->dbl[2] : NAN,
      .selections = w->sel,
      .eliminated = w->elim_out,
      .reported = w->yrep,
      .curve = want_curve && ss_comm_rank(w->c) == 0 ? w->curve : NULL,
      .ncurve = want_curve ? w->curve_len : 0,
  };
  if (sink) sink(sink_ctx, &rec);
}

/* The strategy's steps after epoch ep: all at once, from this epoch's utilities; reports stay
 * in [-1, 1]. */
static void update(proto *w, int ep)
{
  int d = w->d;
  for (int64_t i = 0; i < w->K; i++)
    for (int j = 0; j < d; j++) {
      int sign;
      double y = w->yrep[i * d + j];
      w->strat->perturb(&w->pr->strat, y, &sign);
      double v = y + w->strat->step(&w->pr->strat, ep, sign, w->sel[i], w->buf.ints[2 * w->K + 2 + i * d + j]);
      w->yrep[i * d + j] = v < -1.0 ? -1.0 : v > 1.0 ? 1.0 : v;
    }
}

int ss_bandit_protocol_run(ss_comm *c, const ss_bandit_env *env, const ss_bandit_protocol *pr,
                           void (*sink)(void *ctx, const ss_bandit_epoch *ep), void *sink_ctx,
                           void (*progress)(void *ctx, double fraction), void *progress_ctx,
                           ss_err *e)
{
  proto w = {.c = c, .env = env, .pr = pr, .strat = ss_bandit_strategy_find(pr->strategy),
             .progress = progress, .progress_ctx = progress_ctx};
  if (!w.strat) return ss_fail(e, SS_EINPUT, "bandit: unknown strategy '%s'", pr->strategy ? pr->strategy : "(null)");
  int rc = proto_setup(&w, e), ep = 0;
  size_t kd = (size_t)w.K * w.d * sizeof(double);
  ss_bandit_resume *res = pr->resume;
  if (!rc && res && res->epoch > 0) { /* continue a stopped task: the state of epoch ep's start */
    if (res->epoch > w.nep) rc = ss_fail(e, SS_EINPUT, "the checkpoint's bandit state (epoch %d) does not match this "
                                         "run (%d epochs)", res->epoch, w.nep);
    else memcpy(w.yrep, res->yrep, kd), ep = res->epoch;
    for (int q = 0; q < ep; q++) w.done += 1 + w.npert;
  }
  if (!rc && res && res->rollout) { /* the epoch's rollout continues from its saved round */
    w.from = res->rollout;
    w.fromlen = res->rollout_len;
    w.from_epoch = res->epoch;
    res->rollout = NULL;
  }
  ss_safepoint sp;
  ss_safepoint_init(&sp);
  for (; !rc && ep <= w.nep; ep++) {
    const int want_curve = w.curve_len > 0 && (ep == 0 || ep == w.nep);
    if ((rc = run_epoch(&w, ep, want_curve, e))) break; /* a stop inside: the epoch's start */
    emit(&w, ep, want_curve, sink, sink_ctx);
    if (ep == w.nep) break;
    update(&w, ep);
    /* safe point: the state is (yrep, ep + 1) and the sink's rows of epochs 0..ep; a periodic
     * checkpoint saves it and goes on (the loop's ep++ follows) */
    int due = 0;
    rc = ss_safepoint_due(&sp, c, "bandit epoch", ep + 1, w.nep + 1, res && res->save ? &due : NULL, e);
    if (!rc && due) {
      res->epoch = ep + 1;
      memcpy(res->yrep, w.yrep, kd);
      res->save(res, w.nep, e); /* local: ss_periodic_write agrees on a failure first */
      rc = ss_periodic_write(c, e);
    }
  }
  if (rc == SS_EINTR && res) {
    res->epoch = ep;
    if (ep > 0) memcpy(res->yrep, w.yrep, kd);
  }
  proto_free(&w);
  return rc;
}
