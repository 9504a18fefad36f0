/* Strategic linear contextual bandits (MODELS section 2). K arms see true contexts
 * base_t ⊙ y_a and report base_t ⊙ ỹ_a; a mechanism picks one arm per round from the
 * reports; strategic arms adapt ỹ across epochs. Arms are spread over the ranks of a
 * communicator, and every selection, elimination and regret value is bit-identical for
 * any rank count and group layout. */
#ifndef STRATSIM_BANDIT_H
#define STRATSIM_BANDIT_H

#include <stdint.h>
#include "stratsim/error.h"
#include "stratsim/par.h"

/* How the base vector of a context is drawn: one user context c_t per round shared by
 * all arms (the paper), or an independent z_{t,a} per (round, arm). */
enum { SS_BANDIT_CTX_SHARED = 0, SS_BANDIT_CTX_IID = 1 };

/* The environment of one seed. Contexts are never stored: ss_bandit_base regenerates
 * them from the keyed generator. */
typedef struct {
  int64_t K;
  int d;
  int64_t T;
  double noise_sd;
  int contexts;    /* SS_BANDIT_CTX_* */
  uint64_t seed;   /* keys the contexts (shared by every rollout of the seed) */
  double *theta;   /* d: theta* */
  double *ytrue;   /* K x d: true features y_a */
  double *wtrue;   /* K x d: theta* ⊙ y_a, so that a true mean is one dot product */
} ss_bandit_env;

/* Allocates theta, ytrue and wtrue (zeroed). Not collective. */
int ss_bandit_env_alloc(ss_bandit_env *env, int64_t K, int d, int64_t T, ss_err *e);
/* Computes wtrue once theta and ytrue are filled in. */
void ss_bandit_env_prepare(ss_bandit_env *env);
void ss_bandit_env_free(ss_bandit_env *env);
/* The paper's features: y_a = -0.1 everywhere and +0.1 at coordinate a mod d. */
void ss_bandit_paper_features(int64_t K, int d, double *y);
/* Keyed draws: features and theta* uniform on [-1,1]. */
void ss_bandit_random_features(uint64_t seed, int64_t K, int d, double *y);
void ss_bandit_random_theta(uint64_t seed, int d, double *theta);
/* The base vector of round t (1-based) for arm a: c_t (shared; arm ignored) or z_{t,a}. */
void ss_bandit_base(const ss_bandit_env *env, int64_t t, int64_t arm, double *base);
/* The fixed-order dot product every score and mean in the engine uses. Four accumulators
 * break the add latency chain; the order is fixed, so every rank gets the same bits. */
static inline double ss_bandit_dot(const double *a, const double *b, int n)
{
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  for (; k < n; k++) s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}
/* <theta*, base ⊙ y_a>, computed as sum_j wtrue_aj base_j in a fixed order. */
static inline double ss_bandit_true_mean(const ss_bandit_env *env, int64_t arm, const double *base)
{
  return ss_bandit_dot(env->wtrue + arm * env->d, base, env->d);
}

/* ---- mechanisms: opaque handles, implementations plug in by name ---- */
enum { SS_BANDIT_RADIUS_AUTHORS = 0, SS_BANDIT_RADIUS_ABBASI, SS_BANDIT_RADIUS_FIXED };

typedef struct {
  double lambda;          /* ridge regulariser */
  double delta;           /* confidence; 0 means 1/T */
  int radius;             /* SS_BANDIT_RADIUS_* */
  double beta;            /* the radius when radius is FIXED */
  double S;               /* Abbasi-Yadkori bound on ||theta*||; 0 means ||theta*|| */
  double L;               /* Abbasi-Yadkori bound on ||x||; 0 means sqrt(d) */
  int64_t warmup;         /* LinUCB / LinGreedy uniform warm-up rounds */
  int64_t refactor_every; /* rebuild V^{-1} from V by Cholesky every this many updates; 0 never */
} ss_bandit_mech_params;

void ss_bandit_mech_params_default(ss_bandit_mech_params *p);

typedef struct ss_bandit_mech ss_bandit_mech;

/* Creates mechanism `name` for env on c: each rank owns a block of arms. Collective
 * (only in that every rank must call it). */
int ss_bandit_mech_create(const char *name, ss_comm *c, const ss_bandit_env *env,
                          const ss_bandit_mech_params *p, ss_bandit_mech **m, ss_err *e);
