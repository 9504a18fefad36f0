/* The certified pessimistic planner (MODELS 1.5) for every aggregator, H = 1 and H > 1:
 * column generation (simplicial decomposition, fully corrective Frank-Wolfe) with in-out dual
 * smoothing (Wentges).
 *
 * The value is the saddle point max_pi min_{theta in Theta} <theta, z_pi> = min_theta h(theta).
 * Columns are deterministic policies, each represented only by its feature expectation z_i
 * (d numbers). The master maximises W(sum_i lambda_i z_i) over the simplex of weights lambda:
 * it is small, identical on every rank, and solved exactly by the solvers stratsim already has
 * (the dense simplex for polyhedral aggregators, active-set Newton for pessimistic_sw; a linear
 * aggregator's master is the best column). Its value V is achieved by the mixture policy (a
 * primal bound); its dual theta_m lies in Theta. Pricing plans under the reward <theta, phi>
 * (the oracle: greedy per state for H = 1, backward induction plus an occupancy pass for an
 * MDP) and returns h(theta) and the z of the optimal deterministic policy; h at any point of
 * Theta is a dual bound. The gap min h - V certifies.
 *
 * In-out smoothing: price at theta_s = alpha theta_c + (1 - alpha) theta_m, where theta_c is
 * the best dual point so far (both are in Theta, so theta_s is). The new column is added; if
 * h(theta_s) improves, theta_s becomes the centre. When the column does not improve the master
 * (a mispricing), h(theta_s) <= alpha h(theta_c) + (1 - alpha) V, so the gap shrinks by alpha:
 * the method cannot stall. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf_lp.h"
#include "stratsim/interrupt.h"
#include "stratsim/task_current.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "certify.h"
#include "planner.h"
#include "solver.h"

typedef struct {
  int d, m, cap;
  double *z;     /* m x d columns */
  double *theta; /* m x d: the pricing point of each column (regenerates its policy) */
  double *lambda;
  int *basis;    /* LP master: the last optimal basis (r + 1 entries) */
  int r, nw;
  /* the LP master's fixed data, filled once per solve (lp_fill), and -<T_i, z_q> per column
   * (tz: r entries per column), computed when the column enters */
  double *G, *c, *T, *tz;
  int *wb;
  int tz_m;      /* columns whose tz entries are computed */
  double scale;  /* max_q |W(z_q)|: the magnitude of the values (rlhf_rel_denominator_scaled) */
  double tol;    /* the solve's relative tolerance */
} master;

static int master_grow(master *ms, ss_err *e)
{
  if (ms->m < ms->cap) return SS_OK;
  int cap = ms->cap ? 2 * ms->cap : 32;
  double *z = ss_realloc(ms->z, (size_t)cap * ms->d * sizeof *z, e);
  if (z) ms->z = z;
  double *t = ss_realloc(ms->theta, (size_t)cap * ms->d * sizeof *t, e);
  if (t) ms->theta = t;
  double *l = ss_realloc(ms->lambda, (size_t)cap * sizeof *l, e);
  if (l) ms->lambda = l;
  double *tz = ms->r ? ss_realloc(ms->tz, (size_t)cap * ms->r * sizeof *tz, e) : NULL;
  if (tz) ms->tz = tz;
  if (!z || !t || !l || (ms->r && !tz))
    return ss_fail(e, SS_ERUNTIME, "planner: out of memory for %d columns", cap);
  ms->cap = cap;
  return SS_OK;
}

/* The LP master's fixed data (G, c, T, the warm basis wb for the first column), filled once
 * per solve, and the entries -<T_i, z_q> of the columns that entered since the last call. */
static int master_lp_data(master *ms, const rlhf_agg *agg, ss_err *e)
{
  int d = ms->d, r = ms->r, nw = ms->nw;
  if (!ms->G) {
    ms->G = ss_calloc((size_t)r * nw, sizeof *ms->G, e);
    ms->c = ss_calloc((size_t)nw, sizeof *ms->c, e);
    ms->T = ss_calloc((size_t)r * d, sizeof *ms->T, e);
    ms->wb = ss_calloc((size_t)r, sizeof *ms->wb, e);
    if (!ms->G || !ms->c || !ms->T || !ms->wb) return ss_fail(e, SS_ERUNTIME, "planner: out of memory in the master");
    agg->ops->lp_fill(agg, ms->z, ms->G, ms->c, ms->T, ms->wb);
  }
  for (; ms->tz_m < ms->m; ms->tz_m++)
    for (int i = 0; i < r; i++)
      ms->tz[(size_t)ms->tz_m * r + i] = -rlhf_dot(ms->T + (size_t)i * d, ms->z + (size_t)ms->tz_m * d, d);
  return SS_OK;
}

