/* The facility mechanism registry and what every mechanism shares: an agent's cost under
 * a deviation and its exact best response, coordinate by coordinate (L1 cost separates). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/facility.h"

extern const ss_fac_mechanism ss_fac_mean, ss_fac_median;
static const ss_fac_mechanism *const registry[] = {&ss_fac_mean, &ss_fac_median};

int ss_fac_mechanism_count(void) { return (int)(sizeof registry / sizeof registry[0]); }
const ss_fac_mechanism *ss_fac_mechanism_at(int i) { return registry[i]; }
const ss_fac_mechanism *ss_fac_mechanism_find(const char *name)
{
  for (int i = 0; i < ss_fac_mechanism_count(); i++)
    if (!strcmp(registry[i]->name, name)) return registry[i];
  return NULL;
}

void ss_fac_summary_free(ss_fac_summary *s)
{
  free(s->sum);
  free(s->window);
  s->sum = NULL;
  s->window = NULL;
}

void ss_fac_outcome(const ss_fac_mechanism *mech, const ss_fac_summary *s, const ss_fac_params *p,
                    double *f)
{
  for (int j = 0; j < p->D; j++) f[j] = mech->outcome(s, p, j);
}

double ss_fac_cost_if(const ss_fac_mechanism *mech, const ss_fac_summary *s, const ss_fac_params *p,
                      const double *truth, const double *r, const double *x)
{
  double cost = 0;
  for (int j = 0; j < p->D; j++) cost += fabs(mech->outcome_if(s, p, j, r[j], x[j]) - truth[j]);
  return cost;
}

double ss_fac_best_response(const ss_fac_mechanism *mech, const ss_fac_summary *s,
                            const ss_fac_params *p, const double *truth, const double *r, double *br)
{
  double gain = 0;
  for (int j = 0; j < p->D; j++) {
    double keep = fabs(mech->outcome_if(s, p, j, r[j], r[j]) - truth[j]);
    double x = mech->best_report(s, p, j, truth[j], r[j]);
    double moved = fabs(mech->outcome_if(s, p, j, r[j], x) - truth[j]);
    if (keep - moved > p->tol) {
      br[j] = x;
      gain += keep - moved;
    } else {
      br[j] = r[j];
    }
  }
  return gain;
}
