/* Memory estimate of one rlhf task (the `memory` op; include/stratsim/memory.h). A rank keeps
 * its block of labelers' estimates (3d + 2 numbers each, plus the d x d precision when an
 * aggregator needs it); strategic runs replicate every labeler's true parameter and report,
 * and SPSA and the aggregators that need every estimate (maxmin, pessimistic_sw) replicate
 * all k estimates (plus the allgather's buffer). The environment's features (S A d) are
 * replicated in the environment and in each set of policy states. */
#include <stdio.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "choices.h"
#include "env_model.h"
#include "mdp_settings.h"
#include "solver.h"
#include "spsa_layout.h"
#include "strategy_ops.h"
#include "stratsim/memory.h"

/* An MDP (docs/mdp.md) is distributed by state: a rank holds ns = S/p states' rows of P (PETSc
 * AIJ: value, column index; its transpose while the predecessors are built), the successor and
 * predecessor lists over ghost indices, the ghost vectors, V/rho, the occupancies (ns H), the rewards
 * (ns A), the greedy actions (ns H) and, with rlhf.mdp.features: store, the features (ns A d);
 * rho and the comparison design (k n d, the labelers' trajectories) are replicated. One set per
 * policy state set (the task's, plus SPSA's when strategic labelers optimise). */
static void mdp_memory(const ss_config *cfg, int ranks, int spsa, ss_mem_estimate *m)
{
  double S = (double)ss_cfg_int(cfg, "rlhf.env.states"), A = (double)ss_cfg_int(cfg, "rlhf.env.actions");
  double d = (double)ss_cfg_int(cfg, "rlhf.d"), H = (double)ss_cfg_int(cfg, "rlhf.horizon");
  double k = (double)ss_cfg_int(cfg, "rlhf.k"), n = (double)ss_cfg_int(cfg, "rlhf.n");
  double b = (double)ss_cfg_int(cfg, "rlhf.mdp.successors"), ns = S / ranks + 1, sets = spsa ? 2 : 1;
  if (spsa) { /* the SPSA groups' copies: G of them, S/(P/G) states per rank (spsa_layout.h) */
    rlhf_mdp_settings ms = {.successors = (int)b};
    rlhf_params p = {.S = (int)S, .A = (int)A, .d = (int)d, .mdp = 1, .mdp_data = &ms};
    int G = rlhf_spsa_groups((int)ss_cfg_int(cfg, "rlhf.spsa.groups"), &p, ranks);
    sets = 1 + (double)G;
  }
  double nnz = ns * A * b;
  /* P and P^T (12 B per entry, row pointers), successors (sprob, scol, srow) and predecessors
   * (pkey, pprob, pstate), ghost vectors and scatters (about 24 B per ghost entry) */
  double structure = 2 * (12 * nnz + 8 * ns * A) + (12 + 4) * nnz + 8 * ns * A + 20 * nnz + 24 * 2 * nnz;
  ss_mem_add(m, sets * structure, "rlhf.env.states, rlhf.env.actions, rlhf.mdp.successors",
             "the MDP's transitions on this rank (S/p A b, CSR and ghosts)");
  ss_mem_add(m, sets * (8 * ns * (2 + A + H) + 4 * ns * H), "rlhf.env.states, rlhf.env.actions, rlhf.horizon",
             "values, occupancies, rewards and greedy actions of this rank's states");
  if (!ss_plugin_choice_value(&rlhf_mdp_feature_kinds, cfg)) /* store */
    ss_mem_add(m, sets * 8 * ns * A * d, "rlhf.env.states, rlhf.env.actions, rlhf.d, rlhf.mdp.features",
               "stored features of this rank's states (S/p A d)");
  ss_mem_add(m, 8 * S + 8 * k * n * d, "rlhf.env.states, rlhf.k, rlhf.n, rlhf.d",
             "start distribution and comparison design (replicated)");
}

