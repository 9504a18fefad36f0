/* Pessimistic Median of MLEs (the paper's Algorithm 1), `box` variant: Theta is the box
 * prod_j [med_i l_ij, med_i u_ij], assembled with two exact distributed medians, and
 * W(z) = sum_j min(lo_j z_j, hi_j z_j). The smoothed W_mu replaces each min by a soft-min,
 * whose gradient is a convex combination of lo_j and hi_j, i.e. a point of the box. */
#include <math.h>
#include <string.h>
#include "stratsim/median.h"
#include "rlhf_impl.h"

static int box_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                     ss_err *e)
{
  SS_TRY(ss_par_median(c, est->lo, est->count, agg->d, agg->median_kind, agg->lo, e));
  return ss_par_median(c, est->hi, est->count, agg->d, agg->median_kind, agg->hi, e);
}

static double box_value(const rlhf_agg *agg, const double *z)
{
  double w = 0;
  for (int j = 0; j < agg->d; j++) {
    double a = agg->lo[j] * z[j], b = agg->hi[j] * z[j];
    w += a < b ? a : b;
  }
  return w;
}

static void box_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad, double *hess)
{
  int d = agg->d;
  if (hess) memset(hess, 0, (size_t)d * d * sizeof *hess);
  for (int j = 0; j < d; j++) {
    double width = agg->hi[j] - agg->lo[j];
    /* weight on lo_j: -> 1 when z_j > 0 (then lo_j z_j is the smaller product) */
    double w = rlhf_sigmoid(width * z[j] / mu);
    grad[j] = w * agg->lo[j] + (1.0 - w) * agg->hi[j];
    if (grad[j] < agg->lo[j]) grad[j] = agg->lo[j];
    if (grad[j] > agg->hi[j]) grad[j] = agg->hi[j];
    if (hess) hess[j * d + j] = -width * width * w * (1.0 - w) / mu;
  }
}

/* Coordinates whose soft-min weight is not saturated are free (z_j = 0 at the optimum);
 * the others sit at lo_j (z_j > 0) or hi_j (z_j < 0). */
static int box_face(const rlhf_agg *agg, const double *z, double mu, rlhf_face *face)
{
  int d = agg->d;
  face->r = 0;
  for (int j = 0; j < d; j++) {
    double w = rlhf_sigmoid((agg->hi[j] - agg->lo[j]) * z[j] / mu);
    if (w > 1 - 1e-6) face->theta0[j] = agg->lo[j];
    else if (w < 1e-6) face->theta0[j] = agg->hi[j];
    else {
      face->theta0[j] = 0;
      face->idx[face->r++] = j;
    }
  }
  memset(face->M, 0, sizeof face->M);
  for (int c = 0; c < face->r; c++) face->M[face->idx[c] * RLHF_DMAX + c] = 1.0;
  return 0;
}

static void box_face_point(const rlhf_agg *agg, const rlhf_face *face, const double *y,
                           double *theta)
{
  memcpy(theta, face->theta0, (size_t)agg->d * sizeof *theta);
  for (int c = 0; c < face->r; c++) {
    int j = face->idx[c];
    theta[j] = y[c] < agg->lo[j] ? agg->lo[j] : y[c] > agg->hi[j] ? agg->hi[j] : y[c];
  }
}

const rlhf_agg_ops rlhf_agg_pessimistic_momle = {"pessimistic_momle", 0, 0, 0, box_build,
                                                 box_value, box_smooth, box_face,
                                                 box_face_point};
