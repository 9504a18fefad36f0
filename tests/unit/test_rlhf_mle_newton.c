/* The MLE solvers (rlhf.mle.solver): our damped Newton against independent evidence.
 * - Brute force at d = 1: the objective's derivative is increasing, so bisection on its sign
 *   finds the minimiser to the last bits; Newton (and Tao) must agree within the
 *   strong-convexity bound |theta - theta*| <= |g(theta)| / lambda, and to 1e-9 relative.
 * - Another solver: Newton and Tao NLS on random problems of several n, d (n = 1, all labels
 *   equal, d = RLHF_DMAX = 64, cold and warm started from far away) agree within the
 *   strong-convexity bound ||theta - theta*|| <= ||g(theta)|| / lambda of their own gradients,
 *   and to 1e-9 relative; both meet the stopping rule ||g|| <= RLHF_MLE_GATOL, and the reported
 *   gradient is the plain rlhf_mle_objective's at the returned point (Tao: bit for bit; Newton,
 *   whose exp is our kernel: within 1e-15).
 * - The exp kernel: within 2 ulp of glibc's exp, the same bits in vector lanes and plain loops,
 *   exactly 1 at 0, 0 below exp(-700).
 * - The Cholesky kernel reproduces its matrix and solves to rounding.
 * - Every allocation of the create failing in turn is an error, never a crash. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "stratsim/rlhf_kern.h"
#include "stratsim/rng.h"
#include "unit.h"

static double norm(const double *v, int d) { return sqrt(rlhf_dot(v, v, d)); }

/* d = 1, x_j = 1 +- 0.5, k of n labels 1: bisection on the derivative of the objective */
static void test_d1_bisection(void)
{
  enum { N = 40 };
  double x[N], lambda = 1e-3;
  unsigned char o[N];
  ss_err e;
  ss_err_clear(&e);
  for (int k = 0; k <= N; k += 8) {
    for (int j = 0; j < N; j++) {
      x[j] = 1.0 + 0.5 * ss_rng_normal(21, SS_P_TEST, (uint32_t)k, (uint64_t)j);
      o[j] = j < k;
    }
    double lo = -1e4, hi = 1e4, g;
    for (int it = 0; it < 200; it++) {
      double mid = 0.5 * (lo + hi);
      rlhf_mle_objective(N, 1, x, o, lambda, &mid, &g);
      if (g > 0) hi = mid;
      else lo = mid;
    }
    double ref = 0.5 * (lo + hi);
    for (int s = 0; s < 2; s++) {
      rlhf_mle *m;
      CU_ASSERT_EQUAL_FATAL(rlhf_mle_create(1, N, lambda, &m, &e), SS_OK);
      CU_ASSERT_EQUAL_FATAL(rlhf_mle_use(m, s ? "tao" : "newton", &e), SS_OK);
      double th, gn;
      CU_ASSERT_EQUAL_FATAL(rlhf_mle_solve(m, N, x, o, &th, &gn, NULL, NULL, &e), SS_OK);
      CU_ASSERT(fabs(th - ref) <= gn / lambda + 1e-13 * (1.0 + fabs(ref))); /* strong convexity */
      CU_ASSERT(fabs(th - ref) <= 1e-9 * fabs(ref));
      CU_ASSERT(gn <= RLHF_MLE_GATOL);
      rlhf_mle_destroy(&m);
    }
  }
}

typedef struct {
  double th[64], gn, gr;
  int its, fg, hess;
} solved;

static void solve_with(const char *solver, int n, int d, double lambda, const double *x,
                       const unsigned char *o, const double *t0, solved *s)
{
  rlhf_mle *m;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_create(d, n, lambda, &m, &e), SS_OK);
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_use(m, solver, &e), SS_OK);
  CU_ASSERT_STRING_EQUAL(rlhf_mle_solver_name(m), solver);
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_solve_from(m, n, x, o, t0, s->th, &s->gn, &s->gr, &s->its, &e), SS_OK);
  rlhf_mle_counts(m, &s->fg, &s->hess);
  rlhf_mle_destroy(&m);
  double g[64];
  rlhf_mle_objective(n, d, x, o, lambda, s->th, g);
  /* the reported gradient is the plain objective's (Tao: its bits; Newton, with our exp
   * kernel: to rounding), and meets the rule */
  if (!strcmp(solver, "tao")) CU_ASSERT(s->gn == norm(g, d));
  CU_ASSERT(fabs(s->gn - norm(g, d)) <= 1e-15);
  CU_ASSERT(s->gn <= RLHF_MLE_GATOL);
  CU_ASSERT(norm(g, d) <= 1.5 * RLHF_MLE_GATOL);
}

