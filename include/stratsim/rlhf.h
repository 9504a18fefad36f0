/* RLHF with strategic labelers (MODELS section 1, horizon H = 1).
 * The pieces of the pipeline, one verb group per concept: environment, labeler population,
 * comparison data, per-labeler MLE and confidence set, aggregators (ops table + registry),
 * certified policy optimisation, strategies (ops table + registry). */
#ifndef STRATSIM_RLHF_H
#define STRATSIM_RLHF_H

#include <stdint.h>
#include "stratsim/config.h"
#include "stratsim/error.h"
#include "stratsim/par.h"

/* ---------------------------------------------------------------- parameters */
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
  /* policy optimisation */
  double policy_tol;
  int policy_chunk;      /* states per fixed summation chunk (0: automatic) */
  int policy_method;     /* RLHF_METHOD_PLANNER (default) or RLHF_METHOD_DENSE (H = 1) */
  double policy_smoothing; /* the planner's in-out alpha */
  int policy_max_passes;
} rlhf_params;

enum { RLHF_ENV_GAUSSIAN = 0, RLHF_ENV_EXPLICIT, RLHF_ENV_CSV };
enum { RLHF_METHOD_PLANNER = 0, RLHF_METHOD_DENSE };
enum { RLHF_POP_GAUSSIAN = 0, RLHF_POP_CLUSTERS, RLHF_POP_EXPLICIT, RLHF_POP_KTIMES };

/* Defaults used by tests and tools that build parameters without a config. */
void rlhf_params_default(rlhf_params *p);

/* ---------------------------------------------------------------- environment */
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

/* ---------------------------------------------------------------- population */
/* True parameter of labeler i (keyed: any rank can regenerate any labeler). */
void rlhf_theta_star(const rlhf_params *p, int64_t i, double *theta);
/* Project onto the Euclidean ball of radius B. */
void rlhf_project_ball(double *t, int d, double B);
/* Strategic flags for labelers 0..k-1 (fraction or explicit list); out has k entries. */
void rlhf_strategic_flags(const rlhf_params *p, double fraction, const long long *list, int nlist,
                          unsigned char *out);

/* ---------------------------------------------------------------- comparisons */
/* Design of comparison j of labeler i: state and the two distinct actions. */
void rlhf_design(const rlhf_params *p, const rlhf_env *env, int64_t i, int j, int *s, int *a0,
                 int *a1);
/* The n comparisons of labeler i under reported parameter t: x (n x d) and labels o (0: first
 * option preferred). Labels use common random numbers u_ij (MODELS 1.3). */
double rlhf_label_u(const rlhf_params *p, int64_t i, int j);
void rlhf_comparisons(const rlhf_params *p, const rlhf_env *env, int64_t i, const double *t,
                      double *x, unsigned char *o);
double rlhf_sigmoid(double m);

/* ---------------------------------------------------------------- MLE */
/* A per-rank MLE solver: Tao (NLS by default, options prefix "mle_") on PETSC_COMM_SELF with
 * the objective, gradient and dense Hessian; objects are created once and reused. */
typedef struct rlhf_mle rlhf_mle;
int rlhf_mle_create(int d, int nmax, double lambda, rlhf_mle **m, ss_err *e);
void rlhf_mle_destroy(rlhf_mle **m);
/* Solves for one labeler's data (starting from 0 every time, so results never depend on
 * history). theta: d. grad_norm: final ||gradient||_2; grad_rel: divided by ||gradient at 0||. */
int rlhf_mle_solve(rlhf_mle *m, int n, const double *x, const unsigned char *o, double *theta,
                   double *grad_norm, double *grad_rel, int *iterations, ss_err *e);
/* The same from the start theta0 (NULL: 0). theta0 may alias theta. */
int rlhf_mle_solve_from(rlhf_mle *m, int n, const double *x, const unsigned char *o,
                        const double *theta0, double *theta, double *grad_norm, double *grad_rel,
                        int *iterations, ss_err *e);
