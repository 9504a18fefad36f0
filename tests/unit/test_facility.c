/* Facility location: one conformance suite run against every registered mechanism (and the
 * median under every even-count rule), checked against independent computations: outcomes
 * by sorting or by summing, unilateral deviations by recomputing the mechanism from scratch
 * on the modified profile, best responses against brute force over a fine grid of reports,
 * and the equilibria of best-response dynamics against closed forms (MODELS.md section 0). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/facility.h"
#include "stratsim/median.h"
#include "stratsim/rng.h"
#include "stratsim/xsum.h"
#include "unit.h"

static const ss_median_kind kinds[3] = {SS_MEDIAN_LOWER, SS_MEDIAN_UPPER, SS_MEDIAN_MEAN};
static const char *const kind_names[3] = {"lower", "upper", "mean"};

#define GRID 201       /* per-coordinate grid of deviations over [lo,hi] */
#define COARSE 9       /* per-coordinate points of the full product grid over [lo,hi]^D */
#define SLACK 1e-12    /* rounding slack of the best-response comparisons */

/* ---- independent reference computations ---- */

/* Coordinate j of the facility for reports (m x D), recomputed from nothing: the median by
 * sorting a copy, the mean as the exactly rounded sum over m (the mechanism's definition). */
static double ref_outcome(const char *mech, const ss_fac_params *p, const double *reports, int j)
{
  double *col = malloc((size_t)p->m * sizeof *col);
  for (int64_t i = 0; i < p->m; i++) col[i] = reports[i * p->D + j];
  double f;
  if (!strcmp(mech, "median")) f = ss_median_serial(col, p->m, p->median);
  else f = ss_sum_exact(col, (long)p->m) / (double)p->m;
  free(col);
  return f;
}

/* Agent i's L1 cost if it reports x (D values) and everybody else keeps reports. */
static double ref_cost(const char *mech, const ss_fac_params *p, const double *reports, const double *truth,
                       int64_t i, const double *x)
{
  double *mod = malloc((size_t)(p->m * p->D) * sizeof *mod);
  memcpy(mod, reports, (size_t)(p->m * p->D) * sizeof *mod);
  memcpy(mod + i * p->D, x, (size_t)p->D * sizeof *mod);
  double cost = 0;
  for (int j = 0; j < p->D; j++) cost += fabs(ref_outcome(mech, p, mod, j) - truth[i * p->D + j]);
  free(mod);
  return cost;
}

static double grid_point(const ss_fac_params *p, int k, int n)
{
  return k == n - 1 ? p->hi : p->lo + (p->hi - p->lo) * k / (n - 1);
}

/* The full product grid of COARSE points per coordinate: its size, and point g of it. */
static long coarse_count(int D)
{
  long total = 1;
  for (int j = 0; j < D; j++) total *= COARSE;
  return total;
}

static void coarse_point(const ss_fac_params *p, int D, long g, double *x)
{
  for (int j = 0; j < D; j++) {
    x[j] = grid_point(p, (int)(g % COARSE), COARSE);
    g /= COARSE;
  }
}

static ss_fac_summary summarize(const ss_fac_mechanism *mech, const ss_fac_params *p, const double *reports)
{
  ss_fac_summary s = {0};
  ss_err e;
  ss_err_clear(&e);
  int rc = mech->summarize(ss_unit_world(), p, reports, p->m, &s, &e);
  CU_ASSERT_EQUAL_FATAL(rc, SS_OK);
  return s;
}

/* ---- instances ---- */

enum { PROF_UNIFORM, PROF_TIES, PROF_EDGES, PROF_SAME, NPROF };
static const char *const prof_names[NPROF] = {"uniform", "ties", "edges", "same"};

/* Locations for profile kind `prof` (keyed draws: entity = instance id). */
static double *make_locations(const ss_fac_params *p, int prof, uint32_t id)
{
  double *x = malloc((size_t)(p->m * p->D) * sizeof *x);
  double w = p->hi - p->lo;
  for (int64_t n = 0; n < p->m * p->D; n++) {
    double u = ss_rng_u01(7, SS_P_TEST, id, (uint64_t)n);
    switch (prof) {
    case PROF_UNIFORM: x[n] = p->lo + w * u; break;
    case PROF_TIES: x[n] = p->lo + w * 0.25 * floor(u * 5.0); break; /* 5 levels, lo and hi included */
    case PROF_EDGES: x[n] = u < 0.5 ? p->lo : p->hi; break;
    default: x[n] = p->lo + w * 0.375; break;
    }
  }
  return x;
}

