/* Memory estimate of one bandit task (the `memory` op; include/stratsim/memory.h). Every rank
 * keeps K x d feature arrays (true, weighted, reported, the epoch's reports) and, for each
 * rollout of a batch, a mechanism over its owned arms: OptGTM keeps a ridge state (two packed
 * d x d matrices) per arm -- the d^2 term --, LinUCB and LinGreedy one pooled ridge state,
 * GGTM a few numbers per arm. Batches are capped at 32 MiB (protocol.c) but hold one rollout
 * however large it is. A mechanism without a state_doubles op counts as OptGTM (the largest).
 * An in-task checkpoint gathers one rollout's whole learner state on rank 0. */
#include <stdio.h>
#include <string.h>
#include "stratsim/bandit_context.h"
#include "stratsim/bandit_mech.h"
#include "stratsim/plugin.h"
#include "stratsim/memory.h"

/* Doubles of a mechanism's state over `owned` arms: its state_doubles op, or OptGTM's (a ridge
 * state per arm, optgtm.c, and for d <= 8 its lane cache, ridge_lanes.c); plus what the engine
 * keeps per rollout: a block of reward noise and, for d <= 8, the reports in lane layout. */
static double mech_doubles(const ss_bandit_mech_ops *mech, double owned, double d)
{
  double ridge = d * (d + 1) + 2 * d, work = 2 * d * d + 2 * d;
  double groups4 = 4 * (owned / 4 + 1), lanes = d <= 8 ? groups4 * d : 0;
  double cache = d <= 8 ? groups4 * (d * (d + 1) / 2 + d + 1) + 4 : 0;
  double own = mech->state_doubles ? mech->state_doubles(owned, d) : owned * (ridge + 5) + work + cache;
  return own + SS_BANDIT_BLOCK_ROUNDS + lanes;
}

void ss_bandit_memory(const ss_config *cfg, int ranks, ss_mem_estimate *m, double *result_bytes)
{
  double K = (double)ss_cfg_int(cfg, "bandit.K"), d = (double)ss_cfg_int(cfg, "bandit.d");
  double T = (double)ss_cfg_int(cfg, "bandit.T"), stride = (double)ss_cfg_int(cfg, "bandit.curve_stride");
  const ss_bandit_mech_ops *mech = ss_plugin_selected(&ss_bandit_mechanisms, cfg);
  int adaptive = ((const ss_bandit_strategy_ops *)ss_plugin_selected(&ss_bandit_strategies, cfg))->adaptive;
  double epochs = adaptive ? (double)ss_cfg_int(cfg, "bandit.epochs") : 0;
  long long rg = ss_cfg_int(cfg, "bandit.rollout_groups");
  double groups = rg <= 0 || rg > ranks ? ranks : (double)rg, owned = K / (ranks / groups) + 1;
  double lane = 8 * (mech_doubles(mech, owned, d) + K * d + 2 * K);
  double rollouts = adaptive ? (1 + K * d) / groups : 1, batch = 32.0 * 1048576 / lane;
  if (batch < 1) batch = 1;
  if (batch > rollouts) batch = rollouts < 1 ? 1 : rollouts;
  ss_mem_add(m, batch * lane, "bandit.K, bandit.d, bandit.mechanism, bandit.rollout_groups",
             "mechanism state and reports of a batch of rollouts (the d^2 ridge state per owned arm)");
  /* a stop in a rollout's rounds gathers its learners' state, every arm's, on rank 0 to write
   * it (learner_state.c, docs/checkpoint.md): counted on every rank, so also rank 0's */
  ss_mem_add(m, 8 * mech_doubles(mech, K, d), "bandit.K, bandit.d, bandit.mechanism",
             "one rollout's learner state gathered on rank 0 for an in-task checkpoint");
  ss_mem_add(m, 8 * K * d * 4, "bandit.K, bandit.d", "K x d feature arrays (true, weighted, reported, epoch)");
  if (adaptive) ss_mem_add(m, 8 * K * d, "bandit.K, bandit.d, bandit.strategy", "per-perturbation epoch sums (K d)");
  int rows = 0, cols = 0;
  if (ss_cfg_matrix(cfg, "bandit.true_features", &rows, &cols))
    ss_mem_add(m, 2 * 8.0 * rows * cols, "bandit.true_features", "explicit features (two config copies)");
  if (ss_cfg_matrix(cfg, "bandit.reported", &rows, &cols))
    ss_mem_add(m, 2 * 8.0 * rows * cols, "bandit.reported", "explicit reports (two config copies)");
  double curve = stride > 0 ? T / stride + 2 : 0;
  ss_mem_add(m, 8 * (curve + SS_BANDIT_BLOCK_ROUNDS * (d + 1) +
                     (ss_plugin_choice_value(&ss_bandit_contexts, cfg) == SS_BANDIT_CTX_IID ? owned * d : d)),
             "bandit.T, bandit.curve_stride", "regret curve and context block");
  double arm_rows = ss_cfg_bool(cfg, "bandit.write_arms") ? (epochs + 1) * K * (40 + 21 * d) : 0;
  double text = arm_rows + 2 * curve * 50 + (epochs + 1) * 120;
  ss_mem_add(m, 2 * text, "bandit.K, bandit.epochs, bandit.write_arms", "the task's result tables");
  snprintf(m->result_keys, sizeof m->result_keys, "bandit.K, bandit.epochs, bandit.write_arms");
  *result_bytes = text;
}
