/* Scoring four arms per SIMD vector (ridge_lanes.c) gives each arm the bits of the scalar
 * ss_ridge_bound_report: per-arm states through the lane cache (set by update, refilled after
 * an invalidation) and one pooled state, for d = 1..8 and 1..9 arms (partial groups). */
#include <stdlib.h>
#include "stratsim/bandit_ridge.h"
#include "stratsim/rng.h"
#include "unit.h"

enum { MAXN = 9, MAXD = SS_RIDGE_LANES_MAX_D };

static double draw(uint64_t *k) { return 2.0 * ss_rng_u01(77, SS_P_TEST, 4, (*k)++) - 1.0; }

static void test_lanes_equal_scalar(void)
{
  double *mem = malloc(MAXN * ss_ridge_ndoubles(MAXD) * sizeof(double));
  double *work = malloc(ss_ridge_nwork(MAXD) * sizeof(double));
  double *cache = malloc(ss_ridge_lanes_ndoubles(MAXN, MAXD) * sizeof(double));
  double y[MAXN * MAXD], yl[12 * MAXD], base[MAXD], x[MAXD], radius[MAXN], got[MAXN], pooled[MAXN];
  ss_ridge r[MAXN];
  uint64_t k = 0;
  int ok = 1;
  for (int d = 1; d <= MAXD; d++)
    for (int n = 1; n <= MAXN; n++) {
      for (int i = 0; i < n; i++) {
        ss_ridge_attach(&r[i], d, 0.5 + i, mem + (size_t)i * ss_ridge_ndoubles(d));
        radius[i] = 1.0 + draw(&k);
        for (int j = 0; j < d; j++) y[i * d + j] = draw(&k);
      }
      ss_ridge_lanes_invalidate(cache, n, d);
      ss_ridge_lanes_reports(n, d, y, yl);
      for (int round = 0; round < 3 * n; round++) {
        for (int j = 0; j < d; j++) base[j] = draw(&k);
        ss_ridge_lanes_bounds(cache, r, radius, n, base, yl, got);
        ss_ridge_pooled_bounds(&r[0], radius[0], n, base, yl, pooled);
        for (int i = 0; i < n; i++) {
          ok &= got[i] == ss_ridge_bound_report(&r[i], base, y + i * d, radius[i], x);
          ok &= pooled[i] == ss_ridge_bound_report(&r[0], base, y + i * d, radius[0], x);
        }
        /* update one state, as a mechanism does, and tell the cache */
        int i = round % n;
        for (int j = 0; j < d; j++) x[j] = draw(&k);
        ss_ridge_update(&r[i], x, draw(&k), 4, work);
        radius[i] += 0.25;
        ss_ridge_lanes_set(cache, i, &r[i], radius[i]);
      }
    }
  CU_ASSERT(ok);
  free(mem);
  free(work);
  free(cache);
}

SS_UNIT_SUITE(suite_ridge_lanes)
{
  ss_unit_suite("ridge lanes");
  ss_unit_test("four lanes equal the scalar bound", test_lanes_equal_scalar);
}
