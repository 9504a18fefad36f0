/* stratsim's side of bench/compare.sh (docs/performance.md, "Side by side"). Each mode writes
 * the exact problem it solves to DIR (raw little-endian doubles, read by bench/compare.py), so
 * the alternative solves the same data, and prints one line "stratsim <what> <seconds> <check>":
 *   bench_compare mle N D REPS DIR    : REPS labelers' MLEs (n = N, d = D, lambda 1e-3), the
 *                                       seconds per labeler; check = the mean objective
 *   bench_compare lp S A D DIR        : the policy LP of the box aggregator over S states, A
 *                                       actions (stratsim's simplex, cold start); check = optimum
 *   bench_compare median K D DIR      : coordinate-wise median of K x D normals (stored array);
 *                                       check = the first median
 * Rank 0 alone; timings use CLOCK_MONOTONIC around the solves only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/par.h"
#include "stratsim/rlhf.h"
#include "stratsim/rlhf_lp.h"
#include "stratsim/rng.h"

static int write_raw(const char *dir, const char *name, const void *p, size_t bytes)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, bytes, f) != bytes) {
    fprintf(stderr, "bench_compare: cannot write %s\n", path);
    if (f) fclose(f);
    return 1;
  }
  return fclose(f) != 0;
}

static int mode_mle(int n, int d, int reps, const char *dir)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.n = n, p.d = d, p.S = 64, p.A = 8;
  rlhf_env env;
  rlhf_mle *mle;
  ss_err e;
  ss_err_clear(&e);
  if (rlhf_env_create(&p, &env, &e) || rlhf_mle_create(d, n, p.lambda, &mle, &e)) return 1;
  double *x = malloc((size_t)reps * n * d * sizeof *x), *y = malloc((size_t)reps * n * sizeof *y);
  unsigned char *o = malloc((size_t)reps * n);
  double ts[64], th[64], obj = 0;
  for (int r = 0; r < reps; r++) {
    rlhf_theta_star(&p, r, ts);
    rlhf_comparisons(&p, &env, r, ts, x + (size_t)r * n * d, o + (size_t)r * n);
  }
  double t0 = ss_wtime();
  for (int r = 0; r < reps; r++)
    if (rlhf_mle_solve(mle, n, x + (size_t)r * n * d, o + (size_t)r * n, th, NULL, NULL, NULL, &e))
      return 1;
  double t = (ss_wtime() - t0) / reps;
  for (int r = 0; r < reps; r++) { /* the objective at each solution, outside the timing */
    rlhf_mle_solve(mle, n, x + (size_t)r * n * d, o + (size_t)r * n, th, NULL, NULL, NULL, &e);
    obj += rlhf_mle_objective(n, d, x + (size_t)r * n * d, o + (size_t)r * n, p.lambda, th, NULL) / reps;
  }
  for (size_t j = 0; j < (size_t)reps * n; j++) y[j] = o[j] ? 0.0 : 1.0; /* 1: first preferred */
  int rc = write_raw(dir, "mle_x.bin", x, (size_t)reps * n * d * sizeof *x) ||
           write_raw(dir, "mle_y.bin", y, (size_t)reps * n * sizeof *y);
  printf("stratsim mle %.9g %.17g\n", t, obj);
  free(x), free(y), free(o);
  rlhf_mle_destroy(&mle);
  rlhf_env_destroy(&env);
  return rc;
}

/* max sum_j v_j  s.t.  v_j <= lo_j z_j, v_j <= hi_j z_j, z = sum_s rho_s sum_a pi_sa phi_sa,
 * sum_a pi_sa = 1, pi >= 0: W(z) = min over the box [lo, hi] of <theta, z>. Standard form
 * (A x = b, x >= 0) with x = (pi, v+, v-, slacks of the 2d inequalities). */
