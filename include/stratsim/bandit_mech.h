/* The plug-in interface of the bandit experiment: the ops tables of mechanisms, arm strategies,
 * true features and theta* sources, the struct a mechanism fills, and the registries. Public
 * (include/stratsim/) because a test or a new plug-in needs it: tests/unit/
 * test_bandit_conformance.c defines a mechanism from these ops; a plug-in's own state stays
 * private beside its code (src/bandit/ggtm_impl.h, optgtm_impl.h, elimination.h, and
 * pooled_impl.h with the ops LinUCB and LinGreedy share). What runs the experiment is
 * stratsim/bandit.h.
 * A mechanism keeps state for the arms its rank owns ([lo, hi) of a block distribution) plus
 * whatever pooled state it replicates; the rollout engine scores owned active arms, picks the
 * global best with one arg-max collective (stratsim/argmax_max.h) and calls update on every
 * rank. */
#ifndef STRATSIM_BANDIT_MECH_H
#define STRATSIM_BANDIT_MECH_H

#include "stratsim/config.h"

#include "stratsim/bandit.h"
#include "stratsim/xsum.h"

/* A mechanism (registry: src/bandit/mechanism.c). Ops, with designated initialisers:
 * required: name, summary, score, update; optional with a default: reset (nothing), forced (never),
 * score_report (form x and call score), active (always), eliminated (never), create/destroy
 * (no private state in m->data); optional without a default: theta_error (no estimate). */
typedef struct {
  const char *name;
  const char *summary;
  int estimates;   /* keeps an estimate of theta*, so theta_error means something */
  int ignores_reward; /* update never reads the reward: the engine does not draw its noise */
  int (*create)(ss_bandit_mech *m, ss_err *e);
  void (*destroy)(ss_bandit_mech *m);
  /* Start of a rollout: forget everything, every arm active. */
  void (*reset)(ss_bandit_mech *m);
  /* An arm chosen without scoring (warm-up, uniform play), or -1 to score. NULL: never.
   * Must be the same on every rank and an active arm. */
  int64_t (*forced)(ss_bandit_mech *m, int64_t t);
  /* Index of owned active arm `arm` for reported context x. The highest wins; ties go to
   * the lowest arm. */
  double (*score)(ss_bandit_mech *m, int64_t arm, const double *x);
  /* Optional: score of the report x = base ⊙ y (x is scratch of d doubles), the same bits as
   * score(m, arm, base ⊙ y) in fewer steps. NULL: the engine forms x and calls score. */
  double (*score_report)(ss_bandit_mech *m, int64_t arm, const double *base, const double *y,
                         double *x);
  /* Optional: the scores of every owned arm, scores[a - lo] (inactive arms included, to be
   * ignored), for the reports base ⊙ y_a, each with the bits of score_report; yl holds the
   * owned arms' reports in the lane layout of bandit_ridge.h. The engine calls it only for
   * d <= SS_RIDGE_LANES_MAX_D; NULL: it scores arm by arm. */
  void (*score_all)(ss_bandit_mech *m, const double *base, const double *yl, double *scores);
  /* Called on every rank after round t with the played arm, its reported context and the
   * reward. Per-arm state is updated by the owner only. */
  void (*update)(ss_bandit_mech *m, int64_t arm, const double *x, double r, int64_t t);
  /* Owned arm still active? NULL: always. */
  int (*active)(const ss_bandit_mech *m, int64_t arm);
  /* Round in which owned arm was eliminated, or -1. NULL: never. */
  int64_t (*eliminated)(const ss_bandit_mech *m, int64_t arm);
  /* Adds this rank's terms w_a ||theta_a - theta*|| and w_a to exact accumulators (exact,
   * so the total does not depend on how the arms are split). NULL: no estimate. */
  void (*theta_error)(const ss_bandit_mech *m, const double *theta, ss_xsum *werr, ss_xsum *w);
  /* Optional with a default: the doubles of its state over `owned` arms in dimension d, for
   * the memory estimate (src/bandit/memory.c). NULL: counted as OptGTM's (the largest). */
  double (*state_doubles)(double owned, double d);
  /* The state after some rounds of a rollout, for in-task checkpoints (docs/checkpoint.md).
   * Required of every registered mechanism (tests/unit/test_bandit_state.c checks each one in
   * the registry); NULL in all three (a test mechanism) means the state cannot be saved, and a
   * rollout stopped in its rounds restarts its epoch. state_bytes(m, 0): bytes of the part every
   * rank replicates; state_bytes(m, 1): bytes of one arm's part (the same for every arm; 0:
   * none). save(m, -1, buf) writes the replicated part, save(m, a, buf) owned arm a's part; load
   * is the inverse, into a mechanism created for the same env and params and reset with the same
   * rseed. Not collective: learner_state.c gathers the arms' parts in arm order, so a state saved
   * on P ranks loads on any other count. The bytes are the machine's (the same build resumes). */
  size_t (*state_bytes)(const ss_bandit_mech *m, int per_arm);
  void (*save)(const ss_bandit_mech *m, int64_t arm, unsigned char *buf);
  void (*load)(ss_bandit_mech *m, int64_t arm, const unsigned char *buf);
} ss_bandit_mech_ops;

struct ss_bandit_mech {
  const ss_bandit_mech_ops *ops;
  ss_bandit_mech_params p;
  int64_t K, T;
  int d;
  int64_t lo, hi;          /* owned arms */
  int rank, size;          /* in the communicator the mechanism was created on */
  const double *theta_star;/* for mechanisms that know it (ggtm) */
  double delta;            /* resolved */
  double beta;             /* the constant radius (authors' or fixed) */
  uint64_t rseed;          /* set by the rollout before reset */
  void *data;
};