void ss_rlhf_memory(const ss_config *cfg, int ranks, ss_mem_estimate *m, double *result_bytes)
{
  double k = (double)ss_cfg_int(cfg, "rlhf.k"), d = (double)ss_cfg_int(cfg, "rlhf.d");
  double n = (double)ss_cfg_int(cfg, "rlhf.n"), S = (double)ss_cfg_int(cfg, "rlhf.env.states");
  double A = (double)ss_cfg_int(cfg, "rlhf.env.actions"), block = k / ranks + 1;
  int nalgos = 0, prec = 0, all = 0;
  const char *const *names = ss_cfg_enum_list(cfg, "rlhf.algorithms", &nalgos);
  for (int a = 0; a < nalgos; a++) {
    const rlhf_agg_ops *ops = rlhf_agg_find(names[a]);
    prec |= ops && rlhf_agg_needs_prec(ops);
    all |= ops && ops->needs_all;
  }
  const rlhf_strategy_ops *strategy = ss_plugin_selected(&rlhf_strategies, cfg);
  int strategic = !strategy->reports_truth, spsa = strategy->optimises;
  double w = 3 * d + 2 + (prec ? d * d : 0);
  ss_mem_add(m, 8 * block * ((spsa ? 3 : 2) * w + d + 2), "rlhf.k, rlhf.d, rlhf.algorithms",
             "the block's labeler estimates (k/ranks labelers)");
  ss_mem_add(m, k, "rlhf.k", "strategic flags of every labeler");
  if (strategic)
    ss_mem_add(m, 8 * 2 * k * d, "rlhf.k, rlhf.d, rlhf.strategy", "every labeler's true parameter and report");
  if (spsa || (all && ranks > 1))
    ss_mem_add(m, 8 * k * (2 * w + (all ? d + (prec ? d * d : 0) : 0)), "rlhf.k, rlhf.d, rlhf.algorithms",
               "every labeler's estimate, replicated (SPSA, maxmin, pessimistic_sw)");
  if (rlhf_env_model_mdp(cfg))
    mdp_memory(cfg, ranks, spsa, m);
  else
  { /* the environment's features (replicated), each states set's rows (S/p) and what the
     * policy solver replicates for each set (the dense solver: a copy of every row) */
    double sets = spsa ? 2 : 1, solver = rlhf_solver_states_memory(cfg, S, A, d);
    ss_mem_add(m, 8 * S * A * d * (1 + sets / ranks) + sets * solver + 8 * S * A * (d + 4), "rlhf.env.states, rlhf.env.actions, rlhf.d, rlhf.policy.method",
               "environment features (S A d, replicated) and policy states (S/p A d; dense: S A d)");
  }
  if (spsa && !ss_plugin_choice_value(&rlhf_data_kinds, cfg)) { /* comparisons */
    double cache = k * (8 * (n * d + n + d * d + d) + 64);
    if (cache <= (double)RLHF_CACHE_BUDGET)
      ss_mem_add(m, cache, "rlhf.k, rlhf.n, rlhf.d", "SPSA's cache of every labeler's comparisons");
  }
  ss_mem_add(m, 8 * 2 * n * (d + 1), "rlhf.n, rlhf.d", "one labeler's comparisons (MLE data)");
  int r = 0, c = 0;
  if (ss_cfg_matrix(cfg, "rlhf.population.thetas", &r, &c))
    ss_mem_add(m, 2 * 8.0 * r * c, "rlhf.population.thetas", "explicit thetas (two config copies)");
  if (ss_cfg_matrix(cfg, "rlhf.env.features", &r, &c))
    ss_mem_add(m, 2 * 8.0 * r * c, "rlhf.env.features", "explicit features (two config copies)");
  double text = nalgos * 2 * 400.0;
  if (ss_cfg_bool(cfg, "rlhf.output.labelers")) text += nalgos * k * 120;
  if (ss_cfg_bool(cfg, "output.dump_data"))
    text += k * n * (40 + 21 * d) + k * (40 + 21 * (d + 2)) + S * A * (40 + 21 * (d + 1));
  /* rows of the block, the gathered rows and the task's table (grown by doubling) */
  ss_mem_add(m, 3 * text, "rlhf.k, rlhf.output.labelers, output.dump_data", "the task's result tables");
  snprintf(m->result_keys, sizeof m->result_keys, "rlhf.k, rlhf.output.labelers, output.dump_data");
  *result_bytes = text;
}
