/* The certified planner's benchmarks (docs/performance.md, "Planner and MDPs"; docs/mdp.md).
 *   bench_mdp dense [-S 500 -A 10 -d 16 -reps 20]
 *       H = 1, box (pessimistic_momle): the planner's certified solve beside the dense simplex
 *       over every state on the same instance, interleaved; ms per solve (median of reps).
 *   bench_mdp solve [-S -A -H -d -b -tol -alpha -alpha_rule fixed|auto -regen -max_passes
 *                    -agg box|maxmin|pessimistic_sw]
 *       one certified solve on a generated MDP distributed over all ranks: build time, solve
 *       time, pricing passes, time per pass, bytes and collective calls per pass, peak RSS.
 *   bench_mdp gather [-n 1000000 -m 20000000 -reps 5]
 *       the machine's floor for the backward sums' access pattern, on every rank at once: rows
 *       of 4 (probability, index) entries streamed, each index a uniformly random place of an
 *       array of n doubles (huge pages, as the MDP's value array); ns per entry (best of reps,
 *       max over ranks). No MDP: the time of the loads alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_clock.h"
#include "stratsim/median.h"
#include "stratsim/par.h"
#include "stratsim/rng.h"
#include "../src/rlhf/mdp_settings.h"
#include "../src/rlhf/rlhf_mdp.h"
#include "../src/rlhf/solver.h"
#include "../src/rlhf/states.h"



static double arg(int argc, char **argv, const char *key, double def)
{
  for (int i = 2; i + 1 < argc; i++)
    if (!strcmp(argv[i], key)) return atof(argv[i + 1]);
  return def;
}

static const char *sarg(int argc, char **argv, const char *key, const char *def)
{
  for (int i = 2; i + 1 < argc; i++)
    if (!strcmp(argv[i], key)) return argv[i + 1];
  return def;
}

/* k = 5 labelers' parameters with confidence sets: box, maxmin or pessimistic_sw */
static rlhf_agg *random_agg(const char *name, int d)
{
  int k = 5;
  double *th = calloc((size_t)k * d, sizeof *th), *prec = calloc((size_t)k * d * d, sizeof *prec);
  double *lo = calloc((size_t)k * d, sizeof *lo), *hi = calloc((size_t)k * d, sizeof *hi);
  double *x = calloc((size_t)50 * d, sizeof *x);
  ss_err e;
  ss_err_clear(&e);
  for (int i = 0; i < k; i++) {
    for (int q = 0; q < 50 * d; q++) x[q] = ss_rng_normal(9, SS_P_TEST, 50 + i, q);
    for (int j = 0; j < d; j++) th[i * d + j] = (0.5 + ss_rng_normal(9, SS_P_TEST, 90 + i, j)) / sqrt(d);
    rlhf_confidence(50, d, x, 1e-3, th + i * d, 0.05, NULL, prec + (size_t)i * d * d, lo + i * d, hi + i * d, &e);
  }
  rlhf_agg *agg = NULL;
  rlhf_agg_build_exact(rlhf_agg_find(name), d, k, th, prec, lo, hi, 0.05, SS_MEDIAN_MEAN, &agg, &e);
  free(th), free(prec), free(lo), free(hi), free(x);
  return agg;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int bench_dense(ss_comm *w, int argc, char **argv)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.S = (int)arg(argc, argv, "-S", 500);
  p.A = (int)arg(argc, argv, "-A", 10);
  p.d = (int)arg(argc, argv, "-d", 16);
  p.L = sqrt(p.d);
  int reps = (int)arg(argc, argv, "-reps", 20);
  /* the solvers by name through the registry; the planner's settings from its defaults */
  const rlhf_solver_ops *solver[2] = {rlhf_solver_find("dense"), rlhf_solver_find("planner")};
  rlhf_plan_opts opt;
  solver[1]->setup(NULL, &opt);
  opt.smoothing = arg(argc, argv, "-alpha", opt.smoothing);
  rlhf_env env;
  rlhf_states *st;
  ss_err e;
  ss_err_clear(&e);
  if (rlhf_env_create(&p, &env, &e) || rlhf_states_create(w, &env, 0, &st, &e)) return 1;
  rlhf_agg *agg = random_agg("pessimistic_momle", p.d);
  double *t[2] = {malloc(reps * sizeof(double)), malloc(reps * sizeof(double))};
  double *c[2] = {malloc(reps * sizeof(double)), malloc(reps * sizeof(double))};
  rlhf_policy pol[2];
  for (int r = 0; r < reps; r++)
    for (int m = 0; m < 2; m++) { /* interleaved: dense, planner */
      rlhf_states_set_solver(st, solver[m], m ? &opt : NULL);
      double t0 = ss_wtime(), c0 = cpu_time();
      if (rlhf_policy_solve(st, agg, 1e-6, &pol[m], &e)) return 1;
      t[m][r] = 1e3 * (ss_wtime() - t0);
      c[m][r] = 1e3 * (cpu_time() - c0);
      if (r + 1 < reps) rlhf_policy_free(&pol[m]);
    }
  qsort(t[0], reps, sizeof(double), cmp_double);
  qsort(t[1], reps, sizeof(double), cmp_double);
  qsort(c[0], reps, sizeof(double), cmp_double);
  qsort(c[1], reps, sizeof(double), cmp_double);
  if (ss_comm_rank(w) == 0) {
    printf("planner vs dense, H=1 box, S=%d A=%d d=%d, %d ranks, %d interleaved reps (median [min, max] ms):\n",
           p.S, p.A, p.d, ss_comm_size(w), reps);
    printf("  dense simplex : %8.3f [%.3f, %.3f] ms  W=%.15g h=%.15g rel_gap=%.2g\n", t[0][reps / 2],
           t[0][0], t[0][reps - 1], pol[0].objective, pol[0].dual, pol[0].rel_gap);
    printf("  planner       : %8.3f [%.3f, %.3f] ms  W=%.15g h=%.15g rel_gap=%.2g passes=%d\n",
           t[1][reps / 2], t[1][0], t[1][reps - 1], pol[1].objective, pol[1].dual, pol[1].rel_gap,
           pol[1].passes);
    printf("  planner split (last rep): %.3f ms in pricing passes, %.3f ms in the master\n",
           1e3 * pol[1].time_price, 1e3 * pol[1].time_master);
    printf("  CPU ms (median [min]): dense %.3f [%.3f], planner %.3f [%.3f]\n", c[0][reps / 2], c[0][0],
           c[1][reps / 2], c[1][0]);
    printf("  ratio dense/planner (wall medians): %.1f, (CPU medians): %.1f\n", t[0][reps / 2] / t[1][reps / 2],
           c[0][reps / 2] / c[1][reps / 2]);
  }
  rlhf_policy_free(&pol[0]);
  rlhf_policy_free(&pol[1]);
  free(t[0]), free(t[1]), free(c[0]), free(c[1]);
  rlhf_agg_destroy(&agg);
  rlhf_states_destroy(&st);
  rlhf_env_destroy(&env);
  return 0;
}

