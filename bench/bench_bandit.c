/* Bandit benchmarks (docs/performance.md, "Bandit"). Timings are measured here, never
 * asserted in tests.
 *   bench_bandit round [T]       ns per round per arm, OptGTM and LinUCB, at the paper preset
 *                                (K=4, d=5) and at K=1000, d=20; on world rank 0 alone
 *   bench_bandit batch [T] [mech] ns per rollout round for a batch of 21 rollouts at the preset
 *                                (one epoch of paper_fig1), OptGTM, LinUCB, Uniform (or only
 *                                mechanism mech); rank 0 alone
 *   bench_bandit scaling [T] [reps]  strong scaling at K=10^4, d=32: one rank, then all ranks,
 *                                alternated reps times (default 3), fastest of each kept
 *   bench_bandit rss T           one OptGTM rollout at the preset with horizon T, then the
 *                                peak resident set size (run once per T: peaks only grow)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_clock.h"
#include "stratsim/bandit.h"

/* CPU seconds of this process: on a shared machine wall time also counts other people's jobs. */
static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int setup_env(ss_bandit_env *env, int64_t K, int d, int64_t T, ss_err *e)
{
  if (ss_bandit_env_alloc(env, K, d, T, e)) return e->code;
  env->seed = 7;
  env->contexts = SS_BANDIT_CTX_SHARED;
  if (K == 4 && d == 5) {
    const double th[5] = {1, 1, 0.8, 1, 1};
    memcpy(env->theta, th, sizeof th);
    ss_bandit_paper_features(K, d, env->ytrue);
  } else {
    ss_bandit_random_theta(env->seed, d, env->theta);
    ss_bandit_random_features(env->seed, K, d, env->ytrue);
  }
  ss_bandit_env_prepare(env);
  return SS_OK;
}

/* Wall seconds for `reps` rollouts of mechanism `mech` on c; *cpu gets this rank's CPU seconds. */
static double time_rollouts(ss_comm *c, const char *mech, int64_t K, int d, int64_t T, int reps,
                            double *cpu, ss_err *e)
{
  ss_bandit_env env;
  if (setup_env(&env, K, d, T, e)) return -1;
  ss_bandit_mech_params p;
  ss_bandit_mech_params_default(&p);
  ss_bandit_mech *m = NULL;
  int64_t *sel = calloc((size_t)K, sizeof(int64_t));
  double secs = -1;
  if (!ss_bandit_mech_create(mech, c, &env, &p, &m, e)) {
    ss_comm_barrier(c);
    double t0 = ss_wtime(), c0 = cpu_seconds();
    for (int r = 0; r < reps; r++) {
      ss_bandit_rollout_opts o = {.rseed = ss_bandit_rollout_seed(env.seed, 0, r)};
      ss_bandit_outcome out = {.selections = sel};
      if (ss_bandit_rollout(c, &env, m, env.ytrue, &o, &out, e)) break;
    }
    ss_comm_barrier(c);
    secs = ss_wtime() - t0;
    if (cpu) *cpu = cpu_seconds() - c0;
  }
  ss_bandit_mech_destroy(&m);
  free(sel);
  ss_bandit_env_free(&env);
  return secs;
}

/* CPU seconds for one batch of n rollouts at the paper preset (an epoch of the gradient
 * protocol is a batch of 1 + K d = 21), alone on c. */
static double time_batch(ss_comm *c, const char *mech, int n, int64_t T, ss_err *e)
{
  ss_bandit_env env;
  if (setup_env(&env, 4, 5, T, e)) return -1;
  ss_bandit_mech_params p;
  ss_bandit_mech_params_default(&p);
  ss_bandit_mech **m = calloc((size_t)n, sizeof *m);
  const double **reps = calloc((size_t)n, sizeof *reps);
  ss_bandit_rollout_opts *o = calloc((size_t)n, sizeof *o);
  ss_bandit_outcome *out = calloc((size_t)n, sizeof *out);
  int64_t *sel = calloc((size_t)n * 4, sizeof(int64_t));
  double cpu = -1;
  int ok = m && reps && o && out && sel;
  for (int k = 0; ok && k < n; k++) {
    ok = !ss_bandit_mech_create(mech, c, &env, &p, &m[k], e);
    reps[k] = env.ytrue;
    o[k].rseed = ss_bandit_rollout_seed(env.seed, 0, k);
    out[k].selections = sel + 4 * k;
  }
  if (ok) {
    double c0 = cpu_seconds();
    if (!ss_bandit_rollouts(c, &env, n, m, reps, o, out, e)) cpu = cpu_seconds() - c0;
  }
  for (int k = 0; m && k < n; k++) ss_bandit_mech_destroy(&m[k]);
  free(m);
  free(reps);
  free(o);
  free(out);
  free(sel);
  ss_bandit_env_free(&env);
  return cpu;
}