/* Polyhedral master: max c_w^T w  s.t.  G w - T Z lambda = 0,  sum lambda = 1,  w, lambda >= 0.
 * Columns w first, then lambda (so an appended column keeps the basis indices valid). */
static int master_lp(master *ms, const rlhf_agg *agg, double *V, double *theta, ss_err *e)
{
  int r = ms->r, nw = ms->nw, mm = ms->m;
  int rows = r + 1, cols = nw + mm;
  SS_TRY(master_lp_data(ms, agg, e));
  double *Am = ss_malloc((size_t)rows * cols * sizeof *Am, e), *b = ss_calloc((size_t)rows, sizeof *b, e);
  double *c = ss_calloc((size_t)cols, sizeof *c, e), *x = ss_calloc((size_t)cols, sizeof *x, e);
  double *y = ss_calloc((size_t)rows, sizeof *y, e);
  int rc = SS_OK;
  if (!Am || !b || !c || !x || !y) {
    rc = ss_fail(e, SS_ERUNTIME, "planner: out of memory in the master");
    goto done;
  }
  memcpy(c, ms->c, (size_t)nw * sizeof *c);
  for (int i = 0; i < r; i++) {
    double *row = Am + (size_t)i * cols;
    memcpy(row, ms->G + (size_t)i * nw, (size_t)nw * sizeof *row);
    for (int q = 0; q < mm; q++) row[nw + q] = ms->tz[(size_t)q * r + i];
  }
  double *last = Am + (size_t)r * cols;
  for (int j = 0; j < nw; j++) last[j] = 0;
  for (int q = 0; q < mm; q++) last[nw + q] = 1.0;
  b[r] = 1.0;
  if (mm == 1) { /* the first solve: the aggregator's basis for the point z_0 */
    memcpy(ms->basis, ms->wb, (size_t)r * sizeof *ms->wb);
    ms->basis[r] = nw;
  }
  rlhf_lp_info info;
  int lrc = rlhf_lp_solve(rows, cols, Am, b, c, ms->basis, x, y, &info);
  if (lrc != RLHF_LP_OPTIMAL) {
    rc = ss_fail(e, SS_ERUNTIME, "planner: master LP failed (status %d)", lrc);
    goto done;
  }
  double tot = 0;
  for (int q = 0; q < mm; q++) tot += x[nw + q] > 0 ? x[nw + q] : 0;
  for (int q = 0; q < mm; q++) ms->lambda[q] = x[nw + q] > 0 ? x[nw + q] / tot : 0;
  agg->ops->lp_theta(agg, y, theta);
  *V = info.objective;
done:
  free(Am), free(b), free(c), free(x), free(y);
  return rc;
}

/* The kink: a smooth aggregator's W (pessimistic_sw) is differentiable except at z = 0. When
 * the master's mixture reaches z = 0 (its value V is 0 at the rounding level of the columns'
 * values) while the gap is open, every point of Theta with <theta, z_q> <= 0 for all columns is
 * a dual optimum of the master, and grad W at the (rounding-sized) mixture is an arbitrary one
 * of them: priced there, the bound never comes down. A pure function of the loop's state, so a
 * resumed solve takes the same decisions. */
static int master_kinked(const master *ms, const rlhf_agg *agg, double V, double ub)
{
  return agg->ops->smooth_value && agg->radius > 0 && fabs(V) <= 1e-10 * ms->scale &&
         ub - V > ms->tol * rlhf_rel_denominator_scaled(V, ub, ms->scale);
}

