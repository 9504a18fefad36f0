/* A ridge-regression state for the bandit hot loop: V = lambda I + sum x x^T, b = sum r x,
 * and V^{-1} kept up to date by Sherman-Morrison (O(d^2) per update). V and V^{-1} are
 * symmetric and stored packed (upper triangle, row by row); every few updates V^{-1} is
 * rebuilt from V by a Cholesky factorisation so that rounding drift cannot build up. */
#ifndef STRATSIM_BANDIT_RIDGE_H
#define STRATSIM_BANDIT_RIDGE_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/bandit.h"

typedef struct {
  int d;
  double lambda;
  double *vinv;    /* packed upper: d(d+1)/2 */
  double *v;       /* packed upper: d(d+1)/2 */
  double *b;       /* d */
  double *theta;   /* d: V^{-1} b */
  int64_t n;       /* updates since reset */
  int64_t since_refactor;
} ss_ridge;

/* Doubles of storage one state needs (the caller allocates them, e.g. one slab per rank). */
size_t ss_ridge_ndoubles(int d);
/* Doubles of scratch ss_ridge_update / ss_ridge_refactor need. */
size_t ss_ridge_nwork(int d);
/* Points r at mem (ss_ridge_ndoubles(d) doubles) and resets it. */
void ss_ridge_attach(ss_ridge *r, int d, double lambda, double *mem);
void ss_ridge_reset(ss_ridge *r);
/* x^T V^{-1} x = sum_i x_i (M_ii x_i + 2 sum_{j>i} M_ij x_j): half a full product. */
double ss_ridge_qform(const ss_ridge *r, const double *x);
/* <theta, x> + s sqrt(x^T V^{-1} x): the upper confidence bound with s = beta, the lower
 * one with s = -beta. Unrolled for d <= 8; the same bits as the separate calls. */
double ss_ridge_bound(const ss_ridge *r, const double *x, double s);
/* ss_ridge_bound of the report x = base ⊙ y (written to x, d doubles): one call per arm
 * for the shared-context scoring loop. */
double ss_ridge_bound_report(const ss_ridge *r, const double *base, const double *y, double s,
                             double *x);
/* ---- many arms at once (ridge_lanes.c), d <= SS_RIDGE_LANES_MAX_D ----
 * Four arms per SIMD vector, each with the bits of its own ss_ridge_bound_report. Reports come
 * in lane layout: groups of four arms, each group d x 4 doubles (coordinate j of arms
 * 4g..4g+3 together, padding 0). */
enum { SS_RIDGE_LANES_MAX_D = 8 };
/* Doubles of the lane layout of n arms' reports. */
size_t ss_ridge_lanes_ny(int64_t n, int d);
/* y (n x d, one row per arm) into lane layout yl. */
void ss_ridge_lanes_reports(int64_t n, int d, const double *y, double *yl);
/* Doubles of a cache of n per-arm states in lane layout (V^{-1}, theta and radius per arm). */
size_t ss_ridge_lanes_ndoubles(int64_t n, int d);
/* Marks every cached state stale: at reset, so that the next ss_ridge_lanes_bounds copies every
 * state (also a state loaded after the reset). */
void ss_ridge_lanes_invalidate(double *cache, int64_t n, int d);
/* Copies state i and its radius into the cache: after every change of one state (an update). */
void ss_ridge_lanes_set(double *cache, int64_t i, const ss_ridge *r, double radius);
/* out[i] = ss_ridge_bound_report(&states[i], base, y_i, radius[i], .) for i < n, y in lane
 * layout, from the cache (first refilled from every state if stale). */
void ss_ridge_lanes_bounds(double *cache, const ss_ridge *states, const double *radius, int64_t n,
                           const double *base, const double *yl, double *out);
/* The same for one pooled state r and radius for all n arms (no cache). */
void ss_ridge_pooled_bounds(const ss_ridge *r, double radius, int64_t n, const double *base,
                            const double *yl, double *out);
/* <theta, x> */
static inline double ss_ridge_mean(const ss_ridge *r, const double *x)
{
  return ss_bandit_dot(r->theta, x, r->d);
}
/* Adds (x, y): Sherman-Morrison on V^{-1}, V += x x^T, b += y x, theta = V^{-1} b.
 * Every refactor_every updates (0: never) V^{-1} is rebuilt from V. */
void ss_ridge_update(ss_ridge *r, const double *x, double y, int64_t refactor_every, double *work);
/* ss_ridge_update, then ss_ridge_bound(r, x, s) under the updated estimate (the same bits as the
 * two calls; OptGTM's post-update lower bound). */
double ss_ridge_update_bound(ss_ridge *r, const double *x, double y, int64_t refactor_every,
                             double *work, double s);
/* Rebuilds V^{-1} from V (Cholesky) and theta; returns -1 if V is not positive definite
 * (V^{-1} is then left as it was). */
int ss_ridge_refactor(ss_ridge *r, double *work);
/* Packed upper index of (i, j), i <= j. */
static inline size_t ss_ridge_at(int d, int i, int j)
{
  return (size_t)i * (size_t)d - (size_t)i * (size_t)(i - 1) / 2 + (size_t)(j - i);
}
/* max_ij |(V V^{-1} - I)_ij|, for tests and drift checks. */
double ss_ridge_drift(const ss_ridge *r, double *work);

/* The state of r for checkpoints (src/bandit/ridge_state.c): its storage (V^{-1}, theta, b,
 * V: every bit, so that the Sherman-Morrison drift continues exactly), n and since_refactor.
 * ss_ridge_state_bytes(d) bytes; load into a state attached with the same d and lambda. */
size_t ss_ridge_state_bytes(int d);
void ss_ridge_save(const ss_ridge *r, unsigned char *buf);
void ss_ridge_load(ss_ridge *r, const unsigned char *buf);

#endif
