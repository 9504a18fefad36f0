/* The pooled estimate's state for checkpoints (LinUCB, LinGreedy; the state ops of
 * bandit_mech.h): the ridge estimate and its radius, replicated on every rank; nothing per arm. */
#include <string.h>
#include "pooled_impl.h"

size_t ss_bandit_pooled_state_bytes(const ss_bandit_mech *m, int per_arm)
{
  return per_arm ? 0 : ss_ridge_state_bytes(m->d) + sizeof(double);
}

void ss_bandit_pooled_save(const ss_bandit_mech *m, int64_t arm, unsigned char *buf)
{
  const pooled *s = m->data;
  if (arm >= 0) return;
  ss_ridge_save(&s->ridge, buf);
  memcpy(buf + ss_ridge_state_bytes(m->d), &s->radius, sizeof(double));
}

void ss_bandit_pooled_load(ss_bandit_mech *m, int64_t arm, const unsigned char *buf)
{
  pooled *s = m->data;
  if (arm >= 0) return;
  ss_ridge_load(&s->ridge, buf);
  memcpy(&s->radius, buf + ss_ridge_state_bytes(m->d), sizeof(double));
}