typedef struct {
  int64_t m;
  int D;
  double lo, hi;
} shape;

static const shape shapes[] = {
  {1, 1, 0, 1}, {2, 1, 0, 1}, {3, 2, 0, 1}, {4, 1, -3, 5}, {4, 3, 0, 1}, {5, 2, -1, 1},
  {6, 2, 0, 1}, {7, 1, 10, 11}, {8, 3, -2, 2}, {2, 3, 0, 1}, {1, 2, -1, 0},
};
#define NSHAPES ((int)(sizeof shapes / sizeof shapes[0]))

/* Calls fn on every (mechanism, median kind, shape, profile kind) instance. */
typedef void (*instance_fn)(const ss_fac_mechanism *mech, const ss_fac_params *p, const double *truth,
                            uint32_t id);

static void for_every_instance(instance_fn fn, double tol)
{
  uint32_t id = 0;
  for (int k = 0; k < ss_fac_mechanism_count(); k++)
    for (int t = 0; t < 3; t++)
      for (int s = 0; s < NSHAPES; s++)
        for (int prof = 0; prof < NPROF; prof++) {
          ss_fac_params p = {shapes[s].m, shapes[s].D, shapes[s].lo, shapes[s].hi, kinds[t], tol};
          double *truth = make_locations(&p, prof, 1000 + (uint32_t)(s * NPROF + prof));
          fn(ss_fac_mechanism_at(k), &p, truth, id++);
          free(truth);
        }
}

static void describe(const ss_fac_mechanism *mech, const ss_fac_params *p, char *buf, size_t len)
{
  snprintf(buf, len, "%s (median %s) m=%lld D=%d [%g,%g]", mech->name, kind_names[p->median],
           (long long)p->m, p->D, p->lo, p->hi);
}

/* ---- the registry ---- */

static void test_registry(void)
{
  int n = ss_fac_mechanism_count();
  CU_ASSERT(n >= 2);
  int have_mean = 0, have_median = 0;
  for (int k = 0; k < n; k++) {
    const ss_fac_mechanism *mech = ss_fac_mechanism_at(k);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mech);
    CU_ASSERT_PTR_EQUAL(ss_fac_mechanism_find(mech->name), mech);
    CU_ASSERT(mech->strategyproof && mech->summarize && mech->outcome && mech->outcome_if && mech->best_report);
    have_mean |= !strcmp(mech->name, "mean");
    have_median |= !strcmp(mech->name, "median");
  }
  CU_ASSERT(have_mean);
  CU_ASSERT(have_median);
  CU_ASSERT_PTR_NULL(ss_fac_mechanism_find("medain"));
  CU_ASSERT_PTR_NULL(ss_fac_mechanism_find(""));
}

/* Which mechanisms claim strategyproofness: the median when it is one order statistic (odd m,
 * or the lower/upper rule), never the mean, never the mean of two middle values. */
static void test_strategyproof_claims(void)
{
  for (int t = 0; t < 3; t++)
    for (int64_t m = 1; m <= 9; m++) {
      ss_fac_params p = {m, 1, 0, 1, kinds[t], 1e-12};
      CU_ASSERT_FALSE(ss_fac_mechanism_find("mean")->strategyproof(&p));
      int want = kinds[t] != SS_MEDIAN_MEAN || m % 2 == 1;
      CU_ASSERT_EQUAL(!!ss_fac_mechanism_find("median")->strategyproof(&p), want);
    }
}

/* ---- (a) outcome against a direct computation ---- */

static int nfail_a;
static void check_outcome(const ss_fac_mechanism *mech, const ss_fac_params *p, const double *truth, uint32_t id)
{
  ss_fac_summary s = summarize(mech, p, truth);
  double *f = malloc((size_t)p->D * sizeof *f);
  ss_fac_outcome(mech, &s, p, f);
  for (int j = 0; j < p->D; j++) {
    double want;
    int ok;
    if (!strcmp(mech->name, "median")) {
      want = ref_outcome("median", p, truth, j);
      ok = f[j] == want;
    } else {
      long double sum = 0;
      for (int64_t i = 0; i < p->m; i++) sum += truth[i * p->D + j];
      want = (double)(sum / p->m);
      ok = fabs(f[j] - want) <= 4 * 2.220446049250313e-16 * fmax(fabs(p->lo), fabs(p->hi));
    }
    CU_ASSERT(ok);
    CU_ASSERT(f[j] >= p->lo && f[j] <= p->hi);
    if (!ok && nfail_a++ < 5) {
      char d[160];
      describe(mech, p, d, sizeof d);
      fprintf(stderr, "\noutcome %s coord %d: got %.17g, direct %.17g (instance %u)\n", d, j, f[j], want, id);
    }
  }
  free(f);
  ss_fac_summary_free(&s);
}

