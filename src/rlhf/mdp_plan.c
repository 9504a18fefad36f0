/* The MDP's pricing pass for the planner: planning under the reward <theta, phi(s,a)>.
 *   backward induction  Q_h(s,a) = r(s,a) + sum_s' P(s'|s,a) V_{h+1}(s'),  V_h = max_a Q_h
 *     (ties to the lowest action); V_{h+1} at off-rank successors arrives by one VecScatter per
 *     step; each row's sum runs over its successors in ascending global order;
 *   occupancy pass  d_1 = rho,  d_{h+1}(s') = sum over predecessors (s,a) with pi_h(s) = a of
 *     P(s'|s,a) d_h(s)  (pulled through the predecessor scatter, ascending (s*A+a) order);
 *   z = sum_h sum_s d_h(s) phi(s, pi_h(s)),  h(theta) = sum_s rho(s) V_1(s).
 * Both sums are formed per fixed chunk of states (h outer, states inner) and the chunk partials
 * (1 + d numbers each) are added in chunk order after one allgather: byte-identical for any
 * rank count. */
#include <math.h>
#include <string.h>
#include <time.h>
#include "rlhf_mdp.h"
#include "stratsim/collectives.h"
#include "states.h"

/* CPU seconds of this thread: the parts' timers (t_part), less disturbed than wall time when
 * other jobs share the cores */
static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One ghost exchange, counted (commstats) with the bytes received from other ranks. */
static PetscErrorCode scatter(rlhf_mdp *m, VecScatter sc, Vec from, Vec to, int64_t remote)
{
  PetscFunctionBeginUser;
  double t0 = ss_wtime(), c0 = cpu_now();
  PetscCall(VecScatterBegin(sc, from, to, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, from, to, INSERT_VALUES, SCATTER_FORWARD));
  ss_comm_count_scatter(m->comm, (uint64_t)remote * sizeof(PetscScalar), ss_wtime() - t0);
  m->t_part[sc == m->sc_succ ? 2 : 3] += cpu_now() - c0;
  PetscFunctionReturn(0);
}

/* One step of backward induction over the owned states: Q = r + sum_k P_k V_{h+1}(succ_k) (the
 * successors in ascending global order; g = NULL at the last step), V = max_a Q (ties to the
 * lowest action). */
static void bellman(rlhf_mdp *m, const double *g, int *pi)
{
  int A = m->A;
  for (int s = 0; s < m->s_count; s++) {
    int best = 0;
    double qb = -INFINITY;
    for (int a = 0; a < A; a++) {
      int64_t row = (int64_t)s * A + a;
      double q = m->r[row];
      if (g) {
        double cont = 0;
        for (int64_t k = m->srow[row]; k < m->srow[row + 1]; k++) cont += m->sprob[k] * g[m->scol[k]];
        q += cont;
      }
      if (q > qb) qb = q, best = a;
    }
    m->V[s] = qb;
    pi[s] = best;
  }
}

/* The same sums when every row has 4 successors (generated MDPs, b = 4): no row offsets, the
 * four products unrolled (software prefetch of the successor values did not help: measured). */
static void bellman4(rlhf_mdp *m, const double *g, int *pi)
{
  int A = m->A, n = m->s_count;
  const double *p = m->sprob, *r = m->r;
  const int *c = m->scol;
  for (int s = 0; s < n; s++) {
    int best = 0;
    double qb = -INFINITY;
    for (int a = 0; a < A; a++) {
      int64_t row = (int64_t)s * A + a, k = 4 * row;
      double cont = 0;
      cont += p[k] * g[c[k]];
      cont += p[k + 1] * g[c[k + 1]];
      cont += p[k + 2] * g[c[k + 2]];
      cont += p[k + 3] * g[c[k + 3]];
      double q = r[row] + cont;
      if (q > qb) qb = q, best = a;
    }
    m->V[s] = qb;
    pi[s] = best;
  }
}

