/* A small dense linear-programming solver for the policy problems of polyhedral aggregators
 * (pessimistic_momle's box, maxmin): maximise c^T x subject to A x = b, x >= 0, by a two-phase
 * tableau simplex with Dantzig pricing that falls back to Bland's rule during degenerate runs
 * (so it cannot cycle), an optional warm-start basis, and a final refinement of the basic
 * solution and the duals from the original data. Serial; sizes are tens to a few hundreds. */
#ifndef STRATSIM_RLHF_LP_H
#define STRATSIM_RLHF_LP_H

enum { RLHF_LP_OPTIMAL = 0, RLHF_LP_INFEASIBLE = 1, RLHF_LP_UNBOUNDED = 2, RLHF_LP_ITERLIMIT = 3,
       RLHF_LP_NOMEM = 4 };

typedef struct {
  double objective; /* c^T x */
  int iterations;   /* pivots over both phases */
  int phase1;       /* 1 if phase I ran (the warm-start basis was missing or infeasible) */
  int bland_pivots; /* pivots taken under Bland's rule */
} rlhf_lp_info;

/* A: m x n row-major; b: m; c: n. basis: NULL, or m column indices of a candidate starting
 * basis (used when it is nonsingular and primal feasible); on RLHF_LP_OPTIMAL it receives the
 * optimal basis (an index >= n marks an artificial left on a redundant row). x: n primal
 * values; y: m duals (A^T y >= c on return, y^T b = c^T x); either may be NULL. */
int rlhf_lp_solve(int m, int n, const double *A, const double *b, const double *c, int *basis,
                  double *x, double *y, rlhf_lp_info *info);

#endif