int main(int argc, char **argv)
{
  ss_comm *world = NULL;
  if (ss_par_init(&argc, &argv, &world)) return 1;
  int rank = ss_comm_rank(world), size = ss_comm_size(world);
  const char *what = argc > 1 ? argv[1] : "round";
  ss_err e;
  ss_err_clear(&e);
  ss_comm *self = NULL;
  ss_comm_split(world, rank, 0, &self);
  int rc = 0;

  if (!strcmp(what, "round")) {
    int64_t T = argc > 2 ? atoll(argv[2]) : 20000;
    if (rank == 0) {
      struct { int64_t K; int d; int64_t T; int reps; } cases[] = {{4, 5, T, 20}, {1000, 20, T / 20, 1}};
      const char *mechs[] = {"optgtm", "linucb"};
      for (int c = 0; c < 2; c++)
        for (int k = 0; k < 2; k++) {
          double cpu = 0;
          double s = time_rollouts(self, mechs[k], cases[c].K, cases[c].d, cases[c].T, cases[c].reps, &cpu, &e);
          double rounds = (double)cases[c].T * cases[c].reps;
          printf("bandit round: %-7s K=%-5lld d=%-3d T=%-8lld  cpu %8.1f ns/round %7.2f ns/round/arm"
                 "  (wall %.2f ns/round/arm)\n",
                 mechs[k], (long long)cases[c].K, cases[c].d, (long long)cases[c].T, cpu / rounds * 1e9,
                 cpu / rounds / (double)cases[c].K * 1e9, s / rounds / (double)cases[c].K * 1e9);
        }
    }
  } else if (!strcmp(what, "batch")) {
    int64_t T = argc > 2 ? atoll(argv[2]) : 10000;
    const char *mechs[] = {"optgtm", "linucb", "uniform"};
    for (int k = 0; rank == 0 && k < 3; k++) {
      if (argc > 3 && strcmp(argv[3], mechs[k])) continue; /* one mechanism (for callgrind) */
      double cpu = time_batch(self, mechs[k], 21, T, &e);
      printf("bandit batch: %-7s K=4 d=5 T=%lld, 21 rollouts  cpu %6.1f ns per rollout round\n", mechs[k],
             (long long)T, cpu / (21.0 * (double)T) * 1e9);
    }
  } else if (!strcmp(what, "scaling")) {
    /* Other people's jobs share the machine: alternate the 1-rank and the P-rank run `reps`
     * times and keep the fastest of each (interference only ever adds time). */
    int64_t T = argc > 2 ? atoll(argv[2]) : 300;
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    double t1 = 1e300, tp = 1e300, c1 = 0, cp = 0;
    for (int r = 0; r < reps && !e.code; r++) {
      double w = 0, cpu = 0;
      if (rank == 0) w = time_rollouts(self, "optgtm", 10000, 32, T, 1, &cpu, &e);
      if (rank == 0 && w < t1) {
        t1 = w;
        c1 = cpu;
      }
      ss_comm_barrier(world);
      w = time_rollouts(world, "optgtm", 10000, 32, T, 1, &cpu, &e);
      if (w < tp) {
        tp = w;
        cp = cpu;
      }
    }
    if (rank == 0)
      printf("bandit scaling: optgtm K=10000 d=32 T=%lld, best of %d: 1 rank %.3f s (cpu %.3f), %d ranks "
             "%.3f s (rank 0 cpu %.3f), efficiency t1/(P tP) = %.3f\n",
             (long long)T, reps, t1, c1, size, tp, cp, t1 / (size * tp));
  } else if (!strcmp(what, "rss")) {
    int64_t T = argc > 2 ? atoll(argv[2]) : 10000;
    double s = 0;
    if (rank == 0) s = time_rollouts(self, "optgtm", 4, 5, T, 1, NULL, &e);
    if (rank == 0)
      printf("bandit rss: optgtm K=4 d=5 T=%lld  %.2f s  peak RSS %ld kB\n", (long long)T, s, peak_rss_kb());
  } else {
    if (rank == 0) fprintf(stderr, "usage: bench_bandit round|batch|scaling|rss [T]\n");
    rc = 2;
  }
  if (e.code) {
    fprintf(stderr, "bench_bandit: %s\n", e.msg);
    rc = 1;
  }
  ss_comm_free(&self);
  ss_par_finalize(world);
  return rc;
}
