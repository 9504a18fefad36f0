/* The conformance suite of the RLHF aggregators, iterating the registry (as the bandit
 * mechanisms' suite does): every aggregator registered is tested without being named here.
 * An aggregator may add a small reference hook (a brute-force value of its objective from
 * the definition); without one it still gets every generic check. The strategies' suite is
 * in test_rlhf_strategies.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rng.h"
#include "stratsim/rlhf.h"
#include "../../src/rlhf/agg_ops.h"
#include "unit.h"

enum { D = 3, K = 5 };

typedef struct {
  double theta[K * D], lo[K * D], hi[K * D], prec[K * D * D], mean[D];
  double radius;
} instance;

static void make_instance(instance *in)
{
  for (int i = 0; i < K * D; i++) {
    in->theta[i] = 2 * ss_rng_u01(7, 1, (uint32_t)i, 0) - 1;
    in->lo[i] = in->theta[i] - 0.05 - 0.2 * ss_rng_u01(7, 2, (uint32_t)i, 0);
    in->hi[i] = in->theta[i] + 0.05 + 0.2 * ss_rng_u01(7, 3, (uint32_t)i, 0);
  }
  for (int i = 0; i < K; i++)
    for (int a = 0; a < D; a++)
      for (int b = 0; b < D; b++)
        in->prec[(i * D + a) * D + b] = a == b ? 1.0 + 0.25 * i : 0.1;
  for (int j = 0; j < D; j++) {
    double col[K];
    for (int i = 0; i < K; i++) col[i] = in->theta[i * D + j];
    in->mean[j] = ss_sum_exact(col, K) / K;
  }
  in->radius = 0.3;
}

/* ------------------------------------------------------------------ aggregator hooks */
static double dotv(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

static double lower_median(const double *v, int stride)
{
  double s[K];
  for (int i = 0; i < K; i++) s[i] = v[i * stride];
  for (int i = 1; i < K; i++)
    for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
      double t = s[j];
      s[j] = s[j - 1];
      s[j - 1] = t;
    }
  return s[(K - 1) / 2];
}

/* Brute-force W(z) from the definitions (MODELS 1.3): optional per aggregator. */
static double ref_value(const char *name, const instance *in, const double *z, int *known)
{
  *known = 1;
  double w = 0, m = INFINITY;
  if (!strcmp(name, "naive_mle") || !strcmp(name, "oracle")) return dotv(in->mean, z);
  if (!strcmp(name, "dictator")) return dotv(in->theta, z);
  if (!strcmp(name, "median_mle")) {
    for (int j = 0; j < D; j++) w += lower_median(in->theta + j, D) * z[j];
    return w;
  }
  if (!strcmp(name, "pessimistic_momle")) {
    for (int j = 0; j < D; j++)
      w += fmin(lower_median(in->lo + j, D) * z[j], lower_median(in->hi + j, D) * z[j]);
    return w;
  }
  if (!strcmp(name, "maxmin")) {
    for (int i = 0; i < K; i++) m = fmin(m, dotv(in->theta + i * D, z));
    return m;
  }
  if (!strcmp(name, "pessimistic_sw")) {
    for (int i = 0; i < K; i++) {
      double q = 0;
      for (int a = 0; a < D; a++)
        for (int b = 0; b < D; b++) q += z[a] * in->prec[(i * D + a) * D + b] * z[b];
      w += dotv(in->theta + i * D, z) - in->radius * sqrt(q);
    }
    return w / K;
  }
  *known = 0;
  return 0;
}

static void random_z(int q, double *z)
{
  for (int j = 0; j < D; j++) z[j] = 2 * ss_rng_u01(11, 1, (uint32_t)q, (uint64_t)j) - 1;
}