/* At the kink, the dual point of the smoothed master instead: maximise W_mu (W - radius mu <=
 * W_mu <= W) over the columns' hull; theta = grad W_mu(z_mu) lies in Theta and, by the smoothed
 * master's optimality, max_q <theta, z_q> = <theta, z_mu> <= W(z_mu) + radius mu <= V + radius
 * mu. With mu = gap / (10 radius) this is a master dual point within a tenth of the gap; when 0
 * is inside both the hull and Theta it is theta = 0 (the unconstrained maximiser of W_mu), and
 * h(0) = 0 certifies the value 0. */
static int master_smoothed_dual(master *ms, const rlhf_agg *agg, double V, double ub, double *theta,
                                ss_err *e)
{
  int it;
  double mu = 0.1 * (ub - V) / agg->radius, z[RLHF_DMAX];
  double *lam = ss_malloc((size_t)ms->m * sizeof *lam, e);
  if (!lam) return ss_fail(e, SS_ERUNTIME, "planner: out of memory in the master");
  memcpy(lam, ms->lambda, (size_t)ms->m * sizeof *lam);
  int rc = rlhf_aset_maximise(1, ms->m, ms->d, ms->z, agg, mu, lam, &it, e);
  rlhf_mix(ms->z, lam, ms->m, ms->d, z);
  rlhf_agg_smooth(agg, z, mu, theta, NULL);
  if (agg->ops->holds_zero && agg->ops->holds_zero(agg, z, mu, theta)) /* theta = 0 is in Theta */
    memset(theta, 0, (size_t)ms->d * sizeof *theta);
  free(lam);
  return rc;
}

/* Smooth master (pessimistic_sw): active-set Newton on one "state" whose actions are the
 * columns, warm-started from the previous weights (the new column enters at 0). */
static int master_smooth(master *ms, const rlhf_agg *agg, double ub, double *V, double *theta,
                         ss_err *e)
{
  int it;
  if (ms->m == 1) ms->lambda[0] = 1; /* a new column enters at 0 (add_column) */
  SS_TRY(rlhf_aset_maximise(1, ms->m, ms->d, ms->z, agg, 0.0, ms->lambda, &it, e));
  double z[RLHF_DMAX];
  rlhf_mix(ms->z, ms->lambda, ms->m, ms->d, z);
  *V = rlhf_agg_value(agg, z);
  rlhf_agg_smooth(agg, z, 0.0, theta, NULL);
  if (master_kinked(ms, agg, *V, ub)) return master_smoothed_dual(ms, agg, *V, ub, theta, e);
  return SS_OK;
}

/* Linear master: the best column; theta is the aggregator's parameter. */
static int master_linear(master *ms, const rlhf_agg *agg, double *V, double *theta)
{
  const double *t = rlhf_agg_linear_theta(agg);
  int best = 0;
  double bv = -INFINITY;
  for (int q = 0; q < ms->m; q++) {
    double v = rlhf_dot(t, ms->z + (size_t)q * ms->d, ms->d);
    if (v > bv) bv = v, best = q;
  }
  for (int q = 0; q < ms->m; q++) ms->lambda[q] = q == best;
  memcpy(theta, t, (size_t)ms->d * sizeof *theta);
  *V = rlhf_agg_value(agg, ms->z + (size_t)best * ms->d);
  return SS_OK;
}

void rlhf_mix(const double *Z, const double *lambda, int m, int d, double *z)
{
  for (int j = 0; j < d; j++) z[j] = 0;
  for (int q = 0; q < m; q++) {
    if (lambda[q] == 0) continue;
    for (int j = 0; j < d; j++) z[j] += lambda[q] * Z[(size_t)q * d + j];
  }
}

/* Adds the column unless it is already in the master (then returns 1: no new information). */
static int add_column(master *ms, const rlhf_agg *agg, const double *theta, const double *z,
                      ss_err *e)
{
  for (int q = 0; q < ms->m; q++)
    if (!memcmp(ms->z + (size_t)q * ms->d, z, (size_t)ms->d * sizeof *z)) return 1;
  SS_TRY(master_grow(ms, e));
  memcpy(ms->z + (size_t)ms->m * ms->d, z, (size_t)ms->d * sizeof *z);
  memcpy(ms->theta + (size_t)ms->m * ms->d, theta, (size_t)ms->d * sizeof *theta);
  ms->lambda[ms->m] = 0;
  ms->m++;
  double w = fabs(rlhf_agg_value(agg, z));
  if (w > ms->scale) ms->scale = w;
  return SS_OK;
}

