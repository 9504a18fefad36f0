/* The dense simplex (src/rlhf/lp.c) against independent evidence: brute-force enumeration of
 * every basis of tiny standard-form LPs (the optimum of a bounded feasible LP is attained at a
 * basic feasible solution), hand-solved LPs, Chvatal's cycling example (degenerate: Dantzig's
 * rule with smallest-index ties cycles on it), redundant rows, infeasible and unbounded LPs,
 * and warm starts. Duals are checked by weak duality (A^T y >= c) and equal objectives. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf_lp.h"
#include "stratsim/rng.h"
#include "unit.h"

/* Gaussian elimination with partial pivoting on a copy; 0 if singular. */
static int solve_dense(int m, const double *B, const double *b, double *x)
{
  double a[8 * 9];
  for (int i = 0; i < m; i++) {
    for (int j = 0; j < m; j++) a[i * (m + 1) + j] = B[i * m + j];
    a[i * (m + 1) + m] = b[i];
  }
  for (int k = 0; k < m; k++) {
    int p = k;
    for (int i = k + 1; i < m; i++)
      if (fabs(a[i * (m + 1) + k]) > fabs(a[p * (m + 1) + k])) p = i;
    if (fabs(a[p * (m + 1) + k]) < 1e-10) return 0;
    for (int j = 0; j <= m; j++) {
      double t = a[k * (m + 1) + j];
      a[k * (m + 1) + j] = a[p * (m + 1) + j];
      a[p * (m + 1) + j] = t;
    }
    for (int i = 0; i < m; i++) {
      if (i == k) continue;
      double f = a[i * (m + 1) + k] / a[k * (m + 1) + k];
      for (int j = k; j <= m; j++) a[i * (m + 1) + j] -= f * a[k * (m + 1) + j];
    }
  }
  for (int i = 0; i < m; i++) x[i] = a[i * (m + 1) + m] / a[i * (m + 1) + i];
  return 1;
}

/* Best objective over all basic feasible solutions; -INFINITY if none is feasible. */
static double enumerate(int m, int n, const double *A, const double *b, const double *c)
{
  double best = -INFINITY;
  int idx[8];
  for (int i = 0; i < m; i++) idx[i] = i;
  for (;;) {
    double B[64], xb[8];
    for (int i = 0; i < m; i++)
      for (int r = 0; r < m; r++) B[i * m + r] = A[i * n + idx[r]];
    if (solve_dense(m, B, b, xb)) {
      int feas = 1;
      double v = 0;
      for (int r = 0; r < m; r++) {
        if (xb[r] < -1e-10) feas = 0;
        v += c[idx[r]] * xb[r];
      }
      if (feas && v > best) best = v;
    }
    int i = m - 1; /* next combination */
    while (i >= 0 && idx[i] == n - m + i) i--;
    if (i < 0) break;
    idx[i]++;
    for (int j = i + 1; j < m; j++) idx[j] = idx[j - 1] + 1;
  }
  return best;
}

static void check_duals(int m, int n, const double *A, const double *b, const double *c,
                        const double *x, const double *y, double obj)
{
  double by = 0;
  for (int i = 0; i < m; i++) by += b[i] * y[i];
  CU_ASSERT(fabs(by - obj) <= 1e-9 * (1 + fabs(obj)));
  for (int j = 0; j < n; j++) {
    double aty = 0;
    for (int i = 0; i < m; i++) aty += A[i * n + j] * y[i];
    CU_ASSERT(aty >= c[j] - 1e-9);
    CU_ASSERT(x[j] >= 0);
  }
  for (int i = 0; i < m; i++) { /* primal feasibility */
    double ax = 0;
    for (int j = 0; j < n; j++) ax += A[i * n + j] * x[j];
    CU_ASSERT(fabs(ax - b[i]) <= 1e-9 * (1 + fabs(b[i])));
  }
}

/* Random tiny LPs: m rows of a random equality system plus a bounding row sum x + s = U. Some
 * have integer data (many ties and degenerate vertices), some are infeasible. */
