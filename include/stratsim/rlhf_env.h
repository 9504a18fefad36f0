/* RLHF with strategic labelers (MODELS section 1): the environment: features phi(s,a) and rho.
 * One concept of the umbrella stratsim/rlhf.h. */
#ifndef STRATSIM_RLHF_ENV_H
#define STRATSIM_RLHF_ENV_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/rlhf_params.h"

/* The feature table phi(s,a) (replicated: every rank needs any state to generate
 * comparisons) and rho. The distributed copy used by policy optimisation is rlhf_states. */
typedef struct {
  int S, A, d;
  double L;      /* max ||phi(s,a)|| */
  double Lx;     /* max ||phi(s,a) - phi(s,a')||: the bound L_x on comparison features */
  double *phi;   /* S*A*d, row (s*A + a) */
  double *rho;   /* S */
  double *rho_cdf; /* S, for sampling; NULL when rho is uniform */
  /* MDPs (rlhf_env_create_mdp): phi is NULL (the states are distributed, mdp.c) */
  int H;
  const rlhf_params *mdp;  /* the parameters the distributed MDP is built from, or NULL */
  double *design_x;        /* k x n x d trajectory feature differences (rlhf_env_set_design) */
} rlhf_env;

int rlhf_env_create(const rlhf_params *p, rlhf_env *env, ss_err *e);
void rlhf_env_destroy(rlhf_env *env);
/* The replicated part of an MDP environment (S, A, d, H, rho): no features. L and Lx = H L
 * are set by rlhf_env_set_design from the distributed states. */
int rlhf_env_create_mdp(const rlhf_params *p, rlhf_env *env, ss_err *e);
/* Reads a features CSV (header, then rows "s,a,phi_1..phi_d" or "phi_1..phi_d" in s-major
 * order). Returns SS_EINPUT with a message on malformed or non-finite values. */
int rlhf_env_read_csv(const char *file, int S, int A, int d, double **phi, ss_err *e);
/* The same checks, streaming, keeping only rows [first, first + count) of s*A + a in out
 * (count x d; out may be NULL when count = 0). */
int rlhf_read_features(const char *file, int S, int A, int d, int64_t first, int64_t count,
                       double *out, ss_err *e);
/* Explicit MDP transitions CSV (rows s,a,next,p grouped by (s,a) in s-major order), checked in
 * one streaming pass (shape, ranges, p >= 0, no repeated successor, rows summing to 1 within
 * 1e-9); cb (may be NULL) receives every entry. Errors name the file, line and row. */
typedef void (*rlhf_entry_cb)(void *ctx, int s, int a, int next, double p);
int rlhf_mdp_scan_transitions(const char *file, int S, int A, rlhf_entry_cb cb, void *ctx, ss_err *e);
/* Samples a state from rho with the uniform u in (0,1). */
int rlhf_env_sample_state(const rlhf_env *env, double u);

#endif