static int solve_master(master *ms, const rlhf_agg *agg, double ub, double *V, double *theta,
                        ss_err *e)
{
  if (rlhf_agg_linear_theta(agg)) return master_linear(ms, agg, V, theta);
  if (agg->ops->lp_dims) return master_lp(ms, agg, V, theta, e);
  return master_smooth(ms, agg, ub, V, theta, e);
}

/* The active columns (weight > 0) moved to the front of the master's pricing points and
 * weights, which the result then owns (the master's arrays are freed with it): the end of a
 * solve allocates nothing, so it has no failure to agree on. */
static void keep_active(master *ms, rlhf_plan *res)
{
  int d = ms->d, n = 0;
  for (int q = 0; q < ms->m; q++)
    if (ms->lambda[q] > 0) {
      memmove(ms->theta + (size_t)n * d, ms->theta + (size_t)q * d, (size_t)d * sizeof(double));
      ms->lambda[n++] = ms->lambda[q];
    }
  res->ncols = n;
  res->col_theta = ms->theta;
  res->col_weight = ms->lambda;
  ms->theta = ms->lambda = NULL;
}

/* The solve's result from the final master: the active columns, the mixture policy's z and
 * its certificate against the best bound ub (at the point thc). */
static void plan_result(master *ms, const rlhf_agg *agg, const rlhf_plan_opts *opt, double ub,
                        const double *thc, rlhf_plan *res)
{
  int d = ms->d;
  rlhf_mix(ms->z, ms->lambda, ms->m, d, res->z); /* before keep_active moves the weights */
  res->columns = ms->m;
  keep_active(ms, res);
  res->objective = rlhf_agg_value(agg, res->z);
  res->dual = ub;
  res->gap = ub - res->objective;
  res->scale = ms->scale;
  res->rel_gap = res->gap / rlhf_rel_denominator_scaled(res->objective, ub, res->scale);
  memcpy(res->theta_dual, thc, (size_t)d * sizeof *thc);
  res->converged = res->rel_gap <= opt->tol;
}

/* ---- in-task checkpoints (docs/checkpoint.md): a solve's state at a planner pass ----
 * A solve over the task's own communicator is counted (task_current.h): the task's solves come
 * in a fixed sequence, and the record is keyed by the solve's index there. The state after a
 * pass's master is everything the loop carries: the master (columns z, their pricing points,
 * weights lambda, the LP basis that warm-starts the next master, the scale), the bound ub at
 * the centre thc, the master's value V and dual thm, the finish and repeat flags, and the pass
 * count. The record: "PLANST01"; u64 solve, passes, m, d, r, nw, finish, repeats (low 32 bits)
 * and the misprice flag (high 32 bits); doubles ub,
 * V, scale, alpha, thc (d), thm (d), z (m d), theta (m d), lambda (m); u64 basis (r + 1); doubles in
 * the machine's byte order (the same build resumes). Solves inside SPSA's evaluation groups
 * (a split communicator) are not counted: their stop keeps the state of the SPSA step. */
#define PLAN_MAGIC "PLANST01"
#define PLAN_KEY "rlhf.plan"

typedef struct {
  ss_task_current *tc; /* NULL: a solve that is not counted */
  long seq;
  int restored;        /* the solve continues from a saved pass: its master is already solved */
  master *ms;
  int *passes, *finish, *repeats, *misprice;
  double *ub, *V, *thc, *thm, *alpha; /* alpha: the smoothing, adapted with smoothing_auto */
} plan_ck;

static size_t plan_len(int m, int d, int r) { return 72 + 8 * ((size_t)4 + 2 * d + 2 * (size_t)m * d + m + r + 1); }

/* The solve index of the record the task's state holds, or -1. */
static long plan_saved_seq(const ss_task_state *st)
{
  size_t len = 0;
  const unsigned char *rec = ss_task_state_get(st, PLAN_KEY, &len);
  return rec && len >= 72 ? (long)ss_get_le64(rec + 8) : -1;
}

/* The solve's state into the task's state (every rank; not collective). A resumed task that
 * stops again while it recomputes an earlier solve keeps the later solve's state it resumed
 * from. */
