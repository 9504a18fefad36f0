/* RLHF with strategic labelers (MODELS section 1): the parameters of an RLHF task.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_PARAMS_H
#define STRATSIM_RLHF_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/config.h"
#include "stratsim/error.h"
#include "stratsim/par.h"

/* The selected input plug-ins (private ops, src/rlhf/env_type.h and population_model.h):
 * code dispatches through them, never on a constant. */
struct rlhf_env_type_ops;
struct rlhf_population_ops;

typedef struct {
  uint64_t seed;
  /* environment */
  int S, A, d;
  int H;                 /* horizon (1: the contextual bandit) */
  int mdp;               /* 1: a tabular MDP (the environment model's answer at horizon H) */
  double L;              /* norm of generated features (rlhf.env.L) */
  const double *rho_cfg; /* NULL: uniform */
  const struct rlhf_env_type_ops *env_type; /* rlhf.env.type */
  const void *env_data;  /* its settings, read by its setup op (NULL: its defaults) */
  const void *mdp_data;  /* the MDP model's settings (rlhf_mdp_settings, mdp_settings.h; NULL: defaults) */
  /* population */
  int64_t k;
  int n;
  double B;
  const struct rlhf_population_ops *population; /* rlhf.population.model */
  const void *pop_data;  /* its settings, read by its setup op (NULL: its defaults) */
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

/* Defaults used by tests and tools that build parameters without a config (the first
 * registered environment type and population model, with their defaults). */
void rlhf_params_default(rlhf_params *p);

#endif
