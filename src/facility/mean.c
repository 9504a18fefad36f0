/* The mean mechanism: the facility is the average report. Its summary is the exact sum of
 * reports, so S_{-i} = S - r_i is exact and the best response clip(m p_i - S_{-i}) is the
 * same on every rank count. */
#include <math.h>
#include <stdlib.h>
#include "stratsim/facility.h"

static int mean_summarize(ss_comm *c, const ss_fac_params *p, const double *reports, int64_t n_local,
                          ss_fac_summary *s, ss_err *e)
{
  ss_fac_summary_free(s);
  s->D = p->D;
  s->sum = ss_calloc((size_t)p->D, sizeof *s->sum, e);
  for (int j = 0; !e->code && j < p->D; j++) {
    ss_xsum_init(&s->sum[j]);
    for (int64_t i = 0; i < n_local; i++) ss_xsum_add(&s->sum[j], reports[i * p->D + j]);
  }
  return ss_par_sum_xsum(c, s->sum, p->D, e); /* agrees on a pending error first */
}

/* S += new - old, exactly: the same on every rank, O(D) instead of a pass over all agents. */
static void mean_moved(ss_fac_summary *s, const ss_fac_params *p, const double *old, const double *new_report)
{
  for (int j = 0; j < p->D; j++) {
    ss_xsum_sub(&s->sum[j], old[j]);
    ss_xsum_add(&s->sum[j], new_report[j]);
  }
}

static double others_sum(const ss_fac_summary *s, int j, double r)
{
  ss_xsum rest = s->sum[j];
  ss_xsum_sub(&rest, r);
  return ss_xsum_value(&rest);
}

static double mean_outcome(const ss_fac_summary *s, const ss_fac_params *p, int j)
{
  return ss_xsum_value(&s->sum[j]) / (double)p->m;
}

static double mean_outcome_if(const ss_fac_summary *s, const ss_fac_params *p, int j, double r, double x)
{
  ss_xsum moved = s->sum[j];
  ss_xsum_sub(&moved, r);
  ss_xsum_add(&moved, x);
  return ss_xsum_value(&moved) / (double)p->m;
}

static double mean_best_report(const ss_fac_summary *s, const ss_fac_params *p, int j, double truth, double r)
{
  /* the agent can put the facility anywhere in [(lo + S)/m, (hi + S)/m]; aiming at its own
   * location needs the report m p - S_{-i}, clipped to the box */
  return ss_fac_clamp((double)p->m * truth - others_sum(s, j, r), p->lo, p->hi);
}

static int never(const ss_fac_params *p) { return 0; }

const ss_fac_mechanism ss_fac_mean = {
  .name = "mean",
  .strategyproof = never,
  .summarize = mean_summarize,
  .moved = mean_moved,
  .outcome = mean_outcome,
  .outcome_if = mean_outcome_if,
  .best_report = mean_best_report,
};
