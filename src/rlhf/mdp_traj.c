/* Comparisons over trajectories in an MDP (MODELS 1.3): comparison j of labeler i starts both
 * trajectories at the same state (drawn as in the contextual design, (seed, DESIGN, i, 3j)),
 * each follows the uniform behaviour policy for H steps (action and successor uniforms keyed
 * by (seed, TRAJECTORY, i, ((2j + side) H + h) 2 + {0, 1})), and x_ij is the summed feature
 * difference. Every trajectory step is simulated by the rank that owns the current state and
 * shared by one disjoint-sum reduction per step, so the design is the same at any rank count;
 * it is fixed (independent of reports) and computed once per task: k x n x d doubles. */
#include <string.h>
#include "stratsim/rng.h"
#include "rlhf_mdp.h"
#include "stratsim/collectives.h"
#include "states.h"

/* One step of trajectory (i, j, side) at owned state s: adds phi(s, a) to acc (d values,
 * normalised zeros) and returns the successor. */
static int step(const rlhf_mdp *m, uint64_t seed, int64_t i, int j, int side, int h, int s,
                double *acc)
{
  uint64_t base = (((uint64_t)j * 2 + side) * (uint64_t)m->H + (uint64_t)h) * 2;
  int a = (int)ss_rng_below(seed, SS_P_RLHF_TRAJECTORY, (uint32_t)i, base, (uint64_t)m->A);
  rlhf_mdp_features(m, s, a, acc);
  int64_t row = (int64_t)(s - m->s_first) * m->A + a;
  double u = ss_rng_u01(seed, SS_P_RLHF_TRAJECTORY, (uint32_t)i, base + 1), cum = 0;
  int next = m->ghost[m->scol[m->srow[row + 1] - 1]];
  for (int64_t k = m->srow[row]; k < m->srow[row + 1]; k++) {
    cum += m->sprob[k];
    if (u < cum) {
      next = m->ghost[m->scol[k]];
      break;
    }
  }
  return next;
}

int rlhf_mdp_design(rlhf_mdp *m, const rlhf_params *p, double *x, ss_err *e)
{
  int d = m->d, n = p->n;
  int64_t T = 2 * p->k * (int64_t)n; /* trajectories: (i, j, side) */
  size_t w = 1 + (size_t)d;
  double *buf = ss_malloc((size_t)T * w * sizeof *buf, e);
  int *cur = ss_malloc((size_t)T * sizeof *cur, e);
  double *sum = ss_calloc((size_t)T * d, sizeof *sum, e);
  int ok = !e->code; /* else the first pass's sum agrees on the failure (this or the caller's) */
  for (int64_t t = 0; ok && t < T; t++) {
    int64_t i = t / (2 * n);
    int j = (int)(t / 2 % n);
    cur[t] = (int)ss_rng_below(p->seed, SS_P_RLHF_DESIGN, (uint32_t)i, 3 * (uint64_t)j, (uint64_t)m->S);
  }
  for (int h = 0; h < m->H; h++) {
    if (ok) memset(buf, 0, (size_t)T * w * sizeof *buf);
    for (int64_t t = 0; ok && t < T; t++) {
      int s = cur[t];
      if (s < m->s_first || s >= m->s_first + m->s_count) continue;
      double *slot = buf + (size_t)t * w;
      slot[0] = step(m, p->seed, t / (2 * n), (int)(t / 2 % n), (int)(t % 2), h, s, slot + 1);
      for (int q = 1; q <= d; q++) slot[q] += 0.0; /* -0.0 -> +0.0: order-free zeros */
    }
    if (ss_par_sum_disjoint(m->comm, buf, T * (int64_t)w, e)) break;
    for (int64_t t = 0; t < T; t++) {
      cur[t] = (int)buf[(size_t)t * w];
      for (int q = 0; q < d; q++) sum[(size_t)t * d + q] += buf[(size_t)t * w + 1 + q];
    }
  }
  for (int64_t c = 0; !e->code && c < T / 2; c++)
    for (int q = 0; q < d; q++) x[(size_t)c * d + q] = sum[(size_t)2 * c * d + q] - sum[(size_t)(2 * c + 1) * d + q];
  free(buf), free(cur), free(sum);
  return e->code;
}

int rlhf_env_set_design(rlhf_env *env, rlhf_states *st, const rlhf_params *p, ss_err *e)
{
  env->design_x = ss_malloc((size_t)p->k * p->n * p->d * sizeof *env->design_x, e);
  /* agreed on inside rlhf_mdp_design before its first collective */
  SS_TRY(rlhf_mdp_design(st->mdp, p, env->design_x, e));
  env->L = st->mdp->L;
  env->Lx = env->H * env->L; /* MODELS 1.9: gamma = 1/(2 + e^{-HLB} + e^{HLB}) */
  return SS_OK;
}