static int mode_lp(int S, int A, int d, const char *dir)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.S = S, p.A = A, p.d = d;
  rlhf_env env;
  ss_err e;
  ss_err_clear(&e);
  if (rlhf_env_create(&p, &env, &e)) return 1;
  double lo[64], hi[64];
  rlhf_theta_star(&p, 0, lo);
  for (int j = 0; j < d; j++) hi[j] = lo[j] + 0.1 + 0.05 * ss_rng_u01(p.seed, SS_P_TEST, 1, j), lo[j] -= 0.1;
  int m = S + 2 * d, nc = S * A + 2 * d + 2 * d;
  double *Am = calloc((size_t)m * nc, sizeof *Am), *b = calloc((size_t)m, sizeof *b);
  double *c = calloc((size_t)nc, sizeof *c), *x = calloc((size_t)nc, sizeof *x);
  for (int s = 0; s < S; s++) {
    b[s] = 1;
    for (int a = 0; a < A; a++) Am[(size_t)s * nc + s * A + a] = 1;
  }
  for (int j = 0; j < d; j++)
    for (int h = 0; h < 2; h++) { /* v_j - bound_j z_j + slack = 0 */
      double *row = Am + (size_t)(S + 2 * j + h) * nc, bound = h ? hi[j] : lo[j];
      for (int s = 0; s < S; s++)
        for (int a = 0; a < A; a++)
          row[s * A + a] = -bound * env.rho[s] * env.phi[((size_t)s * A + a) * d + j];
      row[S * A + j] = 1, row[S * A + d + j] = -1, row[S * A + 2 * d + 2 * j + h] = 1;
    }
  for (int j = 0; j < d; j++) c[S * A + j] = 1, c[S * A + d + j] = -1;
  rlhf_lp_info info;
  double t0 = ss_wtime();
  int lrc = rlhf_lp_solve(m, nc, Am, b, c, NULL, x, NULL, &info);
  double t = ss_wtime() - t0;
  int rc = lrc != RLHF_LP_OPTIMAL || write_raw(dir, "lp_A.bin", Am, (size_t)m * nc * sizeof *Am) ||
           write_raw(dir, "lp_b.bin", b, (size_t)m * sizeof *b) ||
           write_raw(dir, "lp_c.bin", c, (size_t)nc * sizeof *c);
  printf("stratsim lp %.9g %.17g %d %d\n", t, info.objective, m, nc);
  free(Am), free(b), free(c), free(x);
  rlhf_env_destroy(&env);
  return rc;
}

static int mode_median(ss_comm *w, int64_t k, int d, const char *dir)
{
  double *v = malloc((size_t)k * d * sizeof *v), med[64];
  for (int64_t i = 0; i < k; i++) ss_rng_normal_fill(7, SS_P_TEST, (uint32_t)i, 0, (uint64_t)d, v + i * d);
  ss_err e;
  ss_err_clear(&e);
  double t0 = ss_wtime();
  int rc = ss_par_median(w, v, k, d, SS_MEDIAN_MEAN, med, &e);
  double t = ss_wtime() - t0;
  rc = rc || write_raw(dir, "median_x.bin", v, (size_t)k * d * sizeof *v);
  printf("stratsim median %.9g %.17g\n", t, med[0]);
  free(v);
  return rc;
}

int main(int argc, char **argv)
{
  ss_comm *w;
  if (ss_par_init(&argc, &argv, &w)) return 1;
  int rc = 2;
  if (ss_comm_size(w) != 1) fprintf(stderr, "bench_compare: run on one rank\n");
  else if (argc == 6 && !strcmp(argv[1], "mle"))
    rc = mode_mle(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argv[5]);
  else if (argc == 6 && !strcmp(argv[1], "lp"))
    rc = mode_lp(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argv[5]);
  else if (argc == 5 && !strcmp(argv[1], "median") && atoi(argv[3]) <= 64)
    rc = mode_median(w, atoll(argv[2]), atoi(argv[3]), argv[4]);
  else
    fprintf(stderr, "usage: bench_compare mle N D REPS DIR | lp S A D DIR | median K D<=64 DIR\n");
  ss_par_finalize(w);
  return rc;
}
