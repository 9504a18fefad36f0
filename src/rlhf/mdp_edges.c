/* The pricing pass's view of the distributed transitions (docs/mdp.md), built once from the
 * PETSc matrix P (its rows: successors) and its transpose (predecessors):
 *
 *  - successors: CSR of the owned rows (s*A+a) in ascending global successor order, each entry
 *    an index into the "extended" value array vext = [remote successors below the owned block |
 *    the owned states | remote successors above], both remote parts sorted. The owned values
 *    are the middle of vext (vglob's array is placed there), so the successor scatter moves only
 *    the remote values, into contiguous runs of vext: no element-wise local copy;
 *  - active edges for the occupancy pass: for every predecessor state g (the same extended
 *    layout: remote ones below, the owned states, remote ones above) and action a, the owned
 *    successors of row (g, a) with their probabilities. A pass pushes, for each predecessor in
 *    ascending global order, only the b edges of its greedy action into the owned targets, so
 *    every target's sum runs over its active predecessors in ascending (s*A+a) order, as the
 *    pull over all A*b in-edges did, with a tenth of the reads (A = 10). The remote
 *    predecessors' (occupancy, action) pairs arrive through one block scatter per step. */
#include <stdlib.h>
#include <string.h>
#include <petscmat.h>
#include "stratsim/par_petsc.h"
#include "rlhf_mdp.h"

static int cmp_int(const void *x, const void *y)
{
  int a = *(const int *)x, b = *(const int *)y;
  return (a > b) - (a < b);
}

/* The sorted unique states of idx[0..n) outside the owned block (allocated into *rem);
 * returns their count (-1: out of memory) and sets *below to how many precede the block. */
static int remote_states(const rlhf_mdp *m, const int *idx, int64_t n, int **rem, int *below)
{
  int64_t w = 0;
  for (int64_t i = 0; i < n; i++) w += idx[i] < m->s_first || idx[i] >= m->s_first + m->s_count;
  int *u = ss_malloc((size_t)(w ? w : 1) * sizeof *u, NULL);
  if (!u) return -1;
  w = 0;
  for (int64_t i = 0; i < n; i++)
    if (idx[i] < m->s_first || idx[i] >= m->s_first + m->s_count) u[w++] = idx[i];
  qsort(u, (size_t)w, sizeof *u, cmp_int);
  int64_t k = 0;
  for (int64_t i = 0; i < w; i++)
    if (k == 0 || u[k - 1] != u[i]) u[k++] = u[i];
  int lo = 0;
  while (lo < k && u[lo] < m->s_first) lo++;
  *rem = u, *below = lo;
  return (int)k;
}

/* Index of state v in the extended layout [rem below | owned | rem above]. */
static int ext_index(const rlhf_mdp *m, const int *rem, int nrem, int below, int v)
{
  if (v >= m->s_first && v < m->s_first + m->s_count) return below + (v - m->s_first);
  int lo = 0, hi = nrem - 1;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (rem[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo < below ? lo : lo + m->s_count;
}

/* The successor scatter: remote states rem (global) into their places in vext. Its first
 * step, vglob's creation (a par verb), agrees on the local failures before it; then e is clear. */
static PetscErrorCode successor_scatter(rlhf_mdp *m, const int *rem, int nrem, ss_err *e)
{
  PetscFunctionBeginUser;
  if (ss_par_vec_create(m->comm, m->s_count, m->S, m->vext ? m->vext + m->slo : NULL, &m->vglob, e))
    PetscFunctionReturn(0);
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, m->nghost, m->vext, &m->vghost));
  PetscInt *from, *to;
  PetscCall(PetscMalloc1(nrem ? nrem : 1, &from));
  PetscCall(PetscMalloc1(nrem ? nrem : 1, &to));
  for (int i = 0; i < nrem; i++) {
    from[i] = rem[i];
    to[i] = i < m->slo ? i : i + m->s_count;
  }
  IS isf, ist;
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nrem, from, PETSC_OWN_POINTER, &isf));
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nrem, to, PETSC_OWN_POINTER, &ist));
  PetscCall(VecScatterCreate(m->vglob, isf, m->vghost, ist, &m->sc_succ));
  PetscCall(ISDestroy(&isf));
  PetscCall(ISDestroy(&ist));
  PetscFunctionReturn(0);
}

/* Successor rows of P (ascending global columns) -> CSR over the extended layout; *rem (the
 * remote successors, ascending) for the scatter. Local: an allocation failure is set in e
 * (agreed on by the successor scatter's first verb, before any collective). */