static void test_outcome_direct(void) { for_every_instance(check_outcome, 1e-12); }

/* ---- (b) outcome_if against recomputing the mechanism on the modified profile ---- */

static int nfail_b;
static void check_outcome_if(const ss_fac_mechanism *mech, const ss_fac_params *p, const double *truth, uint32_t id)
{
  ss_fac_summary s = summarize(mech, p, truth);
  double *mod = malloc((size_t)(p->m * p->D) * sizeof *mod);
  double *x = malloc((size_t)p->D * sizeof *x);
  for (int64_t i = 0; i < p->m; i++) {
    for (int trial = 0; trial < 12; trial++) {
      /* random reports, the box ends, no move, and other agents' reports (ties) */
      for (int j = 0; j < p->D; j++) {
        double u = ss_rng_u01(11, SS_P_TEST, id, (uint64_t)((i * 12 + trial) * p->D + j));
        if (trial == 0) x[j] = p->lo;
        else if (trial == 1) x[j] = p->hi;
        else if (trial == 2) x[j] = truth[i * p->D + j];
        else if (trial == 3) x[j] = truth[((i + 1) % p->m) * p->D + j];
        else x[j] = p->lo + (p->hi - p->lo) * u;
      }
      memcpy(mod, truth, (size_t)(p->m * p->D) * sizeof *mod);
      memcpy(mod + i * p->D, x, (size_t)p->D * sizeof *x);
      double cost_want = 0;
      for (int j = 0; j < p->D; j++) {
        double got = mech->outcome_if(&s, p, j, truth[i * p->D + j], x[j]);
        double want = ref_outcome(mech->name, p, mod, j);
        CU_ASSERT(got == want);
        if (got != want && nfail_b++ < 5) {
          char d[160];
          describe(mech, p, d, sizeof d);
          fprintf(stderr, "\noutcome_if %s agent %lld coord %d x=%.17g: got %.17g, from scratch %.17g\n", d,
                  (long long)i, j, x[j], got, want);
        }
        cost_want += fabs(want - truth[i * p->D + j]);
      }
      double cost = ss_fac_cost_if(mech, &s, p, truth + i * p->D, truth + i * p->D, x);
      CU_ASSERT(cost == cost_want);
      /* once per agent: a summary rebuilt by the mechanism itself agrees too */
      if (trial == 5) {
        ss_fac_summary s2 = summarize(mech, p, mod);
        for (int j = 0; j < p->D; j++)
          CU_ASSERT(mech->outcome(&s2, p, j) == mech->outcome_if(&s, p, j, truth[i * p->D + j], x[j]));
        ss_fac_summary_free(&s2);
      }
    }
  }
  free(x);
  free(mod);
  ss_fac_summary_free(&s);
}

static void test_outcome_if_from_scratch(void) { for_every_instance(check_outcome_if, 1e-12); }

/* ---- (c) the best response beats every deviation on a fine grid ---- */

/* A non-truthful current profile, so best responses are also checked away from the truth. */
static double *shifted_reports(const ss_fac_params *p, const double *truth, uint32_t id)
{
  double *r = malloc((size_t)(p->m * p->D) * sizeof *r);
  for (int64_t n = 0; n < p->m * p->D; n++) {
    double u = ss_rng_u01(13, SS_P_TEST, id, (uint64_t)n);
    r[n] = n % 3 == 0 ? truth[n] : p->lo + (p->hi - p->lo) * u;
  }
  return r;
}

static int nfail_c;
/* Agent i's best response at `reports` is no worse than any report on the per-coordinate grid
 * (other coordinates at the best response) or on the coarse product grid; all costs from scratch. */
