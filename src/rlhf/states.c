/* The states of the contextual problem (H = 1, MODELS 1.5) spread over the ranks of a
 * communicator, and the passes over them.
 *
 * States are spread in blocks of whole summation chunks; each rank keeps its rows of the S x A
 * feature matrix (row-major, s_count*A*d) and of rho, plus a replicated copy of every row for
 * the dense solvers. Every sum over states is formed per chunk in state order and the chunk
 * partials are then added in chunk order on every rank, so values are bit-identical for any
 * number of ranks. This file is the lowest layer of the policy solve: it calls the MDP
 * (mdp.c) and the collectives, never a solver. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rlhf_mdp.h"
#include "stratsim/collectives.h"
#include "states.h"

/* An MDP's states: the distributed MDP (mdp.c) and nothing replicated. Collective; the MDP's
 * creation agrees on a pending error before its first collective (docs/errors.md). */
static int states_create_mdp(ss_comm *c, const rlhf_env *env, int chunk, rlhf_states **out,
                             ss_err *e)
{
  rlhf_states *st = e->code ? NULL : ss_calloc(1, sizeof *st, e);
  if (st) {
    st->comm = c;
    st->S = env->S, st->A = env->A, st->d = env->d;
    st->s_first = env->S;
  }
  rlhf_mdp *mdp = NULL;
  if (rlhf_mdp_create(c, env->mdp, chunk, &mdp, e)) {
    free(st);
    return e->code;
  }
  st->mdp = mdp;
  st->L = mdp->L;
  *out = st;
  return SS_OK;
}

double rlhf_states_L(const rlhf_states *st) { return st->L; }

static void states_fill(ss_comm *c, const rlhf_env *env, int chunk, rlhf_states *st, ss_err *e);

int rlhf_states_create(ss_comm *c, const rlhf_env *env, int chunk, rlhf_states **out, ss_err *e)
{
  *out = NULL;
  if (env->mdp) return states_create_mdp(c, env, chunk, out, e);
  if (env->d > RLHF_DMAX) return ss_fail(e, SS_EINPUT, "rlhf: d must be <= %d", RLHF_DMAX);
  /* a rank with an error pending (the caller's or an allocation below) skips its local part
   * and still takes part in the allgathers, which agree on the error first */
  rlhf_states *st = e->code ? NULL : ss_calloc(1, sizeof *st, e);
  if (st) states_fill(c, env, chunk, st, e);
  int rc = ss_comm_allgather_doubles(c, st ? st->rho : NULL, st ? st->s_count : 0, st ? st->rho_all : NULL, e);
  if (rc) {
    rlhf_states_destroy(&st);
    return rc;
  }
  *out = st;
  return SS_OK;
}

/* The local part of rlhf_states_create: the layout, this rank's rows and the buffers. */
static void states_fill(ss_comm *c, const rlhf_env *env, int chunk, rlhf_states *st, ss_err *e)
{
  st->comm = c;
  st->S = env->S;
  st->A = env->A;
  st->d = env->d;
  st->L = env->L;
  /* The chunk size depends on S only (never on the rank count): at most 256 chunks. */
  st->chunk = chunk > 0 ? chunk : (env->S + 255) / 256 > 16 ? (env->S + 255) / 256 : 16;
  st->nchunks = (env->S + st->chunk - 1) / st->chunk;
  int64_t cf, cc;
  rlhf_block(st->nchunks, ss_comm_size(c), ss_comm_rank(c), &cf, &cc);
  st->c_first = (int)cf;
  st->c_count = (int)cc;
  st->s_first = st->c_first * st->chunk;
  int s_end = (st->c_first + st->c_count) * st->chunk;
  if (s_end > st->S) s_end = st->S;
  st->s_count = st->c_count > 0 ? s_end - st->s_first : 0;
  if (st->s_count == 0) st->s_first = st->S;
  st->m = 1 + (size_t)st->d + (size_t)st->d * st->d;
  size_t nloc = (size_t)st->s_count;
  st->phi = ss_malloc((nloc ? nloc : 1) * st->A * st->d * sizeof *st->phi, e);
  st->rho = ss_malloc((nloc ? nloc : 1) * sizeof *st->rho, e);
  st->partial = ss_malloc((size_t)(st->c_count ? st->c_count : 1) * st->m * sizeof(double), e);
  st->all = ss_malloc((size_t)st->nchunks * st->m * sizeof(double), e);
  st->rho_all = ss_malloc((size_t)st->S * sizeof(double), e);
  if (e->code) return;
  /* this rank's rows of the S x A features, row-major (s_count*A*d), and of rho */
  memcpy(st->phi, env->phi + (size_t)st->s_first * st->A * st->d, nloc * st->A * st->d * sizeof *st->phi);
  memcpy(st->rho, env->rho + st->s_first, nloc * sizeof *st->rho);
}

