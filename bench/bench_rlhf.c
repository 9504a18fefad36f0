/* RLHF benchmarks (docs/performance.md, "RLHF").
 *   bench_rlhf mle [n d reps]     : MLE microseconds per labeler (rank 0 alone), the
 *                                   flops per solve and the fraction of peak (peak = cores' GHz
 *                                   x 16 double flops/cycle, AVX-512 FMA; passed as -peak GF/s).
 *   bench_rlhf labelers [k n d]   : k labelers' data + MLE + confidence sets spread over all
 *                                   ranks, then the box median and the pessimistic policy:
 *                                   wall time and peak RSS per rank.
 *   -solver newton|tao            : the MLE solver (rlhf.mle.solver; default newton). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_clock.h"
#include "stratsim/median.h"
#include "stratsim/par.h"
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"



static int bench_mle(ss_comm *w, int n, int d, int reps, double peak_gflops, const char *solver)
{
  if (ss_comm_rank(w) != 0) return 0;
  rlhf_params p;
  rlhf_params_default(&p);
  p.n = n;
  p.d = d;
  p.S = 64;
  p.A = 8;
  rlhf_env env;
  ss_err e;
  ss_err_clear(&e);
  if (rlhf_env_create(&p, &env, &e)) return 1;
  rlhf_mle *mle;
  if (rlhf_mle_create(d, n, p.lambda, &mle, &e) || rlhf_mle_use(mle, solver, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  double *x = malloc((size_t)n * d * sizeof *x), th[64], ts[64], gn, gr, flops = 0, worst = 0;
  unsigned char *o = malloc((size_t)n);
  double t_solve = 0, c_solve = 0;
  int its_total = 0, fg_total = 0, hess_total = 0;
  for (int r = 0; r < reps; r++) {
    rlhf_theta_star(&p, r, ts);
    rlhf_comparisons(&p, &env, r, ts, x, o);
    double t0 = ss_wtime(), c0 = cpu_time();
    int its;
    rlhf_mle_solve(mle, n, x, o, th, &gn, &gr, &its, &e);
    t_solve += ss_wtime() - t0;
    c_solve += cpu_time() - c0;
    flops += rlhf_mle_flops(mle);
    its_total += its;
    int nfg, nh;
    rlhf_mle_counts(mle, &nfg, &nh);
    fg_total += nfg;
    hess_total += nh;
    if (gr > worst) worst = gr;
  }
  double us = 1e6 * t_solve / reps, cus = 1e6 * c_solve / reps, fl = flops / reps;
  printf("rlhf mle (%s): n=%d d=%d: %.1f us per labeler (CPU %.1f us; %d solves), %.2f Newton its, %.2f f+g and %.2f Hessian "
         "evaluations, %.3g flops per solve, %.2f GF/s = %.1f%% of %.1f GF/s peak (of CPU time: %.2f GF/s = %.1f%%), worst relative gradient %.2g\n",
         rlhf_mle_solver_name(mle), n, d, us, cus, reps, (double)its_total / reps, (double)fg_total / reps, (double)hess_total / reps, fl, fl / (us * 1e3), 100.0 * fl / (us * 1e3) / peak_gflops,
         peak_gflops, fl / (cus * 1e3), 100.0 * fl / (cus * 1e3) / peak_gflops, worst);
  free(x);
  free(o);
  rlhf_mle_destroy(&mle);
  rlhf_env_destroy(&env);
  return 0;
}

static int bench_labelers(ss_comm *w, long long k, int n, int d, const char *solver)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.k = k;
  p.n = n;
  p.d = d;
  p.S = 64;
  p.A = 8;
  p.c_f = 0.05;
  int P = ss_comm_size(w), rank = ss_comm_rank(w);
  ss_err e;
  ss_err_clear(&e);
  double t0 = ss_wtime();
  rlhf_env env;
  if (rlhf_env_create(&p, &env, &e)) return 1;
  rlhf_mle *mle;
  if (rlhf_mle_create(d, n, p.lambda, &mle, &e) || rlhf_mle_use(mle, solver, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  int64_t first, count;
  rlhf_block(k, P, rank, &first, &count);
  double *ts = malloc((size_t)(count ? count : 1) * d * sizeof *ts);
  for (int64_t r = 0; r < count; r++) rlhf_theta_star(&p, first + r, ts + r * d);
  rlhf_estimates est;
  rlhf_estimates_alloc(&est, d, k, first, count, 0, &e);
  est.radius = rlhf_radius(d, k, n, p.delta, p.lambda, p.B, env.Lx, p.c_f);
  double t1 = ss_wtime(), c1 = cpu_time();
  if (rlhf_estimate_block(&p, &env, mle, ts, &est, NULL, NULL, &e)) return 1;
  double cpu_est = cpu_time() - c1; /* this rank's thread, before the agreement's wait */
  ss_comm_agree(w, &e);
  double t2 = ss_wtime();
  ss_comm_max_double(w, &cpu_est, 1);
  rlhf_states *st;
  rlhf_states_create(w, &env, 0, &st, &e);
  rlhf_agg *agg;
  if (rlhf_agg_build(rlhf_agg_find("pessimistic_momle"), w, &p, &est, NULL, &agg, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  double t3 = ss_wtime();
  rlhf_policy pol;
  rlhf_policy_solve(st, agg, 1e-6, &pol, &e);
  double t4 = ss_wtime();
  double rss = peak_rss_mb(), rmax = rss, rmin = rss;
  ss_comm_max_double(w, &rmax, 1);
  ss_comm_min_double(w, &rmin, 1);
  if (rank == 0)
    printf("rlhf labelers: k=%lld n=%d d=%d on %d ranks: estimates %.2f s (%.1f us/labeler/rank; CPU of the slowest rank %.1f us/labeler), box median %.3f s, "
           "policy %.3f s (gap %.2g, converged %d), total %.2f s; peak RSS per rank %.1f..%.1f MB\n",
           k, n, d, P, t2 - t1, 1e6 * (t2 - t1) / ((double)k / P), 1e6 * cpu_est / ((double)k / P), t3 - t2, t4 - t3, pol.rel_gap, pol.converged,
           t4 - t0, rmin, rmax);
  rlhf_policy_free(&pol);
  rlhf_agg_destroy(&agg);
  rlhf_states_destroy(&st);
  rlhf_estimates_free(&est);
  free(ts);
  rlhf_mle_destroy(&mle);
  rlhf_env_destroy(&env);
  return 0;
}

int main(int argc, char **argv)
{
  ss_comm *w;
  if (ss_par_init(&argc, &argv, &w)) return 1;
  int rc = 0;
  const char *mode = argc > 1 ? argv[1] : "mle";
  double peak = 0;
  const char *solver = NULL; /* the default MLE solver */
  for (int i = 1; i + 1 < argc; i++) {
    if (!strcmp(argv[i], "-peak")) peak = atof(argv[i + 1]);
    if (!strcmp(argv[i], "-solver")) solver = argv[i + 1];
  }
  if (!strcmp(mode, "mle")) {
    int n = argc > 2 && argv[2][0] != '-' ? atoi(argv[2]) : 1000;
    int d = argc > 3 && argv[3][0] != '-' ? atoi(argv[3]) : 32;
    int reps = argc > 4 && argv[4][0] != '-' ? atoi(argv[4]) : 2000;
    rc = bench_mle(w, n, d, reps, peak > 0 ? peak : 2.0 * 16, solver);
  } else if (!strcmp(mode, "labelers")) {
    long long k = argc > 2 && argv[2][0] != '-' ? atoll(argv[2]) : 100000;
    int n = argc > 3 && argv[3][0] != '-' ? atoi(argv[3]) : 200;
    int d = argc > 4 && argv[4][0] != '-' ? atoi(argv[4]) : 16;
    rc = bench_labelers(w, k, n, d, solver);
  } else {
    fprintf(stderr, "usage: bench_rlhf mle [n d reps] [-peak GF/s] | labelers [k n d]; either with [-solver newton|tao]\n");
    rc = 2;
  }
  ss_par_finalize(w);
  return rc;
}
