/* Cross-rank identity of the bandit engine: every mechanism, both context kinds, truthful
 * and gradient arms, run (a) on each rank alone, (b) with the arms spread over all ranks,
 * (c) with the rollouts of each epoch spread over one group per rank, and (d) two groups.
 * Every epoch record (regret, eliminations, selections, reports, manipulation, theta error,
 * curves) must be bit-identical. Prints "mpi_bandit P=<n>: ok" on rank 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit.h"

typedef struct {
  char *buf;
  size_t len, cap;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
  if (b->len + n > b->cap) {
    b->cap = 2 * (b->len + n) + 1024;
    b->buf = realloc(b->buf, b->cap);
  }
  memcpy(b->buf + b->len, p, n);
  b->len += n;
}

typedef struct {
  bytes all;    /* identical on every rank */
  bytes curve;  /* rank 0 only */
  int64_t K;
  int d;
} record;

static void sink(void *ctx, const ss_bandit_epoch *ep)
{
  record *r = ctx;
  put(&r->all, &ep->epoch, sizeof ep->epoch);
  put(&r->all, &ep->regret, sizeof ep->regret);
  put(&r->all, &ep->all_eliminated_rounds, sizeof ep->all_eliminated_rounds);
  put(&r->all, &ep->manipulation, sizeof ep->manipulation);
  put(&r->all, &ep->theta_error, sizeof ep->theta_error);
  put(&r->all, ep->selections, (size_t)r->K * sizeof(int64_t));
  put(&r->all, ep->eliminated, (size_t)r->K * sizeof(int64_t));
  put(&r->all, ep->reported, (size_t)r->K * r->d * sizeof(double));
  if (ep->curve) put(&r->curve, ep->curve, (size_t)ep->ncurve * sizeof(double));
}

static int run(ss_comm *c, const char *mech, const char *strat, int contexts, int64_t K, int groups,
               record *out, ss_err *e)
{
  int d = 3;
  ss_bandit_env env;
  if (ss_bandit_env_alloc(&env, K, d, 240, e)) return e->code;
  env.seed = 1234;
  env.contexts = contexts;
  ss_bandit_random_theta(env.seed, d, env.theta);
  ss_bandit_random_features(env.seed, K, d, env.ytrue);
  ss_bandit_env_prepare(&env);
  ss_bandit_protocol pr = {.mechanism = mech, .strategy = strat, .epochs = 2, .crn = 0,
                           .curve_stride = 17, .rollout_groups = groups};
  ss_bandit_mech_params_default(&pr.mech);
  pr.mech.refactor_every = 50;
  pr.strat = (ss_bandit_strategy_params){.eps = 0.2, .eta = 20, .step_scale = 1e-2, .step_clip = 0.1};
  memset(out, 0, sizeof *out);
  out->K = K;
  out->d = d;
  int rc = ss_bandit_protocol_run(c, &env, &pr, sink, out, NULL, NULL, e);
  ss_bandit_env_free(&env);
  return rc;
}

int main(int argc, char **argv)
{
  ss_comm *world = NULL;
  if (ss_par_init(&argc, &argv, &world)) return 1;
  int rank = ss_comm_rank(world), size = ss_comm_size(world);
  ss_comm *self = NULL;
  ss_comm_split(world, rank, 0, &self);
  ss_err e;
  ss_err_clear(&e);
  const char *mechs[] = {"optgtm", "ggtm", "linucb", "lingreedy", "uniform"};
  const char *strats[] = {"gradient", "truthful"};
  const int64_t Ks[] = {5, 1};
  int64_t failures = 0, cases = 0;
  for (int mi = 0; mi < 5; mi++)
    for (int si = 0; si < 2; si++)
      for (int ctx = 0; ctx < 2; ctx++)
        for (int ki = 0; ki < 2; ki++) {
          if (ki == 1 && si == 0) continue; /* K = 1 (fewer arms than ranks): truthful only */
          record ref, got;
          int rc = run(self, mechs[mi], strats[si], ctx, Ks[ki], 1, &ref, &e);
          const int layouts[] = {1, 0, 2};
          for (int li = 0; li < 3 && !rc; li++) {
            rc = run(world, mechs[mi], strats[si], ctx, Ks[ki], layouts[li], &got, &e);
            if (rc) break;
            cases++;
            int bad = got.all.len != ref.all.len || memcmp(got.all.buf, ref.all.buf, ref.all.len);
            if (rank == 0)
              bad |= got.curve.len != ref.curve.len || memcmp(got.curve.buf, ref.curve.buf, ref.curve.len);
            if (bad) {
              failures++;
              fprintf(stderr, "mpi_bandit rank %d: %s %s contexts=%d K=%lld groups=%d differs from one rank\n",
                      rank, mechs[mi], strats[si], ctx, (long long)Ks[ki], layouts[li]);
            }
            free(got.all.buf);
            free(got.curve.buf);
          }
          free(ref.all.buf);
          free(ref.curve.buf);
          if (rc) {
            fprintf(stderr, "mpi_bandit rank %d: %s\n", rank, e.msg);
            failures++;
            mi = 5, si = 2, ctx = 2, ki = 2;
          }
        }
  ss_comm_max_i64(world, &failures, 1);
  if (rank == 0) {
    if (failures) printf("mpi_bandit P=%d: FAILED (%lld of %lld cases)\n", size, (long long)failures, (long long)cases);
    else printf("mpi_bandit P=%d: ok\n", size);
  }
  ss_comm_free(&self);
  ss_par_finalize(world);
  return failures ? 1 : 0;
}