static PetscErrorCode backward(rlhf_mdp *m, const double *theta)
{
  PetscFunctionBeginUser;
  int A = m->A, d = m->d, n = m->s_count;
  double f[RLHF_DMAX], t0 = cpu_now();
  for (int s = 0; s < n; s++) {
    if (m->phi) { /* stored rows: the same sums as rlhf_dot, interleaved over actions */
      rlhf_dot_rows(theta, m->phi + (size_t)s * A * d, A, d, m->r + (size_t)s * A);
      continue;
    }
    for (int a = 0; a < A; a++) {
      rlhf_mdp_features(m, m->s_first + s, a, f);
      m->r[(size_t)s * A + a] = rlhf_dot(theta, f, d);
    }
  }
  double t1 = cpu_now(), sc0 = m->t_part[2];
  m->t_part[0] += t1 - t0;
  for (int h = m->H - 1; h >= 0; h--) {
    const double *g = NULL;
    if (h < m->H - 1) { /* V_{h+1}: owned values into the middle of vext, remote ones around */
      memcpy(m->vext + m->slo, m->V, (size_t)n * sizeof *m->V);
      PetscCall(scatter(m, m->sc_succ, m->vglob, m->vghost, m->remote_succ));
      g = m->vext;
      m->ghost_values += m->remote_succ;
      m->collectives++;
    }
    int *pi = m->pi + (size_t)h * n;
    if (g && m->uniform4) bellman4(m, g, pi);
    else bellman(m, g, pi);
  }
  m->t_part[1] += cpu_now() - t1 - (m->t_part[2] - sc0);
  PetscFunctionReturn(0);
}

/* Pushes the occupancy o of predecessor g (extended index) along its greedy action a's edges
 * to the owned targets. */
static inline void push(const rlhf_mdp *m, int64_t g, double o, int a, double *next)
{
  if (o == 0) return; /* adds +0 only */
  int64_t key = g * m->A + a;
  for (int64_t k = m->fofs[key]; k < m->fofs[key + 1]; k++) next[m->ftgt[k]] += m->fprob[k] * o;
}

/* occ (n) at step h -> occ at step h+1 through the predecessor scatter */
static PetscErrorCode forward_step(rlhf_mdp *m, int h, const double *occ, double *next)
{
  PetscFunctionBeginUser;
  int n = m->s_count;
  PetscScalar *o;
  PetscCall(VecGetArray(m->pair_glob, &o));
  for (int s = 0; s < n; s++) {
    o[2 * s] = occ[s];
    o[2 * s + 1] = m->pi[(size_t)h * n + s];
  }
  PetscCall(VecRestoreArray(m->pair_glob, &o));
  PetscCall(scatter(m, m->sc_pred, m->pair_glob, m->pair_ghost, 2 * m->remote_pred));
  m->ghost_values += 2 * (int64_t)m->npghost;
  m->collectives++;
  /* predecessors in ascending global order: remote below, owned, remote above; each target's
   * sum thus runs over its active predecessors in ascending (s*A+a) order */
  const PetscScalar *g;
  double t0 = cpu_now();
  PetscCall(VecGetArrayRead(m->pair_ghost, &g));
  memset(next, 0, (size_t)n * sizeof *next);
  const int *pi = m->pi + (size_t)h * n;
  for (int i = 0; i < m->plo; i++) push(m, i, g[2 * i], (int)g[2 * i + 1], next);
  for (int s = 0; s < n; s++) push(m, (int64_t)m->plo + s, occ[s], pi[s], next);
  for (int i = m->plo; i < m->npghost; i++) push(m, (int64_t)i + n, g[2 * i], (int)g[2 * i + 1], next);
  PetscCall(VecRestoreArrayRead(m->pair_ghost, &g));
  m->t_part[4] += cpu_now() - t0;
  PetscFunctionReturn(0);
}

/* z's feature rows are one per state and step at a data-dependent action: fetched ahead, the
 * reads overlap instead of waiting for memory one row at a time */
#define ZPREFETCH 16
static inline void prefetch_row(const double *row, int d)
{
  for (int j = 0; j < d; j += 8) __builtin_prefetch(row + j, 0, 3);
}

/* acc += o row (d numbers), each element's product and sum as in the plain loop */
static inline void axpy(double *restrict acc, double o, const double *restrict row, int d)
{
  int j = 0;
  for (; j + 4 <= d; j += 4) {
    acc[j] += o * row[j];
    acc[j + 1] += o * row[j + 1];
    acc[j + 2] += o * row[j + 2];
    acc[j + 3] += o * row[j + 3];
  }
  for (; j < d; j++) acc[j] += o * row[j];
}

/* phi(s, a) regenerated, or the chunk's copy if the state's last row had the same action (the
 * greedy action rarely changes with h): the same numbers, a tenth of the generator's work */