/* The dense solvers' replicated S x A x d features, from the distributed rows (allgather in
 * rank = state order), built on their first use: the planner never needs them. Collective. */
int rlhf_states_replicate(rlhf_states *st, ss_err *e)
{
  if (st->phi_all || st->mdp) return e->code; /* the same on every rank of st->comm */
  if (!e->code) st->phi_all = ss_malloc((size_t)st->S * st->A * st->d * sizeof(double), e);
  int64_t nphi = (int64_t)st->s_count * st->A * st->d;
  int rc = ss_comm_allgather_doubles(st->comm, st->phi, nphi, st->phi_all, e); /* agrees first */
  if (rc) {
    free(st->phi_all);
    st->phi_all = NULL;
  }
  return rc;
}

void rlhf_states_destroy(rlhf_states **pst)
{
  rlhf_states *st = *pst;
  if (!st) return;
  rlhf_mdp_destroy(&st->mdp);
  free(st->phi);
  free(st->rho);
  free(st->partial);
  free(st->all);
  free(st->phi_all);
  free(st->rho_all);
  free(st);
  *pst = NULL;
}

void rlhf_states_local(const rlhf_states *st, int *s_first, int *s_count)
{
  *s_first = st->s_first;
  *s_count = st->s_count;
}

/* The local part of a pass: this rank's states into its chunk partials (st->partial). */
static void eval_local(rlhf_states *st, const double *theta, double tau, int want_h, double *prob,
                       double *qq, double *pp)
{
  int d = st->d, A = st->A;
  size_t m = st->m;
  double mean[RLHF_DMAX];
  for (int s = 0; s < st->s_count; s++) {
    double *part = st->partial + (size_t)(s / st->chunk) * m;
    const double *ph = st->phi + (size_t)s * A * d;
    int amax = 0;
    rlhf_dot_rows(theta, ph, A, d, qq);
    for (int a = 1; a < A; a++)
      if (qq[a] > qq[amax]) amax = a;
    double r = st->rho[s];
    part[0] += r * qq[amax];
    int onehot = 1;
    if (tau > 0) {
      double tot = 0;
      for (int a = 0; a < A; a++) {
        double arg = (qq[a] - qq[amax]) / tau;
        pp[a] = arg < -745.0 ? 0.0 : exp(arg);
        tot += pp[a];
        if (a != amax && pp[a] != 0) onehot = 0;
      }
      for (int a = 0; a < A; a++) pp[a] /= tot;
    }
    if (onehot) {
      for (int a = 0; a < A; a++) pp[a] = (a == amax);
      for (int j = 0; j < d; j++) part[1 + j] += r * ph[(size_t)amax * d + j];
    } else {
      for (int j = 0; j < d; j++) mean[j] = 0;
      for (int a = 0; a < A; a++)
        for (int j = 0; j < d; j++) mean[j] += pp[a] * ph[(size_t)a * d + j];
      for (int j = 0; j < d; j++) part[1 + j] += r * mean[j];
      if (want_h) {
        double *hp = part + 1 + d;
        double c = r / tau;
        for (int a = 0; a < A; a++) {
          if (pp[a] == 0) continue;
          double dev[RLHF_DMAX];
          for (int j = 0; j < d; j++) dev[j] = ph[(size_t)a * d + j] - mean[j];
          double w = c * pp[a];
          for (int i = 0; i < d; i++) {
            double wi = w * dev[i];
            for (int j = i; j < d; j++) hp[i * d + j] += wi * dev[j];
          }
        }
      }
    }
    if (prob) memcpy(prob + (size_t)s * A, pp, (size_t)A * sizeof *pp);
  }
}

/* One pass over the local states (states.h). With an error pending it skips its local part
 * and the allgather agrees on the error. */
