/* Pessimistic Median of MLEs (the paper's Algorithm 1), `box` variant: Theta is the box
 * prod_j [med_i l_ij, med_i u_ij], assembled with two exact distributed medians, and
 * W(z) = sum_j min(lo_j z_j, hi_j z_j). The smoothed W_mu replaces each min by a soft-min,
 * whose gradient is a convex combination of lo_j and hi_j, i.e. a point of the box. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "choices.h"

/* Its state: the box of medians. */
typedef struct {
  double lo[RLHF_DMAX], hi[RLHF_DMAX];
} box_data;
#define BOX(agg) ((box_data *)(agg)->data)

static int box_build(rlhf_agg *agg, ss_comm *c, const rlhf_estimates *est, const double *tsm,
                     ss_err *e)
{
  /* agg is NULL only with an error pending: the first median then agrees and writes nothing */
  ss_median_kind kind = agg ? agg->median_kind : SS_MEDIAN_LOWER;
  SS_TRY(ss_par_median(c, est->lo, est->count, est->d, kind, agg ? BOX(agg)->lo : NULL, e));
  return ss_par_median(c, est->hi, est->count, est->d, kind, BOX(agg)->hi, e);
}

static double box_value(const rlhf_agg *agg, const double *z)
{
  double w = 0;
  for (int j = 0; j < agg->d; j++) {
    double a = BOX(agg)->lo[j] * z[j], b = BOX(agg)->hi[j] * z[j];
    w += a < b ? a : b;
  }
  return w;
}

static void box_smooth(const rlhf_agg *agg, const double *z, double mu, double *grad, double *hess)
{
  int d = agg->d;
  if (hess) memset(hess, 0, (size_t)d * d * sizeof *hess);
  for (int j = 0; j < d; j++) {
    double width = BOX(agg)->hi[j] - BOX(agg)->lo[j];
    /* weight on lo_j: -> 1 when z_j > 0 (then lo_j z_j is the smaller product) */
    double w = rlhf_sigmoid(width * z[j] / mu);
    grad[j] = w * BOX(agg)->lo[j] + (1.0 - w) * BOX(agg)->hi[j];
    if (grad[j] < BOX(agg)->lo[j]) grad[j] = BOX(agg)->lo[j];
    if (grad[j] > BOX(agg)->hi[j]) grad[j] = BOX(agg)->hi[j];
    if (hess) hess[j * d + j] = -width * width * w * (1.0 - w) / mu;
  }
}

/* The LP form: z = z+ - z-, W(z) = max lo.z+ - hi.z- (lo <= hi makes the complementary split
 * optimal, so the LP value is exactly sum_j min(lo_j z_j, hi_j z_j)). Rows z+_j - z-_j = z_j;
 * their duals y_j lie in [lo_j, hi_j] at an optimum: theta = y is a point of the box. */
static void box_lp_dims(const rlhf_agg *agg, int *r, int *nw)
{
  *r = agg->d;
  *nw = 2 * agg->d;
}

static void box_lp_fill(const rlhf_agg *agg, const double *z0, double *G, double *c, double *T,
                        int *wbasis)
{
  int d = agg->d;
  memset(G, 0, (size_t)d * 2 * d * sizeof *G);
  memset(T, 0, (size_t)d * d * sizeof *T);
  for (int j = 0; j < d; j++) {
    G[j * 2 * d + j] = 1.0;
    G[j * 2 * d + d + j] = -1.0;
    c[j] = BOX(agg)->lo[j];
    c[d + j] = -BOX(agg)->hi[j];
    T[j * d + j] = 1.0;
    wbasis[j] = z0[j] >= 0 ? j : d + j;
  }
}

static void box_lp_theta(const rlhf_agg *agg, const double *y, double *theta)
{
  for (int j = 0; j < agg->d; j++)
    theta[j] = y[j] < BOX(agg)->lo[j] ? BOX(agg)->lo[j] : y[j] > BOX(agg)->hi[j] ? BOX(agg)->hi[j] : y[j];
}

/* Its settings: the shape of the confidence set. */
static const ss_key box_keys[] = {
  {"rlhf.momle.set", SS_T_ENUM, "box", 0, 0, 0, SS_PLUGIN_CHOICES, "pessimistic_momle confidence set: the box of medians (socp is not implemented)"},
};

enum { SET_BOX, SET_SOCP };
static const ss_plugin_choice set_box = {.name = "box", .summary = "the box of the coordinate-wise medians of the interval ends", .value = SET_BOX};
static const ss_plugin_choice set_socp = {.name = "socp", .summary = "the SOCP relaxation (not implemented: refused at config time)", .value = SET_SOCP};
static const void *const sets[] = {&set_box, &set_socp};
const ss_plugin_family rlhf_momle_sets = {
  .what = "confidence set",
  .key = "rlhf.momle.set",
  .items = sets,
  .n = SS_PLUGIN_COUNT(sets),
};

static int box_check(const ss_config *cfg, ss_err *e)
{
  if (ss_plugin_choice_value(&rlhf_momle_sets, cfg) == SET_SOCP)
    return ss_cfg_error(cfg, "rlhf.momle.set", e, "expected box, found socp (the SOCP relaxation is not implemented)");
  return SS_OK;
}

/* exact: the serial medians of the given interval ends, column by column */
static int box_exact(rlhf_agg *agg, const double *theta_hat, const double *prec, const double *lo,
                     const double *hi, ss_err *e)
{
  int64_t k = agg->k;
  double *col = ss_malloc((size_t)k * sizeof *col, e);
  if (!col) return e->code;
  for (int j = 0; j < agg->d; j++) {
    for (int64_t i = 0; i < k; i++) col[i] = lo[i * agg->d + j];
    BOX(agg)->lo[j] = ss_median_serial(col, k, agg->median_kind);
    for (int64_t i = 0; i < k; i++) col[i] = hi[i * agg->d + j];
    BOX(agg)->hi[j] = ss_median_serial(col, k, agg->median_kind);
  }
  free(col);
  return SS_OK;
}

const rlhf_agg_ops rlhf_agg_pessimistic_momle = {
  .name = "pessimistic_momle",
  .data_size = sizeof(box_data),
  .keys = box_keys,
  .nkeys = SS_PLUGIN_COUNT(box_keys),
  .check = box_check,
  .build = box_build,
  .build_exact = box_exact,
  .value = box_value,
  .smooth = box_smooth,
  .lp_dims = box_lp_dims,
  .lp_fill = box_lp_fill,
  .lp_theta = box_lp_theta,
};
