/* The coordinate-wise median mechanism. Its summary is a window of order statistics around
 * the median ranks, found by the exact distributed selection (nothing is gathered). With
 * one report r removed, the others' j-th order statistic is v_j if r > v_j, else v_{j+1};
 * the q-th order statistic with a new report x is clamp(x, o_{q-1}, o_q). That gives every
 * unilateral deviation exactly, so best responses are computed, not assumed. */
#include <math.h>
#include <stdlib.h>
#include "stratsim/facility.h"

typedef struct {
  const double *rows;
  int D;
} block;

static void rows_of(void *ctx, int64_t start, int64_t count, double *buf)
{
  const block *b = ctx;
  for (int64_t i = 0; i < count * b->D; i++) buf[i] = b->rows[start * b->D + i];
}

static int median_summarize(ss_comm *c, const ss_fac_params *p, const double *reports,
                            int64_t n_local, ss_fac_summary *s, ss_err *e)
{
  int64_t q1, q2;
  ss_median_ranks(p->m, p->median, &q1, &q2);
  ss_fac_summary_free(s);
  s->D = p->D;
  s->first = q1 - 1;
  s->width = (int)(q2 - q1 + 3);
  int64_t ranks[4];
  int nq = 0;
  for (int w = 0; w < s->width; w++)
    if (s->first + w >= 1 && s->first + w <= p->m) ranks[nq++] = s->first + w;
  double *stats = ss_calloc((size_t)nq * p->D, sizeof *stats, e);
  s->window = ss_calloc((size_t)s->width * p->D, sizeof *s->window, e);
  /* a failed allocation is pending in e: the selection agrees on it before communicating */
  block b = {reports, p->D};
  ss_value_source src = {n_local, p->D, rows_of, &b};
  int rc = ss_par_order_stats(c, &src, nq, ranks, stats, e);
  for (int j = 0; !rc && j < p->D; j++) {
    int q = 0;
    for (int w = 0; w < s->width; w++) {
      int64_t rank = s->first + w;
      s->window[j * s->width + w] = rank < 1 ? -INFINITY : rank > p->m ? INFINITY : stats[q++ * p->D + j];
    }
  }
  free(stats);
  return rc;
}

static double v_at(const ss_fac_summary *s, int j, int64_t rank)
{
  return s->window[j * s->width + (rank - s->first)];
}

/* The others' rank-th order statistic when the report r is taken out (1 <= rank <= m-1;
 * rank 0 is -inf and rank m is +inf). */
static double others_at(const ss_fac_summary *s, const ss_fac_params *p, int j, double r, int64_t rank)
{
  if (rank < 1) return -INFINITY;
  if (rank > p->m - 1) return INFINITY;
  double v = v_at(s, j, rank);
  return r > v ? v : v_at(s, j, rank + 1);
}

static double median_outcome(const ss_fac_summary *s, const ss_fac_params *p, int j)
{
  int64_t q1, q2;
  ss_median_ranks(p->m, p->median, &q1, &q2);
  return q1 == q2 ? v_at(s, j, q1) : ss_median_mean(v_at(s, j, q1), v_at(s, j, q2));
}

static double median_outcome_if(const ss_fac_summary *s, const ss_fac_params *p, int j, double r, double x)
{
  int64_t q1, q2;
  ss_median_ranks(p->m, p->median, &q1, &q2);
  double a = ss_fac_clamp(x, others_at(s, p, j, r, q1 - 1), others_at(s, p, j, r, q1));
  if (q1 == q2) return a;
  double b = ss_fac_clamp(x, others_at(s, p, j, r, q2 - 1), others_at(s, p, j, r, q2));
  return ss_median_mean(a, b);
}

static double median_best_report(const ss_fac_summary *s, const ss_fac_params *p, int j, double truth,
                                 double r)
{
  int64_t q1, q2;
  ss_median_ranks(p->m, p->median, &q1, &q2);
  /* the outcome is monotone in x, so the reachable set is [f(lo), f(hi)] */
  double target = ss_fac_clamp(truth, median_outcome_if(s, p, j, r, p->lo), median_outcome_if(s, p, j, r, p->hi));
  if (q1 == q2) return ss_fac_clamp(target, p->lo, p->hi);
  /* mean of two middle values: f(x) = (clamp(x,o_{q1-1},o_q1) + clamp(x,o_q1,o_{q1+1}))/2 */
  return ss_fac_clamp(2 * target - others_at(s, p, j, r, q1), p->lo, p->hi);
}

/* Only a median that is one order statistic is strategyproof; the mean of two is not. */
static int one_order_statistic(const ss_fac_params *p)
{
  int64_t q1, q2;
  ss_median_ranks(p->m, p->median, &q1, &q2);
  return q1 == q2;
}

const ss_fac_mechanism ss_fac_median = {
  .name = "median",
  .strategyproof = one_order_statistic,
  .summarize = median_summarize,
  .outcome = median_outcome,
  .outcome_if = median_outcome_if,
  .best_report = median_best_report,
};