static int plan_save(const plan_ck *ck, int max_passes, ss_err *e)
{
  if (plan_saved_seq(ck->tc->save) > ck->seq) return SS_OK;
  const master *ms = ck->ms;
  int d = ms->d, m = ms->m;
  size_t len = plan_len(m, d, ms->r), kd = (size_t)m * d;
  unsigned char *rec = ss_malloc(len, e), *p = rec + 72;
  if (!rec) return e->code;
  memcpy(rec, PLAN_MAGIC, 8);
  unsigned long long h[8] = {(unsigned long long)ck->seq, (unsigned long long)*ck->passes, (unsigned long long)m,
                             (unsigned long long)d, (unsigned long long)ms->r, (unsigned long long)ms->nw,
                             (unsigned long long)*ck->finish,
                             (unsigned long long)*ck->repeats | (unsigned long long)*ck->misprice << 32};
  for (int i = 0; i < 8; i++) ss_put_le64(rec + 8 + 8 * i, h[i]);
  double v[4] = {*ck->ub, *ck->V, ms->scale, *ck->alpha};
  memcpy(p, v, sizeof v), p += sizeof v;
  memcpy(p, ck->thc, (size_t)d * 8), p += (size_t)d * 8;
  memcpy(p, ck->thm, (size_t)d * 8), p += (size_t)d * 8;
  memcpy(p, ms->z, kd * 8), p += kd * 8;
  memcpy(p, ms->theta, kd * 8), p += kd * 8;
  memcpy(p, ms->lambda, (size_t)m * 8), p += (size_t)m * 8;
  for (int i = 0; i <= ms->r; i++, p += 8) ss_put_le64(p, (unsigned long long)ms->basis[i]);
  char where[96];
  snprintf(where, sizeof where, "planner pass %d of %d (policy solve %ld)", *ck->passes, max_passes, ck->seq);
  if (!ss_task_state_put(ck->tc->save, PLAN_KEY, rec, len, e))
    ss_task_state_put(ck->tc->save, "where", where, strlen(where) + 1, e);
  free(rec);
  return e->code;
}

/* The saved state of this solve, if the task resumes inside it (not collective). */
static int plan_restore(plan_ck *ck, ss_err *e)
{
  size_t len = 0;
  const unsigned char *rec = ss_task_state_get(ck->tc->resume, PLAN_KEY, &len);
  if (!rec || len < 72 || ss_get_le64(rec + 8) != (unsigned long long)ck->seq) return SS_OK;
  const unsigned char *p = rec + 72;
  master *ms = ck->ms;
  int m = (int)ss_get_le64(rec + 24), d = ms->d;
  if (memcmp(rec, PLAN_MAGIC, 8) || m < 1 || ss_get_le64(rec + 32) != (unsigned long long)d ||
      ss_get_le64(rec + 40) != (unsigned long long)ms->r || ss_get_le64(rec + 48) != (unsigned long long)ms->nw ||
      len != plan_len(m, d, ms->r))
    return ss_fail(e, SS_EINPUT, "the checkpoint's planner state does not match this run (%zu bytes)", len);
  while (ms->cap < m) {
    ms->m = ms->cap;
    SS_TRY(master_grow(ms, e));
  }
  size_t kd = (size_t)m * d;
  ms->m = m;
  *ck->passes = (int)ss_get_le64(rec + 16);
  *ck->finish = (int)ss_get_le64(rec + 56);
  unsigned long long rm = ss_get_le64(rec + 64);
  *ck->repeats = (int)(rm & 0xffffffffu);
  *ck->misprice = (int)(rm >> 32);
  double v[4];
  memcpy(v, p, sizeof v), p += sizeof v;
  *ck->ub = v[0], *ck->V = v[1], ms->scale = v[2], *ck->alpha = v[3];
  memcpy(ck->thc, p, (size_t)d * 8), p += (size_t)d * 8;
  memcpy(ck->thm, p, (size_t)d * 8), p += (size_t)d * 8;
  memcpy(ms->z, p, kd * 8), p += kd * 8;
  memcpy(ms->theta, p, kd * 8), p += kd * 8;
  memcpy(ms->lambda, p, (size_t)m * 8), p += (size_t)m * 8;
  for (int i = 0; i <= ms->r; i++, p += 8) ms->basis[i] = (int)ss_get_le64(p);
  ck->restored = 1;
  return SS_OK;
}

