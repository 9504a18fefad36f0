/* The infinite-data limit (rlhf.data: exact), the sphere population (the fixed strategy: test_rlhf_fixed.c):
 * known answers. The MODELS 1.8 construction end to end (config -> CSV) is checked in
 * tests/integration.d/exact.sh; here the pieces: an exact estimate is the report with a
 * zero-radius set, and the median box collapses to the coordinate-wise median of the reports. */
#include <math.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rlhf.h"
#include "rlhf_select.h"
#include "unit.h"

static void test_exact_estimates(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.exact = 1;
  p.k = 3;
  p.d = 2;
  p.S = 4;
  p.n = 7;
  ss_err e;
  ss_err_clear(&e);
  rlhf_env env;
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
  CU_ASSERT_EQUAL(rlhf_params_radius(&p, env.Lx), 0.0);
  p.exact = 0;
  CU_ASSERT(rlhf_params_radius(&p, env.Lx) > 0.0);
  p.exact = 1;
  double reports[6] = {0.1, 0.0, 0.5, 0.45, 0.4, 0.6};
  rlhf_estimates est;
  CU_ASSERT_EQUAL_FATAL(rlhf_estimates_alloc(&est, 2, 3, 0, 3, 1, &e), SS_OK);
  est.warm = 1;
  /* no MLE solver is needed (NULL): exact estimates never touch the data */
  CU_ASSERT_EQUAL(rlhf_estimate_block(&p, &env, NULL, reports, &est, NULL, NULL, &e), SS_OK);
  CU_ASSERT(!memcmp(est.theta, reports, sizeof reports));
  CU_ASSERT(!memcmp(est.lo, reports, sizeof reports));
  CU_ASSERT(!memcmp(est.hi, reports, sizeof reports));
  for (int i = 0; i < 3; i++) {
    CU_ASSERT_EQUAL(est.grad[i], 0.0);
    CU_ASSERT_EQUAL(est.prec[i * 4 + 0], 1.0);
    CU_ASSERT_EQUAL(est.prec[i * 4 + 1], 0.0);
  }
  /* the box of medians is the point median (0.4, 0.45) */
  rlhf_agg *box = NULL;
  CU_ASSERT_EQUAL_FATAL(rlhf_agg_build_exact(rlhf_agg_find("pessimistic_momle"), 2, 3, est.theta,
                                             est.prec, est.lo, est.hi, 0.0, SS_MEDIAN_LOWER,
                                             &box, &e), SS_OK);
  double za[2] = {1, 0}, zb[2] = {0, 1};
  CU_ASSERT_DOUBLE_EQUAL(rlhf_agg_value(box, za), 0.4, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rlhf_agg_value(box, zb), 0.45, 1e-15);
  rlhf_agg_destroy(&box);
  rlhf_estimates_free(&est);
  rlhf_env_destroy(&env);
}

static void test_sphere_population(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.d = 16;
  p.B = 1.5;
  double ball[16], sphere[16];
  rlhf_params q = p; /* the same, with population.norm sphere (selected through its model) */
  ss_unit_rlhf_inputs sel;
  ss_err e;
  CU_ASSERT_EQUAL_FATAL(ss_unit_rlhf_select("  population:\n    norm: sphere\n", &q, &sel, &e), SS_OK);
  for (int64_t i = 0; i < 50; i++) {
    rlhf_theta_star(&p, i, ball);
    rlhf_theta_star(&q, i, sphere);
    double nb = sqrt(rlhf_dot(ball, ball, 16)), ns = sqrt(rlhf_dot(sphere, sphere, 16));
    CU_ASSERT(nb <= 1.5 * (1 + 1e-15));
    CU_ASSERT(fabs(ns - 1.5) < 1e-12);
    /* same direction: the sphere only rescales the ball's draw */
    CU_ASSERT(fabs(rlhf_dot(ball, sphere, 16) - nb * ns) < 1e-12);
  }
  ss_unit_rlhf_release(&sel);
}

/* rlhf.labels.heldout: stream 1 redraws the label noise, never the design; stream 0 keeps the
 * original keys (the presets' byte-identity is checked in the integration tests). */
static void test_heldout_labels(void)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.d = 4;
  p.S = 8;
  p.n = 400;
  ss_err e;
  ss_err_clear(&e);
  rlhf_env env;
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create(&p, &env, &e), SS_OK);
  double t[4] = {0.0, 0.0, 0.0, 0.0}; /* P(label 1) = 1/2: labels are pure noise */
  double x0[400 * 4], x1[400 * 4];
  unsigned char o0[400], o1[400];
  rlhf_comparisons(&p, &env, 3, t, x0, o0);
  p.label_stream = 1;
  rlhf_comparisons(&p, &env, 3, t, x1, o1);
  CU_ASSERT(!memcmp(x0, x1, sizeof x0));
  int differ = 0, ones = 0;
  for (int j = 0; j < 400; j++) {
    differ += o0[j] != o1[j];
    ones += o1[j];
  }
  /* independent fair coins: about half differ (400 draws: 200 +- 10, checked at 6 sd) */
  CU_ASSERT(differ > 140 && differ < 260);
  CU_ASSERT(ones > 140 && ones < 260);
  rlhf_env_destroy(&env);
}

SS_UNIT_SUITE(rlhf_exact_suite)
{
  ss_unit_suite("rlhf_exact");
  ss_unit_test("exact estimates are the reports, radius 0", test_exact_estimates);
  ss_unit_test("sphere population: norm B, ball's direction", test_sphere_population);
  ss_unit_test("held-out labels: new noise, same design", test_heldout_labels);
}
