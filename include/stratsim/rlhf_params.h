/* RLHF with strategic labelers (MODELS section 1): the parameters of an RLHF task.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_PARAMS_H
#define STRATSIM_RLHF_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/config.h"
#include "stratsim/error.h"
#include "stratsim/par.h"

typedef struct {
  uint64_t seed;
  /* environment */
  int S, A, d;
  int H;                 /* horizon (1: the contextual bandit) */
  int mdp;               /* 1: a tabular MDP (always when H > 1) */
  int mdp_successors;    /* b: successors per (s,a) of a generated MDP */
  int mdp_regenerate;    /* 1: features are regenerated in every pass instead of stored */
  const char *mdp_transitions; /* explicit MDP: transitions CSV (features: env_file), or NULL */
  double L;
  int env_kind;          /* RLHF_ENV_GAUSSIAN / RLHF_ENV_EXPLICIT / RLHF_ENV_CSV */
  const double *phi_cfg; /* explicit features (S*A rows of d), row s*A+a; NULL otherwise */
  const char *env_file;
  const double *rho_cfg; /* NULL: uniform */
  /* population */
  int64_t k;
  int n;
  double B;
  int pop_kind;          /* RLHF_POP_GAUSSIAN / CLUSTERS / EXPLICIT */
  const double *pop_mean; /* NULL: random direction of norm pop_mean_norm */
  double pop_mean_norm, pop_std;
  int clusters;
  double cluster_spread, cluster_std;
  const double *pop_thetas; /* explicit k x d */
  int pop_sphere;        /* 1: theta_i* rescaled onto the sphere ||theta|| = B (else the ball) */
  double pop_delta;      /* ktimes: the delta of SP-RLHF Thm 3.5's instance family */
  /* estimation */
  double lambda, c_f, delta;
  int median_kind;       /* ss_median_kind */
  uint32_t label_stream; /* which label noise u_ij: 0 (SPSA's) or 1 (held out, rlhf.labels.heldout) */
  int exact;             /* 1: rlhf.data exact, the infinite-data limit: each labeler's
                          * estimate is its report, with a zero-radius confidence set */
  /* policy optimisation (every solver; the selected solver and its own settings are not
   * parameters: the states hold them, src/rlhf/solver.h) */
  double policy_tol;
  int policy_chunk;      /* states per fixed summation chunk (0: automatic) */
} rlhf_params;

enum { RLHF_ENV_GAUSSIAN = 0, RLHF_ENV_EXPLICIT, RLHF_ENV_CSV };
enum { RLHF_POP_GAUSSIAN = 0, RLHF_POP_CLUSTERS, RLHF_POP_EXPLICIT, RLHF_POP_KTIMES };

/* Defaults used by tests and tools that build parameters without a config. */
void rlhf_params_default(rlhf_params *p);

#endif
