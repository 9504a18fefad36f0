/* A tabular MDP distributed by state (MODELS 1.1): S states in fixed chunks spread over the
 * ranks (as rlhf_states), A actions, features phi(s,a), start distribution rho, horizon H and
 * transitions P(s'|s,a) that do not depend on h.
 *
 * Generated MDPs: every row (features and successors of one (s,a)) is a pure function of the
 * keyed generator, so any rank can regenerate any row without communication: b distinct
 * successors drawn uniformly by (seed, TRANSITION, s*A+a, i), Dirichlet(1) weights from
 * (seed, TRANSITION, s*A+a, 2^40 + k), features as the contextual generator (seed, FEATURES,
 * s*A+a, j) rescaled to norm L (so an H = 1 MDP has exactly the contextual features), rho
 * uniform.
 *
 * The transitions are a PETSc MATMPIAIJ of (S*A) x S distributed by rows (this rank's states'
 * rows). Its rows (MatGetRow: global columns in ascending order) give each owned (s,a) its
 * successors; its transpose gives each owned state its predecessors. The values a rank needs
 * from other ranks move through two VecScatters (successor values for backward induction,
 * predecessor occupancies and actions for the forward pass), and every row sum is taken in
 * ascending global column order by mdp_plan.c, never in PETSc's diagonal/off-diagonal split,
 * so results are byte-identical at any rank count. No rank holds an S x A object. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <petscmat.h>
#include "stratsim/par_petsc.h"
#include "stratsim/rng.h"
#include "env_type.h"
#include "mdp_settings.h"
#include "rlhf_mdp.h"
#include "rlhf_limits.h"

#define WEIGHT_INDEX (1ull << 40)

static void generate_features(const rlhf_mdp *m, int s, int a, double *out)
{
  uint32_t row = (uint32_t)((int64_t)s * m->A + a);
  ss_rng_normal_fill(m->seed, SS_P_RLHF_FEATURES, row, 0, (uint64_t)m->d, out);
  double nrm = 0;
  for (int j = 0; j < m->d; j++) nrm += out[j] * out[j];
  nrm = sqrt(nrm);
  for (int j = 0; j < m->d; j++) out[j] = nrm > 0 ? out[j] * (m->Lgen / nrm) : 0.0;
}

void rlhf_mdp_features(const rlhf_mdp *m, int s, int a, double *out)
{
  if (m->phi)
    memcpy(out, m->phi + ((size_t)(s - m->s_first) * m->A + a) * m->d, (size_t)m->d * sizeof *out);
  else
    generate_features(m, s, a, out);
}

/* The b successors of (s,a) in ascending order with their probabilities. */
static void generate_row(const rlhf_mdp *m, int s, int a, int *succ, double *prob)
{
  uint32_t row = (uint32_t)((int64_t)s * m->A + a);
  int b = m->b, n = 0;
  for (uint64_t i = 0; n < b; i++) {
    int c = (int)ss_rng_below(m->seed, SS_P_RLHF_TRANSITION, row, i, (uint64_t)m->S);
    int dup = 0;
    for (int q = 0; q < n; q++) dup |= succ[q] == c;
    if (!dup) succ[n++] = c;
  }
  double tot = 0;
  for (int k = 0; k < b; k++) {
    prob[k] = -log(ss_rng_u01(m->seed, SS_P_RLHF_TRANSITION, row, WEIGHT_INDEX + k));
    tot += prob[k];
  }
  for (int k = 0; k < b; k++) prob[k] /= tot;
  for (int i = 1; i < b; i++) /* insertion sort by successor, weights alongside */
    for (int q = i; q > 0 && succ[q - 1] > succ[q]; q--) {
      int ts = succ[q];
      succ[q] = succ[q - 1], succ[q - 1] = ts;
      double tp = prob[q];
      prob[q] = prob[q - 1], prob[q - 1] = tp;
    }
}

/* Explicit transitions: the owned rows' entries of the CSV (rows and their counts). */
typedef struct {
  rlhf_mdp *m;
  PetscInt *count; /* per owned row, or NULL in the second pass */
  PetscErrorCode err;
} file_rows;

static void count_entry(void *ctx, int s, int a, int next, double p)
{
  file_rows *fr = ctx;
  if (s >= fr->m->s_first && s < fr->m->s_first + fr->m->s_count)
    fr->count[(int64_t)(s - fr->m->s_first) * fr->m->A + a]++;
}

static void set_entry(void *ctx, int s, int a, int next, double p)
{
  file_rows *fr = ctx;
  rlhf_mdp *m = fr->m;
  if (fr->err || s < m->s_first || s >= m->s_first + m->s_count) return;
  PetscInt r = (PetscInt)s * m->A + a, c = next;
  fr->err = MatSetValues(m->P, 1, &r, 1, &c, &p, INSERT_VALUES);
}