/* The registry (mechanism.c), in the order the config schema lists them. */
const ss_bandit_mech_ops *ss_bandit_mech_find(const char *name);

/* The radius for a state with n updates, as p->radius says. */
double ss_bandit_abbasi_radius(const ss_bandit_mech *m, int64_t n);
static inline double ss_bandit_mech_radius(const ss_bandit_mech *m, int64_t n)
{
  return m->p.radius == SS_BANDIT_RADIUS_ABBASI ? ss_bandit_abbasi_radius(m, n) : m->beta;
}
/* Shared verbs used by tests: score / update / activity of one arm. */
static inline int ss_bandit_mech_owns(const ss_bandit_mech *m, int64_t arm)
{
  return arm >= m->lo && arm < m->hi;
}
static inline int ss_bandit_mech_active(const ss_bandit_mech *m, int64_t arm)
{
  return m->ops->active ? m->ops->active(m, arm) : 1;
}
static inline int64_t ss_bandit_mech_eliminated(const ss_bandit_mech *m, int64_t arm)
{
  return m->ops->eliminated ? m->ops->eliminated(m, arm) : -1;
}
void ss_bandit_mech_reset(ss_bandit_mech *m, uint64_t rseed);
/* The whole state of m (src/bandit/learner_state.c): "MECHST01", K, d, the replicated part's and
 * one arm's bytes (u64 each), the replicated part, then every arm's part in arm order. Collective
 * over c (the communicator m was created on): on rank 0 *buf is malloc'd, elsewhere NULL. */
int ss_bandit_mech_save(ss_comm *c, const ss_bandit_mech *m, char **buf, size_t *len, ss_err *e);
/* Loads the replicated part and this rank's arms from a whole state (saved on any rank count),
 * after reset. Not collective; a state of another mechanism or size is SS_EINPUT. */
int ss_bandit_mech_load(ss_bandit_mech *m, const char *buf, size_t len, ss_err *e);
/* Can m's state be saved (state_bytes, save and load set)? */
int ss_bandit_mech_saves(const ss_bandit_mech *m);
/* The state ops of a mechanism with no state beyond reset (uniform play). */
size_t ss_bandit_state_none_bytes(const ss_bandit_mech *m, int per_arm);
void ss_bandit_state_none_save(const ss_bandit_mech *m, int64_t arm, unsigned char *buf);
void ss_bandit_state_none_load(ss_bandit_mech *m, int64_t arm, const unsigned char *buf);

/* ---- arm strategies ---- */
/* Ops, with designated initialisers. Required: name, summary, init. Optional without a
 * default: keys/nkeys (its config keys, gathered into the schema after bandit.strategy);
 * check (its inputs for K arms in dimension d, at config time: exit 2); perturb and step
 * (adaptive strategies only, and then required). */
typedef struct {
  const char *name;
  const char *summary;
  const ss_key *keys;
  int nkeys;
  int adaptive;   /* runs the epoch protocol */
  int (*check)(const ss_config *cfg, long long K, long long d, ss_err *e);
  /* Initial reported features (K x d). */
  int (*init)(const ss_bandit_strategy_params *sp, const ss_bandit_env *env, double *yrep,
              ss_err *e);
  /* Adaptive only: the perturbed value of one coordinate and the sign of the perturbation. */
  double (*perturb)(const ss_bandit_strategy_params *sp, double v, int *sign);
  /* Adaptive only: the step of one coordinate after epoch `epoch`, from the arm's utility
   * u and its utility u_pert under the perturbation. */
  double (*step)(const ss_bandit_strategy_params *sp, int epoch, int sign, int64_t u,
                 int64_t u_pert);
} ss_bandit_strategy_ops;

/* The registry: strategy.c. */
const ss_bandit_strategy_ops *ss_bandit_strategy_find(const char *name);
/* ---- true arm features (bandit.features; features.c) ---- */
/* Required: name, summary, fill. Optional without a default: keys/nkeys, check (its inputs
 * for K arms in dimension d, at config time). */
typedef struct {
  const char *name;
  const char *summary;
  const ss_key *keys;
  int nkeys;
  int (*check)(const ss_config *cfg, long long K, long long d, ss_err *e);
  /* Fills the K x d true features (the config checked by the experiment). Not collective. */
  void (*fill)(const ss_config *cfg, uint64_t seed, int64_t K, int d, double *ytrue);
} ss_bandit_features_ops;

/* ---- theta* (bandit.theta_source; theta_source.c) ---- */
/* Required: name, summary, fill. Optional without a default: keys/nkeys, check (its inputs
 * for dimension d, at config time). */
typedef struct {
  const char *name;
  const char *summary;
  const ss_key *keys;
  int nkeys;
  int (*check)(const ss_config *cfg, long long d, ss_err *e);
  /* theta* (d values) of the task with this seed. Not collective. */
  void (*fill)(const ss_config *cfg, uint64_t seed, int d, double *theta);
} ss_bandit_theta_ops;

/* A K x d matrix at config key path (SS_EINPUT naming the key otherwise); why says who needs
 * it. src/bandit/cfg_matrix.c, shared by the plug-ins' checks. */
int ss_bandit_check_matrix(const ss_config *cfg, const char *path, long long K, long long d, const char *why,
                           ss_err *e);

/* The families of src/bandit (include/stratsim/plugin.h); bandit.contexts and bandit.radius
 * are enumerations (choices.c: ss_plugin_choice, the value their SS_BANDIT_* constant). */
struct ss_plugin_family;
extern const struct ss_plugin_family ss_bandit_mechanisms, ss_bandit_strategies, ss_bandit_features,
    ss_bandit_theta_sources, ss_bandit_contexts, ss_bandit_radii;

#endif