static PetscErrorCode successors_local(rlhf_mdp *m, int **rem_out, int *nrem_out, ss_err *e)
{
  PetscFunctionBeginUser;
  int64_t rows = (int64_t)m->s_count * m->A, nnz = 0;
  m->srow = rlhf_mdp_alloc((size_t)(rows + 1) * sizeof *m->srow, e);
  int *glob = ss_malloc((size_t)(rows * m->b + 1) * sizeof *glob, e);
  m->sprob = rlhf_mdp_alloc((size_t)(rows * m->b + 1) * sizeof *m->sprob, e);
  if (!m->srow || !glob || !m->sprob) {
    free(glob);
    ss_fail(e, SS_ERUNTIME, "rlhf: out of memory for the MDP's successor lists");
    PetscFunctionReturn(0);
  }
  m->srow[0] = 0;
  for (int64_t r = 0; r < rows; r++) {
    PetscInt nc;
    const PetscInt *c;
    const PetscScalar *v;
    PetscInt grow = (PetscInt)m->s_first * m->A + (PetscInt)r;
    PetscCall(MatGetRow(m->P, grow, &nc, &c, &v));
    for (PetscInt k = 0; k < nc; k++, nnz++) {
      glob[nnz] = (int)c[k];
      m->sprob[nnz] = v[k];
    }
    PetscCall(MatRestoreRow(m->P, grow, &nc, &c, &v));
    m->srow[r + 1] = nnz;
  }
  m->uniform4 = 1;
  for (int64_t r = 0; r < rows; r++) m->uniform4 &= m->srow[r + 1] - m->srow[r] == 4;
  int *rem = NULL, nrem = remote_states(m, glob, nnz, &rem, &m->slo);
  if (nrem >= 0) {
    m->nghost = nrem + m->s_count;
    m->ghost = ss_malloc((size_t)(m->nghost ? m->nghost : 1) * sizeof *m->ghost, e);
    m->vext = rlhf_mdp_alloc((size_t)m->nghost * sizeof *m->vext, e);
    m->scol = rlhf_mdp_alloc((size_t)nnz * sizeof *m->scol, e);
  }
  if (nrem < 0 || !m->ghost || !m->vext || !m->scol) {
    free(glob), free(rem);
    ss_fail(e, SS_ERUNTIME, "rlhf: out of memory for the MDP's successor lists");
    PetscFunctionReturn(0);
  }
  memset(m->vext, 0, (size_t)m->nghost * sizeof *m->vext);
  for (int i = 0; i < m->nghost; i++) /* ext index -> global state */
    m->ghost[i] = i < m->slo ? rem[i] : i < m->slo + m->s_count ? m->s_first + i - m->slo : rem[i - m->s_count];
  for (int64_t q = 0; q < nnz; q++) m->scol[q] = ext_index(m, rem, nrem, m->slo, glob[q]);
  free(glob); /* the successor of entry k is ghost[scol[k]] */
  m->remote_succ = nrem;
  *rem_out = rem, *nrem_out = nrem;
  PetscFunctionReturn(0);
}

/* Calls fn(m, ctx, target, pred, action, prob) for every in-edge of the owned states, targets
 * ascending, from the rows of P^T. */
typedef void (*edge_fn)(rlhf_mdp *m, void *ctx, int64_t k, int t, int pred, int a, double p);

static PetscErrorCode each_in_edge(rlhf_mdp *m, Mat PT, edge_fn fn, void *ctx)
{
  PetscFunctionBeginUser;
  int64_t k = 0;
  for (int t = 0; t < m->s_count; t++) {
    PetscInt nc, grow = m->s_first + t;
    const PetscInt *c;
    const PetscScalar *v;
    PetscCall(MatGetRow(PT, grow, &nc, &c, &v));
    for (PetscInt q = 0; q < nc; q++, k++) fn(m, ctx, k, t, (int)(c[q] / m->A), (int)(c[q] % m->A), v[q]);
    PetscCall(MatRestoreRow(PT, grow, &nc, &c, &v));
  }
  PetscFunctionReturn(0);
}

static void note_pred(rlhf_mdp *m, void *ctx, int64_t k, int t, int pred, int a, double p)
{
  ((int *)ctx)[k] = pred;
}

static void count_edge(rlhf_mdp *m, void *ctx, int64_t k, int t, int pred, int a, double p)
{
  m->fofs[(int64_t)((int *)ctx)[k] * m->A + a + 1]++;
}

static void place_edge(rlhf_mdp *m, void *ctx, int64_t k, int t, int pred, int a, double p)
{
  int64_t q = m->fofs[(int64_t)((int *)ctx)[k] * m->A + a]++;
  m->ftgt[q] = t;
  m->fprob[q] = p;
}

/* The active-edge lists from P^T: for every predecessor (extended index) and action, the
 * owned successors. Local, like successors_local. */
