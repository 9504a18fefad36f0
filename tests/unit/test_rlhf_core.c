/* RLHF core pieces on one rank: the MLE against closed-form and brute-force optima and its
 * gradient norm; Sigma_i, the radius and the coordinate intervals; comparison data with common
 * random numbers; the box median set containing every labeler-median of points of the C_i. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"
#include "unit.h"

/* d = 1, all x_j = 1, m of n labels 0: the optimum solves a monotone 1-D equation. */
static void test_mle_closed_form(void)
{
  int n = 7, m = 5;
  double lambda = 0.01;
  double x[7];
  unsigned char o[7];
  for (int j = 0; j < n; j++) {
    x[j] = 1.0;
    o[j] = j >= m;
  }
  rlhf_mle *mle;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_create(1, n, lambda, &mle, &e), SS_OK);
  double th, gn, gr;
  int its;
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_solve(mle, n, x, o, &th, &gn, &gr, &its, &e), SS_OK);
  /* derivative: -(m/n) sigma(-t) + ((n-m)/n) sigma(t) + lambda t, increasing in t */
  double lo = -50, hi = 50;
  for (int it = 0; it < 200; it++) {
    double mid = 0.5 * (lo + hi);
    double der = -(double)m / n * rlhf_sigmoid(-mid) + (double)(n - m) / n * rlhf_sigmoid(mid) +
                 lambda * mid;
    if (der > 0) hi = mid;
    else lo = mid;
  }
  CU_ASSERT(fabs(th - 0.5 * (lo + hi)) < 1e-9);
  CU_ASSERT(gr < 1e-8);
  CU_ASSERT(gn < 1e-9);
  rlhf_mle_destroy(&mle);
}

/* d = 2 on random data: no point of a fine grid around the optimum is better, and the
 * gradient (an independent finite-difference check of the analytic one) vanishes. */
static void test_mle_brute_force(void)
{
  int n = 12, d = 2;
  double x[24];
  unsigned char o[12];
  for (int j = 0; j < n; j++) {
    x[2 * j] = ss_rng_normal(3, SS_P_TEST, 1, 2 * j);
    x[2 * j + 1] = ss_rng_normal(3, SS_P_TEST, 1, 2 * j + 1);
    o[j] = ss_rng_u01(3, SS_P_TEST, 2, j) < 0.5;
  }
  double lambda = 1e-2;
  rlhf_mle *mle;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_create(d, n, lambda, &mle, &e), SS_OK);
  double th[2], gn, gr;
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_solve(mle, n, x, o, th, &gn, &gr, NULL, &e), SS_OK);
  CU_ASSERT(gr < 1e-8);
  double fbest = rlhf_mle_objective(n, d, x, o, lambda, th, NULL);
  for (int a = -20; a <= 20; a++)
    for (int b = -20; b <= 20; b++) {
      double t[2] = {th[0] + a * 1e-3, th[1] + b * 1e-3};
      CU_ASSERT(rlhf_mle_objective(n, d, x, o, lambda, t, NULL) >= fbest - 1e-15);
    }
  double g[2];
  rlhf_mle_objective(n, d, x, o, lambda, th, g);
  for (int q = 0; q < d; q++) {
    double tp[2] = {th[0], th[1]}, tm[2] = {th[0], th[1]};
    tp[q] += 1e-6;
    tm[q] -= 1e-6;
    double fd = (rlhf_mle_objective(n, d, x, o, lambda, tp, NULL) -
                 rlhf_mle_objective(n, d, x, o, lambda, tm, NULL)) / 2e-6;
    CU_ASSERT(fabs(fd - g[q]) < 1e-8);
  }
  /* Reuse: a second solve on other data gives the same answer as a fresh solver. */
  rlhf_mle *fresh;
  CU_ASSERT_EQUAL_FATAL(rlhf_mle_create(d, n, lambda, &fresh, &e), SS_OK);
  o[0] ^= 1;
  double t1[2], t2[2];
  CU_ASSERT_EQUAL(rlhf_mle_solve(mle, n, x, o, t1, NULL, NULL, NULL, &e), SS_OK);
  CU_ASSERT_EQUAL(rlhf_mle_solve(fresh, n, x, o, t2, NULL, NULL, NULL, &e), SS_OK);
  CU_ASSERT(memcmp(t1, t2, sizeof t1) == 0);
  rlhf_mle_destroy(&fresh);
  rlhf_mle_destroy(&mle);
}