static int bench_solve(ss_comm *w, int argc, char **argv)
{
  rlhf_params p;
  rlhf_params_default(&p);
  p.S = (int)arg(argc, argv, "-S", 100000);
  p.A = (int)arg(argc, argv, "-A", 10);
  p.H = (int)arg(argc, argv, "-H", 10);
  p.d = (int)arg(argc, argv, "-d", 32);
  p.mdp = 1;
  rlhf_mdp_settings ms = {.successors = (int)arg(argc, argv, "-b", 4), .regenerate = (int)arg(argc, argv, "-regen", 0)};
  p.mdp_data = &ms;
  const rlhf_solver_ops *planner = rlhf_solver_find("planner");
  rlhf_plan_opts opt; /* the planner's settings: its defaults, then the options */
  planner->setup(NULL, &opt);
  opt.smoothing = arg(argc, argv, "-alpha", opt.smoothing);
  opt.max_passes = (int)arg(argc, argv, "-max_passes", opt.max_passes);
  opt.smoothing_auto = !strcmp(sarg(argc, argv, "-alpha_rule", "fixed"), "auto");
  p.L = sqrt(p.d);
  double tol = arg(argc, argv, "-tol", 1e-6);
  const char *name = sarg(argc, argv, "-agg", "pessimistic_momle");
  rlhf_env env;
  rlhf_states *st;
  ss_err e;
  ss_err_clear(&e);
  double t0 = ss_wtime();
  if (rlhf_env_create_mdp(&p, &env, &e) || rlhf_states_create(w, &env, 0, &st, &e)) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  rlhf_states_set_solver(st, planner, &opt);
  double t_build = ss_wtime() - t0, rss_build = peak_rss_mb();
  rlhf_agg *agg = random_agg(name, p.d);
  rlhf_policy pol;
  rlhf_mdp *m = st->mdp;
  int64_t g0 = m->ghost_values, c0 = m->collectives;
  memset(m->t_part, 0, sizeof m->t_part);
  t0 = ss_wtime();
  double cpu0 = cpu_time();
  if (rlhf_policy_solve(st, agg, tol, &pol, &e)) return 1;
  double t_solve = ss_wtime() - t0, cpu_solve = cpu_time() - cpu0, cpu_max = cpu_solve;
  ss_comm_max_double(w, &cpu_max, 1);
  double parts[7];
  memcpy(parts, m->t_part, sizeof parts);
  ss_comm_max_double(w, parts, 7);
  int64_t cnt[4] = {m->remote_succ, m->remote_pred, m->ghost_values - g0, m->collectives - c0};
  ss_comm_sum_i64(w, cnt, 2);
  double rss = peak_rss_mb();
  ss_comm_max_double(w, &rss, 1);
  ss_comm_max_double(w, &rss_build, 1);
  if (ss_comm_rank(w) == 0) {
    int P = ss_comm_size(w);
    double remote_per_pass = (double)(p.H - 1) * (cnt[0] + 2.0 * cnt[1]); /* pairs: 2 values */
    double gather = (double)m->nchunks * (1 + p.d) * 8 * (P - 1);
    printf("MDP solve %s: S=%d A=%d H=%d d=%d b=%d features=%s, %d ranks, tol=%g alpha=%g%s\n", name,
           p.S, p.A, p.H, p.d, ms.successors, ms.regenerate ? "regenerated" : "stored", P, tol,
           opt.smoothing, opt.smoothing_auto ? " (start; automatic)" : "");
    printf("  build %.2f s; solve %.2f s, %d pricing passes (%d columns), %.3f s per pass\n", t_build,
           t_solve, pol.passes, pol.columns, t_solve / pol.passes);
    printf("  CPU time of the solve: rank 0 %.2f s, max over ranks %.2f s (%.3f s per pass)\n", cpu_solve,
           cpu_max, cpu_max / pol.passes);
    printf("  per pass, max over ranks (CPU s): rewards %.3f, backward sums %.3f, successor scatters %.3f, "
           "pair scatters %.3f, occupancy pushes %.3f, z sums %.3f, allgather %.3f\n",
           parts[0] / pol.passes, parts[1] / pol.passes, parts[2] / pol.passes, parts[3] / pol.passes,
           parts[4] / pol.passes, parts[5] / pol.passes, parts[6] / pol.passes);
    printf("  W=%.15g h=%.15g rel_gap=%.3g converged=%d (W=%a h=%a)\n", pol.objective, pol.dual, pol.rel_gap,
           pol.converged, pol.objective, pol.dual);
    printf("  per pass (all ranks): %.0f off-rank ghost values = %.3g MB by scatters + %.3g MB allgather; "
           "collective calls per pass on rank 0: %.1f (%d scatters + 1 allgather) + 1 agreement per planner iteration\n",
           remote_per_pass, remote_per_pass * 8 / 1e6, gather / 1e6, (double)cnt[3] / pol.passes,
           2 * (p.H - 1));
    printf("  peak RSS per rank (max over ranks): %.0f MB after build, %.0f MB after solve\n", rss_build, rss);
  }
  rlhf_policy_free(&pol);
  rlhf_agg_destroy(&agg);
  rlhf_states_destroy(&st);
  rlhf_env_destroy(&env);
  return 0;
}

