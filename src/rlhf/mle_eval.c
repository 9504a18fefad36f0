/* The fused evaluation every MLE solver uses (mle_solver.h): f and g of the current labeler's
 * data at a point with one exp per comparison, and the Hessian from the same point's cached
 * exponentials. Its own file so that the solvers (mle_newton.c, mle_tao.c) depend on it and not
 * on mle.c, which selects them. */
#include <math.h>
#include <string.h>
#include "stratsim/rlhf_kern.h"
#include "mle_solver.h"

/* rlhf_mle_objective with its gradient, the same bits, computed with the kernels and one exp
 * per comparison: with E = exp(-|m|), softplus_neg(m) = log1p(E) (m >= 0) or -m + log1p(E), and
 * sigmoid(-m) = E / (1 + E) (m >= 0) or 1 / (1 + E), exactly the values of the two separate
 * calls. With the solver's fast, E comes from our vector exp kernel (rlhf_kern_expneg, within
 * 2 ulp of exp, the same bits with or without SIMD) and the log1p terms are summed as the logs
 * of products of up to 512 factors 1 + E: one log per 512 comparisons, f within about 512
 * roundings of each chunk's sum (1e-16 of f per comparison on average). The point, the dots and E are kept for the Hessian; a repeated point is served from
 * the cache (Tao evaluates the accepted point again, and the solve re-checks its result). */
void mle_eval(rlhf_mle *m, const double *theta)
{
  int n = m->n, d = m->d;
  if (m->have && !memcmp(theta, m->th, (size_t)d * sizeof *theta)) return;
  static const double log1p_one = 0.69314718055994530942; /* log1p(1): checked at create */
  rlhf_kern_dots(n, d, m->feat, theta, m->dot);
  double f = 0;
  if (m->solver->fast) {
    /* E = exp(-|m|) by the vector kernel; sum_j log(1 + E_j) as the logs of products of up to
     * 512 factors in (1, 2] (no overflow) */
    rlhf_kern_expneg(n, m->dot, m->ex);
    double prod = 1.0;
    for (int j = 0; j < n; j++) {
      double sgn = m->label[j] ? -1.0 : 1.0, mm = sgn * m->dot[j], E = m->ex[j];
      double sg = mm >= 0 ? E / (1.0 + E) : 1.0 / (1.0 + E);
      if (mm < 0) f -= mm;
      prod *= 1.0 + E;
      if ((j & 511) == 511) {
        f += log(prod);
        prod = 1.0;
      }
      m->coef[j] = -sgn * sg;
    }
    f += log(prod);
  } else {
    for (int j = 0; j < n; j++) {
      double sgn = m->label[j] ? -1.0 : 1.0;
      double mm = sgn * m->dot[j], E, sp, sg;
      if (mm == 0) { /* theta = 0, the cold start: every comparison lands here */
        E = 1.0;
        sp = log1p_one;
        sg = 0.5;
      } else if (mm > 0) {
        E = exp(-mm);
        sp = log1p(E);
        sg = E / (1.0 + E);
      } else {
        E = exp(mm);
        sp = -mm + log1p(E);
        sg = 1.0 / (1.0 + E);
      }
      m->ex[j] = E;
      f += sp;
      m->coef[j] = -sgn * sg;
    }
  }
  rlhf_kern_gemv_t(n, d, m->feat, m->coef, m->g);
  f /= n;
  double nt = 0;
  for (int q = 0; q < d; q++) nt += theta[q] * theta[q];
  f += 0.5 * m->lambda * nt;
  for (int q = 0; q < d; q++) m->g[q] = m->g[q] / n + m->lambda * theta[q];
  m->f = f;
  memcpy(m->th, theta, (size_t)d * sizeof *theta);
  m->have = 1;
  m->n_fg++;
  m->flops += (double)n * (4.0 * d + 12.0) + 4.0 * d;
}

/* H = (1/n) sum_j s_j (1 - s_j) x_j x_j^T + lambda I with s_j = sigmoid(<theta, x_j>): the
 * sigmoid from the cached E (sigmoid(t) = 1 / (1 + E) for t >= 0, E / (1 + E) otherwise, the
 * bits of rlhf_sigmoid), the lower triangle by the blocked kernel. */
void mle_hessian(rlhf_mle *m)
{
  int d = m->d, n = m->n;
  for (int j = 0; j < n; j++) {
    double E = m->ex[j];
    double s = m->dot[j] >= 0 ? 1.0 / (1.0 + E) : E / (1.0 + E);
    m->w[j] = s * (1.0 - s) / n;
  }
  rlhf_kern_syrk_lower(n, d, m->feat, m->w, m->wx, m->acc);
  for (int a = 0; a < d; a++) m->acc[(size_t)a * d + a] += m->lambda;
  m->n_hess++;
  m->flops += (double)n * (5.0 + d) + (double)n * d * (d + 1) + (double)d * (d + 1) / 2;
}
