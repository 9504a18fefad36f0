/* The confidence radii the mechanisms share (stratsim/bandit_mech.h): the authors' beta and
 * Abbasi-Yadkori et al.'s self-normalised bound. A leaf below the mechanisms and their
 * registry (mechanism.c). */
#include <math.h>
#include "stratsim/bandit_mech.h"

double ss_bandit_beta_authors(int d, int64_t T, double lambda, double delta)
{
  double dd = d, tt = (double)T;
  return sqrt(lambda) * dd + sqrt(2.0 * log(1.0 / delta) + dd * log((dd + tt * dd * dd) / dd * lambda));
}

double ss_bandit_beta_abbasi(int d, int64_t n, double lambda, double delta, double S, double L)
{
  return sqrt(lambda) * S +
         sqrt(2.0 * log(1.0 / delta) + d * log(1.0 + (double)n * L * L / (d * lambda)));
}

double ss_bandit_abbasi_radius(const ss_bandit_mech *m, int64_t n)
{
  double S = m->p.S, L = m->p.L;
  if (S <= 0) S = sqrt(ss_bandit_dot(m->theta_star, m->theta_star, m->d));
  if (L <= 0) L = sqrt((double)m->d);
  return ss_bandit_beta_abbasi(m->d, n, m->p.lambda, m->delta, S, L);
}
