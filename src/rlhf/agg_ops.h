/* Private to src/rlhf: the aggregator plug-in interface (its ops table, the state every
 * aggregate shares) and the registry (agg_registry.c, one line per aggregator). */
#ifndef STRATSIM_RLHF_AGG_OPS_H
#define STRATSIM_RLHF_AGG_OPS_H

#include "stratsim/plugin.h"
#include "stratsim/rlhf_agg.h"
#include "rlhf_limits.h"

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

extern const ss_plugin_family rlhf_aggregators;
/* The checks of every registered aggregator's keys (agg_registry.c). */
int rlhf_agg_check_all(const ss_config *cfg, ss_err *e);

#endif
