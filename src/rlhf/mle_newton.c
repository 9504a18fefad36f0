/* The default MLE solver (rlhf.mle.solver newton; mle_solver.h): damped Newton on the strictly
 * convex objective of MODELS 1.4 (lambda > 0, so the Hessian is SPD). Per iterate one fused
 * pass gives f and g (mle_eval: one exp per comparison, kept for the Hessian weights); the
 * Hessian (mle_hessian: the blocked syrk) and its Cholesky factor (rlhf_kern_chol, plain loops)
 * only when a step needs a new one; the step is accepted by Armijo backtracking on f. Near the
 * solution the factor is kept for the next step while the steps still cut ||g|| by
 * NEWTON_REUSE or more (a chord step there is as good as a Newton step and costs one pass
 * instead of n d^2 flops); a step with a kept factor that fails the line search is retried
 * with a fresh one. Stops at ||g||_2 <= RLHF_MLE_GATOL (Tao's gatol), after RLHF_MLE_MAXIT
 * steps, or when even a fresh Newton step cannot make progress (rounding). Every operation is
 * scalar or a bit-exact kernel: the same bits on every CPU, with or without SIMD. */
#include <math.h>
#include <string.h>
#include "stratsim/rlhf_kern.h"
#include "stratsim/rlhf.h"
#include "mle_solver.h"

enum { NEWTON_HALVINGS = 60 };
static const double NEWTON_ARMIJO = 1e-4;
static const double NEWTON_REUSE = 0.01;
/* Below this predicted decrease (relative to 1 + |f|) f cannot tell steps apart in double
 * precision; a step is then accepted if it reduces ||g||. */
static const double NEWTON_FLAT = 1e-13;

static double norm2(const double *v, int d) { return sqrt(rlhf_dot(v, v, d)); }

static int newton_solve(rlhf_mle *m, double *theta, int *its, ss_err *e)
{
  int d = m->d, it = 0, factored = 0, fresh = 0;
  double g[RLHF_DMAX], p[RLHF_DMAX], t[RLHF_DMAX];
  mle_eval(m, theta);
  double f = m->f, gn = norm2(m->g, d);
  memcpy(g, m->g, (size_t)d * sizeof *g);
  while (gn > RLHF_MLE_GATOL && it < RLHF_MLE_MAXIT) {
    if (!factored) {
      mle_eval(m, theta); /* the cache: the Hessian weights are those of theta */
      mle_hessian(m);
      if (rlhf_kern_chol(d, m->acc))
        return ss_fail(e, SS_ERUNTIME, "rlhf: MLE Hessian not positive definite (lambda %g)", m->lambda);
      m->flops += (double)d * d * d / 3.0;
      factored = fresh = 1;
    }
    for (int q = 0; q < d; q++) p[q] = -g[q];
    rlhf_kern_chol_solve(d, m->acc, p);
    m->flops += 2.0 * d * d;
    double slope = rlhf_dot(g, p, d), step = 1.0;
    int ok = 0;
    for (int h = 0; h < NEWTON_HALVINGS && !ok; h++) {
      if (h) step *= 0.5;
      for (int q = 0; q < d; q++) t[q] = theta[q] + step * p[q];
      mle_eval(m, t);
      double pred = -step * slope;
      ok = m->f <= f - NEWTON_ARMIJO * pred ||
           (pred <= NEWTON_FLAT * (1.0 + fabs(f)) && norm2(m->g, d) < gn);
    }
    if (!ok) {
      if (fresh) break; /* no progress even with the Hessian of theta: rounding */
      factored = 0;
      continue;
    }
    memcpy(theta, t, (size_t)d * sizeof *theta);
    memcpy(g, m->g, (size_t)d * sizeof *g);
    f = m->f;
    double gnew = norm2(g, d);
    if (gnew > NEWTON_REUSE * gn) factored = 0;
    fresh = 0;
    gn = gnew;
    it++;
  }
  *its = it;
  return SS_OK;
}

const rlhf_mle_solver_ops rlhf_mle_newton = {
  .name = "newton",
  .summary = "damped Newton: our Cholesky of the analytic Hessian, Armijo backtracking, the factor kept while steps converge fast",
  .fast = 1,
  .solve = newton_solve,
};
