/* Exact distributed order statistics and coordinate-wise medians.
 * k values per coordinate are spread over the ranks (any block sizes, zero allowed);
 * radix selection on the order-preserving integer image of each double finds the
 * requested order statistics with O(d) words per collective round and at most 8 rounds
 * (64-bit keys) plus one. Nothing is ever gathered. */
#ifndef STRATSIM_MEDIAN_H
#define STRATSIM_MEDIAN_H

#include <stdint.h>
#include "stratsim/par.h"

typedef enum { SS_MEDIAN_LOWER = 0, SS_MEDIAN_UPPER, SS_MEDIAN_MEAN } ss_median_kind;

/* Where the local values come from: rows [start, start+count) of a local n_local x d
 * row-major block are written to buf (count*d doubles). Lets callers regenerate values
 * instead of storing them. Each row is requested once per selection pass (at most 8), in
 * blocks of up to 4096 rows, and must come back with the same values every time. */
typedef struct {
  int64_t n_local;
  int d;
  void (*rows)(void *ctx, int64_t start, int64_t count, double *buf);
  void *ctx;
} ss_value_source;

/* For every coordinate j and every requested 1-based rank r[q] (1 <= r <= k, k the total
 * count), out[q*d + j] is the r[q]-th smallest value of coordinate j. Values must not be NaN.
 * Collective. Returns SS_EINPUT on NaN or out-of-range ranks (agreed on all ranks). These
 * selections agree on errors first: a rank may call them with an error pending in e (a failed
 * local step); then every rank returns that error and out is not written. */
int ss_par_order_stats(ss_comm *c, const ss_value_source *src, int nq, const int64_t *r,
                       double *out, ss_err *e);

/* Coordinate-wise median of local rows (n_local x d, row-major). Collective. */
int ss_par_median(ss_comm *c, const double *local, int64_t n_local, int d, ss_median_kind kind,
                  double *out, ss_err *e);
int ss_par_median_src(ss_comm *c, const ss_value_source *src, ss_median_kind kind, double *out,
                      ss_err *e);

/* Passes over the local values the last selection on this rank made (for benchmarks): 2 to 8,
 * fewer when the wanted values are isolated early (the selection stops once every selected
 * radix bin holds one value). */
extern int ss_median_last_passes;

/* The 1-based ranks that define the median of k values: (*r1, *r2) equal for odd k or for
 * lower/upper; the median is the mean of the two order statistics. Not collective. */
void ss_median_ranks(int64_t k, ss_median_kind kind, int64_t *r1, int64_t *r2);

/* The mean of the two middle order statistics, the one formula both the parallel and the
 * serial medians use: (a+b)*0.5, or a*0.5+b*0.5 when a+b overflows. Not collective. */
double ss_median_mean(double a, double b);

/* Serial reference: median of x[0..n) (x is sorted in place, must hold no NaN). Like the
 * parallel versions it reports a zero median as +0.0. Not collective. */
double ss_median_serial(double *x, int64_t n, ss_median_kind kind);

#endif