static const double *regenerated(rlhf_mdp *m, int i, int s, int a)
{
  double *row = m->zrow + (size_t)i * m->d;
  if (m->zrow_a[i] != a) {
    rlhf_mdp_features(m, s, a, row);
    m->zrow_a[i] = a;
  }
  return row;
}

/* z's partial of chunk c: sum over h, then its states s (ascending), of occ_h(s) phi(s, pi_h(s)),
 * the order of the sums of the step-by-step pass. Chunk by chunk (all steps of a chunk before
 * the next chunk), the rows of a state whose greedy action does not change with h (most of
 * them) are read from memory once and then from the cache. */
static void z_chunk(rlhf_mdp *m, int c, double *acc)
{
  int n = m->s_count, d = m->d, A = m->A, lo = c * m->chunk;
  int hi = lo + m->chunk < n ? lo + m->chunk : n;
  double f[RLHF_DMAX];
  if (m->zrow) /* regenerated rows kept per state of the chunk: none yet */
    for (int s = lo; s < hi; s++) m->zrow_a[s - lo] = -1;
  for (int h = 0; h < m->H; h++) {
    const int *pi = m->pi + (size_t)h * n;
    const double *occ = m->occ + (size_t)h * n;
    for (int s = lo; s < hi; s++) {
      if (m->phi && s + ZPREFETCH < hi)
        prefetch_row(m->phi + ((size_t)(s + ZPREFETCH) * A + pi[s + ZPREFETCH]) * d, d);
      double o = occ[s];
      if (o == 0) continue;
      const double *row = f;
      if (m->phi) row = m->phi + ((size_t)s * A + pi[s]) * d;
      else if (m->zrow) row = regenerated(m, s - lo, m->s_first + s, pi[s]);
      else rlhf_mdp_features(m, m->s_first + s, pi[s], f);
      axpy(acc, o, row, d);
    }
  }
}

/* the occupancies of every step (H x s_count), then z's chunk partials */
static PetscErrorCode forward(rlhf_mdp *m)
{
  PetscFunctionBeginUser;
  int n = m->s_count, d = m->d;
  size_t w = 1 + (size_t)d;
  memcpy(m->occ, m->rho, (size_t)n * sizeof *m->occ);
  for (int h = 0; h + 1 < m->H; h++)
    PetscCall(forward_step(m, h, m->occ + (size_t)h * n, m->occ + (size_t)(h + 1) * n));
  double t0 = cpu_now();
  for (int c = 0; c < m->c_count; c++) {
    double acc[RLHF_DMAX] = {0};
    z_chunk(m, c, acc);
    memcpy(m->partial + (size_t)c * w + 1, acc, (size_t)d * sizeof *acc);
  }
  m->t_part[5] += cpu_now() - t0;
  PetscFunctionReturn(0);
}

int rlhf_mdp_price(rlhf_mdp *m, const double *theta, double *h, double *z, ss_err *e)
{
  int d = m->d;
  size_t w = 1 + (size_t)d;
  memset(m->partial, 0, (size_t)(m->c_count ? m->c_count : 1) * w * sizeof(double));
  /* the scatters are collective: a pending error skips them on every rank only after the
   * agreement below, so a rank with an error still takes part */
  if (backward(m, theta)) ss_fail(e, SS_ERUNTIME, "rlhf: MDP backward induction failed");
  for (int s = 0; s < m->s_count; s++) m->partial[(size_t)(s / m->chunk) * w] += m->rho[s] * m->V[s];
  if (forward(m)) ss_fail(e, SS_ERUNTIME, "rlhf: MDP occupancy pass failed");
  m->passes++;
  m->collectives++;
  double t0 = cpu_now();
  SS_TRY(ss_comm_allgather_doubles(m->comm, m->partial, (int64_t)m->c_count * (int64_t)w, m->all, e));
  m->t_part[6] += cpu_now() - t0;
  double acc[1 + RLHF_DMAX] = {0};
  for (int c = 0; c < m->nchunks; c++)
    for (size_t i = 0; i < w; i++) acc[i] += m->all[(size_t)c * w + i];
  *h = acc[0];
  memcpy(z, acc + 1, (size_t)d * sizeof *z);
  return SS_OK;
}

static int mdp_price_cb(void *ctx, const double *theta, double *h, double *z, ss_err *e)
{
  return rlhf_mdp_price(ctx, theta, h, z, e);
}

void rlhf_mdp_oracle(rlhf_mdp *m, rlhf_oracle *o)
{
  o->ctx = m;
  o->price = mdp_price_cb;
}