/* Objective (and gradient if g != NULL) at theta, for tests. */
double rlhf_mle_objective(int n, int d, const double *x, const unsigned char *o, double lambda,
                          const double *theta, double *g);
/* Flops of the last solve (objective, gradient and Hessian evaluations, factorisations). */
double rlhf_mle_flops(const rlhf_mle *m);
/* Objective/gradient and Hessian evaluations computed in the last solve (repeated points are
 * served from a cache and not counted). */
void rlhf_mle_counts(const rlhf_mle *m, int *fg, int *hess);

/* ---------------------------------------------------------------- confidence */
/* f = c_f sqrt((d + log(k/delta)) / (gamma^2 n) + lambda B^2), gamma from L_x and B. */
double rlhf_radius(int d, int64_t k, int n, double delta, double lambda, double B, double Lx,
                   double c_f);
/* The radius the run uses: rlhf_radius from the parameters, or 0 with exact data. */
double rlhf_params_radius(const rlhf_params *p, double Lx);
/* Sigma = (1/n) sum x x^T + lambda I (d x d), its inverse, and the coordinate intervals
 * [lo, hi] = theta_hat -/+ f sqrt(diag(Sigma^{-1})). prec (d x d) may be NULL. */
int rlhf_confidence(int n, int d, const double *x, double lambda, const double *theta_hat,
                    double f, double *sigma, double *prec, double *lo, double *hi, ss_err *e);

/* ---------------------------------------------------------------- report-independent data */
/* A labeler's data that does not depend on its report (src/rlhf/data_cache.c): comparison
 * features x (n x d, the design), label thresholds u (n), Sigma^{-1} (d x d) and
 * sd = sqrt(diag Sigma^{-1}) (d). */
typedef struct {
  double *x, *u, *prec, *sd;
} rlhf_labeler_data;
typedef struct rlhf_data_cache rlhf_data_cache;
/* Bytes the cache would take with every labeler in it. */
size_t rlhf_data_cache_bytes(const rlhf_params *p);
/* *c = NULL (and SS_OK) when that exceeds budget: callers then regenerate as without a cache.
 * p and env must outlive the cache. */
int rlhf_data_cache_create(const rlhf_params *p, const rlhf_env *env, size_t budget,
                           rlhf_data_cache **c, ss_err *e);
void rlhf_data_cache_destroy(rlhf_data_cache **c);
/* Labeler i's entry, computed on first use; NULL if c is NULL or on error (e set). */
const rlhf_labeler_data *rlhf_data_cache_get(rlhf_data_cache *c, int64_t i, ss_err *e);

/* ---------------------------------------------------------------- labeler estimates */
/* One block of labelers' estimates (this rank's share, or all k when replicated). */
typedef struct {
  int d;
  int64_t k;       /* total labelers */
  int64_t first;   /* global index of row 0 */
  int64_t count;   /* rows held */
  double *theta;   /* count x d */
  double *lo, *hi; /* count x d */
  double *prec;    /* count x d x d (Sigma_i^{-1}) or NULL */
  double *grad;    /* count: MLE gradient norms */
  double *grad_rel;
  double radius;
  int warm;        /* 1: each MLE starts from the row's current theta (else from 0) */
  rlhf_data_cache *cache; /* NULL: every estimate regenerates its data (not owned) */
} rlhf_estimates;

int rlhf_estimates_alloc(rlhf_estimates *est, int d, int64_t k, int64_t first, int64_t count,
                         int with_prec, ss_err *e);
void rlhf_estimates_free(rlhf_estimates *est);
/* Estimates every labeler of the block from reports t (count x d, row per labeler): data,
 * MLE, confidence set. Not collective. Calls back with each labeler's data if dump != NULL. */
typedef void (*rlhf_data_cb)(void *ctx, int64_t i, int n, int d, const double *x,
                             const unsigned char *o);
int rlhf_estimate_block(const rlhf_params *p, const rlhf_env *env, rlhf_mle *mle,
                        const double *reports, rlhf_estimates *est, rlhf_data_cb dump,
                        void *dump_ctx, ss_err *e);
