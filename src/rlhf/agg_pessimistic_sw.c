/* Pessimistic social welfare (Zhong et al. 2024): the average of each labeler's pessimistic
 * value, W(z) = (1/k) sum_i ( <theta_hat_i, z> - f ||z||_{Sigma_i^{-1}} ); Theta is the average
 * of the ellipsoids C_i. Smoothed by ||z||_P -> sqrt(z'Pz + mu^2), whose gradient stays inside
 * every C_i. Needs every labeler's MLE and Sigma_i^{-1} (replicated). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "linalg.h"
#include "states.h"

/* Its state: every labeler's parameter (k x d) and Sigma_i^{-1} (k x d x d). */
typedef struct {
  double *thetas, *prec;
} psw_data;
#define PSW(agg) ((psw_data *)(agg)->data)

static void psw_destroy(void *data)
{
  free(((psw_data *)data)->thetas);
  free(((psw_data *)data)->prec);
}

static int psw_fill(rlhf_agg *agg, const double *theta, const double *prec, ss_err *e)
{
  int d = agg->d;
  size_t n = (size_t)agg->k * d;
  PSW(agg)->thetas = ss_malloc(n * sizeof *PSW(agg)->thetas, e);
  PSW(agg)->prec = ss_malloc(n * d * sizeof *PSW(agg)->prec, e);
  if (!PSW(agg)->thetas || !PSW(agg)->prec) return SS_ERUNTIME;
  if (!prec) return ss_fail(e, SS_ERUNTIME, "pessimistic_sw: estimates lack Sigma^-1");
  memcpy(PSW(agg)->thetas, theta, n * sizeof *PSW(agg)->thetas);
  memcpy(PSW(agg)->prec, prec, n * d * sizeof *PSW(agg)->prec);
  return SS_OK;
}

static int psw_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                     ss_err *e)
{
  if (e->code) return e->code; /* local */
  return psw_fill(agg, est->theta, est->prec, e);
}

static int psw_exact(rlhf_agg *agg, const double *theta_hat, const double *prec, const double *lo,
                     const double *hi, ss_err *e)
{
  return psw_fill(agg, theta_hat, prec, e);
}

/* out[a] = <P_a, z> for the rows of P: the products z_j P_aj in the order of rlhf_dot, four
 * rows at a time (independent sums, so the same bits as one rlhf_dot per row). */
static void matvec(const double *P, const double *z, int d, double *out)
{
  rlhf_dot_rows(z, P, d, d, out);
}

static void psw_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad, double *hess)
{
  int d = agg->d;
  double f = agg->radius;
  double pz[RLHF_DMAX];
  for (int j = 0; j < d; j++) grad[j] = 0;
  if (hess) memset(hess, 0, (size_t)d * d * sizeof *hess);
  for (int64_t i = 0; i < agg->k; i++) {
    const double *P = PSW(agg)->prec + i * d * d;
    matvec(P, z, d, pz);
    double q = rlhf_dot(z, pz, d);
    double r = sqrt((q > 0 ? q : 0) + mu * mu);
    if (!(r > 0)) r = 1e-300;
    for (int j = 0; j < d; j++) grad[j] += PSW(agg)->thetas[i * d + j] - f * pz[j] / r;
    if (hess)
      for (int a = 0; a < d; a++)
        rlhf_vec_psw_hess_row(hess + a * d, P + a * d, pz[a], pz, r, r * r * r, f, d);
  }
  for (int j = 0; j < d; j++) grad[j] /= (double)agg->k;
  if (hess)
    for (int a = 0; a < d * d; a++) hess[a] /= (double)agg->k;
}

/* W_mu(z) = (1/k) sum_i <theta_i, z> - f sqrt(z^T P_i z + mu^2): the function psw_smooth
 * differentiates. */
static double psw_smooth_value(const rlhf_agg *agg, const double *z, double mu)
{
  int d = agg->d;
  double pz[RLHF_DMAX], tot = 0;
  for (int64_t i = 0; i < agg->k; i++) {
    matvec(PSW(agg)->prec + i * d * d, z, d, pz);
    double q = rlhf_dot(z, pz, d);
    tot += rlhf_dot(PSW(agg)->thetas + i * d, z, d) - agg->radius * sqrt((q > 0 ? q : 0) + mu * mu);
  }
  return tot / (double)agg->k;
}

/* grad W_mu(z) = (1/k) sum_i theta_i - f P_i^{1/2} u_i with u_i = P_i^{1/2} z / r_i, |u_i| < 1
 * (r_i = sqrt(z'P_i z + mu^2)). 0 = (1/k) sum_i theta_i - f P_i^{1/2} (u_i + w_i) with
 * w_i = P_i^{-1/2} theta / f, so 0 lies in Theta when |P_i^{-1/2} theta| <= f (1 - |u_i|) for
 * every i; half that slack is required, against rounding. */
static int psw_holds_zero(const rlhf_agg *agg, const double *z, double mu, const double *theta)
{
  int d = agg->d;
  double pz[RLHF_DMAX], x[RLHF_DMAX], L[RLHF_DMAX * RLHF_DMAX], f = agg->radius;
  if (!(f > 0) || !(mu > 0)) return 0;
  for (int64_t i = 0; i < agg->k; i++) {
    const double *P = PSW(agg)->prec + i * d * d;
    matvec(P, z, d, pz);
    double q = rlhf_dot(z, pz, d);
    q = q > 0 ? q : 0;
    double slack = 1 - sqrt(q) / sqrt(q + mu * mu);
    memcpy(L, P, (size_t)d * d * sizeof *L);
    if (rlhf_cholesky(L, d)) return 0;
    memcpy(x, theta, (size_t)d * sizeof *x);
    rlhf_cholesky_solve(L, d, x); /* x = P^-1 theta */
    double t = rlhf_dot(theta, x, d);
    if (!(t >= 0) || !(sqrt(t) <= 0.5 * f * slack)) return 0;
  }
  return 1;
}

/* W(z) = W_0(z): sqrt(q + 0) is sqrt(q) */
static double psw_value(const rlhf_agg *agg, const double *z) { return psw_smooth_value(agg, z, 0.0); }

const rlhf_agg_ops rlhf_agg_pessimistic_sw = {
  .name = "pessimistic_sw",
  .needs_prec = 1,
  .needs_all = 1,
  .data_size = sizeof(psw_data),
  .destroy = psw_destroy,
  .build = psw_build,
  .build_exact = psw_exact,
  .value = psw_value,
  .smooth = psw_smooth,
  .smooth_value = psw_smooth_value,
  .holds_zero = psw_holds_zero,
};