/* labels: 0 random, 1 all 0, 2 all 1; start: 0 cold, 1 warm near, 2 warm far (||t0|| ~ 30) */
static void agree_case(int n, int d, double lambda, int labels, int start, uint32_t key)
{
  double *x = calloc((size_t)n * d, sizeof *x), t0[64] = {0};
  unsigned char *o = calloc((size_t)n, 1);
  double th[64];
  CU_ASSERT_FATAL(x != NULL && o != NULL);
  for (int q = 0; q < d; q++) th[q] = ss_rng_normal(22, SS_P_TEST, key, (uint64_t)q);
  for (int j = 0; j < n; j++) {
    double s = 0;
    for (int q = 0; q < d; q++) {
      x[(size_t)j * d + q] = ss_rng_normal(23, SS_P_TEST, key, (uint64_t)j * d + q) / sqrt(d);
      s += th[q] * x[(size_t)j * d + q];
    }
    o[j] = labels == 0 ? ss_rng_u01(24, SS_P_TEST, key, (uint64_t)j) >= 1.0 / (1.0 + exp(-s)) : labels == 2;
  }
  for (int q = 0; q < d; q++) t0[q] = (start == 2 ? 30.0 : 0.3) * th[q] / sqrt(d);
  solved a, b;
  solve_with("newton", n, d, lambda, x, o, start ? t0 : NULL, &a);
  solve_with("tao", n, d, lambda, x, o, start ? t0 : NULL, &b);
  double diff = 0, nt = 0;
  for (int q = 0; q < d; q++) {
    diff += (a.th[q] - b.th[q]) * (a.th[q] - b.th[q]);
    nt += b.th[q] * b.th[q];
  }
  diff = sqrt(diff);
  nt = sqrt(nt);
  CU_ASSERT(diff <= (a.gn + b.gn) / lambda);
  CU_ASSERT(diff <= 1e-9 * nt);
  CU_ASSERT(a.gr <= 1e-10);
  CU_ASSERT(a.its >= 1 && a.hess >= 1 && a.fg >= a.its);
  if (!(diff <= 1e-9 * nt))
    fprintf(stderr, "n %d d %d labels %d start %d: |newton - tao| %.3g of %.3g\n", n, d, labels, start, diff, nt);
  free(x);
  free(o);
}

static void test_newton_vs_tao(void)
{
  static const int ns[] = {1, 7, 50, 300};
  static const int ds[] = {1, 3, 16, 64};
  uint32_t key = 0;
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++)
      for (int labels = 0; labels < 3; labels++)
        for (int start = 0; start < 3; start++)
          agree_case(ns[i], ds[k], 1e-2, labels, start, key++);
  agree_case(1000, 32, 1e-3, 0, 0, key++); /* the benchmark's shape and the default lambda */
  agree_case(200, 16, 1e-3, 0, 2, key++);
}

static void test_cholesky(void)
{
  for (int d = 1; d <= 64; d += 9) {
    double *b = malloc((size_t)d * d * sizeof *b), *a = malloc((size_t)d * d * sizeof *a);
    double *l = malloc((size_t)d * d * sizeof *l), r[64], s[64];
    for (int i = 0; i < d * d; i++) b[i] = ss_rng_normal(25, SS_P_TEST, (uint32_t)d, (uint64_t)i);
    for (int i = 0; i < d; i++) /* a = b b^T + I, SPD */
      for (int j = 0; j < d; j++) {
        double t = i == j;
        for (int k = 0; k < d; k++) t += b[i * d + k] * b[j * d + k];
        a[i * d + j] = t;
      }
    memcpy(l, a, (size_t)d * d * sizeof *l);
    CU_ASSERT_EQUAL_FATAL(rlhf_kern_chol(d, l), 0);
    double err = 0, scale = 0;
    for (int i = 0; i < d; i++)
      for (int j = 0; j <= i; j++) {
        double t = 0;
        for (int k = 0; k <= j; k++) t += l[i * d + k] * l[j * d + k];
        err = fmax(err, fabs(t - a[i * d + j]));
        scale = fmax(scale, fabs(a[i * d + j]));
      }
    CU_ASSERT(err <= 1e-13 * scale * d);
    for (int i = 0; i < d; i++) r[i] = s[i] = ss_rng_normal(26, SS_P_TEST, (uint32_t)d, (uint64_t)i);
    rlhf_kern_chol_solve(d, l, s); /* a s = r */
    double res = 0;
    for (int i = 0; i < d; i++) {
      double t = -r[i];
      for (int j = 0; j < d; j++) t += a[i * d + j] * s[j];
      res = fmax(res, fabs(t));
    }
    CU_ASSERT(res <= 1e-10 * scale * d);
    a[0] = -1.0; /* not positive definite */
    memcpy(l, a, (size_t)d * d * sizeof *l);
    CU_ASSERT_EQUAL(rlhf_kern_chol(d, l), -1);
    free(a);
    free(b);
    free(l);
  }
}

