/* `experiment: rlhf` (MODELS section 1; H > 1: the tabular MDP of docs/mdp.md): the schema's
 * own keys (each plug-in declares its keys next to its code; the registry gathers them), the
 * config check, and the experiment's ops table. The parameters and cross-checks are in
 * run_params.c, one task in run.c, the summary in summary.c. See docs/rlhf.md for the files
 * and every modelling choice. */
#include <string.h>
#include "stratsim/experiment.h"
#include "stratsim/plugin.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "choices.h"
#include "env_model.h"
#include "env_type.h"
#include "mle_solver.h"
#include "population_model.h"
#include "solver.h"
#include "strategy_ops.h"
#include "summary.h"
#include "run.h"
#include "run_params.h"

#define DEFAULT_ALGOS "[naive_mle, pessimistic_sw, median_mle, pessimistic_momle]"

static const ss_key keys[] = {
  {"rlhf.n", SS_T_INT, "100", 1, 1e8, 0, NULL, "comparisons per labeler"},
  {"rlhf.k", SS_T_INT, "5", 1, 4294967295.0, 0, NULL, "number of labelers"},
  {"rlhf.d", SS_T_INT, "16", 1, 64, 0, NULL, "feature dimension"},
  {"rlhf.horizon", SS_T_INT, "1", 1, 10000, 0, NULL, "horizon H (1: the contextual bandit; H > 1: a tabular MDP)"},
  {"rlhf.env.model", SS_T_ENUM, "auto", 0, 0, 0, SS_PLUGIN_CHOICES, "environment: contextual bandit or tabular MDP (auto: MDP iff horizon > 1)"},
  {"rlhf.B", SS_T_REAL, "1", 0, 1e6, SS_K_MIN_OPEN, NULL, "bound B on ||theta_i*|| (and on reports)"},
  {"rlhf.lambda", SS_T_REAL, "1e-3", 0, 1e6, SS_K_MIN_OPEN, NULL, "MLE ridge regulariser lambda (> 0)"},
  {"rlhf.mle.solver", SS_T_ENUM, "newton", 0, 0, 0, SS_PLUGIN_CHOICES, "per-labeler MLE solver: our damped Newton (Cholesky, Armijo) or PETSc Tao NLS (options -mle_tao_*); both stop at ||gradient|| <= 1e-12"},
  {"rlhf.confidence.c_f", SS_T_REAL, "1", 0, 1e6, 0, NULL, "constant c_f of the confidence radius f"},
  {"rlhf.confidence.delta", SS_T_REAL, "0.1", 0, 1, SS_K_MIN_OPEN | SS_K_MAX_OPEN, NULL, "confidence level delta of the radius"},
  {"rlhf.data", SS_T_ENUM, "comparisons", 0, 0, 0, SS_PLUGIN_CHOICES, "comparisons: each labeler's n Bradley-Terry comparisons and its MLE; exact: the infinite-data limit, the aggregators get the reported parameters themselves (radius 0)"},
  {"rlhf.labels.heldout", SS_T_BOOL, "false", 0, 0, 0, NULL, "true: the reported conditions (truthful, and the final strategic estimates) draw fresh label noise, independent of the noise SPSA optimised its reports against; false: the same common random numbers throughout"},
  {"rlhf.median", SS_T_ENUM, "lower", 0, 0, 0, SS_PLUGIN_CHOICES, "median of an even number of labelers: lower, upper or the mean of the two middle values"},
  {"rlhf.algorithms", SS_T_ENUM_LIST, DEFAULT_ALGOS, 0, 0, 0, SS_PLUGIN_CHOICES, "aggregators to compare, e.g. [naive_mle, median_mle]"},
  {"rlhf.policy.tol", SS_T_REAL, "1e-6", 0, 1, SS_K_MIN_OPEN, NULL, "policy optimisation stops at duality gap <= tol * max(|W|, |h|, 1e-3) (planner: also >= 1e-6 of its columns' largest |W|, docs/mdp.md)"},
  {"rlhf.policy.method", SS_T_ENUM, "planner", 0, 0, 0, SS_PLUGIN_CHOICES, "policy solver: the distributed certified planner (column generation, every H) or the dense LP / active set over every state (H = 1, reference)"},
  {"rlhf.policy.chunk", SS_T_INT, "0", 0, 1e9, 0, NULL, "states per fixed-order summation chunk (0: max(16, ceil(S/256)))"},
  {"rlhf.env.type", SS_T_ENUM, "gaussian", 0, 0, 0, SS_PLUGIN_CHOICES, "features: i.i.d. Gaussian rescaled to norm L, rlhf.env.features, or rlhf.env.file"},
  {"rlhf.env.states", SS_T_INT, "32", 1, 1e8, 0, NULL, "number of states S"},
  {"rlhf.env.actions", SS_T_INT, "4", 2, 256, 0, NULL, "number of actions A"},
  {"rlhf.env.rho", SS_T_REAL_LIST, NULL, 0, 1e300, 0, NULL, "state distribution (S weights, normalised); default uniform"},
  {"rlhf.population.model", SS_T_ENUM, "gaussian", 0, 0, 0, SS_PLUGIN_CHOICES, "how true parameters theta_i* are drawn (ktimes: the instance family of SP-RLHF Thm 3.5, docs/theory.md)"},
  {"rlhf.strategic.fraction", SS_T_REAL, "1", 0, 1, 0, NULL, "fraction of labelers that are strategic (a keyed random subset)"},
  {"rlhf.strategic.labelers", SS_T_INT_LIST, NULL, 0, 4294967295.0, 0, NULL, "explicit list of strategic labelers (0-based); overrides fraction"},
  {"rlhf.strategy", SS_T_ENUM, "spsa", 0, 0, 0, SS_PLUGIN_CHOICES, "how strategic labelers report"},
  {"rlhf.output.labelers", SS_T_BOOL, "true", 0, 0, 0, NULL, "write rlhf_labelers.csv (k rows per algorithm and seed)"},
};