static void check_br_agent(const ss_fac_mechanism *mech, const ss_fac_params *p, const double *truth,
                           const double *reports, int64_t i)
{
  ss_fac_summary s = summarize(mech, p, reports);
  int D = p->D;
  double *br = malloc((size_t)D * sizeof *br), *x = malloc((size_t)D * sizeof *x);
  double gain = ss_fac_best_response(mech, &s, p, truth + i * D, reports + i * D, br);
  double keep = ref_cost(mech->name, p, reports, truth, i, reports + i * D);
  double best = ref_cost(mech->name, p, reports, truth, i, br);
  /* the reported gain is what the move is worth, recomputed from scratch */
  CU_ASSERT(fabs(gain - (keep - best)) <= SLACK);
  CU_ASSERT(gain >= 0);
  double slack = SLACK + D * p->tol; /* a coordinate gaining at most tol is not moved */
  double worst_excess = -INFINITY, at = 0;
  for (int j = 0; j < D; j++) {
    CU_ASSERT(br[j] >= p->lo && br[j] <= p->hi);
    memcpy(x, br, (size_t)D * sizeof *x);
    for (int k = 0; k < GRID; k++) {
      x[j] = grid_point(p, k, GRID);
      double c = ref_cost(mech->name, p, reports, truth, i, x);
      if (best - c > worst_excess) { worst_excess = best - c; at = x[j]; }
    }
  }
  for (long g = 0; g < coarse_count(D); g++) {
    coarse_point(p, D, g, x);
    double c = ref_cost(mech->name, p, reports, truth, i, x);
    if (best - c > worst_excess) { worst_excess = best - c; at = x[0]; }
  }
  CU_ASSERT(worst_excess <= slack);
  if (worst_excess > slack && nfail_c++ < 5) {
    char d[160];
    describe(mech, p, d, sizeof d);
    fprintf(stderr, "\nbest response %s agent %lld: a grid report (x0=%.17g) is better by %.3g\n", d,
            (long long)i, at, worst_excess);
  }
  free(br);
  free(x);
  ss_fac_summary_free(&s);
}

static void check_best_response(const ss_fac_mechanism *mech, const ss_fac_params *p, const double *truth, uint32_t id)
{
  if (p->D == 3 && p->m > 4) return; /* keeps the suite fast; D=3 is covered by m=2 and m=4 */
  double *shifted = shifted_reports(p, truth, id);
  for (int64_t i = 0; i < p->m; i++) {
    check_br_agent(mech, p, truth, truth, i);
    check_br_agent(mech, p, truth, shifted, i);
  }
  free(shifted);
}

static void test_best_response_grid(void) { for_every_instance(check_best_response, 1e-12); }
static void test_best_response_grid_tol0(void) { for_every_instance(check_best_response, 0); }

/* ---- (d) strategyproof mechanisms: no deviation helps at the truthful profile ---- */

static int nfail_d;
static void check_truthful(const ss_fac_mechanism *mech, const ss_fac_params *p, const double *truth, uint32_t id)
{
  if (!mech->strategyproof(p)) return;
  ss_fac_params p0 = *p;
  p0.tol = 0; /* the strictest reading: not even a rounding-size gain */
  ss_fac_summary s = summarize(mech, &p0, truth);
  int D = p->D;
  double *br = malloc((size_t)D * sizeof *br), *x = malloc((size_t)D * sizeof *x);
  for (int64_t i = 0; i < p->m; i++) {
    double gain = ss_fac_best_response(mech, &s, &p0, truth + i * D, truth + i * D, br);
    CU_ASSERT(gain == 0.0);
    for (int j = 0; j < D; j++) CU_ASSERT(br[j] == truth[i * D + j]); /* nothing moves */
    double honest = ref_cost(mech->name, &p0, truth, truth, i, truth + i * D);
    int improved = 0;
    for (int j = 0; j < D; j++) {
      memcpy(x, truth + i * D, (size_t)D * sizeof *x);
      for (int k = 0; k < GRID; k++) {
        x[j] = grid_point(p, k, GRID);
        improved |= ref_cost(mech->name, &p0, truth, truth, i, x) < honest;
      }
    }
    for (long g = 0; g < coarse_count(D); g++) {
      coarse_point(p, D, g, x);
      improved |= ref_cost(mech->name, &p0, truth, truth, i, x) < honest;
    }
    CU_ASSERT_FALSE(improved);
    if (improved && nfail_d++ < 5) {
      char d[160];
      describe(mech, p, d, sizeof d);
      fprintf(stderr, "\nstrategyproof %s: agent %lld gains by lying (instance %u)\n", d, (long long)i, id);
    }
  }
  free(br);
  free(x);
  ss_fac_summary_free(&s);
}