void ss_bandit_mech_destroy(ss_bandit_mech **m);
const char *ss_bandit_mech_name(const ss_bandit_mech *m);
int ss_bandit_mech_count(void);
const char *ss_bandit_mech_name_at(int i);
int ss_bandit_mech_known(const char *name);
/* The radius the authors' code uses: sqrt(lambda) d + sqrt(2 log(1/delta) + d log((d + T d^2)/d lambda)). */
double ss_bandit_beta_authors(int d, int64_t T, double lambda, double delta);
/* The Abbasi-Yadkori radius after n updates. */
double ss_bandit_beta_abbasi(int d, int64_t n, double lambda, double delta, double S, double L);

/* ---- rollouts: T rounds of one mechanism against fixed reports ---- */
typedef struct {
  int64_t t;            /* 1-based round */
  int64_t arm;          /* played arm, -1 when every arm is eliminated */
  int forced;           /* chosen without scoring (warm-up, uniform play) */
  double best_mean;     /* max_a <theta*, x*_{t,a}> */
  double chosen_mean;   /* <theta*, x*_{t,arm}> (0 when arm < 0) */
  double reward;
} ss_bandit_round;

/* In-task checkpoints of a batch of rollouts in the middle of its rounds (docs/checkpoint.md,
 * src/bandit/rollout_state.c), set in o[0] of ss_bandit_rollouts (NULL: none; a stop then
 * restarts the batch). Every mechanism of the batch must save its state (bandit_mech.h). */
typedef struct ss_bandit_rollout_ckpt {
  /* the safe points' communicator: the task's ranks, which hold the rollouts' communicator;
   * those outside it call ss_bandit_rollout_shadow meanwhile (NULL: the rollouts' own) */
  ss_comm *task;
  const char *from; /* the batch's state to continue from (every rank of task), or NULL */
  size_t fromlen;
  /* rank 0 of the rollouts' communicator, at a block's safe point where the rollouts stop
   * (due = 0; they then return SS_EINTR) or a periodic checkpoint is due (due = 1): takes the
   * batch's state after round t (rec: malloc'd, the callee frees it). Not collective. */
  int (*put)(struct ss_bandit_rollout_ckpt *ck, int64_t t, char *rec, size_t len, int due, ss_err *e);
  /* every rank of task, after put, when a periodic checkpoint is due: writes it (collective). */
  int (*write)(struct ss_bandit_rollout_ckpt *ck, ss_err *e);
  void *ctx;
} ss_bandit_rollout_ckpt;

typedef struct {
  uint64_t rseed;        /* keys reward noise, warm-up and uniform play of this rollout */
  int details;           /* also eliminations, manipulation and theta error */
  int64_t curve_stride;  /* cumulative regret every stride rounds and at T; 0 none */
  double *curve;         /* ss_bandit_curve_len entries, or NULL */
  /* Called on every rank of c after every round (tests). */
  void (*observe)(void *ctx, const ss_bandit_round *r, const ss_bandit_mech *m);
  void *observe_ctx;
  void (*progress)(void *ctx, double fraction);
  void *progress_ctx;
  ss_bandit_rollout_ckpt *ckpt; /* o[0] only: in-task checkpoints of the batch (NULL: none) */
} ss_bandit_rollout_opts;

typedef struct {
  double regret;                  /* over all T rounds */
  int64_t all_eliminated_rounds;
  int64_t *selections;            /* K, caller's array */
  int64_t *eliminated;            /* K, caller's array: 1-based round or -1 (details only) */
  double manipulation;            /* ||X* - X||_F over all (t, a) (details only) */
  double theta_error;             /* see docs/bandit.md; NaN when there is no estimate */
} ss_bandit_outcome;

int64_t ss_bandit_curve_len(int64_t T, int64_t stride);
int64_t ss_bandit_curve_round(int64_t T, int64_t stride, int64_t k);
/* The randomness key of rollout `rollout` of epoch `epoch` (a keyed draw, never sequential). */
uint64_t ss_bandit_rollout_seed(uint64_t seed, int64_t epoch, int64_t rollout);
/* The standard normals of rounds t0 .. t0 + n - 1 of the rollout keyed by rseed (the reward
 * is the true mean plus noise_sd times round t's value, whichever arm is played; noise.c). */
void ss_bandit_noise_fill(uint64_t rseed, int64_t t0, int64_t n, double *z);

/* Runs one rollout. yrep (K x d) are the reported features, identical on every rank.
 * Results are identical on every rank of c. Collective over c. */