/* Counts the solve if it runs over the task's communicator, and restores its saved state. */
static int plan_ck_begin(plan_ck *ck, const ss_comm *c, ss_err *e)
{
  ck->tc = e->code ? NULL : ss_task_current_of(c);
  if (!ck->tc) return e->code;
  ck->seq = ck->tc->seq++;
  return plan_restore(ck, e);
}

/* The safe point after a pass's master (collective over c): at a stop, the state is saved; when
 * a periodic checkpoint is due, it is saved and written, and the solve goes on. */
static int plan_ck_point(plan_ck *ck, ss_safepoint *sp, ss_comm *c, int max_passes, ss_err *e)
{
  int due = 0;
  int rc = ss_safepoint_due(sp, c, "planner pass", *ck->passes, max_passes, ck->tc ? &due : NULL, e);
  if (rc == SS_EINTR && ck->tc) {
    ss_err stop = *e, se = {0};
    *e = plan_save(ck, max_passes, &se) ? se : stop; /* a failed save is reported instead */
    return e->code;
  }
  if (rc || !due) return rc;
  plan_save(ck, max_passes, e); /* local: ss_periodic_write agrees on a failure first */
  return ss_periodic_write(c, e);
}

/* A counted solve that ended: its record (if any) is of no more use. Cannot fail (it comes
 * after the solve's last collective). */
static void plan_ck_end(const plan_ck *ck)
{
  if (ck->tc && ck->tc->save && plan_saved_seq(ck->tc->save) == ck->seq) ss_task_state_clear(ck->tc->save, PLAN_KEY);
}

/* Automatic in-out smoothing (Pessoa, Sadykov, Uchoa, Vanderbeck 2018): z, the column priced
 * at the smoothed point, is a subgradient of h there. If h still decreases towards the
 * master's point (<z, theta_m - theta_c> < 0) the step was too cautious: alpha - 0.1; else it
 * overshot: alpha + 0.1 (1 - alpha). */
static double adapt_alpha(double alpha, const double *z, const double *thc, const double *thm, int d)
{
  double dir = 0;
  for (int j = 0; j < d; j++) dir += z[j] * (thm[j] - thc[j]);
  return dir < 0 ? fmax(0.0, alpha - 0.1) : fmin(0.99, alpha + 0.1 * (1 - alpha));
}

/* The next pricing point: the master's own dual point theta_m when `exact`, else the in-out
 * point alpha theta_c + (1 - alpha) theta_m. Returns 1 for the smoothed point. */
static int pricing_point(double *ths, const double *thc, const double *thm, double alpha, int d, int exact)
{
  if (exact) {
    memcpy(ths, thm, (size_t)d * sizeof *ths);
    return 0;
  }
  for (int j = 0; j < d; j++) ths[j] = alpha * thc[j] + (1 - alpha) * thm[j];
  return 1;
}

/* A priced value h below the bound ub becomes the bound, and its point the centre. */
static int better_bound(double *ub, double *thc, double h, const double *ths, int d)
{
  if (!(h < *ub)) return 0;
  *ub = h;
  memcpy(thc, ths, (size_t)d * sizeof *thc);
  return 1;
}

/* Collective over the oracle's communicator: every rank runs the same master on the same
 * (reduced) columns, so every rank takes the same path. */
