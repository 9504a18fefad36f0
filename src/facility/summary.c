/* What the mechanisms share (stratsim/facility.h): freeing a summary and clamping a report to
 * an interval. A leaf below the mechanisms and their registry (mechanism.c), so no mechanism
 * calls back into the file that lists it (no circle, scripts/check_arch.py --objects). */
#include <stdlib.h>
#include "stratsim/facility.h"

void ss_fac_summary_free(ss_fac_summary *s)
{
  free(s->sum);
  free(s->window);
  s->sum = NULL;
  s->window = NULL;
}

double ss_fac_clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }
