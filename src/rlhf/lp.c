/* Dense two-phase tableau simplex for max c^T x, A x = b, x >= 0 (include/stratsim/rlhf_lp.h).
 *
 * The tableau holds the m constraint rows, the artificial columns (one per row, used only by
 * phase I) and an objective row of reduced costs d_j = c_B B^-1 A_j - c_j (optimal when every
 * d_j >= -tol). Pricing is Dantzig's (most negative d_j) with the largest pivot among tied
 * ratios; after a run of degenerate pivots it switches to Bland's rule (smallest entering
 * index, smallest leaving basic index among ties) until a pivot makes progress. Bland's rule
 * cannot cycle and every non-degenerate pivot strictly raises the objective, so the method
 * terminates. At the end the basic solution and the duals are recomputed from the original
 * A, b, c by an LU solve with the optimal basis, which removes the rounding the pivots
 * accumulated. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf_lp.h"
#include "stratsim/rlhf.h"
#include "linalg.h"

#define DEGENERATE_RUN 8 /* degenerate pivots in a row before Bland's rule takes over */

typedef struct {
  int m, n, w;   /* rows, structural columns, row stride (n + m + 1) */
  double *T;     /* (m + 1) x w */
  int *basis;    /* m */
  double piv_tol, opt_tol;
  int iterations, bland_pivots;
} tableau;

#define TAB(t, i, j) ((t)->T[(size_t)(i) * (t)->w + (j)])

static void pivot(tableau *t, int r, int e)
{
  int w = t->w;
  double *pr = t->T + (size_t)r * w;
  double inv = 1.0 / pr[e];
  rlhf_vec_scale(pr, inv, w);
  pr[e] = 1.0;
  for (int i = 0; i <= t->m; i++) {
    if (i == r) continue;
    double *pi = t->T + (size_t)i * w;
    double f = pi[e];
    if (f == 0.0) continue;
    rlhf_vec_sub_scaled(pi, f, pr, w);
    pi[e] = 0.0;
  }
  t->basis[r] = e;
  t->iterations++;
}

/* Primal simplex on the current (feasible) tableau; columns >= ncols never enter. */
static int simplex(tableau *t, int ncols, int max_iter)
{
  int m = t->m, rhs = t->w - 1, bland = 0, degenerate = 0;
  while (t->iterations < max_iter) {
    const double *obj = t->T + (size_t)m * t->w;
    int e = -1;
    double best = -t->opt_tol;
    for (int j = 0; j < ncols; j++) {
      if (obj[j] < best) {
        e = j;
        if (bland) break;
        best = obj[j];
      }
    }
    if (e < 0) return RLHF_LP_OPTIMAL;
    int r = -1;
    double ratio = INFINITY;
    for (int i = 0; i < m; i++) {
      double a = TAB(t, i, e);
      if (a <= t->piv_tol) continue;
      double v = TAB(t, i, rhs);
      double q = (v > 0 ? v : 0) / a;
      if (r < 0 || q < ratio - 1e-12 * (1 + ratio)) {
        r = i;
        ratio = q;
      } else if (q <= ratio + 1e-12 * (1 + ratio)) {
        /* a tie: Bland leaves the smallest basic index; Dantzig the largest pivot */
        if (bland ? t->basis[i] < t->basis[r] : a > TAB(t, r, e)) r = i, ratio = q < ratio ? q : ratio;
      }
    }
    if (r < 0) return RLHF_LP_UNBOUNDED;
    if (ratio <= 0) {
      if (++degenerate >= DEGENERATE_RUN) bland = 1;
    } else {
      degenerate = 0;
      bland = 0;
    }
    t->bland_pivots += bland;
    pivot(t, r, e);
  }
  return RLHF_LP_ITERLIMIT;
}

/* Fills the tableau [A | I | b] with the objective row of costs cost (length n + m). */
static void load(tableau *t, const double *A, const double *b, int flip_negative)
{
  int m = t->m, n = t->n, w = t->w;
  memset(t->T, 0, (size_t)(m + 1) * w * sizeof *t->T);
  for (int i = 0; i < m; i++) {
    double s = (flip_negative && b[i] < 0) ? -1.0 : 1.0;
    for (int j = 0; j < n; j++) TAB(t, i, j) = s * A[(size_t)i * n + j];
    TAB(t, i, n + i) = 1.0;
    TAB(t, i, w - 1) = s * b[i];
  }
}

