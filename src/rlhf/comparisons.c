/* Offline comparison data (MODELS 1.3). The design (state, two distinct actions) depends only
 * on (seed, labeler, j); labels are Bradley-Terry with common random numbers u_ij, so a
 * labeler who changes its report flips only the labels whose threshold moved. Generated on
 * the fly per labeler: nothing is stored for more than one labeler at a time. */
#include <math.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"

double rlhf_sigmoid(double m)
{
  if (m >= 0) return 1.0 / (1.0 + exp(-m));
  double t = exp(m);
  return t / (1.0 + t);
}

void rlhf_design(const rlhf_params *p, const rlhf_env *env, int64_t i, int j, int *s, int *a0,
                 int *a1)
{
  uint64_t base = 3 * (uint64_t)j;
  uint32_t ent = (uint32_t)i;
  if (env->rho_cdf) *s = rlhf_env_sample_state(env, ss_rng_u01(p->seed, SS_P_RLHF_DESIGN, ent, base));
  else *s = (int)ss_rng_below(p->seed, SS_P_RLHF_DESIGN, ent, base, (uint64_t)env->S);
  int x0 = (int)ss_rng_below(p->seed, SS_P_RLHF_DESIGN, ent, base + 1, (uint64_t)env->A);
  int x1 = (int)ss_rng_below(p->seed, SS_P_RLHF_DESIGN, ent, base + 2, (uint64_t)env->A - 1);
  if (x1 >= x0) x1++;
  *a0 = x0;
  *a1 = x1;
}

/* labeler i's threshold u_ij for comparison j; stream 0 keeps the original keys, stream 1 is
 * independent noise for held-out labels (rlhf.labels.heldout) */
double rlhf_label_u(const rlhf_params *p, int64_t i, int j)
{
  return ss_rng_u01(p->seed, SS_P_RLHF_LABEL, (uint32_t)i, ((uint64_t)p->label_stream << 40) | (uint64_t)j);
}

void rlhf_comparisons(const rlhf_params *p, const rlhf_env *env, int64_t i, const double *t,
                      double *x, unsigned char *o)
{
  int d = env->d, A = env->A;
  for (int j = 0; j < p->n; j++) {
    double *xj = x + (size_t)j * d;
    if (env->design_x) { /* MDP: the trajectories' summed feature differences (mdp_traj.c) */
      memcpy(xj, env->design_x + ((size_t)i * p->n + j) * d, (size_t)d * sizeof *xj);
    } else {
      int s, a0, a1;
      rlhf_design(p, env, i, j, &s, &a0, &a1);
      const double *f0 = env->phi + ((size_t)s * A + a0) * d;
      const double *f1 = env->phi + ((size_t)s * A + a1) * d;
      for (int q = 0; q < d; q++) xj[q] = f0[q] - f1[q];
    }
    double u = rlhf_label_u(p, i, j);
    o[j] = u >= rlhf_sigmoid(rlhf_dot(t, xj, d));
  }
}