static void test_lp_vs_enumeration(void)
{
  int checked = 0, infeasible = 0;
  for (int t = 0; t < 400; t++) {
    int m = 2 + t % 3, n = m + 2 + t % 4; /* n includes the bound slack */
    int integer = t % 2;
    double A[8 * 12], b[8], c[12], x[12], y[8];
    memset(A, 0, sizeof A);
    for (int i = 0; i < m - 1; i++) {
      for (int j = 0; j < n - 1; j++) {
        double v = ss_rng_normal(t, SS_P_TEST, 1000 + i, j);
        A[i * n + j] = integer ? round(2 * v) : v;
      }
      double v = ss_rng_normal(t, SS_P_TEST, 2000 + i, 0);
      b[i] = integer ? round(2 * v) : v;
    }
    for (int j = 0; j < n; j++) A[(m - 1) * n + j] = 1.0; /* sum x + slack = U */
    b[m - 1] = 3.0;
    for (int j = 0; j < n; j++) {
      double v = ss_rng_normal(t, SS_P_TEST, 3000, j);
      c[j] = j == n - 1 ? 0 : integer ? round(2 * v) : v;
    }
    double want = enumerate(m, n, A, b, c);
    rlhf_lp_info info;
    int rc = rlhf_lp_solve(m, n, A, b, c, NULL, x, y, &info);
    if (want == -INFINITY) {
      CU_ASSERT_EQUAL(rc, RLHF_LP_INFEASIBLE);
      infeasible++;
      continue;
    }
    CU_ASSERT_EQUAL_FATAL(rc, RLHF_LP_OPTIMAL);
    CU_ASSERT(fabs(info.objective - want) <= 1e-9 * (1 + fabs(want)));
    check_duals(m, n, A, b, c, x, y, info.objective);
    checked++;
  }
  CU_ASSERT(checked > 200);
  CU_ASSERT(infeasible > 10);
}

/* Chvatal's example (Linear Programming, ch. 3): Dantzig's rule with smallest-index ties cycles.
 * max 10x1 - 57x2 - 9x3 - 24x4, 0.5x1 - 5.5x2 - 2.5x3 + 9x4 <= 0, 0.5x1 - 1.5x2 - 0.5x3 + x4 <= 0,
 * x1 <= 1. Optimum 1 at x = (1, 0, 1, 0), both inequalities tight: the start is degenerate. */
static void test_lp_cycling_example(void)
{
  double A[3 * 7] = {0.5, -5.5, -2.5, 9, 1, 0, 0, 0.5, -1.5, -0.5, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1};
  double b[3] = {0, 0, 1}, c[7] = {10, -57, -9, -24, 0, 0, 0}, x[7], y[3];
  int basis[3] = {4, 5, 6}; /* the slack basis, feasible and degenerate */
  rlhf_lp_info info;
  CU_ASSERT_EQUAL_FATAL(rlhf_lp_solve(3, 7, A, b, c, basis, x, y, &info), RLHF_LP_OPTIMAL);
  CU_ASSERT_EQUAL(info.phase1, 0);
  CU_ASSERT(fabs(info.objective - 1.0) < 1e-12);
  CU_ASSERT(fabs(x[0] - 1) < 1e-12 && fabs(x[2] - 1) < 1e-12 && fabs(x[1]) < 1e-12 && fabs(x[3]) < 1e-12);
  CU_ASSERT(fabs(enumerate(3, 7, A, b, c) - 1.0) < 1e-12);
  check_duals(3, 7, A, b, c, x, y, info.objective);
}