/* Objective row for costs c on the structural columns (artificials cost art_cost). */
static void price(tableau *t, const double *c, double art_cost)
{
  int m = t->m, n = t->n, w = t->w;
  double *obj = t->T + (size_t)m * w;
  for (int j = 0; j < w; j++) obj[j] = j < n ? (c ? -c[j] : 0.0) : (j < n + m ? -art_cost : 0.0);
  for (int i = 0; i < m; i++) {
    int bj = t->basis[i];
    double cb = bj < n ? (c ? c[bj] : 0.0) : art_cost;
    if (cb == 0.0) continue;
    const double *row = t->T + (size_t)i * w;
    for (int j = 0; j < w; j++) obj[j] += cb * row[j];
  }
}

/* Makes the candidate columns basic by Gauss-Jordan pivots; 0 if the basis is nonsingular and
 * primal feasible. */
static int warm_start(tableau *t, const int *cand, double feas_tol)
{
  int m = t->m, n = t->n, rhs = t->w - 1;
  for (int i = 0; i < m; i++) t->basis[i] = n + i;
  for (int q = 0; q < m; q++) {
    int col = cand[q];
    if (col < 0 || col >= n) return -1;
    int r = -1;
    double best = 1e-9;
    for (int i = 0; i < m; i++) {
      if (t->basis[i] < n) continue; /* row already has a structural basic column */
      if (fabs(TAB(t, i, col)) > best) {
        best = fabs(TAB(t, i, col));
        r = i;
      }
    }
    if (r < 0) return -1;
    pivot(t, r, col);
  }
  for (int i = 0; i < m; i++) {
    if (TAB(t, i, rhs) < -feas_tol) return -1;
    if (TAB(t, i, rhs) < 0) TAB(t, i, rhs) = 0;
  }
  t->iterations = 0;
  return 0;
}

/* Recomputes x_B and y from the original data with the final basis (LU, partial pivoting).
 * Returns -1 when out of memory (the solve then reports RLHF_LP_NOMEM: an unrefined answer
 * would silently change results). */
static int refine(const tableau *t, const double *A, const double *b, const double *c,
                   double *x, double *y)
{
  int m = t->m, n = t->n;
  double *B = ss_malloc((size_t)m * m * sizeof *B, NULL), *v = ss_malloc((size_t)m * sizeof *v, NULL);
  int *piv = ss_malloc((size_t)m * sizeof *piv, NULL);
  int ok = B && v && piv;
  if (ok && x) {
    for (int i = 0; i < m; i++)
      for (int r = 0; r < m; r++) {
        int bj = t->basis[r];
        B[i * m + r] = bj < n ? A[(size_t)i * n + bj] : (bj - n == i);
      }
    memcpy(v, b, (size_t)m * sizeof *v);
    if (!rlhf_lu_solve(B, m, v, piv)) {
      int good = 1;
      for (int r = 0; r < m; r++)
        if (v[r] < -1e-9 * (1 + fabs(v[r]))) good = 0;
      if (good)
        for (int r = 0; r < m; r++)
          if (t->basis[r] < n) x[t->basis[r]] = v[r] > 0 ? v[r] : 0;
    }
  }
  if (ok && y) {
    for (int r = 0; r < m; r++) {
      int bj = t->basis[r];
      for (int i = 0; i < m; i++) B[r * m + i] = bj < n ? A[(size_t)i * n + bj] : (bj - n == i);
      v[r] = bj < n ? c[bj] : 0.0;
    }
    if (!rlhf_lu_solve(B, m, v, piv)) memcpy(y, v, (size_t)m * sizeof *y);
  }
  free(B);
  free(v);
  free(piv);
  return ok ? 0 : -1;
}

/* Phase I: artificials on every row (rows flipped so that b >= 0), maximise -sum(art); then
 * zero-level artificials leave the basis where a structural column can replace them. */