/* Estimates one labeler i into row r of est. */
int rlhf_estimate_one(const rlhf_params *p, const rlhf_env *env, rlhf_mle *mle, int64_t i,
                      const double *report, rlhf_estimates *est, int64_t r, ss_err *e);
/* Replicates a distributed block to every rank of c (all k rows, labeler order). */
int rlhf_estimates_allgather(ss_comm *c, const rlhf_estimates *local, rlhf_estimates *all,
                             ss_err *e);

/* Block ownership of k entities over P ranks: [first, first+count). */
void rlhf_block(int64_t k, int P, int r, int64_t *first, int64_t *count);

/* ---------------------------------------------------------------- aggregators */
typedef struct rlhf_agg rlhf_agg;
typedef struct rlhf_agg_ops rlhf_agg_ops;

const rlhf_agg_ops *rlhf_agg_find(const char *name);
int rlhf_agg_count(void);
const char *rlhf_agg_name_at(int i);
/* Does the aggregator need Sigma_i^{-1} in the estimates? */
int rlhf_agg_needs_prec(const rlhf_agg_ops *ops);
int rlhf_agg_is_linear(const rlhf_agg_ops *ops);

/* Builds the aggregate from a block of estimates spread over c (collective). theta_star_mean
 * is used by `oracle` only. */
int rlhf_agg_build(const rlhf_agg_ops *ops, ss_comm *c, const rlhf_params *p,
                   const rlhf_estimates *est, const double *theta_star_mean, rlhf_agg **agg,
                   ss_err *e);
/* Builds from explicit parameters (theta_hat k x d, prec k x d x d or NULL, lo/hi k x d or NULL)
 * on one rank: for tests and the Prop. 3.3 checks. Not collective. */
int rlhf_agg_build_exact(const rlhf_agg_ops *ops, int d, int64_t k, const double *theta_hat,
                         const double *prec, const double *lo, const double *hi, double radius,
                         int median_kind, rlhf_agg **agg, ss_err *e);
void rlhf_agg_destroy(rlhf_agg **agg);
const char *rlhf_agg_name(const rlhf_agg *agg);
/* W(z): the aggregator's objective. */
double rlhf_agg_value(const rlhf_agg *agg, const double *z);
/* Smoothed objective W_mu: gradient (a point of Theta) and Hessian (d x d, may be NULL). */
void rlhf_agg_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad, double *hess);
/* The linear objective's parameter (linear aggregators only), else NULL. */
const double *rlhf_agg_linear_theta(const rlhf_agg *agg);

/* ---------------------------------------------------------------- states and policies */
/* The S x A feature matrix spread over the ranks of c by blocks of whole summation chunks
 * (PETSc MATDENSE rows s*A+a, Vec rho), so that sums over states run in a fixed order that
 * does not depend on the number of ranks. */
typedef struct rlhf_states rlhf_states;
int rlhf_states_create(ss_comm *c, const rlhf_env *env, int chunk, rlhf_states **st, ss_err *e);
void rlhf_states_destroy(rlhf_states **st);
void rlhf_states_local(const rlhf_states *st, int *s_first, int *s_count);
/* max ||phi(s,a)|| over every state (collective value, known on every rank). */
double rlhf_states_L(const rlhf_states *st);
/* MDP environments: computes the trajectory design (env->design_x) and sets env->L and
 * env->Lx = H L from the distributed states. Collective over st's communicator. */
int rlhf_env_set_design(rlhf_env *env, rlhf_states *st, const rlhf_params *p, ss_err *e);
/* The policy solver of st: method, tolerance-independent planner settings (from p). */
void rlhf_states_configure(rlhf_states *st, const rlhf_params *p);