static PetscErrorCode predecessors_local(rlhf_mdp *m, Mat PT, ss_err *e)
{
  PetscFunctionBeginUser;
  int64_t nnz = 0;
  for (int t = 0; t < m->s_count; t++) { /* the exact in-degree total */
    PetscInt nc;
    PetscCall(MatGetRow(PT, (PetscInt)m->s_first + t, &nc, NULL, NULL));
    nnz += nc;
    PetscCall(MatRestoreRow(PT, (PetscInt)m->s_first + t, &nc, NULL, NULL));
  }
  int *pred = ss_malloc((size_t)(nnz ? nnz : 1) * sizeof *pred, e), *rem = NULL;
  if (pred) PetscCall(each_in_edge(m, PT, note_pred, pred));
  m->npghost = pred ? remote_states(m, pred, nnz, &rem, &m->plo) : -1;
  m->pghost = rem;
  if (m->npghost < 0) m->npghost = 0;
  else {
    for (int64_t q = 0; q < nnz; q++) pred[q] = ext_index(m, rem, m->npghost, m->plo, pred[q]);
    int64_t keys = ((int64_t)m->npghost + m->s_count) * m->A;
    m->fofs = rlhf_mdp_alloc(((size_t)keys + 1) * sizeof *m->fofs, e);
    m->ftgt = rlhf_mdp_alloc((size_t)nnz * sizeof *m->ftgt, e);
    m->fprob = rlhf_mdp_alloc((size_t)nnz * sizeof *m->fprob, e);
  }
  if (!pred || !rem || !m->fofs || !m->ftgt || !m->fprob) {
    free(pred);
    ss_fail(e, SS_ERUNTIME, "rlhf: out of memory for the MDP's predecessor lists");
    PetscFunctionReturn(0);
  }
  int64_t keys = ((int64_t)m->npghost + m->s_count) * m->A;
  memset(m->fofs, 0, ((size_t)keys + 1) * sizeof *m->fofs);
  PetscCall(each_in_edge(m, PT, count_edge, pred));
  for (int64_t q = 0; q < keys; q++) m->fofs[q + 1] += m->fofs[q];
  PetscCall(each_in_edge(m, PT, place_edge, pred)); /* shifts fofs by one key */
  memmove(m->fofs + 1, m->fofs, (size_t)keys * sizeof *m->fofs);
  m->fofs[0] = 0;
  free(pred);
  m->remote_pred = m->npghost;
  PetscFunctionReturn(0);
}

/* The block scatter of the remote predecessors' (occupancy, action). Collective. */
static PetscErrorCode predecessor_scatter(rlhf_mdp *m)
{
  PetscFunctionBeginUser;
  PetscInt *ig;
  PetscCall(PetscMalloc1(m->npghost ? m->npghost : 1, &ig));
  for (int i = 0; i < m->npghost; i++) ig[i] = m->pghost[i];
  IS is;
  PetscCall(ISCreateBlock(PETSC_COMM_SELF, 2, m->npghost, ig, PETSC_OWN_POINTER, &is));
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, 2 * (PetscInt)m->npghost, &m->pair_ghost));
  PetscCall(VecScatterCreate(m->pair_glob, is, m->pair_ghost, NULL, &m->sc_pred));
  PetscCall(ISDestroy(&is));
  PetscFunctionReturn(0);
}

/* The pass's structures from P (mdp.c frees P after): the successor lists and their scatter,
 * the active-edge lists and the predecessors' scatter. Every local step (the rows read, the
 * allocations) comes before the PETSc collectives, whose first (vglob's creation, a par verb
 * taking the pending error) agrees on them: a rank whose allocation failed does not leave the
 * others in a scatter's creation. Collective over m->comm. */
PetscErrorCode rlhf_mdp_build_edges(rlhf_mdp *m, ss_err *e)
{
  PetscFunctionBeginUser;
  Mat PT;
  if (ss_par_mat_transpose(m->comm, m->P, &PT, e)) PetscFunctionReturn(0); /* agrees on P's build */
  int *rem = NULL, nrem = 0;
  PetscErrorCode ierr = successors_local(m, &rem, &nrem, e);
  if (!ierr && !e->code) ierr = predecessors_local(m, PT, e);
  if (ierr) ss_fail(e, SS_ERUNTIME, "rlhf: PETSc error %d reading the MDP's transitions", (int)ierr);
  PetscCall(MatDestroy(&PT));
  ierr = successor_scatter(m, rem, nrem, e); /* its first verb agrees on the local steps' failures */
  free(rem);
  PetscCall(ierr);
  if (!e->code) PetscCall(predecessor_scatter(m));
  PetscFunctionReturn(0);
}