static int phase_one(tableau *t, const double *A, const double *b, double feas_tol, int max_iter)
{
  int m = t->m, n = t->n;
  load(t, A, b, 1);
  for (int i = 0; i < m; i++) t->basis[i] = n + i;
  price(t, NULL, -1.0);
  int rc = simplex(t, n, max_iter);
  double infeas = -TAB(t, m, t->w - 1);
  if (rc == RLHF_LP_OPTIMAL && infeas > feas_tol * (1 + m)) rc = RLHF_LP_INFEASIBLE;
  if (rc != RLHF_LP_OPTIMAL) return rc;
  for (int i = 0; i < m; i++) {
    if (t->basis[i] < n) continue;
    int e = -1;
    double best = t->piv_tol;
    for (int j = 0; j < n; j++)
      if (fabs(TAB(t, i, j)) > best) {
        best = fabs(TAB(t, i, j));
        e = j;
      }
    if (e >= 0) pivot(t, i, e);
    TAB(t, i, t->w - 1) = fabs(TAB(t, i, t->w - 1)) <= feas_tol ? 0.0 : TAB(t, i, t->w - 1);
  }
  return rc;
}

/* The optimal tableau's x and y (y_i = -d of artificial column i; refined afterwards). */
static void solution(const tableau *t, const double *b, int phase1, double *x, double *y)
{
  int m = t->m, n = t->n;
  if (x) {
    memset(x, 0, (size_t)n * sizeof *x);
    for (int i = 0; i < m; i++)
      if (t->basis[i] < n) x[t->basis[i]] = fmax(TAB(t, i, t->w - 1), 0.0);
  }
  if (y)
    for (int i = 0; i < m; i++) y[i] = (phase1 && b[i] < 0 ? -1.0 : 1.0) * TAB(t, m, n + i);
}

int rlhf_lp_solve(int m, int n, const double *A, const double *b, const double *c, int *basis,
                  double *x, double *y, rlhf_lp_info *info)
{
  rlhf_lp_info dummy;
  if (!info) info = &dummy;
  memset(info, 0, sizeof *info);
  tableau t;
  memset(&t, 0, sizeof t);
  t.m = m;
  t.n = n;
  t.w = n + m + 1;
  t.T = ss_malloc((size_t)(m + 1) * t.w * sizeof *t.T, NULL);
  t.basis = ss_malloc((size_t)(m > 0 ? m : 1) * sizeof *t.basis, NULL);
  if (!t.T || !t.basis) {
    free(t.T);
    free(t.basis);
    return RLHF_LP_NOMEM;
  }
  double amax = 0, bmax = 0, cmax = 0;
  /* (a > max ? a : max) is fmax for these non-NaN-producing maxima, without a libm call */
  for (size_t q = 0; q < (size_t)m * n; q++) amax = fabs(A[q]) > amax ? fabs(A[q]) : amax;
  for (int i = 0; i < m; i++) bmax = fabs(b[i]) > bmax ? fabs(b[i]) : bmax;
  for (int j = 0; j < n; j++) cmax = fabs(c[j]) > cmax ? fabs(c[j]) : cmax;
  t.piv_tol = 1e-9 * (amax > 0 ? amax : 1);
  t.opt_tol = 1e-11 * (1 + cmax);
  double feas_tol = 1e-9 * (1 + bmax);
  int max_iter = 50 * (m + n) + 1000;
  int rc = RLHF_LP_OPTIMAL;

  int warm = 0;
  if (basis) {
    load(&t, A, b, 0);
    warm = !warm_start(&t, basis, feas_tol);
  }
  if (!warm) {
    info->phase1 = 1;
    rc = phase_one(&t, A, b, feas_tol, max_iter);
  }
  if (!warm && rc != RLHF_LP_OPTIMAL) goto out;
  price(&t, c, 0.0);
  rc = simplex(&t, n, max_iter);
  if (rc == RLHF_LP_OPTIMAL) {
    solution(&t, b, info->phase1, x, y);
    if (refine(&t, A, b, c, x, y)) rc = RLHF_LP_NOMEM;
    if (basis) memcpy(basis, t.basis, (size_t)m * sizeof *basis);
  }
out:
  info->iterations = t.iterations;
  info->bland_pivots = t.bland_pivots;
  if (rc == RLHF_LP_OPTIMAL) {
    double o = 0;
    if (x)
      for (int j = 0; j < n; j++) o += c[j] * x[j];
    else
      o = TAB(&t, m, t.w - 1);
    info->objective = o;
  }
  free(t.T);
  free(t.basis);
  return rc;
}