int ss_bandit_rollout(ss_comm *c, const ss_bandit_env *env, ss_bandit_mech *m, const double *yrep,
                      const ss_bandit_rollout_opts *o, ss_bandit_outcome *out, ss_err *e);
/* Runs n independent rollouts of the same env as a batch: m[k] (all created on c), reports
 * yrep[k], options o[k], results out[k]. They advance together in blocks of rounds and share
 * the user contexts, so a batch costs less than n single rollouts; every out[k] has the bits
 * ss_bandit_rollout would give. Memory: n mechanisms, plus a bounded context block.
 * Collective over c. */
int ss_bandit_rollouts(ss_comm *c, const ss_bandit_env *env, int n, ss_bandit_mech *const *m,
                       const double *const *yrep, const ss_bandit_rollout_opts *o,
                       ss_bandit_outcome *out, ss_err *e);

/* The ranks of ck->task outside the rollouts' communicator, while the rollouts run: the same
 * safe points (and periodic writes) as the rollouts, from the round ck->from continues at.
 * Returns SS_EINTR when the rollouts stop. Collective over ck->task. */
int ss_bandit_rollout_shadow(ss_bandit_rollout_ckpt *ck, int64_t T, ss_err *e);

/* ---- arm strategies ---- */
typedef struct {
  double eps, eta;        /* finite-difference step and learning rate */
  double step_scale;      /* the 1e-4 of the authors' step */
  double step_clip;       /* the 0.1 of the authors' step */
  const double *fixed;    /* K x d reported features of `fixed` */
} ss_bandit_strategy_params;

int ss_bandit_strategy_count(void);
const char *ss_bandit_strategy_name_at(int i);
int ss_bandit_strategy_known(const char *name);

/* ---- the epoch protocol (MODELS 2.3) ---- */
/* In-task checkpoints (docs/checkpoint.md): the epoch the protocol starts at and the reports
 * of that epoch's start (epoch 0: from the start; yrep then unused). At a stop by a signal
 * the protocol sets them to where it can continue (epoch 0: nothing to keep): the reports
 * after the last completed epoch's update. The sink has then been called for every epoch
 * before `epoch`. */
typedef struct ss_bandit_resume {
  int epoch;
  double *yrep; /* K x d, allocated by the caller */
  /* periodic in-task checkpoints (interrupt.h; NULL: none): called on every rank of c at a
   * safe point where one is due, with epoch and yrep set to the state there (the sink has been
   * called for every epoch before `epoch`; `epochs` as in the protocol); puts it into the
   * task's state. Not collective. */
  int (*save)(struct ss_bandit_resume *res, int epochs, ss_err *e);
  void *save_ctx;
  int64_t K; /* the sizes of yrep, for save */
  int d;
  /* the state of epoch `epoch`'s rollout after `round` rounds (epochs of one rollout: the
   * truthful and fixed strategies, the final evaluation; rollout_state.c), or NULL: on every
   * rank when the task resumes from it, on rank 0 of c after a stop or a periodic save there */
  char *rollout;
  size_t rollout_len;
  int64_t round;
} ss_bandit_resume;

typedef struct {
  const char *mechanism;
  const char *strategy;
  ss_bandit_mech_params mech;
  ss_bandit_strategy_params strat;
  int epochs;              /* adaptive strategies: epochs before the final evaluation */
  int crn;                 /* common random numbers across the rollouts of an epoch */
  int64_t curve_stride;
  int rollout_groups;      /* 0: one group per rank */
  ss_bandit_resume *resume; /* NULL: no in-task checkpoints */
} ss_bandit_protocol;

typedef struct {
  int epoch;
  int last;                     /* the final evaluation */
  double regret;
  int64_t all_eliminated_rounds;
  double manipulation;
  double theta_error;
  const int64_t *selections;    /* K */
  const int64_t *eliminated;    /* K */
  const double *reported;       /* K x d: the reports of this epoch */
  const double *curve;          /* rank 0 of c only, epoch 0 and the last; else NULL */
  int64_t ncurve;
} ss_bandit_epoch;

/* Runs every epoch; sink is called on every rank of c after each epoch with the same
 * values (except curve). progress gets the fraction done. Collective over c. */
int ss_bandit_protocol_run(ss_comm *c, const ss_bandit_env *env, const ss_bandit_protocol *pr,
                           void (*sink)(void *ctx, const ss_bandit_epoch *ep), void *sink_ctx,
                           void (*progress)(void *ctx, double fraction), void *progress_ctx,
                           ss_err *e);

#endif
