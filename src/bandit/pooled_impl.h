/* The pooled estimate of LinUCB and LinGreedy, private to src/bandit (linucb.c; its checkpoint
 * state: pooled_state.c), and the ops the two mechanisms share. */
#ifndef STRATSIM_BANDIT_POOLED_IMPL_H
#define STRATSIM_BANDIT_POOLED_IMPL_H

#include "stratsim/bandit_mech.h"
#include "stratsim/bandit_ridge.h"

typedef struct {
  int optimistic;
  ss_ridge ridge;
  double radius;   /* at the pooled update count (changes only on update) */
  double *mem, *work;
} pooled;

/* LinUCB and LinGreedy share the pooled estimate; LinGreedy is LinUCB with radius 0. */
int ss_bandit_pooled_create(ss_bandit_mech *m, int optimistic, ss_err *e);
void ss_bandit_pooled_destroy(ss_bandit_mech *m);
void ss_bandit_pooled_reset(ss_bandit_mech *m);
int64_t ss_bandit_pooled_forced(ss_bandit_mech *m, int64_t t);
double ss_bandit_pooled_score(ss_bandit_mech *m, int64_t arm, const double *x);
void ss_bandit_pooled_update(ss_bandit_mech *m, int64_t arm, const double *x, double r, int64_t t);
double ss_bandit_pooled_doubles(double owned, double d); /* one ridge state and its work space */
void ss_bandit_pooled_theta_error(const ss_bandit_mech *m, const double *theta, ss_xsum *werr,
                                  ss_xsum *w);
/* The pooled estimate's state (pooled_state.c): replicated, nothing per arm. */
size_t ss_bandit_pooled_state_bytes(const ss_bandit_mech *m, int per_arm);
void ss_bandit_pooled_save(const ss_bandit_mech *m, int64_t arm, unsigned char *buf);
void ss_bandit_pooled_load(ss_bandit_mech *m, int64_t arm, const unsigned char *buf);
/* The ops a pooled-estimate mechanism's table shares (linucb, lingreedy), in designated
 * initialiser form: `{.name = ..., .summary = ..., .create = ..., SS_BANDIT_POOLED_OPS}`. */
#define SS_BANDIT_POOLED_OPS                                                                     \
  .estimates = 1, .destroy = ss_bandit_pooled_destroy, .reset = ss_bandit_pooled_reset,           \
  .forced = ss_bandit_pooled_forced, .score = ss_bandit_pooled_score,                              \
  .update = ss_bandit_pooled_update, .theta_error = ss_bandit_pooled_theta_error,                   \
  .state_doubles = ss_bandit_pooled_doubles,                                 \
  .state_bytes = ss_bandit_pooled_state_bytes, .save = ss_bandit_pooled_save,                      \
  .load = ss_bandit_pooled_load

#endif
