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
#include "rlhf_mdp.h"

/* One ghost exchange, counted (commstats) with the bytes received from other ranks. */
static PetscErrorCode scatter(const rlhf_mdp *m, VecScatter sc, Vec from, Vec to, int64_t remote)
{
  PetscFunctionBeginUser;
  double t0 = ss_wtime();
  PetscCall(VecScatterBegin(sc, from, to, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, from, to, INSERT_VALUES, SCATTER_FORWARD));
  ss_comm_count_scatter(m->comm, (uint64_t)remote * sizeof(PetscScalar), ss_wtime() - t0);
  PetscFunctionReturn(0);
}

static PetscErrorCode backward(rlhf_mdp *m, const double *theta)
{
  PetscFunctionBeginUser;
  int A = m->A, d = m->d, n = m->s_count;
  double f[RLHF_DMAX];
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
  for (int h = m->H - 1; h >= 0; h--) {
    const PetscScalar *g = NULL;
    if (h < m->H - 1) {
      PetscScalar *v;
      PetscCall(VecGetArray(m->vglob, &v));
      memcpy(v, m->V, (size_t)n * sizeof *v);
      PetscCall(VecRestoreArray(m->vglob, &v));
      PetscCall(scatter(m, m->sc_succ, m->vglob, m->vghost, m->remote_succ));
      PetscCall(VecGetArrayRead(m->vghost, &g));
      m->ghost_values += m->nghost;
      m->collectives++;
    }
    int *pi = m->pi + (size_t)h * n;
    for (int s = 0; s < n; s++) {
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
    if (g) PetscCall(VecRestoreArrayRead(m->vghost, &g));
  }
  PetscFunctionReturn(0);
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
  const PetscScalar *g;
  PetscCall(VecGetArrayRead(m->pair_ghost, &g));
  for (int s = 0; s < n; s++) {
    double acc = 0;
    for (int64_t k = m->prow[s]; k < m->prow[s + 1]; k++) {
      uint64_t key = m->pkey[k];
      const PetscScalar *pair = g + 2 * (key >> 8);
      if ((int)pair[1] == (int)(key & 0xff)) acc += m->pprob[k] * pair[0];
    }
    next[s] = acc;
  }
  PetscCall(VecRestoreArrayRead(m->pair_ghost, &g));
  PetscFunctionReturn(0);
}

static PetscErrorCode forward(rlhf_mdp *m)
{
  PetscFunctionBeginUser;
  int n = m->s_count, d = m->d;
  size_t w = 1 + (size_t)d;
  double *occ = m->occ, *next = m->occ + (n ? n : 1), f[RLHF_DMAX];
  memcpy(occ, m->rho, (size_t)n * sizeof *occ);
  for (int h = 0; h < m->H; h++) {
    for (int s = 0; s < n; s++) {
      if (occ[s] == 0) continue;
      double *part = m->partial + (size_t)(s / m->chunk) * w;
      rlhf_mdp_features(m, m->s_first + s, m->pi[(size_t)h * n + s], f);
      for (int j = 0; j < d; j++) part[1 + j] += occ[s] * f[j];
    }
    if (h + 1 < m->H) {
      PetscCall(forward_step(m, h, occ, next));
      double *t = occ;
      occ = next, next = t;
    }
  }
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
  SS_TRY(ss_comm_allgather_doubles(m->comm, m->partial, (int64_t)m->c_count * (int64_t)w, m->all, e));
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