/* Builds ops's aggregate both ways: collectively from estimates and exactly from parameters. */
static void build_both(const rlhf_agg_ops *ops, const instance *in, rlhf_agg **coll, rlhf_agg **exact)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.median_kind = SS_MEDIAN_LOWER;
  rlhf_estimates est;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(rlhf_estimates_alloc(&est, D, K, 0, K, 1, &e), SS_OK);
  memcpy(est.theta, in->theta, sizeof in->theta);
  memcpy(est.lo, in->lo, sizeof in->lo);
  memcpy(est.hi, in->hi, sizeof in->hi);
  memcpy(est.prec, in->prec, sizeof in->prec);
  est.radius = in->radius;
  CU_ASSERT_EQUAL(rlhf_agg_build(ops, ss_unit_world(), &p, &est, in->mean, coll, &e), SS_OK);
  rlhf_estimates_free(&est);
  CU_ASSERT_EQUAL(rlhf_agg_build_exact(ops, D, K, in->theta, in->prec, in->lo, in->hi, in->radius,
                                       SS_MEDIAN_LOWER, exact, &e), SS_OK);
}

/* Every aggregator: the exact builder (an op, no switch on identity) gives bit for bit the
 * collective builder's objective; W is concave; the smoothed gradient is a supergradient up
 * to the smoothing; linear aggregators expose their theta; the reference value matches. */
static void test_aggregators(void)
{
  instance in;
  make_instance(&in);
  CU_ASSERT(rlhf_agg_count() >= 7);
  for (int a = 0; a < rlhf_agg_count(); a++) {
    const rlhf_agg_ops *ops = rlhf_agg_find(rlhf_agg_name_at(a));
    const char *name = rlhf_agg_name_at(a);
    /* the required ops (agg_ops.h) */
    CU_ASSERT_FATAL(ops->build && ops->build_exact && ops->value && ops->smooth);
    CU_ASSERT(!ops->lp_dims == !ops->lp_fill && !ops->lp_fill == !ops->lp_theta);
    rlhf_agg *coll = NULL, *exact = NULL;
    build_both(ops, &in, &coll, &exact);
    CU_ASSERT_PTR_NOT_NULL_FATAL(coll);
    CU_ASSERT_PTR_NOT_NULL_FATAL(exact);
    CU_ASSERT_STRING_EQUAL(rlhf_agg_name(coll), name);
    int bad_exact = 0, bad_concave = 0, bad_super = 0, bad_ref = 0;
    for (int q = 0; q < 40; q++) {
      double z[D], z2[D], mid[D], g[D];
      random_z(q, z);
      random_z(q + 1000, z2);
      double w = rlhf_agg_value(coll, z), w2 = rlhf_agg_value(coll, z2);
      bad_exact += w != rlhf_agg_value(exact, z);
      for (int j = 0; j < D; j++) mid[j] = 0.5 * (z[j] + z2[j]);
      bad_concave += rlhf_agg_value(coll, mid) < 0.5 * (w + w2) - 1e-12;
      rlhf_agg_smooth(coll, z, 1e-9, g, NULL);
      double lin = w;
      for (int j = 0; j < D; j++) lin += g[j] * (z2[j] - z[j]);
      bad_super += w2 > lin + 1e-6;
      int known;
      double ref = ref_value(name, &in, z, &known);
      if (known) bad_ref += fabs(ref - w) > 1e-12 * (1 + fabs(ref));
      const double *lt = rlhf_agg_linear_theta(coll);
      CU_ASSERT((lt != NULL) == rlhf_agg_is_linear(ops));
      if (lt) bad_ref += fabs(dotv(lt, z) - w) > 1e-15 * (1 + fabs(w));
    }
    if (bad_exact + bad_concave + bad_super + bad_ref)
      fprintf(stderr, "\n  aggregator %s: exact %d concave %d supergradient %d reference %d\n", name,
              bad_exact, bad_concave, bad_super, bad_ref);
    CU_ASSERT_EQUAL(bad_exact + bad_concave + bad_super + bad_ref, 0);
    rlhf_agg_destroy(&coll);
    rlhf_agg_destroy(&exact);
  }
}

SS_UNIT_SUITE(rlhf_conformance)
{
  ss_unit_suite("rlhf_conformance");
  ss_unit_test("every registered aggregator", test_aggregators);
}