int rlhf_plan_solve(const rlhf_oracle *o, const rlhf_agg *agg, const rlhf_plan_opts *opt,
                    rlhf_plan *res, ss_err *e)
{
  int d = o->d;
  master ms;
  memset(&ms, 0, sizeof ms);
  memset(res, 0, sizeof *res);
  ms.d = d;
  ms.tol = opt->tol;
  if (agg->ops->lp_dims) agg->ops->lp_dims(agg, &ms.r, &ms.nw);
  ms.basis = ss_malloc((size_t)(ms.r + 1) * sizeof *ms.basis, e);
  if (!ms.basis) ss_fail(e, SS_ERUNTIME, "planner: out of memory");
  double zero[RLHF_DMAX] = {0}, thc[RLHF_DMAX], thm[RLHF_DMAX], ths[RLHF_DMAX], z[RLHF_DMAX];
  /* the first centre: the smoothed W's gradient at z = 0, a point of Theta */
  rlhf_agg_smooth(agg, zero, 1.0, thc, NULL);
  double ub, h, V = -INFINITY;
  double alpha = opt->smoothing;
  int finish = 0, repeats = 0, misprice = 0, smoothed = 0, linear = rlhf_agg_linear_theta(agg) != NULL;
  plan_ck ck = {.ms = &ms, .passes = &res->passes, .finish = &finish, .repeats = &repeats, .misprice = &misprice, .ub = &ub, .V = &V,
                .thc = thc, .thm = thm, .alpha = &alpha};
  int rc = plan_ck_begin(&ck, o->comm, e); /* a resumed solve continues from its saved pass */
  if (!ck.restored) {
    /* a local failure pending in e is agreed on inside the pricing reduction */
    rc = o->price(o->ctx, thc, &ub, z, e);
    res->passes = 1;
    if (!rc) (void)add_column(&ms, agg, thc, z, e);
  }
  ss_safepoint sp;
  ss_safepoint_init(&sp);
  while (!rc) {
    double t0 = ss_wtime();
    /* after a repeated column the master's columns are unchanged, and an LP or linear master
     * does not depend on ub: its V, theta_m, weights and basis are kept (solving it again from
     * its own optimal basis would only redo the same work) */
    int same_master = misprice && (agg->ops->lp_dims || linear);
    if (!e->code && !ck.restored && !same_master) (void)solve_master(&ms, agg, ub, &V, thm, e);
    ck.restored = 0;
    res->time_master += ss_wtime() - t0;
    /* the ranks decide on the master's value V whether to price again: V is agreed (it is the
     * same on every rank, so the maximum changes no bit), and the agreement carries a failure of
     * the master (a local allocation) to every rank before they branch */
    rc = ss_par_max_double(o->comm, &V, 1, e);
    /* safe point (collective over the oracle's ranks): the solve's state is saved there */
    if (!rc) rc = plan_ck_point(&ck, &sp, o->comm, opt->max_passes, e);
    if (rc) break;
    double rel = (ub - V) / rlhf_rel_denominator_scaled(V, ub, ms.scale);
    if (res->passes >= opt->max_passes) break;
    /* the exact finish: once the master holds the optimal columns, its own dual point is
     * optimal and h(theta_m) = V to rounding; one unsmoothed pass brings the certified gap
     * from tol down to the rounding level (kept only if it improves the bound) */
    if (rel <= opt->tol && (finish || linear || rel <= 1e-15)) break;
    finish |= rel <= opt->tol;
    /* the master's own dual point for the finish, after a mispricing (the last column was
     * already in the master), or at the kink (its dual point is then the smoothed one); else the
     * in-out point */
    int exact = rel <= opt->tol || misprice || master_kinked(&ms, agg, V, ub);
    smoothed = pricing_point(ths, thc, thm, alpha, d, exact);
    t0 = ss_wtime();
    rc = o->price(o->ctx, ths, &h, z, e);
    res->time_price += ss_wtime() - t0;
    res->passes++;
    if (rc) break;
    if (opt->smoothing_auto && smoothed) alpha = adapt_alpha(alpha, z, thc, thm, d);
    smoothed = 0;
    int improved = better_bound(&ub, thc, h, ths, d);
    /* a repeated column without a better bound, twice in a row (the second priced at the
     * master's own dual point): the master cannot improve, so its accuracy limits the gap; stop
     * with the bracket (converged says whether it is within tol) instead of looping */
    int repeat = add_column(&ms, agg, ths, z, e) == 1; /* a failure is agreed on after the next master */
    repeats = repeat && !improved ? repeats + 1 : 0;
    misprice = repeat;
    if (repeats >= 2) break;
  }
  res->master_value = V;
  if (!rc) plan_ck_end(&ck);
  if (!rc) plan_result(&ms, agg, opt, ub, thc, res); /* allocates nothing: cannot fail */
  free(ms.z), free(ms.theta), free(ms.lambda), free(ms.basis);
  free(ms.G), free(ms.c), free(ms.T), free(ms.tz), free(ms.wb);
  return rc;
}

void rlhf_plan_free(rlhf_plan *res)
{
  free(res->col_theta);
  free(res->col_weight);
  res->col_theta = res->col_weight = NULL;
}