static void test_expneg(void)
{
  enum { N = 4099 };
  double *a = malloc(N * sizeof *a), *e1 = malloc(N * sizeof *a), *e2 = malloc(N * sizeof *a);
  for (int i = 0; i < N; i++) a[i] = ss_rng_normal(27, SS_P_TEST, 1, (uint64_t)i) * (i % 5 ? 3.0 : 300.0);
  a[0] = 0.0;
  a[1] = -0.0;
  a[2] = 700.0;
  a[3] = -701.0;
  rlhf_kern_expneg(N, a, e1);
  rlhf_kern_expneg_ref(N, a, e2);
  CU_ASSERT(!memcmp(e1, e2, N * sizeof *e1));
  CU_ASSERT(e2[0] == 1.0 && e2[1] == 1.0 && e2[2] > 0 && e2[3] == 0.0);
  double worst = 0;
  for (int i = 0; i < N; i++) {
    double r = exp(-fabs(a[i]));
    if (fabs(a[i]) <= 700.0) worst = fmax(worst, fabs(e2[i] - r) / r);
  }
  CU_ASSERT(worst <= 4.5e-16);
  free(a);
  free(e1);
  free(e2);
}

static void test_unknown_solver(void)
{
  rlhf_mle *m;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_create(4, 10, 1e-3, &m, &e), SS_OK);
  CU_ASSERT_STRING_EQUAL(rlhf_mle_solver_name(m), "newton"); /* the default */
  CU_ASSERT_NOT_EQUAL(rlhf_mle_use(m, "bfgs", &e), SS_OK);
  CU_ASSERT_STRING_EQUAL(rlhf_mle_solver_name(m), "newton");
  rlhf_mle_destroy(&m);
}

/* Every allocation of creating a solver (newton, then switching to tao) failing in turn. */
static void test_alloc_failures(void)
{
  for (int s = 0; s < 2; s++) {
    ss_err e;
    ss_alloc_fail_after(-1);
    rlhf_mle *m = NULL;
    ss_err_clear(&e);
    int rc = rlhf_mle_create(8, 20, 1e-3, &m, &e);
    if (!rc && s) rc = rlhf_mle_use(m, "tao", &e);
    CU_ASSERT_EQUAL_FATAL(rc, SS_OK);
    rlhf_mle_destroy(&m);
    long n = ss_alloc_count(), failed = 0;
    CU_ASSERT(n >= 6);
    for (long i = 0; i < n; i++) {
      ss_alloc_fail_after(i);
      ss_err_clear(&e);
      m = NULL;
      rc = rlhf_mle_create(8, 20, 1e-3, &m, &e);
      if (!rc && s) rc = rlhf_mle_use(m, "tao", &e);
      failed += rc != SS_OK;
      CU_ASSERT(rc == SS_OK || e.code == SS_ERUNTIME);
      if (rc && !s) CU_ASSERT(m == NULL); /* a failed create leaves *m NULL */
      rlhf_mle_destroy(&m);
    }
    ss_alloc_fail_after(-1);
    CU_ASSERT(failed > 0);
  }
}

SS_UNIT_SUITE(rlhf_mle_newton_suite)
{
  ss_unit_suite("rlhf_mle_newton");
  ss_unit_test("d = 1: Newton and Tao = bisection", test_d1_bisection);
  ss_unit_test("Newton = Tao on random problems", test_newton_vs_tao);
  ss_unit_test("Cholesky kernel", test_cholesky);
  ss_unit_test("exp kernel", test_expneg);
  ss_unit_test("unknown solver refused", test_unknown_solver);
  ss_unit_test("allocation failures", test_alloc_failures);
}