/* ------------------------------------------------------------------ check */
static int rlhf_check(const ss_config *cfg, ss_err *e)
{
  rlhf_run_params rp;
  int rc = rlhf_run_params_read(cfg, 1, &rp, e);
  if (!rc) rc = rlhf_run_params_check(cfg, &rp, e);
  if (!rc) rc = rlhf_mle_check(cfg, e);
  rlhf_run_params_free(&rp);
  return rc;
}

/* the environment (features, start distribution) is the same for every point unless a
 * swept key changes it */
static const char *const shared_tables[] = {"environment", NULL};

/* the dumps (comparisons, estimates, environment) have one column per feature dimension */
static const char *columns_depend_on(const ss_config *cfg, const char *key)
{
  return !strcmp(key, "rlhf.d") && ss_cfg_bool(cfg, "output.dump_data") ? "comparisons" : NULL;
}

static const ss_plugin_family *const plugins[] = {
  &rlhf_aggregators, &rlhf_solvers, &rlhf_mle_solvers, &rlhf_env_types, &rlhf_strategies, &rlhf_env_models, &rlhf_populations,
  &rlhf_median_kinds, &rlhf_data_kinds, &rlhf_mdp_feature_kinds, &rlhf_norm_kinds, &rlhf_momle_sets, NULL};

const ss_experiment_ops ss_rlhf_experiment = {
    .name = "rlhf",
    .summary = "RLHF with strategic labelers: Pessimistic Median of MLEs and baselines (SP-RLHF)",
    .keys = keys,
    .nkeys = (int)(sizeof keys / sizeof keys[0]),
    .plugins = plugins,
    .check = rlhf_check,
    .run = rlhf_run,
    .finish = rlhf_finish,
    .shared_tables = shared_tables,
    .memory = ss_rlhf_memory,
    .columns_depend_on = columns_depend_on,
};