typedef struct {
  double z[64];          /* z_pi (d <= 64 is checked) */
  double objective;      /* W(z_pi) */
  double dual;           /* h(theta_dual) */
  double gap;            /* dual - objective */
  double rel_gap;        /* gap / max(|W|, |h|, 1e-3) */
  double theta_dual[64];
  double tau;            /* smoothing of the final policy (0: greedy) */
  int levels, newton_its;
  int passes;            /* planner: pricing passes (0: dense solver) */
  int columns;           /* planner: columns generated */
  double time_price, time_master; /* planner: seconds in pricing passes and in the master */
  int converged;
  double *prob;          /* local states x A policy (owned by the result) */
  int s_first, s_count, A;
} rlhf_policy;

/* Certified maximisation of W(z_pi) over stochastic tabular policies. Collective over the
 * states' communicator. Stops at rel_gap <= tol. */
int rlhf_policy_solve(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                      ss_err *e);
void rlhf_policy_free(rlhf_policy *pol);
/* The greedy policy of theta (ties to the lowest action): z and h(theta). Collective. */
int rlhf_policy_greedy(rlhf_states *st, const double *theta, rlhf_policy *pol, ss_err *e);
/* h(theta) = sum_s rho(s) max_a <theta, phi(s,a)>. Collective. */
double rlhf_policy_dual_value(rlhf_states *st, const double *theta);

/* ---------------------------------------------------------------- strategies */
typedef struct rlhf_strategy_ops rlhf_strategy_ops;
const rlhf_strategy_ops *rlhf_strategy_find(const char *name);
const char *rlhf_strategy_name(const rlhf_strategy_ops *ops);

/* Everything a strategy needs to compute reports for the strategic condition. */
typedef struct {
  const rlhf_params *p;
  const rlhf_env *env;
  ss_comm *comm;           /* the task's group (collective) */
  ss_comm *self;           /* a one-rank communicator */
  rlhf_states *states;     /* on comm */
  rlhf_mle *mle;
  const unsigned char *strategic; /* k flags (replicated) */
  const double *theta_star;       /* k x d (replicated) */
  const double *theta_star_mean;  /* d */
  const rlhf_agg_ops *agg;
  /* the strategy's private settings and state (its setup op; NULL when it has none) */
  void *data;
  void (*progress)(void *ctx, double fraction);
  void *progress_ctx;
  /* spsa, in-task checkpoints (docs/checkpoint.md): the record to continue from (NULL: from
   * the start; the same on every rank of comm), and where the record goes at the end and at a
   * stop (called on every rank of comm; where describes the position) */
  const void *resume;
  size_t resume_len;
  int (*save)(void *ctx, const void *record, size_t len, const char *where, ss_err *e);
  void *save_ctx;
} rlhf_strategy_ctx;

/* Writes the final reports of every labeler (k x d, replicated on every rank of comm). */
int rlhf_strategy_run(const rlhf_strategy_ops *ops, rlhf_strategy_ctx *ctx, double *reports,
                      ss_err *e);

/* The utility J_theta(pi) = <theta, z_pi>. */
double rlhf_dot(const double *a, const double *b, int d);

/* ---------------------------------------------------------------- collective (src/par) */
/* Concatenates every rank's nlocal doubles in rank order into out (the caller knows the
 * total). Collective; the one RLHF-specific collective, in src/par/rlhf_coll.c. A rank may
 * call it with an error pending in e (a failed local step): then every rank returns that
 * error, and nothing is exchanged. */
int ss_rlhf_allgather(ss_comm *c, const double *local, int64_t nlocal, double *out, ss_err *e);
/* Sums n doubles over the ranks of c where every slot is non-zero on at most one rank (so the
 * sum is exact and order-free). Collective; src/par/mdp_coll.c. */
void ss_comm_sum_disjoint(ss_comm *c, double *v, int64_t n);
/* Counts one ghost exchange of the distributed MDP (a PETSc VecScatter, mdp_plan.c) in the
 * communication accounting: bytes received from other ranks, seconds it took. Not collective;
 * nothing is counted on a one-rank communicator. src/par/mdp_coll.c. */
void ss_comm_count_scatter(const ss_comm *c, uint64_t bytes, double seconds);

#endif
