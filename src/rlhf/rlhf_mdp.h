/* Private to src/rlhf: the distributed tabular MDP (mdp.c), its pricing pass (mdp_plan.c:
 * backward induction + occupancy pass under the reward <theta, phi>) and the trajectory
 * comparisons (mdp_traj.c). */
#ifndef STRATSIM_RLHF_MDP_H
#define STRATSIM_RLHF_MDP_H

#include <petscmat.h>
#include "stratsim/rlhf.h"

struct rlhf_mdp {
  ss_comm *comm;
  uint64_t seed;
  int S, A, d, H, b;
  double Lgen;        /* generator norm of the features */
  double L;           /* max ||phi(s,a)|| over every (s,a) */
  int store_features; /* 0: regenerate rows from the keyed generator in every pass */
  const char *file;   /* explicit MDP: the transitions CSV (NULL: generated) */
  const char *features_file;
  int chunk, nchunks, c_first, c_count, s_first, s_count;
  double *phi;        /* s_count*A*d, or NULL (regenerated) */
  double *zrow;       /* regenerated: one chunk's current feature rows (chunk x d), or NULL */
  int *zrow_a;        /* their actions (-1: none) */
  double *rho;        /* s_count */
  Mat P;              /* (S*A) x S transitions, rows of the owned states (during the build) */
  /* successors of the owned rows (mdp_edges.c): CSR in ascending global successor order, each
   * entry an index into the extended layout [remote below | owned | remote above] */
  int64_t *srow;
  int *scol;
  double *sprob;
  int nghost, *ghost; /* extended index -> global state */
  int slo;            /* remote successors below the owned block */
  int uniform4;       /* every row has 4 successors: entries 4 row .. 4 row + 3 */
  double *vext;       /* nghost values V_{h+1}; the owned ones in the middle (vglob's array) */
  Vec vglob, vghost;
  VecScatter sc_succ; /* remote values only */
  /* active edges: for predecessor g (extended: remote below | owned | remote above) and action
   * a, the owned successors of (g, a): targets ftgt[fofs[g*A+a] ..] with probabilities fprob */
  int npghost, plo, *pghost; /* remote predecessor states (sorted), plo of them below */
  int64_t *fofs;
  int *ftgt;
  double *fprob;
  Vec pair_glob, pair_ghost; /* (occupancy, action) per state: one block scatter per step */
  VecScatter sc_pred;
  /* work */
  double *V, *occ, *r, *partial, *all;
  int *pi;            /* H x s_count greedy actions */
  /* counters (this rank): pricing passes, ghost values received, collective calls */
  int64_t passes, ghost_values, collectives;
  int64_t remote_succ, remote_pred; /* ghost entries owned by other ranks */
  /* CPU seconds of the pass's parts (this rank): rewards, backward sums, successor scatters,
   * pair scatters, occupancy pushes, z sums, the allgather */
  double t_part[7];
};
typedef struct rlhf_mdp rlhf_mdp;

/* ss_malloc with a hint for transparent huge pages (large arrays read at data-dependent
 * places: without it, nearly every read misses the TLB). */
void *rlhf_mdp_alloc(size_t bytes, ss_err *e);
/* mdp_edges.c: the pass's structures from P (collective: MatTranspose, the scatters). */
PetscErrorCode rlhf_mdp_build_edges(rlhf_mdp *m, ss_err *e);

int rlhf_mdp_create(ss_comm *c, const rlhf_params *p, int chunk, rlhf_mdp **m, ss_err *e);
void rlhf_mdp_destroy(rlhf_mdp **m);
/* phi(s,a) of an owned state s (stored or regenerated). */
void rlhf_mdp_features(const rlhf_mdp *m, int s, int a, double *out);
/* The pricing pass: h(theta) = max_pi <theta, z_pi> by backward induction, and z of the
 * greedy non-stationary policy by an occupancy pass. Collective. */
int rlhf_mdp_price(rlhf_mdp *m, const double *theta, double *h, double *z, ss_err *e);
/* The design of every labeler's comparisons (k x n x d, replicated): x_ij = summed features
 * of trajectory 0 minus those of trajectory 1, both from the uniform behaviour policy and a
 * common start state. Collective. */
int rlhf_mdp_design(rlhf_mdp *m, const rlhf_params *p, double *x, ss_err *e);

#endif