static void test_confidence(void)
{
  int n = 6, d = 3;
  double x[18], th[3] = {0.2, -0.1, 0.4};
  for (int i = 0; i < n * d; i++) x[i] = ss_rng_normal(5, SS_P_TEST, 0, i);
  double lambda = 0.1, f = 0.7;
  double S[9], P[9], lo[3], hi[3];
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_confidence(n, d, x, lambda, th, f, S, P, lo, hi, &e), SS_OK);
  for (int a = 0; a < d; a++)
    for (int b = 0; b < d; b++) {
      double want = (a == b) * lambda;
      for (int j = 0; j < n; j++) want += x[j * d + a] * x[j * d + b] / n;
      CU_ASSERT(fabs(S[a * d + b] - want) < 1e-14);
      double id = 0;
      for (int c = 0; c < d; c++) id += S[a * d + c] * P[c * d + b];
      CU_ASSERT(fabs(id - (a == b)) < 1e-12);
    }
  for (int j = 0; j < d; j++) {
    /* The maximiser of theta_j over C is theta_hat + f P e_j / sqrt(P_jj): on the boundary. */
    double v[3], q = 0;
    for (int a = 0; a < d; a++) v[a] = f * P[a * d + j] / sqrt(P[j * d + j]);
    for (int a = 0; a < d; a++)
      for (int b = 0; b < d; b++) q += v[a] * S[a * d + b] * v[b];
    CU_ASSERT(fabs(sqrt(q) - f) < 1e-12);
    CU_ASSERT(fabs(hi[j] - (th[j] + v[j])) < 1e-12);
    CU_ASSERT(fabs(lo[j] - (th[j] - v[j])) < 1e-12);
  }
  /* radius: c_f sqrt((d + log(k/delta)) / (gamma^2 n) + lambda B^2) */
  double gamma = 1.0 / (2.0 + exp(-2.0) + exp(2.0));
  double want = 0.5 * sqrt((16 + log(5 / 0.1)) / (gamma * gamma * 100) + 1e-3);
  CU_ASSERT(fabs(rlhf_radius(16, 5, 100, 0.1, 1e-3, 1.0, 2.0, 0.5) - want) < 1e-14);
}

/* Common random numbers: the design never depends on the report, and labels flip only where
 * the Bradley-Terry threshold moved across u_ij. */
static void test_comparisons(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.S = 5;
  p.A = 3;
  p.d = 4;
  p.n = 400;
  rlhf_env env;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
  for (int r = 0; r < p.S * p.A; r++)
    CU_ASSERT(fabs(sqrt(rlhf_dot(env.phi + r * p.d, env.phi + r * p.d, p.d)) - 1.0) < 1e-14);
  double t1[4], t2[4];
  rlhf_theta_star(&p, 2, t1);
  CU_ASSERT(sqrt(rlhf_dot(t1, t1, 4)) <= p.B + 1e-15);
  memcpy(t2, t1, sizeof t1);
  t2[0] += 0.3;
  double *x1 = malloc(p.n * p.d * sizeof *x1), *x2 = malloc(p.n * p.d * sizeof *x2);
  unsigned char *o1 = malloc(p.n), *o2 = malloc(p.n);
  rlhf_comparisons(&p, &env, 2, t1, x1, o1);
  rlhf_comparisons(&p, &env, 2, t2, x2, o2);
  CU_ASSERT(memcmp(x1, x2, p.n * p.d * sizeof *x1) == 0);
  int flips = 0;
  for (int j = 0; j < p.n; j++) {
    double u = ss_rng_u01(p.seed, SS_P_RLHF_LABEL, 2, j);
    double s1 = rlhf_sigmoid(rlhf_dot(t1, x1 + j * p.d, p.d));
    double s2 = rlhf_sigmoid(rlhf_dot(t2, x1 + j * p.d, p.d));
    CU_ASSERT_EQUAL(o1[j], u >= s1);
    if (o1[j] != o2[j]) {
      flips++;
      CU_ASSERT((u >= s1) != (u >= s2));
    }
    int s, a0, a1;
    rlhf_design(&p, &env, 2, j, &s, &a0, &a1);
    CU_ASSERT(a0 != a1 && s >= 0 && s < p.S);
  }
  CU_ASSERT(flips > 0 && flips < p.n / 2);
  free(x1);
  free(x2);
  free(o1);
  free(o2);
  rlhf_env_destroy(&env);
}

/* The median confidence set C = {med(theta_1..theta_k): theta_i in C_i} lies in the box of
 * medians of the interval ends, for points drawn anywhere in the ellipsoids. */
