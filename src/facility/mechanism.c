/* The facility mechanism registry and what every mechanism shares: an agent's cost under
 * a deviation and its exact best response, coordinate by coordinate (L1 cost separates). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/facility.h"
#include "stratsim/plugin.h"

extern const ss_fac_mechanism ss_fac_mean, ss_fac_median;
static const void *const mechanisms[] = {
  &ss_fac_mean,
  &ss_fac_median,
};

const ss_plugin_family ss_fac_mechanisms = {
  .what = "mechanism",
  .key = "facility.mechanisms",
  .items = mechanisms,
  .n = SS_PLUGIN_COUNT(mechanisms),
};

int ss_fac_mechanism_count(void) { return ss_plugin_count(&ss_fac_mechanisms); }
const ss_fac_mechanism *ss_fac_mechanism_at(int i) { return ss_plugin_at(&ss_fac_mechanisms, i); }
const ss_fac_mechanism *ss_fac_mechanism_find(const char *name)
{
  return ss_plugin_find(&ss_fac_mechanisms, name);
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