/* A redundant row (the sum of two others), an infeasible system, an unbounded objective. */
static void test_lp_special(void)
{
  /* max x1 + 2x2, x1 + x2 + s1 = 4, x2 + s2 = 3, row3 = row1 + row2: optimum 7 at (1, 3). */
  double A[3 * 4] = {1, 1, 1, 0, 0, 1, 0, 1, 1, 2, 1, 1};
  double b[3] = {4, 3, 7}, c[4] = {1, 2, 0, 0}, x[4], y[3];
  rlhf_lp_info info;
  CU_ASSERT_EQUAL_FATAL(rlhf_lp_solve(3, 4, A, b, c, NULL, x, y, &info), RLHF_LP_OPTIMAL);
  CU_ASSERT(fabs(info.objective - 7) < 1e-12);
  CU_ASSERT(fabs(x[0] - 1) < 1e-12 && fabs(x[1] - 3) < 1e-12);
  check_duals(3, 4, A, b, c, x, y, info.objective);
  /* x1 + x2 = -1 with x >= 0 */
  double Ai[2] = {1, 1}, bi[1] = {-1}, ci[2] = {1, 0};
  CU_ASSERT_EQUAL(rlhf_lp_solve(1, 2, Ai, bi, ci, NULL, x, y, &info), RLHF_LP_INFEASIBLE);
  /* max x1, x1 - x2 = 1 */
  double Au[2] = {1, -1}, bu[1] = {1}, cu[2] = {1, 0};
  CU_ASSERT_EQUAL(rlhf_lp_solve(1, 2, Au, bu, cu, NULL, x, y, &info), RLHF_LP_UNBOUNDED);
  /* a negative right-hand side goes through phase I with a flipped row; duals stay right:
   * max -x1 - x2, -x1 - x2 + s = -2 (x1 + x2 >= 2): optimum -2, y = 1 */
  double An[3] = {-1, -1, 1}, bn[1] = {-2}, cn[3] = {-1, -1, 0};
  CU_ASSERT_EQUAL_FATAL(rlhf_lp_solve(1, 3, An, bn, cn, NULL, x, y, &info), RLHF_LP_OPTIMAL);
  CU_ASSERT(fabs(info.objective + 2) < 1e-12);
  CU_ASSERT(fabs(y[0] - 1) < 1e-12);
}

/* Warm starts: the optimal basis needs no pivot; an infeasible candidate falls back to phase I;
 * both give the enumerated optimum. */
static void test_lp_warm_start(void)
{
  double A[2 * 5] = {1, 2, 1, 1, 0, 3, 1, 0, 0, 1};
  double b[2] = {4, 6}, c[5] = {1, 1, 0.5, 0, 0}, x[5], y[2];
  double want = enumerate(2, 5, A, b, c);
  int basis[2] = {3, 4};
  rlhf_lp_info info;
  CU_ASSERT_EQUAL_FATAL(rlhf_lp_solve(2, 5, A, b, c, basis, x, y, &info), RLHF_LP_OPTIMAL);
  CU_ASSERT(fabs(info.objective - want) < 1e-12);
  CU_ASSERT(info.iterations > 0);
  CU_ASSERT_EQUAL(rlhf_lp_solve(2, 5, A, b, c, basis, x, y, &info), RLHF_LP_OPTIMAL);
  CU_ASSERT_EQUAL(info.iterations, 0);
  CU_ASSERT_EQUAL(info.phase1, 0);
  CU_ASSERT(fabs(info.objective - want) < 1e-12);
  int bad[2] = {1, 2}; /* {x2, x3}: x2 = 6, x3 = 4 - 12 = -8 < 0, infeasible */
  CU_ASSERT_EQUAL(rlhf_lp_solve(2, 5, A, b, c, bad, x, y, &info), RLHF_LP_OPTIMAL);
  CU_ASSERT_EQUAL(info.phase1, 1);
  CU_ASSERT(fabs(info.objective - want) < 1e-12);
}

SS_UNIT_SUITE(rlhf_lp_suite)
{
  ss_unit_suite("rlhf_lp");
  ss_unit_test("simplex vs basis enumeration (random, integer ties, infeasible)", test_lp_vs_enumeration);
  ss_unit_test("Chvatal's cycling example", test_lp_cycling_example);
  ss_unit_test("redundant row, infeasible, unbounded, phase I duals", test_lp_special);
  ss_unit_test("warm-start basis", test_lp_warm_start);
}
