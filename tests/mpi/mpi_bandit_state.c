/* A rollout's in-task checkpoint across rank counts (src/bandit/rollout_state.c), for every
 * mechanism in the registry and both context kinds: a rollout over all ranks with periodic
 * checkpoints due at every safe point (its outcome must equal an uninterrupted run's) hands its
 * state after some block of rounds to ck->put; the state is broadcast and the rollout continued
 * from it (a) over all ranks, (b) on every rank alone (another rank count), and (c) on the first
 * half of the ranks while the others shadow its safe points. Regret, selections, eliminations,
 * the curve, manipulation and theta error must have the bits of the uninterrupted run. Prints
 * "mpi_bandit_state P=<n>: ok" on rank 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit.h"
#include "stratsim/interrupt.h"

enum { K = 9, D = 3, T = 1500, STRIDE = 37 };

typedef struct {
  double regret, manipulation, theta_error;
  int64_t none, sel[K], elim[K];
  double curve[(T + STRIDE - 1) / STRIDE];
} result;

typedef struct {
  char *rec;    /* the second state handed over (rank 0 of the rollout's ranks) */
  size_t len;
  int64_t t;
  int calls;
} capture;

static int put(ss_bandit_rollout_ckpt *ck, int64_t t, char *rec, size_t len, int due, ss_err *e)
{
  capture *c = ck->ctx;
  if (++c->calls == 2) {
    c->rec = rec, c->len = len, c->t = t;
  } else {
    free(rec);
  }
  return SS_OK;
}

static int write_ck(ss_bandit_rollout_ckpt *ck, ss_err *e) { return ss_periodic_write(ck->task, e); }
static int write_none(void *arg, ss_err *e) { return SS_OK; }

/* One rollout of mech on c (ck: checkpoints, or NULL). */
static int rollout(ss_comm *c, const ss_bandit_env *env, const double *yrep, const char *mech,
                   ss_bandit_rollout_ckpt *ck, result *r, ss_err *e)
{
  ss_bandit_mech_params p;
  ss_bandit_mech_params_default(&p);
  p.refactor_every = 50;
  ss_bandit_mech *m = NULL;
  if (ss_bandit_mech_create(mech, c, env, &p, &m, e)) return e->code;
  memset(r, 0, sizeof *r);
  ss_bandit_rollout_opts o = {.rseed = 4242, .details = 1, .curve_stride = STRIDE, .curve = r->curve, .ckpt = ck};
  ss_bandit_outcome out = {.selections = r->sel, .eliminated = r->elim};
  int rc = ss_bandit_rollout(c, env, m, yrep, &o, &out, e);
  r->regret = out.regret;
  r->none = out.all_eliminated_rounds;
  r->manipulation = out.manipulation;
  r->theta_error = out.theta_error;
  ss_bandit_mech_destroy(&m);
  return rc;
}

int main(int argc, char **argv)
{
  ss_comm *world = NULL, *self = NULL, *half = NULL;
  if (ss_par_init(&argc, &argv, &world)) return 1;
  int rank = ss_comm_rank(world), size = ss_comm_size(world), in_half = rank < (size + 1) / 2;
  ss_comm_split(world, rank, 0, &self);
  ss_comm_split(world, in_half, rank, &half);
  ss_err e = {0};
  int64_t failures = 0, cases = 0;
  for (int mi = 0; mi < ss_bandit_mech_count() && !e.code; mi++)
    for (int ctx = 0; ctx < 2 && !e.code; ctx++) {
      const char *mech = ss_bandit_mech_name_at(mi);
      ss_bandit_env env;
      double yrep[K * D];
      ss_bandit_env_alloc(&env, K, D, T, &e);
      env.seed = 99;
      env.contexts = ctx;
      env.noise_sd = 0.3;
      ss_bandit_random_theta(env.seed, D, env.theta);
      ss_bandit_random_features(env.seed, K, D, env.ytrue);
      ss_bandit_env_prepare(&env);
      for (int i = 0; i < K * D; i++) yrep[i] = env.ytrue[i] * (i < D ? 2.0 : 1.0); /* arm 0 cheats */
      result ref, got;
      capture cap = {0};
      rollout(world, &env, yrep, mech, NULL, &ref, &e);
      /* with checkpoints due at every safe point */
      ss_periodic per = {.every = 1e-12, .last = 0, .world_size = size, .root = rank == 0, .write = write_none};
      ss_periodic_arm(&per);
      ss_bandit_rollout_ckpt ck = {.task = world, .put = put, .write = write_ck, .ctx = &cap};
      rollout(world, &env, yrep, mech, &ck, &got, &e);
      ss_periodic_arm(NULL);
      int64_t bad[4] = {memcmp(&got, &ref, sizeof ref) != 0, 0, 0, 0}, t = cap.t;
      ss_comm_bcast(world, &t, sizeof t, 0);
      if (ss_comm_bcast_buffer(world, &cap.rec, &cap.len, 0) || t < 256) bad[3] = 1;
      ss_bandit_rollout_ckpt from = {.task = world, .from = cap.rec, .fromlen = cap.len, .put = put,
                                     .write = write_ck, .ctx = &cap};
      if (!bad[3]) {
        rollout(world, &env, yrep, mech, &from, &got, &e); /* (a) */
        bad[1] = memcmp(&got, &ref, sizeof ref) != 0;
        from.task = self;
        rollout(self, &env, yrep, mech, &from, &got, &e); /* (b) */
        bad[2] = memcmp(&got, &ref, sizeof ref) != 0;
        from.task = world; /* (c) */
        if (in_half) {
          rollout(half, &env, yrep, mech, &from, &got, &e);
          bad[3] = memcmp(&got, &ref, sizeof ref) != 0;
        } else {
          ss_bandit_rollout_shadow(&from, T, &e);
        }
      }
      ss_comm_max_i64(world, bad, 4);
      for (int k = 0; k < 4; k++) {
        cases++;
        if (!bad[k]) continue;
        failures++;
        if (rank == 0)
          printf("mpi_bandit_state P=%d: %s contexts=%d: %s differs from the uninterrupted rollout (saved after round %lld)\n",
                 size, mech, ctx, (const char *[]){"with periodic saves", "continued on every rank", "continued on each rank alone", "continued on half the ranks"}[k], (long long)t);
      }
      free(cap.rec);
      ss_bandit_env_free(&env);
    }
  if (e.code) {
    fprintf(stderr, "mpi_bandit_state rank %d: %s\n", rank, e.msg);
    failures++;
  }
  ss_comm_max_i64(world, &failures, 1);
  if (rank == 0) {
    if (failures) printf("mpi_bandit_state P=%d: FAILED (%lld of %lld cases)\n", size, (long long)failures, (long long)cases);
    else printf("mpi_bandit_state P=%d: ok (%lld cases)\n", size, (long long)cases);
  }
  ss_comm_free(&half);
  ss_comm_free(&self);
  ss_par_finalize(world);
  return failures ? 1 : 0;
}
