/* The active / eliminated ops of the eliminating mechanisms (elimination.h). */
#include "elimination.h"

int64_t ss_bandit_elim_round(const ss_bandit_mech *m, int64_t arm)
{
  const ss_bandit_elim_record *s = m->data;
  return s->elim_round[arm - m->lo];
}

int ss_bandit_elim_active(const ss_bandit_mech *m, int64_t arm) { return ss_bandit_elim_round(m, arm) < 0; }