int rlhf_states_eval(rlhf_states *st, const double *theta, double tau, int want_h,
                       double *hmax, double *z, double *H, double *prob, ss_err *e)
{
  int d = st->d, A = st->A;
  size_t m = st->m;
  double q[256], p[256];
  double *qq = e->code || A <= 256 ? q : ss_malloc((size_t)A * sizeof *qq, e);
  double *pp = e->code || A <= 256 ? p : ss_malloc((size_t)A * sizeof *pp, e);
  if (!qq || !pp) ss_fail(e, SS_ERUNTIME, "out of memory");
  memset(st->partial, 0, (size_t)(st->c_count ? st->c_count : 1) * m * sizeof(double));
  if (!e->code) eval_local(st, theta, tau, want_h, prob, qq, pp);
  if (qq && qq != q) free(qq);
  if (pp && pp != p) free(pp);
  /* Without the Hessian only 1 + d numbers per chunk travel (packed in place). */
  size_t use = want_h ? m : 1 + (size_t)d;
  for (int c = 1; c < st->c_count && use < m; c++)
    memmove(st->partial + (size_t)c * use, st->partial + (size_t)c * m, use * sizeof(double));
  SS_TRY(ss_comm_allgather_doubles(st->comm, st->partial, (int64_t)(st->c_count * use), st->all, e));
  /* Chunk partials in chunk order: the same additions for any rank count. */
  double acc[1 + RLHF_DMAX + RLHF_DMAX * RLHF_DMAX];
  memset(acc, 0, use * sizeof *acc);
  for (int c = 0; c < st->nchunks; c++)
    for (size_t i = 0; i < use; i++) acc[i] += st->all[(size_t)c * use + i];
  *hmax = acc[0];
  if (z) memcpy(z, acc + 1, (size_t)d * sizeof *z);
  if (want_h && H)
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++) H[i * d + j] = j >= i ? acc[1 + d + i * d + j] : acc[1 + d + j * d + i];
  return SS_OK;
}

/* q[a] = <theta, ph_a> for A rows of d: each in the order of rlhf_dot (the same bits), the
 * rows' chains interleaved so that the additions' latencies overlap. */
void rlhf_dot_rows(const double *theta, const double *ph, int A, int d, double *q)
{
  int a = 0;
  for (; a + 4 <= A; a += 4) {
    const double *r0 = ph + (size_t)a * d, *r1 = r0 + d, *r2 = r1 + d, *r3 = r2 + d;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int j = 0; j < d; j++) {
      s0 += theta[j] * r0[j];
      s1 += theta[j] * r1[j];
      s2 += theta[j] * r2[j];
      s3 += theta[j] * r3[j];
    }
    q[a] = s0, q[a + 1] = s1, q[a + 2] = s2, q[a + 3] = s3;
  }
  for (; a < A; a++) q[a] = rlhf_dot(theta, ph + (size_t)a * d, d);
}

int rlhf_greedy_action(const double *theta, const double *ph, int A, int d)
{
  double q[256];
  int best = 0;
  if (A > 256) { /* not reached: A <= 256 by the schema */
    double qb = rlhf_dot(theta, ph, d);
    for (int a = 1; a < A; a++) {
      double v = rlhf_dot(theta, ph + (size_t)a * d, d);
      if (v > qb) qb = v, best = a;
    }
    return best;
  }
  rlhf_dot_rows(theta, ph, A, d, q);
  for (int a = 1; a < A; a++)
    if (q[a] > q[best]) best = a;
  return best;
}

int rlhf_states_greedy_pass(rlhf_states *st, const double *theta, double *h, double *z,
                            double *prob, ss_err *e)
{
  return rlhf_states_eval(st, theta, 0.0, 0, h, z, NULL, prob, e);
}

double rlhf_policy_dual_value(rlhf_states *st, const double *theta)
{
  double h;
  ss_err e;
  ss_err_clear(&e);
  if (rlhf_states_eval(st, theta, 0.0, 0, &h, NULL, NULL, NULL, &e)) return NAN;
  return h;
}

/* z of an explicit local policy (s_count x A), summed per chunk then in chunk order. */
int rlhf_states_z_policy(rlhf_states *st, const double *prob, double *z, ss_err *e)
{
  int d = st->d, A = st->A;
  size_t m = st->m;
  memset(st->partial, 0, (size_t)(st->c_count ? st->c_count : 1) * m * sizeof(double));
  for (int s = 0; !e->code && s < st->s_count; s++) { /* a pending error: the allgather agrees */
    double *part = st->partial + (size_t)(s / st->chunk) * m;
    const double *ph = st->phi + (size_t)s * A * d;
    for (int a = 0; a < A; a++) {
      double w = st->rho[s] * prob[(size_t)s * A + a];
      if (w == 0) continue;
      for (int j = 0; j < d; j++) part[1 + j] += w * ph[(size_t)a * d + j];
    }
  }
  SS_TRY(ss_comm_allgather_doubles(st->comm, st->partial, (int64_t)(st->c_count * m), st->all, e));
  for (int j = 0; j < d; j++) z[j] = 0;
  for (int c = 0; c < st->nchunks; c++)
    for (int j = 0; j < d; j++) z[j] += st->all[(size_t)c * m + 1 + j];
  return SS_OK;
}
