/* GGTM's state for checkpoints (the state ops of bandit_mech.h): per arm, the summed claimed
 * values and rewards, the update count and the elimination round; nothing replicated. */
#include <string.h>
#include "ggtm_impl.h"

size_t ss_bandit_ggtm_state_bytes(const ss_bandit_mech *m, int per_arm)
{
  return per_arm ? 2 * sizeof(double) + 2 * sizeof(int64_t) : 0;
}

void ss_bandit_ggtm_save(const ss_bandit_mech *m, int64_t arm, unsigned char *buf)
{
  const ggtm *s = m->data;
  if (arm < 0) return;
  int64_t i = arm - m->lo, n[2] = {s->n[i], s->elim_round[i]};
  double v[2] = {s->claimed_sum[i], s->reward_sum[i]};
  memcpy(buf, v, sizeof v);
  memcpy(buf + sizeof v, n, sizeof n);
}

void ss_bandit_ggtm_load(ss_bandit_mech *m, int64_t arm, const unsigned char *buf)
{
  ggtm *s = m->data;
  if (arm < 0) return;
  int64_t i = arm - m->lo, n[2];
  double v[2];
  memcpy(v, buf, sizeof v);
  memcpy(n, buf + sizeof v, sizeof n);
  s->claimed_sum[i] = v[0];
  s->reward_sum[i] = v[1];
  s->n[i] = n[0];
  s->elim_round[i] = n[1];
}