static PetscErrorCode assemble_file(rlhf_mdp *m, ss_err *e)
{
  PetscFunctionBeginUser;
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(m->comm);
  PetscInt rows = (PetscInt)m->s_count * m->A;
  file_rows fr = {m, NULL, 0};
  PetscCall(PetscCalloc1(rows ? rows : 1, &fr.count));
  if (!rlhf_mdp_scan_transitions(m->file, m->S, m->A, count_entry, &fr, e)) {
    m->b = 1;
    for (PetscInt r = 0; r < rows; r++) m->b = fr.count[r] > m->b ? (int)fr.count[r] : m->b;
  }
  PetscCall(MatCreateAIJ(comm, rows, m->s_count, (PetscInt)m->S * m->A, m->S, 0, fr.count, 0, fr.count, &m->P));
  PetscCall(PetscFree(fr.count));
  if (!e->code && !rlhf_mdp_scan_transitions(m->file, m->S, m->A, set_entry, &fr, e)) PetscCall(fr.err);
  PetscCall(MatAssemblyBegin(m->P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(m->P, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

static PetscErrorCode assemble(rlhf_mdp *m)
{
  PetscFunctionBeginUser;
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(m->comm);
  PetscInt rows = (PetscInt)m->s_count * m->A, b = m->b;
  PetscCall(MatCreateAIJ(comm, rows, m->s_count, (PetscInt)m->S * m->A, m->S, b, NULL, b, NULL, &m->P));
  PetscInt *cols;
  PetscScalar *vals;
  int *succ;
  PetscCall(PetscMalloc3(b, &cols, b, &vals, b, &succ));
  for (int s = 0; s < m->s_count; s++)
    for (int a = 0; a < m->A; a++) {
      PetscInt r = ((PetscInt)m->s_first + s) * m->A + a;
      generate_row(m, m->s_first + s, a, succ, vals);
      for (int k = 0; k < b; k++) cols[k] = succ[k];
      PetscCall(MatSetValues(m->P, 1, &r, b, cols, vals, INSERT_VALUES));
    }
  PetscCall(PetscFree3(cols, vals, succ));
  PetscCall(MatAssemblyBegin(m->P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(m->P, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* P, then the pass's structures from it (mdp_edges.c); P itself is not needed by the passes
 * (they use the extracted rows in a fixed order) and is freed, which keeps its 12 bytes per
 * entry out of the peak once the features are allocated. */
/* Returns the build's freed memory (P, P^T, temporaries) to the system before the features
 * are allocated: glibc keeps freed blocks below its (dynamic) mmap threshold in the heap,
 * where the features' separate large mapping cannot reuse them, so they would count twice in
 * the peak. */
static void release_freed(void)
{
#ifdef __GLIBC__
  (void)malloc_trim(0);
#endif
}

static PetscErrorCode build_petsc(rlhf_mdp *m, ss_err *e)
{
  PetscFunctionBeginUser;
  /* a file that fails to read on a rank (I/O) leaves its error pending through the assembly
   * (every rank takes part in it) to the transpose, the build's first verb (par_petsc.h) */
  if (m->file) PetscCall(assemble_file(m, e));
  else PetscCall(assemble(m));
  PetscCall(rlhf_mdp_build_edges(m, e)); /* its verbs agree on the pending errors */
  PetscCall(MatDestroy(&m->P));
  release_freed();
  PetscFunctionReturn(0);
}

static int local_arrays(rlhf_mdp *m, ss_err *e)
{
  size_t ns = (size_t)(m->s_count ? m->s_count : 1), A = (size_t)m->A, d = (size_t)m->d;
  m->rho = ss_malloc(ns * sizeof *m->rho, e);
  m->V = rlhf_mdp_alloc(ns * sizeof *m->V, e);
  m->occ = rlhf_mdp_alloc(ns * (size_t)m->H * sizeof *m->occ, e);
  m->r = rlhf_mdp_alloc(ns * A * sizeof *m->r, e);
  m->pi = rlhf_mdp_alloc(ns * (size_t)m->H * sizeof *m->pi, e);
  m->partial = ss_malloc((size_t)(m->c_count ? m->c_count : 1) * (1 + d) * sizeof(double), e);
  m->all = ss_malloc((size_t)m->nchunks * (1 + d) * sizeof(double), e);
  if (e->code) return e->code;
  for (int s = 0; s < m->s_count; s++) m->rho[s] = 1.0 / m->S;
  return SS_OK;
}

/* regenerated features: the z sums keep one chunk's rows if that takes at most this */
#define ZROW_BUDGET (64u << 20)

/* The features (stored: generated or read; else regenerated in every pass) and L. Allocated
 * after the transitions' build, whose transient PETSc objects are gone by then. */
static int features(rlhf_mdp *m, ss_err *e)
{
  size_t ns = (size_t)(m->s_count ? m->s_count : 1), A = (size_t)m->A, d = (size_t)m->d;
  if (m->store_features && !(m->phi = rlhf_mdp_alloc(ns * A * d * sizeof *m->phi, e))) return e->code;
  if (!m->store_features && (size_t)m->chunk * d * sizeof(double) <= ZROW_BUDGET) { /* z's row cache */
    m->zrow = ss_malloc((size_t)m->chunk * d * sizeof *m->zrow, e);
    m->zrow_a = ss_malloc((size_t)m->chunk * sizeof *m->zrow_a, e);
    if (e->code) return e->code;
  }
  for (int s = 0; s < m->s_count && m->phi && !m->file; s++)
    for (int a = 0; a < m->A; a++)
      generate_features(m, m->s_first + s, a, m->phi + ((size_t)s * A + a) * d);
  if (m->file) /* explicit features: this rank's rows of the CSV */
    SS_TRY(rlhf_read_features(m->features_file, m->S, m->A, m->d, (int64_t)m->s_first * m->A,
                              (int64_t)m->s_count * m->A, m->phi, e));
  double L = 0, f[RLHF_DMAX];
  for (int s = 0; s < m->s_count; s++)
    for (int a = 0; a < m->A; a++) {
      rlhf_mdp_features(m, m->s_first + s, a, f);
      L = fmax(L, sqrt(rlhf_dot(f, f, m->d)));
    }
  m->L = L;
  return SS_OK;
}

int rlhf_mdp_create(ss_comm *c, const rlhf_params *p, int chunk, rlhf_mdp **out, ss_err *e)
{
  *out = NULL;
  rlhf_mdp *m = ss_calloc(1, sizeof *m, e);
  if (m) {
    m->comm = c;
    m->seed = p->seed;
    m->S = p->S, m->A = p->A, m->d = p->d, m->H = p->H;
    const rlhf_mdp_settings *ms = rlhf_mdp_settings_of(p);
    m->b = ms->successors < p->S ? ms->successors : p->S;
    m->Lgen = p->L;
    m->store_features = !ms->regenerate || ms->transitions;
    m->file = ms->transitions;
    m->features_file = NULL; /* generated, unless the type names a file (the config checked it can) */
    if (p->env_type->mdp_features) p->env_type->mdp_features(p, &m->features_file);
    m->chunk = chunk > 0 ? chunk : (p->S + 255) / 256 > 16 ? (p->S + 255) / 256 : 16;
    m->nchunks = (p->S + m->chunk - 1) / m->chunk;
    int64_t cf, cc;
    rlhf_block(m->nchunks, ss_comm_size(c), ss_comm_rank(c), &cf, &cc);
    m->c_first = (int)cf, m->c_count = (int)cc;
    m->s_first = m->c_first * m->chunk;
    int s_end = (m->c_first + m->c_count) * m->chunk;
    m->s_count = m->c_count > 0 ? (s_end < m->S ? s_end : m->S) - m->s_first : 0;
    if (m->s_count == 0) m->s_first = m->S;
    local_arrays(m, e);
  }
  /* the (occupancy, action) pairs' vector: the first collective, it agrees on the allocations
   * above (a rank without m still takes part; the sizes are not read then) */
  Vec pairs;
  if (ss_par_vec_create(c, m ? 2 * (PetscInt)m->s_count : 0, 2 * (PetscInt)p->S, NULL, &pairs, e)) {
    rlhf_mdp_destroy(&m);
    return e->code;
  }
  m->pair_glob = pairs;
  if (build_petsc(m, e) && !e->code) ss_fail(e, SS_ERUNTIME, "rlhf: building the distributed MDP failed");
  if (!e->code) (void)features(m, e);
  if (ss_par_max_double(c, &m->L, 1, e)) { /* agrees on the build's and the features' failures first */
    rlhf_mdp_destroy(&m);
    return e->code;
  }
  *out = m;
  return SS_OK;
}

void rlhf_mdp_destroy(rlhf_mdp **pm)
{
  rlhf_mdp *m = *pm;
  if (!m) return;
  if (m->P) (void)MatDestroy(&m->P);
  Vec *vecs[] = {&m->vglob, &m->vghost, &m->pair_glob, &m->pair_ghost};
  for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
    if (*vecs[i]) (void)VecDestroy(vecs[i]);
  if (m->sc_succ) (void)VecScatterDestroy(&m->sc_succ);
  if (m->sc_pred) (void)VecScatterDestroy(&m->sc_pred);
  void *bufs[] = {m->phi, m->rho, m->V, m->occ, m->r, m->pi, m->partial, m->all, m->srow,
                  m->scol, m->sprob, m->ghost, m->vext, m->pghost, m->fofs, m->ftgt, m->fprob,
                  m->zrow, m->zrow_a};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
  free(m);
  *pm = NULL;
}
