/* OptGTM's state for checkpoints (the state ops of bandit_mech.h): per arm, its ridge estimate,
 * the summed lower bounds and rewards, its radius and its elimination round; nothing replicated
 * (log(1/delta) is set by reset). */
#include <string.h>
#include "optgtm_impl.h"

size_t ss_bandit_optgtm_state_bytes(const ss_bandit_mech *m, int per_arm)
{
  return per_arm ? ss_ridge_state_bytes(m->d) + 3 * sizeof(double) + sizeof(int64_t) : 0;
}

void ss_bandit_optgtm_save(const ss_bandit_mech *m, int64_t arm, unsigned char *buf)
{
  const optgtm *s = m->data;
  if (arm < 0) return;
  int64_t i = arm - m->lo;
  size_t r = ss_ridge_state_bytes(m->d);
  double v[3] = {s->lcb_sum[i], s->reward_sum[i], s->radius[i]};
  ss_ridge_save(&s->ridge[i], buf);
  memcpy(buf + r, v, sizeof v);
  memcpy(buf + r + sizeof v, &s->elim_round[i], sizeof(int64_t));
}

void ss_bandit_optgtm_load(ss_bandit_mech *m, int64_t arm, const unsigned char *buf)
{
  optgtm *s = m->data;
  if (arm < 0) return;
  int64_t i = arm - m->lo;
  size_t r = ss_ridge_state_bytes(m->d);
  double v[3];
  ss_ridge_load(&s->ridge[i], buf);
  memcpy(v, buf + r, sizeof v);
  memcpy(&s->elim_round[i], buf + r + sizeof v, sizeof(int64_t));
  s->lcb_sum[i] = v[0];
  s->reward_sum[i] = v[1];
  s->radius[i] = v[2];
}