static void test_strategyproof_truthful(void)
{
  /* the check must have run on something: count the strategyproof instances */
  int n = 0;
  for (int k = 0; k < ss_fac_mechanism_count(); k++)
    for (int t = 0; t < 3; t++) {
      ss_fac_params p = {4, 1, 0, 1, kinds[t], 0};
      n += !!ss_fac_mechanism_at(k)->strategyproof(&p);
    }
  CU_ASSERT_EQUAL(n, 2); /* median lower and median upper */
  for_every_instance(check_truthful, 1e-12);
}

/* ---- (e) manipulable mechanisms ---- */

static double clipd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* The mean: the exact best response clip(m p_i - S_-i) (MODELS.md), and someone gains. */
static void test_mean_exact_best_response(void)
{
  const ss_fac_mechanism *mean = ss_fac_mechanism_find("mean");
  CU_ASSERT_PTR_NOT_NULL_FATAL(mean);
  int someone_gains = 0;
  for (int s = 0; s < NSHAPES; s++) {
    ss_fac_params p = {shapes[s].m, shapes[s].D, shapes[s].lo, shapes[s].hi, SS_MEDIAN_LOWER, 1e-12};
    double *truth = make_locations(&p, PROF_UNIFORM, 2000 + (uint32_t)s);
    ss_fac_summary sum = summarize(mean, &p, truth);
    double *br = malloc((size_t)p.D * sizeof *br);
    for (int64_t i = 0; i < p.m; i++) {
      double gain = ss_fac_best_response(mean, &sum, &p, truth + i * p.D, truth + i * p.D, br);
      double want_gain = 0;
      for (int j = 0; j < p.D; j++) {
        long double others = 0;
        for (int64_t a = 0; a < p.m; a++)
          if (a != i) others += truth[a * p.D + j];
        double closed = clipd((double)((long double)p.m * truth[i * p.D + j] - others), p.lo, p.hi);
        CU_ASSERT(fabs(br[j] - closed) <= 1e-12 * fmax(1, fabs(p.hi - p.lo) * p.m));
        double f = ref_outcome("mean", &p, truth, j);
        double f_moved = f + (closed - truth[i * p.D + j]) / (double)p.m;
        want_gain += fabs(f - truth[i * p.D + j]) - fabs(f_moved - truth[i * p.D + j]);
      }
      CU_ASSERT(fabs(gain - want_gain) <= 1e-12);
      if (gain > 1e-9) someone_gains = 1;
      /* m = 1: the single agent puts the facility where it is already; nothing to gain */
      if (p.m == 1) CU_ASSERT_EQUAL(gain, 0.0);
    }
    free(br);
    ss_fac_summary_free(&sum);
    free(truth);
  }
  CU_ASSERT(someone_gains);

  /* by hand: m=3, D=1, [0,1], truths 0.1 0.5 0.9; facility 0.5. Agent 0 wants 0.1 and can only
   * reach (0 + 0.5 + 0.9)/3 = 1.4/3 by reporting 0: gain 0.4 - (1.4/3 - 0.1) = 0.1/3. */
  ss_fac_params p = {3, 1, 0, 1, SS_MEDIAN_LOWER, 1e-12};
  const double truth[3] = {0.1, 0.5, 0.9};
  ss_fac_summary sum = summarize(mean, &p, truth);
  double br;
  CU_ASSERT_DOUBLE_EQUAL(ss_fac_best_response(mean, &sum, &p, &truth[0], &truth[0], &br), 0.1 / 3, 1e-15);
  CU_ASSERT_EQUAL(br, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(ss_fac_best_response(mean, &sum, &p, &truth[2], &truth[2], &br), 0.1 / 3, 1e-15);
  CU_ASSERT_EQUAL(br, 1.0);
  CU_ASSERT_EQUAL(ss_fac_best_response(mean, &sum, &p, &truth[1], &truth[1], &br), 0.0); /* already at 0.5 */
  CU_ASSERT_EQUAL(br, 0.5);
  ss_fac_summary_free(&sum);
}

/* The median as the mean of the two middle values (even m) is manipulable. By hand:
 * m=2: truths 0.2, 0.8, facility 0.5; agent 0 reports 0 and moves it to 0.4: gain 0.1.
 * m=4: truths 0.1 0.2 0.6 0.9, facility 0.4; agent 1 (at 0.2) reports at most 0.1, which makes
 * the middle values 0.1 and 0.6: facility 0.35, gain 0.2 - 0.15 = 0.05. */
static void test_median_mean_manipulable(void)
{
  const ss_fac_mechanism *med = ss_fac_mechanism_find("median");
  CU_ASSERT_PTR_NOT_NULL_FATAL(med);
  ss_fac_params p2 = {2, 1, 0, 1, SS_MEDIAN_MEAN, 1e-12};
  CU_ASSERT_FALSE(med->strategyproof(&p2));
  const double t2[2] = {0.2, 0.8};
  ss_fac_summary s = summarize(med, &p2, t2);
  CU_ASSERT_DOUBLE_EQUAL(med->outcome(&s, &p2, 0), 0.5, 1e-15);
  double br;
  double gain = ss_fac_best_response(med, &s, &p2, &t2[0], &t2[0], &br);
  CU_ASSERT_DOUBLE_EQUAL(gain, 0.1, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(br, 0.0, 1e-15);
  double lie = 0.0;
  CU_ASSERT_DOUBLE_EQUAL(ref_cost("median", &p2, t2, t2, 0, &lie), 0.2, 1e-15); /* from scratch */
  ss_fac_summary_free(&s);

  ss_fac_params p4 = {4, 1, 0, 1, SS_MEDIAN_MEAN, 1e-12};
  const double t4[4] = {0.1, 0.2, 0.6, 0.9};
  s = summarize(med, &p4, t4);
  CU_ASSERT_DOUBLE_EQUAL(med->outcome(&s, &p4, 0), 0.4, 1e-15);
  gain = ss_fac_best_response(med, &s, &p4, &t4[1], &t4[1], &br);
  CU_ASSERT_DOUBLE_EQUAL(gain, 0.05, 1e-15);
  CU_ASSERT(br <= 0.1 + 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(med->outcome_if(&s, &p4, 0, t4[1], br), 0.35, 1e-15);
  ss_fac_summary_free(&s);

  /* the same profile under the lower and upper rules: nobody gains */
  for (int t = 0; t < 2; t++) {
    ss_fac_params q = p4;
    q.median = kinds[t];
    s = summarize(med, &q, t4);
    CU_ASSERT_EQUAL(med->outcome(&s, &q, 0), t == 0 ? 0.2 : 0.6);
    for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(ss_fac_best_response(med, &s, &q, &t4[i], &t4[i], &br), 0.0);
    ss_fac_summary_free(&s);
  }
}

/* ---- (f) best-response dynamics ---- */

static double median_of(double *x, int n)
{
  return ss_median_serial(x, n, SS_MEDIAN_LOWER); /* n is odd below */
}

/* The equilibrium facility of the mean in one coordinate (Renault and Trannoy): the median of
 * the m true locations and the m-1 phantoms lo + k (hi-lo)/m, k = 1..m-1. */
static double mean_equilibrium(const ss_fac_params *p, const double *truth, int j)
{
  int n = (int)(2 * p->m - 1);
  double *x = malloc((size_t)n * sizeof *x);
  for (int64_t i = 0; i < p->m; i++) x[i] = truth[i * p->D + j];
  for (int64_t k = 1; k < p->m; k++) x[p->m + k - 1] = p->lo + (p->hi - p->lo) * (double)k / (double)p->m;
  double f = median_of(x, n);
  free(x);
  return f;
}

static void test_dynamics_mean_by_hand(void)
{
  /* truths 0.1 0.5 0.9 in [0,1]. Round 1: agent 0 reports clip(0.3 - 1.4) = 0, agent 1
   * clip(1.5 - 0.9) = 0.6, agent 2 clip(2.7 - 0.6) = 1. Round 2: agent 1 clip(1.5 - 1) = 0.5.
   * Round 3: no move. Equilibrium (0, 0.5, 1), facility 0.5 = median(0.1, 0.5, 0.9, 1/3, 2/3). */
  const ss_fac_mechanism *mean = ss_fac_mechanism_find("mean");
  ss_fac_params p = {3, 1, 0, 1, SS_MEDIAN_LOWER, 1e-9};
  const double truth[3] = {0.1, 0.5, 0.9};
  double reports[3] = {0.1, 0.5, 0.9};
  ss_fac_dynamics dyn;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(ss_fac_run_dynamics(ss_unit_world(), mean, &p, 0, 3, truth, reports, 100, &dyn, &e), SS_OK);
  CU_ASSERT_EQUAL(dyn.converged, 1);
  CU_ASSERT_EQUAL(dyn.rounds, 2);
  CU_ASSERT_EQUAL(dyn.moves, 4);
  CU_ASSERT_EQUAL(reports[0], 0.0);
  CU_ASSERT_DOUBLE_EQUAL(reports[1], 0.5, 1e-15);
  CU_ASSERT_EQUAL(reports[2], 1.0);
  ss_fac_summary s = summarize(mean, &p, reports);
  CU_ASSERT_DOUBLE_EQUAL(mean->outcome(&s, &p, 0), 0.5, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(mean->outcome(&s, &p, 0), mean_equilibrium(&p, truth, 0), 1e-15);
  ss_fac_summary_free(&s);

  /* capped at one round: the first round's three moves, not converged */
  double r1[3] = {0.1, 0.5, 0.9};
  CU_ASSERT_EQUAL(ss_fac_run_dynamics(ss_unit_world(), mean, &p, 0, 3, truth, r1, 1, &dyn, &e), SS_OK);
  CU_ASSERT_EQUAL(dyn.converged, 0);
  CU_ASSERT_EQUAL(dyn.rounds, 1);
  CU_ASSERT_EQUAL(dyn.moves, 3);
  CU_ASSERT_EQUAL(r1[0], 0.0);
  CU_ASSERT_DOUBLE_EQUAL(r1[1], 0.6, 1e-15);
  CU_ASSERT_EQUAL(r1[2], 1.0);

  /* m=2: truths 0.2 0.3; equilibrium facility median(0.2, 0.3, 0.5) = 0.3 */
  ss_fac_params p2 = {2, 1, 0, 1, SS_MEDIAN_LOWER, 1e-9};
  const double t2[2] = {0.2, 0.3};
  double r2[2] = {0.2, 0.3};
  CU_ASSERT_EQUAL(ss_fac_run_dynamics(ss_unit_world(), mean, &p2, 0, 2, t2, r2, 100, &dyn, &e), SS_OK);
  CU_ASSERT(dyn.converged);
  CU_ASSERT_DOUBLE_EQUAL((r2[0] + r2[1]) / 2, 0.3, 1e-12);
  CU_ASSERT_EQUAL(r2[0], 0.0);
}

/* No agent can gain more than tol at the end state: brute force over the grid, from scratch. */
static double max_grid_gain(const char *mech, const ss_fac_params *p, const double *truth, const double *reports)
{
  double worst = 0;
  double *x = malloc((size_t)p->D * sizeof *x);
  for (int64_t i = 0; i < p->m; i++) {
    double now = ref_cost(mech, p, reports, truth, i, reports + i * p->D);
    for (int j = 0; j < p->D; j++) {
      memcpy(x, reports + i * p->D, (size_t)p->D * sizeof *x);
      for (int k = 0; k < GRID; k++) {
        x[j] = grid_point(p, k, GRID);
        double g = now - ref_cost(mech, p, reports, truth, i, x);
        if (g > worst) worst = g;
      }
    }
  }
  free(x);
  return worst;
}

static void test_dynamics_mean_random(void)
{
  const ss_fac_mechanism *mean = ss_fac_mechanism_find("mean");
  int total_moves = 0;
  for (int s = 0; s < NSHAPES; s++)
    for (int prof = 0; prof < NPROF; prof++) {
      ss_fac_params p = {shapes[s].m, shapes[s].D, shapes[s].lo, shapes[s].hi, SS_MEDIAN_LOWER, 1e-12};
      double *truth = make_locations(&p, prof, 3000 + (uint32_t)(s * NPROF + prof));
      double *reports = malloc((size_t)(p.m * p.D) * sizeof *reports);
      memcpy(reports, truth, (size_t)(p.m * p.D) * sizeof *reports);
      ss_fac_dynamics dyn;
      ss_err e;
      ss_err_clear(&e);
      CU_ASSERT_EQUAL_FATAL(ss_fac_run_dynamics(ss_unit_world(), mean, &p, 0, p.m, truth, reports, 10000, &dyn, &e),
                            SS_OK);
      CU_ASSERT(dyn.converged);
      CU_ASSERT(dyn.moves >= dyn.rounds);
      total_moves += (int)dyn.moves;
      double scale = p.hi - p.lo;
      for (int j = 0; j < p.D; j++) {
        double f = ref_outcome("mean", &p, reports, j), want = mean_equilibrium(&p, truth, j);
        CU_ASSERT(fabs(f - want) <= 1e-9 * scale);
        if (fabs(f - want) > 1e-9 * scale)
          fprintf(stderr, "\nmean dynamics m=%lld %s coord %d: facility %.17g, equilibrium %.17g\n",
                  (long long)p.m, prof_names[prof], j, f, want);
      }
      for (int64_t n = 0; n < p.m * p.D; n++) CU_ASSERT(reports[n] >= p.lo && reports[n] <= p.hi);
      CU_ASSERT(max_grid_gain("mean", &p, truth, reports) <= p.tol + SLACK * scale);
      free(reports);
      free(truth);
    }
  CU_ASSERT(total_moves > 0);
}

/* Strategyproof median: nobody moves, reports stay the truth bit for bit. The mean of the two
 * middle values does move on the m=2 example above and ends with nobody able to gain. */
static void test_dynamics_median(void)
{
  const ss_fac_mechanism *med = ss_fac_mechanism_find("median");
  for (int t = 0; t < 3; t++)
    for (int s = 0; s < NSHAPES; s++)
      for (int prof = 0; prof < NPROF; prof++) {
        ss_fac_params p = {shapes[s].m, shapes[s].D, shapes[s].lo, shapes[s].hi, kinds[t], 1e-12};
        double *truth = make_locations(&p, prof, 4000 + (uint32_t)(s * NPROF + prof));
        double *reports = malloc((size_t)(p.m * p.D) * sizeof *reports);
        memcpy(reports, truth, (size_t)(p.m * p.D) * sizeof *reports);
        ss_fac_dynamics dyn;
        ss_err e;
        ss_err_clear(&e);
        CU_ASSERT_EQUAL_FATAL(
            ss_fac_run_dynamics(ss_unit_world(), med, &p, 0, p.m, truth, reports, 1000, &dyn, &e), SS_OK);
        CU_ASSERT(dyn.converged);
        if (med->strategyproof(&p)) {
          CU_ASSERT_EQUAL(dyn.moves, 0);
          CU_ASSERT_EQUAL(dyn.rounds, 0);
          CU_ASSERT(memcmp(reports, truth, (size_t)(p.m * p.D) * sizeof *reports) == 0);
        }
        CU_ASSERT(max_grid_gain("median", &p, truth, reports) <= p.tol + SLACK);
        free(reports);
        free(truth);
      }

  ss_fac_params p2 = {2, 1, 0, 1, SS_MEDIAN_MEAN, 1e-12};
  const double t2[2] = {0.2, 0.8};
  double r2[2] = {0.2, 0.8};
  ss_fac_dynamics dyn;
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_fac_run_dynamics(ss_unit_world(), med, &p2, 0, 2, t2, r2, 100, &dyn, &e), SS_OK);
  CU_ASSERT(dyn.moves > 0);
  CU_ASSERT(dyn.converged);
  /* with two agents the facility is their mean: the same equilibrium as the mean, 0.5 here */
  CU_ASSERT_DOUBLE_EQUAL((r2[0] + r2[1]) / 2, mean_equilibrium(&p2, t2, 0), 1e-12);
}

SS_UNIT_SUITE(suite_facility)
{
  ss_unit_suite("facility");
  ss_unit_test("registry", test_registry);
  ss_unit_test("strategyproof claims", test_strategyproof_claims);
  ss_unit_test("(a) outcome equals direct computation", test_outcome_direct);
  ss_unit_test("(b) outcome_if equals recomputation", test_outcome_if_from_scratch);
  ss_unit_test("(c) best response beats the grid", test_best_response_grid);
  ss_unit_test("(c) best response beats the grid, tol 0", test_best_response_grid_tol0);
  ss_unit_test("(d) strategyproof: truthful is a best response", test_strategyproof_truthful);
  ss_unit_test("(e) mean: exact best response, manipulable", test_mean_exact_best_response);
  ss_unit_test("(e) median of two means: manipulable", test_median_mean_manipulable);
  ss_unit_test("(f) mean dynamics by hand", test_dynamics_mean_by_hand);
  ss_unit_test("(f) mean dynamics reach the phantom median", test_dynamics_mean_random);
  ss_unit_test("(f) median dynamics", test_dynamics_median);
}
