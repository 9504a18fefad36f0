/* Ridge-regression state with Sherman-Morrison updates (include/stratsim/bandit_ridge.h).
 * Everything is plain loops in a fixed order, so the same inputs give the same bits on
 * every rank: the engine relies on that for rank-count independence. */
#include <math.h>
#include <string.h>
#include "stratsim/bandit.h"
#include "stratsim/bandit_ridge.h"

static size_t packed(int d) { return (size_t)d * (size_t)(d + 1) / 2; }

size_t ss_ridge_ndoubles(int d) { return 2 * packed(d) + 2 * (size_t)d; }

size_t ss_ridge_nwork(int d) { return 2 * (size_t)d * (size_t)d + 2 * (size_t)d; }

void ss_ridge_attach(ss_ridge *r, int d, double lambda, double *mem)
{
  r->d = d;
  r->lambda = lambda;
  r->vinv = mem;
  r->v = mem + packed(d);
  r->b = mem + 2 * packed(d);
  r->theta = r->b + d;
  ss_ridge_reset(r);
}

void ss_ridge_reset(ss_ridge *r)
{
  int d = r->d;
  memset(r->vinv, 0, ss_ridge_ndoubles(d) * sizeof(double));
  for (int i = 0; i < d; i++) {
    r->vinv[ss_ridge_at(d, i, i)] = 1.0 / r->lambda;
    r->v[ss_ridge_at(d, i, i)] = r->lambda;
  }
  r->n = 0;
  r->since_refactor = 0;
}

/* out = M x for packed symmetric M. */
static void symv(int d, const double *m, const double *x, double *out)
{
  for (int i = 0; i < d; i++) out[i] = 0;
  const double *row = m;
  for (int i = 0; i < d; i++) {
    double acc = row[0] * x[i];
    for (int j = i + 1; j < d; j++) {
      acc += row[j - i] * x[j];
      out[j] += row[j - i] * x[i];
    }
    out[i] += acc;
    row += d - i;
  }
}

void ss_ridge_update(ss_ridge *r, const double *x, double y, int64_t refactor_every, double *work)
{
  int d = r->d;
  double *u = work; /* V^{-1} x */
  symv(d, r->vinv, x, u);
  double denom = 1.0 + ss_bandit_dot(x, u, d);
  double *mi = r->vinv, *vi = r->v;
  for (int i = 0; i < d; i++) {
    double ui = u[i] / denom;
    for (int j = i; j < d; j++) {
      mi[j - i] -= ui * u[j];
      vi[j - i] += x[i] * x[j];
    }
    mi += d - i;
    vi += d - i;
    r->b[i] += y * x[i];
  }
  r->n++;
  r->since_refactor++;
  if (refactor_every > 0 && r->since_refactor >= refactor_every) {
    ss_ridge_refactor(r, work); /* on failure the Sherman-Morrison state stays */
    r->since_refactor = 0;
  }
  symv(d, r->vinv, r->b, r->theta);
}

int ss_ridge_refactor(ss_ridge *r, double *work)
{
  int d = r->d;
  double *l = work;               /* d x d: Cholesky factor, lower, row-major */
  double *li = work + (size_t)d * d; /* d x d: its inverse, lower */
  for (int i = 0; i < d; i++)
    for (int j = 0; j <= i; j++) {
      double s = r->v[ss_ridge_at(d, j, i)];
      for (int k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i == j) {
        if (!(s > 0)) return -1;
        l[i * d + i] = sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  for (int j = 0; j < d; j++) {
    li[j * d + j] = 1.0 / l[j * d + j];
    for (int i = j + 1; i < d; i++) {
      double s = 0;
      for (int k = j; k < i; k++) s -= l[i * d + k] * li[k * d + j];
      li[i * d + j] = s / l[i * d + i];
    }
  }
  /* V^{-1} = L^{-T} L^{-1}: (i,j) = sum_{k >= max(i,j)} Li_ki Li_kj */
  for (int i = 0; i < d; i++)
    for (int j = i; j < d; j++) {
      double s = 0;
      for (int k = j; k < d; k++) s += li[k * d + i] * li[k * d + j];
      r->vinv[ss_ridge_at(d, i, j)] = s;
    }
  symv(d, r->vinv, r->b, r->theta);
  return 0;
}

double ss_ridge_drift(const ss_ridge *r, double *work)
{
  int d = r->d;
  double *col = work, *out = work + d;
  double worst = 0;
  for (int j = 0; j < d; j++) {
    for (int i = 0; i < d; i++) col[i] = r->vinv[i <= j ? ss_ridge_at(d, i, j) : ss_ridge_at(d, j, i)];
    symv(d, r->v, col, out);
    for (int i = 0; i < d; i++) {
      double dev = fabs(out[i] - (i == j ? 1.0 : 0.0));
      if (dev > worst) worst = dev;
    }
  }
  return worst;
}