static int bench_gather(ss_comm *w, int argc, char **argv)
{
  size_t n = (size_t)arg(argc, argv, "-n", 1e6), m = (size_t)arg(argc, argv, "-m", 2e7) / 4 * 4;
  int reps = (int)arg(argc, argv, "-reps", 5);
  ss_err e;
  ss_err_clear(&e);
  double *g = rlhf_mdp_alloc(n * sizeof *g, &e), *p = rlhf_mdp_alloc(m * sizeof *p, &e);
  int *c = rlhf_mdp_alloc(m * sizeof *c, &e);
  if (e.code) return 1;
  uint64_t x = 88172645463325252ull + (uint64_t)ss_comm_rank(w);
  for (size_t i = 0; i < n; i++) g[i] = 1e-6 * (double)i;
  for (size_t k = 0; k < m; k++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c[k] = (int)(x % n), p[k] = 0.25;
  }
  double best = INFINITY, sum = 0;
  for (int r = 0; r < reps; r++) {
    ss_comm_barrier(w);
    double t0 = ss_wtime();
    for (size_t k = 0; k < m; k += 4) {
      double ct = 0;
      ct += p[k] * g[c[k]];
      ct += p[k + 1] * g[c[k + 1]];
      ct += p[k + 2] * g[c[k + 2]];
      ct += p[k + 3] * g[c[k + 3]];
      sum += ct;
    }
    best = fmin(best, ss_wtime() - t0);
  }
  double ns = 1e9 * best / (double)m;
  ss_comm_max_double(w, &ns, 1);
  if (ss_comm_rank(w) == 0)
    printf("gather: %d ranks at once, %zu entries per rank into %zu doubles (%.1f MB): %.2f ns per entry (max over ranks, best of %d) [%g]\n",
           ss_comm_size(w), m, n, 8e-6 * (double)n, ns, reps, sum);
  free(g), free(p), free(c);
  return 0;
}

int main(int argc, char **argv)
{
  ss_comm *w;
  if (ss_par_init(&argc, &argv, &w)) return 1;
  int rc = 1;
  if (argc > 1 && !strcmp(argv[1], "dense")) rc = bench_dense(w, argc, argv);
  else if (argc > 1 && !strcmp(argv[1], "solve")) rc = bench_solve(w, argc, argv);
  else if (argc > 1 && !strcmp(argv[1], "gather")) rc = bench_gather(w, argc, argv);
  else if (ss_comm_rank(w) == 0) fprintf(stderr, "usage: bench_mdp dense|solve|gather [options]\n");
  ss_par_finalize(w);
  return rc;
}
