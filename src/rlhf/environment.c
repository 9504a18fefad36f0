/* The contextual-bandit environment (H = 1): S states, A actions, features phi(s,a) in R^d
 * and the state distribution rho. Generated (i.i.d. Gaussian entries rescaled to norm L,
 * keyed by (seed, s*A+a)) or explicit (inline in the config, or from a CSV file). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mdp_read_petsc.h"
#include "stratsim/input_file.h"
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"
#include "stratsim/median.h"
#include "env_type.h"
#include "population_model.h"

void rlhf_params_default(rlhf_params *p)
{
  memset(p, 0, sizeof *p);
  p->seed = 1;
  p->S = 32;
  p->A = 4;
  p->d = 16;
  p->L = 1.0;
  p->env_type = ss_plugin_at(&rlhf_env_types, 0);
  p->k = 5;
  p->n = 100;
  p->B = 1.0;
  p->population = ss_plugin_at(&rlhf_populations, 0);
  p->lambda = 1e-3;
  p->c_f = 1.0;
  p->delta = 0.1;
  p->median_kind = SS_MEDIAN_LOWER;
  p->policy_tol = 1e-6;
  p->H = 1;
}

int rlhf_env_create(const rlhf_params *p, rlhf_env *env, ss_err *e)
{
  memset(env, 0, sizeof *env);
  int S = p->S, A = p->A, d = p->d;
  if (S < 1 || A < 2 || d < 1 || d > 64)
    return ss_fail(e, SS_EINPUT, "rlhf: need S >= 1, A >= 2 and 1 <= d <= 64");
  env->S = S;
  env->A = A;
  env->d = d;
  /* the features from the environment type's plug-in (env_types.c) */
  SS_TRY(p->env_type->features(p, &env->phi, e));
  env->rho = ss_malloc((size_t)S * sizeof *env->rho, e);
  if (!env->rho) return SS_ERUNTIME;
  if (p->rho_cfg) {
    double tot = 0;
    for (int s = 0; s < S; s++) tot += p->rho_cfg[s];
    env->rho_cdf = ss_malloc((size_t)S * sizeof *env->rho_cdf, e);
    if (!env->rho_cdf) return SS_ERUNTIME;
    double c = 0;
    for (int s = 0; s < S; s++) {
      env->rho[s] = p->rho_cfg[s] / tot;
      c += env->rho[s];
      env->rho_cdf[s] = c;
    }
    env->rho_cdf[S - 1] = 1.0;
  } else {
    for (int s = 0; s < S; s++) env->rho[s] = 1.0 / S;
  }
  double L = 0, Lx = 0;
  for (int s = 0; s < S; s++)
    for (int a = 0; a < A; a++) {
      const double *u = env->phi + ((size_t)s * A + a) * d;
      double nu = 0;
      for (int j = 0; j < d; j++) nu += u[j] * u[j];
      if (nu > L) L = nu;
      for (int b = a + 1; b < A; b++) {
        const double *v = env->phi + ((size_t)s * A + b) * d;
        double nx = 0;
        for (int j = 0; j < d; j++) nx += (u[j] - v[j]) * (u[j] - v[j]);
        if (nx > Lx) Lx = nx;
      }
    }
  env->L = sqrt(L);
  env->Lx = sqrt(Lx);
  return SS_OK;
}

int rlhf_env_create_mdp(const rlhf_params *p, rlhf_env *env, ss_err *e)
{
  memset(env, 0, sizeof *env);
  if (p->S < 1 || p->A < 2 || p->d < 1 || p->d > 64 || p->H < 1)
    return ss_fail(e, SS_EINPUT, "rlhf: need S >= 1, A >= 2, 1 <= d <= 64 and H >= 1");
  env->S = p->S;
  env->A = p->A;
  env->d = p->d;
  env->H = p->H;
  env->mdp = p;
  env->rho = ss_malloc((size_t)p->S * sizeof *env->rho, e);
  if (!env->rho) return SS_ERUNTIME;
  for (int s = 0; s < p->S; s++) env->rho[s] = 1.0 / p->S;
  return SS_OK;
}

void rlhf_env_destroy(rlhf_env *env)
{
  free(env->design_x);
  free(env->phi);
  free(env->rho);
  free(env->rho_cdf);
  memset(env, 0, sizeof *env);
}

int rlhf_env_sample_state(const rlhf_env *env, double u)
{
  if (!env->rho_cdf) {
    int s = (int)(u * env->S);
    return s < env->S ? s : env->S - 1;
  }
  int lo = 0, hi = env->S - 1; /* first s with cdf[s] > u */
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (env->rho_cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
