/* Confidence sets of the per-labeler MLE (MODELS 1.4): Sigma_i, the radius f, the ellipsoid
 * C_i = {theta : ||theta - theta_hat_i||_{Sigma_i} <= f} and its coordinate intervals. The
 * block of labeler estimates a rank owns is in estimates.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf_kern.h"
#include "stratsim/rlhf.h"
#include "linalg.h"

double rlhf_radius(int d, int64_t k, int n, double delta, double lambda, double B, double Lx,
                   double c_f)
{
  double gamma = 1.0 / (2.0 + exp(-Lx * B) + exp(Lx * B));
  return c_f * sqrt((d + log((double)k / delta)) / (gamma * gamma * n) + lambda * B * B);
}

double rlhf_params_radius(const rlhf_params *p, double Lx)
{
  return p->exact ? 0.0 : rlhf_radius(p->d, p->k, p->n, p->delta, p->lambda, p->B, Lx, p->c_f);
}

int rlhf_confidence(int n, int d, const double *x, double lambda, const double *theta_hat,
                    double f, double *sigma, double *prec, double *lo, double *hi, ss_err *e)
{
  double S[64 * 64], P[64 * 64], work[64 * 64];
  rlhf_kern_syrk_lower(n, d, x, NULL, NULL, S); /* lower triangle: sum_j x_ja x_jb in j order */
  for (int a = 0; a < d; a++)
    for (int b = 0; b <= a; b++) {
      double acc = S[a * d + b] / n;
      if (a == b) acc += lambda;
      S[a * d + b] = S[b * d + a] = acc;
    }
  if (rlhf_spd_inverse(S, d, P, work))
    return ss_fail(e, SS_ERUNTIME, "rlhf: Sigma_i is not positive definite");
  if (sigma) memcpy(sigma, S, (size_t)d * d * sizeof *S);
  if (prec) memcpy(prec, P, (size_t)d * d * sizeof *P);
  for (int j = 0; j < d; j++) {
    double w = f * sqrt(P[j * d + j]);
    if (lo) lo[j] = theta_hat[j] - w;
    if (hi) hi[j] = theta_hat[j] + w;
  }
  return SS_OK;
}
