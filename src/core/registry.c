/* The registry of experiments. Simulators are linked in as weak references so that the
 * program builds with any subset of them; the order here is the order of --help. */
#include <stddef.h>
#include <string.h>
#include "stratsim/experiment.h"

extern const ss_experiment_ops ss_facility_experiment __attribute__((weak));
extern const ss_experiment_ops ss_rlhf_experiment __attribute__((weak));
extern const ss_experiment_ops ss_bandit_experiment __attribute__((weak));

static const ss_experiment_ops *all(int i)
{
  const ss_experiment_ops *list[] = {&ss_facility_experiment, &ss_rlhf_experiment,
                                     &ss_bandit_experiment};
  int n = 0;
  for (size_t j = 0; j < sizeof list / sizeof list[0]; j++) {
    if (!list[j]) continue;
    if (n++ == i) return list[j];
  }
  return NULL;
}

int ss_experiment_count(void)
{
  int n = 0;
  while (all(n)) n++;
  return n;
}

const ss_experiment_ops *ss_experiment_at(int i) { return all(i); }

const ss_experiment_ops *ss_experiment_find(const char *name)
{
  for (int i = 0; all(i); i++)
    if (name && !strcmp(all(i)->name, name)) return all(i);
  return NULL;
}
