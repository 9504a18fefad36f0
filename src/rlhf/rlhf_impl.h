/* Private to src/rlhf: the ops tables of aggregators and strategies, and the glue that turns
 * PETSc error codes into ss_err. Implementations plug in by name through the registries in
 * aggregator.c and strategy.c. */
#ifndef STRATSIM_RLHF_IMPL_H
#define STRATSIM_RLHF_IMPL_H

#include <petscmat.h>
#include "stratsim/plugin.h"
#include "stratsim/rlhf.h"
#include "stratsim/collectives.h"

#define RLHF_DMAX 64
/* Per-rank bytes SPSA may spend caching every labeler's report-independent data (data_cache.c);
 * above it, each evaluation regenerates the data (same results, slower). */
#define RLHF_CACHE_BUDGET ((size_t)64 << 20)

/* Calls a PETSc function; on error records it in e and returns SS_ERUNTIME. */
#define RLHF_PETSC(e, call)                                                              \
  do {                                                                                   \
    PetscErrorCode rlhf_ierr_ = (call);                                                  \
    if (rlhf_ierr_) return ss_fail((e), SS_ERUNTIME, "%s:%d: PETSc error %d in %s", __FILE__, \
                                   __LINE__, (int)rlhf_ierr_, #call);                   \
  } while (0)

typedef struct {
  double tol;       /* stop at (min h - V) <= tol * max(|V|, |h|, 1e-3) */
  double smoothing; /* in-out alpha in [0, 1): 0 is plain column generation */
  int smoothing_auto; /* adapt alpha from the priced column's direction (planner.c) */
  int max_passes;   /* pricing passes */
} rlhf_plan_opts;

/* The S x A feature matrix spread over ranks (states.c). */
struct rlhf_states {
  ss_comm *comm;
  int S, A, d;
  int chunk, nchunks, c_first, c_count;
  int s_first, s_count;
  double *phi; /* this rank's rows, row-major: s_count*A*d */
  double *rho; /* s_count */
  double L;    /* max ||phi|| over all states */
  size_t m;    /* doubles per chunk partial: 1 + d + d*d */
  double *partial, *all;
  /* every state, replicated on each rank of comm (exact copies gathered in state order): the
   * small LP / active-set problems are solved redundantly and identically on every rank */
  double *phi_all; /* S*A*d for the dense solvers only (rlhf_states_replicate; NULL otherwise) */
  double *rho_all; /* S */
  /* the policy solver (solvers.c): the planner (NULL: the default, and always for an MDP) or
   * the dense LP / active set over every state (H = 1 only, kept as the reference) */
  const struct rlhf_solver_ops *solver;
  rlhf_plan_opts plan;
  struct rlhf_mdp *mdp; /* H > 1 (or an explicit MDP): the distributed MDP; NULL: contextual */
};
/* Builds phi_all on first use (states.c). Collective over st->comm; agrees on a pending error. */
int rlhf_states_replicate(rlhf_states *st, ss_err *e);


/* An aggregator (aggregator.c holds the registry, one line per aggregator). Ops, with
 * designated initialisers:
 *   required:                    name, build, build_exact, value, smooth
 *   optional, with a default:    data_size (default 0: no private state), destroy (default:
 *                                the state holds no pointers)
 *   optional, without a default: keys/nkeys (its config keys, gathered into the schema after
 *                                rlhf.algorithms), check (checks of its keys, run for every
 *                                registered aggregator), lp_dims/lp_fill/lp_theta (polyhedral
 *                                aggregators only), smooth_value and holds_zero (smooth, non-linear
 *                                aggregators whose W has a kink at z = 0: the planner's smoothed
 *                                master) */
struct rlhf_agg_ops {
  const char *name;
  int linear;      /* W(z) = <theta, z>: the greedy policy is exact */
  int needs_prec;  /* needs Sigma_i^{-1} */
  int needs_all;   /* needs every labeler's estimate replicated (maxmin, pessimistic_sw) */
  size_t data_size; /* bytes of its private state (agg->data) */
  /* Frees what its state points to (not the state itself). */
  void (*destroy)(void *data);
  const ss_key *keys;
  int nkeys;
  int (*check)(const ss_config *cfg, ss_err *e);
  /* Fills agg's data from explicit parameters held on one rank (serial medians and exact
   * sums), with the same formulas as build. */
  int (*build_exact)(rlhf_agg *agg, const double *theta_hat, const double *prec, const double *lo,
                     const double *hi, ss_err *e);
  /* Fills agg's data from the estimates. est holds all k rows when needs_all, else this
   * rank's block (collective over c). Called with an error pending, agg is NULL: a build with
   * collectives takes part in them (the par verbs agree on the error first) and writes
   * nothing; a local build returns the pending error. */
  int (*build)(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est,
               const double *theta_star_mean, ss_err *e);
  double (*value)(const rlhf_agg *agg, const double *z);
  void (*smooth)(const rlhf_agg *agg, const double *z, double mu, double *grad, double *hess);
  /* W_mu(z), the smoothed value whose gradient and Hessian smooth gives for mu > 0 (a concave
   * function with W - radius mu <= W_mu <= W). */
  double (*smooth_value)(const rlhf_agg *agg, const double *z, double mu);
  /* 1 when 0 provably lies in Theta, shown from theta = grad W_mu(z) (a point of Theta by its
   * construction, with slack in every set when mu > 0): the slack absorbs theta itself. */
  int (*holds_zero)(const rlhf_agg *agg, const double *z, double mu, const double *theta);
  /* Polyhedral aggregators (NULL otherwise): W(z) = max { c^T w : G w = T z, w >= 0 } with
   * r rows and nw columns w. lp_fill writes G (r x nw), c (nw), T (r x d) and, for the point z0
   * (the features of a warm-start policy), r columns of w that complete a feasible basis.
   * lp_theta maps the duals y of the r rows to the certifying point theta = T^T y of Theta
   * (projected onto Theta against rounding). */
  void (*lp_dims)(const rlhf_agg *agg, int *r, int *nw);
  void (*lp_fill)(const rlhf_agg *agg, const double *z0, double *G, double *c, double *T,
                  int *wbasis);
  void (*lp_theta)(const rlhf_agg *agg, const double *y, double *theta);
};

/* What every aggregate shares; the rest is the aggregator's own state behind data. */
struct rlhf_agg {
  const rlhf_agg_ops *ops;
  int d;
  int64_t k;
  int median_kind;
  double radius;
  void *data; /* ops->data_size bytes, zeroed, before build (owned: ops->destroy, then free) */
};

/* The state of the linear aggregators (W(z) = <theta, z>): their data starts with this. */
typedef struct {
  double theta[RLHF_DMAX];
} rlhf_agg_linear_data;
#define RLHF_AGG_LINEAR(agg) ((rlhf_agg_linear_data *)(agg)->data)


/* A strategy: how the strategic labelers report (strategy.c holds the registry, one line per
 * strategy; each strategy is one file). Ops, with designated initialisers:
 *   required:                    name, summary, run
 *   optional, with a default:    setup (default: no private data, ctx->data = NULL),
 *                                teardown (default: free(data))
 *   optional, without a default: keys/nkeys (its config keys, gathered into the schema after
 *                                rlhf.strategy), check (cross-key checks of its settings) */
struct rlhf_strategy_ops {
  const char *name;
  const char *summary; /* one line (docs/plugins.md) */
  int reports_truth;   /* every labeler reports theta_i*: the strategic condition is the truthful one */
  int optimises;       /* run re-estimates every labeler at trial reports (SPSA): the memory
                        * estimate counts its replicated estimates, policy states and data cache */
  const ss_key *keys;  /* paths "rlhf.<name>.*"; declared next to the code */
  int nkeys;
  /* Config errors (ss_cfg_error) about its keys given p; not collective. */
  int (*check)(const ss_config *cfg, const rlhf_params *p, ss_err *e);
  /* Reads its settings once per task into *data (owned by the strategy). Not collective;
   * deterministic, so every rank agrees. */
  int (*setup)(const ss_config *cfg, const rlhf_params *p, void **data, ss_err *e);
  void (*teardown)(void *data);
  /* Writes the reports of every labeler (k x d, replicated on every rank of ctx->comm);
   * its settings are ctx->data. Collective over ctx->comm. */
  int (*run)(rlhf_strategy_ctx *ctx, double *reports, ss_err *e);
};
/* An environment type (rlhf.env.type; registry: env_types.c): where the S x A features of the
 * contextual problem come from.
 *   required:                    name, summary, kind (its RLHF_ENV_* constant, the value of
 *                                rlhf_params.env_kind), features
 *   optional without a default:  keys/nkeys, check (its inputs, at config time: exit 2) */
typedef struct {
  const char *name;
  const char *summary;
  int kind;
  const ss_key *keys;
  int nkeys;
  int (*check)(const ss_config *cfg, const rlhf_params *p, ss_err *e);
  /* The S*A x d features (row s*A + a), allocated. Not collective. */
  int (*features)(const rlhf_params *p, double **phi, ss_err *e);
} rlhf_env_type_ops;
/* A policy solver (rlhf.policy.method; registry: solvers.c).
 *   required:                    name, summary, kind (its RLHF_METHOD_* constant, the value
 *                                of rlhf_params.policy_method), solve
 *   optional without a default:  keys/nkeys */
typedef struct rlhf_solver_ops {
  const char *name;
  const char *summary;
  int kind;
  const ss_key *keys;
  int nkeys;
  /* The certified policy of agg on the states (pol allocated by the caller: rlhf_policy_alloc).
   * Collective over the states' communicator. */
  int (*solve)(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol, ss_err *e);
} rlhf_solver_ops;
/* The registered plug-in of a family whose ops start like these two (name, summary, kind):
 * by name (NULL if unknown) and by kind (the schema has checked it; NULL if unknown). */
const rlhf_env_type_ops *rlhf_env_type_find(const char *name);
const rlhf_env_type_ops *rlhf_env_type_of(int kind);
const rlhf_solver_ops *rlhf_solver_find(const char *name);
const rlhf_solver_ops *rlhf_solver_of(int kind);

/* An environment model (rlhf.env.model; registry: env_models.c): contextual or MDP.
 *   required: name, summary, mdp (is the environment an MDP at horizon H?) */
typedef struct {
  const char *name;
  const char *summary;
  int (*mdp)(int H);
} rlhf_env_model_ops;
/* Is the environment cfg selects an MDP (rlhf.env.model at rlhf.horizon)? */
int rlhf_env_model_mdp(const ss_config *cfg);
/* A population model (rlhf.population.model; registry: population_models.c): how the true
 * parameters theta_i* are drawn.
 *   required: name, summary, kind (its RLHF_POP_* constant, the value of
 *             rlhf_params.pop_kind), theta (labeler i's theta_i*, keyed: any rank, any order) */
typedef struct {
  const char *name;
  const char *summary;
  int kind;
  void (*theta)(const rlhf_params *p, int64_t i, double *theta);
} rlhf_population_ops;
const rlhf_population_ops *rlhf_population_of(int kind);

/* The families of src/rlhf (include/stratsim/plugin.h). The enumerations (choices.c,
 * ss_plugin_choice): rlhf.median, rlhf.data, rlhf.mdp.features, rlhf.population.norm,
 * rlhf.momle.set (beside its aggregator). */
extern const ss_plugin_family rlhf_aggregators, rlhf_strategies, rlhf_env_types, rlhf_solvers,
    rlhf_env_models, rlhf_populations, rlhf_median_kinds, rlhf_data_kinds, rlhf_mdp_feature_kinds,
    rlhf_norm_kinds, rlhf_momle_sets;
int rlhf_agg_check_all(const ss_config *cfg, ss_err *e);
int rlhf_strategy_check(const rlhf_strategy_ops *ops, const ss_config *cfg, const rlhf_params *p,
                        ss_err *e);
int rlhf_strategy_setup(const rlhf_strategy_ops *ops, const ss_config *cfg, const rlhf_params *p,
                        void **data, ss_err *e);
void rlhf_strategy_teardown(const rlhf_strategy_ops *ops, void **data);
/* The number of strategic labelers a config asks for (rlhf.strategic.*), before the seed
 * picks them (population_config.c). */
int64_t rlhf_strategic_count(const ss_config *cfg, const rlhf_params *p);

/* Small dense linear algebra (row-major), used by the MLE, confidence sets and the policy
 * Newton solver. Returns 0 on success, -1 if the matrix is not positive definite/singular. */
int rlhf_cholesky(double *a, int n);
void rlhf_cholesky_solve(const double *l, int n, double *b);
int rlhf_spd_inverse(const double *a, int n, double *inv, double *work);
int rlhf_lu_solve(double *a, int n, double *b, int *piv);
/* y_j -= f x_j and y_j *= f for j < n, the same bits as the plain loops (vec_ops.c); y and x
 * must not overlap. */
void rlhf_vec_sub_scaled(double *restrict y, double f, const double *restrict x, int n);
void rlhf_vec_scale(double *y, double f, int n);
/* One row of pessimistic_sw's smoothed Hessian: h_j -= f (p_j / r - pa pz_j / r3). */
void rlhf_vec_psw_hess_row(double *restrict h, const double *restrict p, double pa,
                           const double *restrict pz, double r, double r3, double f, int n);
/* sum_j a[j] * b[j * stride] */
double rlhf_dot_strided(const double *a, const double *b, int n, int stride);

/* Certificate helpers (policy_certify.c) and the exact policy solvers for concave aggregators
 * (policy_lp.c, policy_active_set.c, policy_plan.c). pol is allocated by the caller (rlhf_policy_alloc). */
int rlhf_policy_alloc(rlhf_states *st, rlhf_policy *pol, ss_err *e);
double rlhf_rel_denominator(double w, double h);
/* The planner's denominator: rlhf_rel_denominator(w, h), but at least RLHF_ZERO_SCALE * scale,
 * scale = max |W(z_q)| over the planner's columns (docs/mdp.md): values below 1e-6 of the
 * problem's magnitude count as zero, so a gap at the rounding level of a huge box certifies. */
#define RLHF_ZERO_SCALE 1e-6
double rlhf_rel_denominator_scaled(double w, double h, double scale);
int rlhf_states_z_policy(rlhf_states *st, const double *prob, double *z, ss_err *e);
/* One pass over the local states at theta with temperature tau (0: greedy) (states.c):
 * hmax = sum_s rho max_a q, z = sum_s rho E_p phi, H = (1/tau) sum_s rho Cov_p(phi) (if want_h).
 * prob (s_count x A) receives the policy when non-NULL. Collective. */
int rlhf_states_eval(rlhf_states *st, const double *theta, double tau, int want_h, double *hmax,
                     double *z, double *H, double *prob, ss_err *e);
int rlhf_policy_solve_lp(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                         ss_err *e);
int rlhf_policy_solve_planner(rlhf_states *st, const rlhf_agg *agg, double tol,
                              rlhf_policy *pol, ss_err *e);
int rlhf_policy_solve_smooth(rlhf_states *st, const rlhf_agg *agg, double tol,
                             rlhf_policy *pol, ss_err *e);
/* Fills the certificate of pol from its local policy pol->prob and the point theta of Theta:
 * z, objective W(z), dual h(theta), gap, rel_gap, converged (rel_gap <= tol). Collective. */
int rlhf_policy_certify(rlhf_states *st, const rlhf_agg *agg, const double *theta, double tol,
                        rlhf_policy *pol, ss_err *e);

/* The greedy action of one state: argmax_a <theta, phi(s,a)> over the A rows ph (ties to the
 * lowest action). */
int rlhf_greedy_action(const double *theta, const double *ph, int A, int d);
void rlhf_dot_rows(const double *theta, const double *ph, int A, int d, double *q);

/* The one-labeler utility of the policy an aggregate picks (for SPSA): solves the policy
 * problem and returns z. */
int rlhf_solve_aggregate(rlhf_states *st, const rlhf_agg *agg, double tol, double *z,
                         ss_err *e);

/* ---------------------------------------------------------------- the planner (planner.c)
 * Pricing oracle: plans under the reward <theta, phi>, returning h(theta) = max_pi <theta, z_pi>
 * and the z of an optimal deterministic policy (ties to the lowest action). Collective over
 * comm; a local error pending in e is agreed on inside (then every rank returns it). */
typedef struct {
  int d;
  ss_comm *comm;
  void *ctx;
  int (*price)(void *ctx, const double *theta, double *h, double *z, ss_err *e);
} rlhf_oracle;


typedef struct {
  double z[RLHF_DMAX];          /* z of the mixture policy */
  double objective, dual, gap, rel_gap, master_value;
  double scale;                 /* max |W| of the columns (rlhf_rel_denominator_scaled) */
  double theta_dual[RLHF_DMAX]; /* the best dual point (in Theta) */
  int passes, columns, converged;
  double time_price, time_master; /* seconds (first pass excluded from time_price) */
  int ncols;                    /* active columns: their pricing points and weights */
  double *col_theta, *col_weight;
} rlhf_plan;

int rlhf_plan_solve(const rlhf_oracle *o, const rlhf_agg *agg, const rlhf_plan_opts *opt,
                    rlhf_plan *res, ss_err *e);
void rlhf_plan_free(rlhf_plan *res);
/* The pricing oracle of st (contextual greedy pass, or the MDP's when st->mdp is set). */
void rlhf_states_oracle(rlhf_states *st, rlhf_oracle *o);
/* One greedy pass over the contextual states (states.c): h(theta), z of the greedy policy and,
 * if prob != NULL, the local policy. Collective (one allgather of 1 + d numbers per chunk). */
int rlhf_states_greedy_pass(rlhf_states *st, const double *theta, double *h, double *z,
                            double *prob, ss_err *e);
struct rlhf_mdp;
void rlhf_mdp_oracle(struct rlhf_mdp *mdp, rlhf_oracle *o);
/* z = sum_q lambda_q Z_q (Z: m x d), in column order */
void rlhf_mix(const double *Z, const double *lambda, int m, int d, double *z);
/* Active-set Newton over S simplices of A weights (policy_active_set.c): maximises W(sum R pi)
 * from the feasible start pi (support: pi > 0). Not collective. */
int rlhf_aset_maximise(int S, int A, int d, const double *R, const rlhf_agg *agg, double mu,
                       double *pi, int *iterations, ss_err *e);

#endif
