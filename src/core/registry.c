/* The registry of experiments: lookup by name over the list ss_experiments (experiment.h),
 * which the top layer defines (src/experiments.c) so that this layer names no simulator. Plain
 * strong references throughout, so the program links the same from a static library. */
#include <stddef.h>
#include <string.h>
#include "stratsim/experiment.h"

int ss_experiment_count(void)
{
  int n = 0;
  while (ss_experiments[n]) n++;
  return n;
}

const ss_experiment_ops *ss_experiment_at(int i)
{
  return i >= 0 && i < ss_experiment_count() ? ss_experiments[i] : NULL;
}

const ss_experiment_ops *ss_experiment_find(const char *name)
{
  for (int i = 0; ss_experiments[i]; i++)
    if (name && !strcmp(ss_experiments[i]->name, name)) return ss_experiments[i];
  return NULL;
}
