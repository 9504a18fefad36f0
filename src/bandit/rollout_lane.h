/* One rollout of a batch and its running totals (private to src/bandit: the rollout engine,
 * rollout.c, and its in-task checkpoints, rollout_state.c). */
#ifndef STRATSIM_BANDIT_ROLLOUT_LANE_H
#define STRATSIM_BANDIT_ROLLOUT_LANE_H

#include "stratsim/bandit.h"
#include "stratsim/interrupt.h"

typedef struct {
  ss_bandit_mech *m;
  const double *yrep;
  const ss_bandit_rollout_opts *o;
  ss_bandit_outcome *out;
  double regret;
  int64_t all_eliminated, ncurve;
  double *sq_base;   /* details: sum_t base^2, d (shared) or owned arms x d (iid) */
  double *noise;     /* the block's standard normals (ss_bandit_noise_fill), or NULL: not drawn */
  double *yl;        /* the owned arms' reports in lane layout for ops->score_all, or NULL */
} lane;

/* Before the first round, with o[0].ckpt set (every rank of ck->task but the shadows): loads
 * the state ck->from (if any, and no error is pending) into the n reset lanes and sets *start to
 * the round after it; then agrees over ck->task (or c) on that round with the shadows, which
 * carries a failed load (or an error pending on entry) to every rank. Collective over ck->task. */
int ss_bandit_lanes_begin(ss_comm *c, const ss_bandit_env *env, ss_bandit_rollout_ckpt *ck, lane *lanes, int n,
                          int64_t *start, ss_err *e);
/* The safe point after round t1 (a block's end, t1 < T) over ck->task (or c): at a stop or a due
 * periodic checkpoint the lanes' state goes to ck->put (rank 0 of c), and a due checkpoint is
 * written (ck->write). Returns SS_EINTR at a stop. Collective over ck->task. */
int ss_bandit_lanes_point(ss_comm *c, const ss_bandit_env *env, ss_bandit_rollout_ckpt *ck, lane *lanes, int n,
                          ss_safepoint *sp, int64_t t1, ss_err *e);

#endif