static void test_box_contains_medians(void)
{
  int k = 5, d = 3, n = 8;
  double thetas[15], lo[15], hi[15], sig[5][9];
  ss_err e;
  ss_err_clear(&e);
  for (int i = 0; i < k; i++) {
    double x[24];
    for (int q = 0; q < n * d; q++) x[q] = ss_rng_normal(9, SS_P_TEST, 10 + i, q);
    for (int j = 0; j < d; j++) thetas[i * d + j] = 0.3 * ss_rng_normal(9, SS_P_TEST, 20 + i, j);
    CU_ASSERT_EQUAL_FATAL(rlhf_confidence(n, d, x, 0.05, thetas + i * d, 0.4, sig[i], NULL,
                                          lo + i * d, hi + i * d, &e), SS_OK);
  }
  const rlhf_agg_ops *box = rlhf_agg_find("pessimistic_momle");
  rlhf_agg *agg;
  CU_ASSERT_EQUAL_FATAL(rlhf_agg_build_exact(box, d, k, thetas, NULL, lo, hi, 0.4, SS_MEDIAN_MEAN,
                                             &agg, &e), SS_OK);
  /* Box bounds through the distributed median match the serial one. */
  double plo[3], phi_[3];
  CU_ASSERT_EQUAL(ss_par_median(ss_unit_world(), lo, k, d, SS_MEDIAN_MEAN, plo, &e), SS_OK);
  CU_ASSERT_EQUAL(ss_par_median(ss_unit_world(), hi, k, d, SS_MEDIAN_MEAN, phi_, &e), SS_OK);
  double zlo[3], zhi[3];
  for (int j = 0; j < d; j++) {
    double z[3] = {0, 0, 0};
    z[j] = 1;
    zlo[j] = rlhf_agg_value(agg, z); /* min over the box of theta_j = lo_j */
    z[j] = -1;
    zhi[j] = -rlhf_agg_value(agg, z);
    CU_ASSERT(zlo[j] == plo[j] && zhi[j] == phi_[j]);
  }
  for (int trial = 0; trial < 2000; trial++) {
    double pts[15];
    for (int i = 0; i < k; i++) {
      /* theta_hat + f L^{-T} u with ||u|| <= 1, Sigma = L L^T */
      double L[9];
      memcpy(L, sig[i], sizeof L);
      for (int c = 0; c < d; c++) { /* in-place Cholesky, lower */
        for (int r = c; r < d; r++) {
          double s = L[r * d + c];
          for (int q = 0; q < c; q++) s -= L[r * d + q] * L[c * d + q];
          L[r * d + c] = r == c ? sqrt(s) : s / L[c * d + c];
        }
      }
      double u[3], nu = 0;
      for (int j = 0; j < d; j++) {
        u[j] = ss_rng_normal(11, SS_P_TEST, trial, i * d + j);
        nu += u[j] * u[j];
      }
      double rad = pow(ss_rng_u01(11, SS_P_TEST, trial + 100000, i), 1.0 / d) / sqrt(nu);
      if (trial % 3 == 0) rad = 1.0 / sqrt(nu); /* boundary points too */
      for (int j = 0; j < d; j++) u[j] *= 0.4 * rad;
      double v[3]; /* solve L^T v = u */
      for (int r = d - 1; r >= 0; r--) {
        double s = u[r];
        for (int q = r + 1; q < d; q++) s -= L[q * d + r] * v[q];
        v[r] = s / L[r * d + r];
      }
      for (int j = 0; j < d; j++) pts[i * d + j] = thetas[i * d + j] + v[j];
    }
    for (int j = 0; j < d; j++) {
      double col[5];
      for (int i = 0; i < k; i++) col[i] = pts[i * d + j];
      double med = ss_median_serial(col, k, SS_MEDIAN_MEAN);
      CU_ASSERT(med >= zlo[j] - 1e-12 && med <= zhi[j] + 1e-12);
    }
  }
  rlhf_agg_destroy(&agg);
}

SS_UNIT_SUITE(rlhf_core_suite)
{
  ss_unit_suite("rlhf_core");
  ss_unit_test("mle_closed_form", test_mle_closed_form);
  ss_unit_test("mle_brute_force", test_mle_brute_force);
  ss_unit_test("confidence", test_confidence);
  ss_unit_test("comparisons", test_comparisons);
  ss_unit_test("box_contains_medians", test_box_contains_medians);
}
