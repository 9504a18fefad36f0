/* pessimistic_sw in tabular MDPs against evidence independent of the planner: the test's own
 * formula for W(z) = (1/k) sum_i <theta_i, z> - f ||z||_{P_i} and for its Theta (the average of
 * the ellipsoids C_i, described by its support function: W(z) = min_{t in Theta} <t, z>), and the
 * enumeration of every deterministic non-stationary policy of tiny MDPs.
 *  (a) The planner's certified dual point lies in Theta: dist(theta, Theta) = max over the unit
 *      ball of W(z) - <theta, z> (minimax), maximised over the unit sphere by an ascent from the
 *      best of 400 random directions; it must be <= 1e-11 of the scale. A point moved out of
 *      Theta by 1, and the dual point moved out by 1e-6 of the scale across its face (normal
 *      -z: complementary slackness <theta, z> = W(z) is checked too), are found outside (the
 *      check can fail, and resolves 1e-6).
 *  (b) The planner's value against max W over the occupancy polytope (the hull of the
 *      enumerated policies' z): projected gradient ascent over the simplex of mixtures gives a
 *      lower bound lb = W(Z lambda); the gradient of W there is a point of Theta whose h (by
 *      enumeration) is an upper bound ub. The reference bracket must be tight (ub - lb <= 1e-7
 *      of the scale) and the planner's W within [lb - tol, ub + tol], h >= lb - tol,
 *      h - W <= tol (tol = 1e-9 of the scale); h is also recomputed by enumeration. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/median.h"
#include "stratsim/rng.h"
#include "../../src/rlhf/mdp_settings.h"
#include "../../src/rlhf/rlhf_mdp.h"
#include "../../src/rlhf/solver.h"
#include "../../src/rlhf/states.h"
#include "unit.h"

#define PD 3 /* d */
#define PK 4 /* k at most */

typedef struct {
  int k;
  double f, th[PK * PD], P[PK * PD * PD];
} psw_inst;

static double dot3(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/* k labelers: theta_i around a common direction; P_i = M M' / d + 0.2 I (positive definite) */
static void psw_random(uint64_t seed, int k, double f, psw_inst *w)
{
  w->k = k, w->f = f;
  for (int i = 0; i < k; i++) {
    for (int j = 0; j < PD; j++)
      w->th[i * PD + j] = ss_rng_normal(seed, SS_P_TEST, 1, j) + 0.3 * ss_rng_normal(seed, SS_P_TEST, 2 + i, j);
    double M[PD * PD];
    for (int q = 0; q < PD * PD; q++) M[q] = ss_rng_normal(seed, SS_P_TEST, 10 + i, q);
    for (int a = 0; a < PD; a++)
      for (int b = 0; b < PD; b++)
        w->P[i * PD * PD + a * PD + b] = dot3(M + a * PD, M + b * PD) / PD + (a == b ? 0.2 : 0);
  }
}

static double pnorm(const double *P, const double *z, double *pz)
{
  for (int a = 0; a < PD; a++) pz[a] = dot3(P + a * PD, z);
  return sqrt(fmax(dot3(z, pz), 0));
}

static double psw_W(const psw_inst *w, const double *z)
{
  double tot = 0, pz[PD];
  for (int i = 0; i < w->k; i++) tot += dot3(w->th + i * PD, z) - w->f * pnorm(w->P + i * PD * PD, z, pz);
  return tot / w->k;
}

/* grad W(z), z != 0: (1/k) sum_i theta_i - f P_i z / ||z||_{P_i}, a point of Theta (each term
 * lies on the boundary of C_i) */
static void psw_grad(const psw_inst *w, const double *z, double *g)
{
  double pz[PD];
  for (int j = 0; j < PD; j++) g[j] = 0;
  for (int i = 0; i < w->k; i++) {
    double r = pnorm(w->P + i * PD * PD, z, pz);
    for (int j = 0; j < PD; j++) g[j] += (w->th[i * PD + j] - w->f * pz[j] / r) / w->k;
  }
}

/* A lower bound on dist(theta, Theta) (see the header): > 0 proves theta outside Theta. g(z) =
 * W(z) - <theta, z> is concave and positively homogeneous, so max over the ball is
 * max(0, max over the unit sphere); {g >= c |z|} is a convex cone for c >= 0, so an ascent on the
 * sphere (tangent gradient steps, halved on failure) from the best of 400 random directions finds
 * a positive maximum. Returns the sphere's maximum found (<= 0: no violation found). */
static double theta_violation(const psw_inst *w, const double *theta)
{
  double best = -INFINITY, z[PD], zb[PD] = {1, 0, 0}, g[PD], step = 0.1;
  for (int n = 0; n < 400; n++) {
    for (int j = 0; j < PD; j++) z[j] = ss_rng_normal(n, SS_P_TEST, 77, j);
    double nz = sqrt(dot3(z, z)), v;
    for (int j = 0; j < PD; j++) z[j] /= nz;
    if ((v = psw_W(w, z) - dot3(theta, z)) > best) best = v, memcpy(zb, z, sizeof z);
  }
  for (int it = 0; it < 3000 && step > 1e-15; it++) {
    psw_grad(w, zb, g);
    for (int j = 0; j < PD; j++) g[j] -= theta[j];
    double radial = dot3(g, zb), nz = 0, v;
    for (int j = 0; j < PD; j++) z[j] = zb[j] + step * (g[j] - radial * zb[j]), nz += z[j] * z[j];
    for (int j = 0; j < PD; j++) z[j] /= sqrt(nz);
    if ((v = psw_W(w, z) - dot3(theta, z)) > best) best = v, memcpy(zb, z, sizeof z), step *= 1.5;
    else step *= 0.5;
  }
  return best;
}

/* the scale of Theta's points: |theta_i| + f sqrt(trace P_i) */
static double theta_scale(const psw_inst *w)
{
  double s = 0;
  for (int i = 0; i < w->k; i++) {
    const double *P = w->P + i * PD * PD;
    s = fmax(s, sqrt(dot3(w->th + i * PD, w->th + i * PD)) + w->f * sqrt(P[0] + P[4] + P[8]));
  }
  return s;
}

/* A generated MDP (d = 3, H = 3, b = 2 successors) on one rank, and its solver (default
 * planner settings). */
static rlhf_states *mdp_states(uint64_t seed, int S, int A, rlhf_env *env)
{
  rlhf_params p;
  rlhf_params_default(&p);
  static const rlhf_mdp_settings two = {.successors = 2};
  p.seed = seed, p.mdp = 1, p.mdp_data = &two;
  p.S = S, p.A = A, p.d = PD, p.H = 3;
  ss_err e;
  ss_err_clear(&e);
  rlhf_states *st = NULL;
  CU_ASSERT_EQUAL_FATAL(rlhf_env_create_mdp(&p, env, &e), SS_OK);
  CU_ASSERT_EQUAL_FATAL(rlhf_states_create(ss_unit_world(), env, 0, &st, &e), SS_OK);
  return st;
}

/* The planner's certified solve (tolerance 1e-10) of the instance w; (a) at its dual point. */
static void psw_solve(rlhf_states *st, const psw_inst *w, int smoothing_auto, rlhf_policy *pol)
{
  ss_err e;
  ss_err_clear(&e);
  rlhf_agg *agg = NULL;
  CU_ASSERT_EQUAL_FATAL(rlhf_agg_build_exact(rlhf_agg_find("pessimistic_sw"), PD, w->k, w->th, w->P,
                                             NULL, NULL, w->f, SS_MEDIAN_MEAN, &agg, &e), SS_OK);
  const rlhf_solver_ops *planner = rlhf_solver_find("planner");
  rlhf_plan_opts opt; /* the planner's settings: its defaults, then the alpha rule */
  planner->setup(NULL, &opt);
  opt.smoothing_auto = smoothing_auto;
  rlhf_states_set_solver(st, planner, &opt);
  CU_ASSERT_EQUAL_FATAL(rlhf_policy_solve(st, agg, 1e-10, pol, &e), SS_OK);
  rlhf_states_set_solver(st, NULL, NULL); /* opt is about to go */
  double scale = fmax(fmax(fabs(pol->objective), fabs(pol->dual)), 1e-3);
  CU_ASSERT(pol->converged && pol->rel_gap <= 1e-10);
  /* the test's W at the planner's mixture is the planner's W */
  CU_ASSERT(fabs(psw_W(w, pol->z) - pol->objective) <= 1e-12 * scale);
  /* (a) the certifying point lies in Theta; moved out by 1 along -e_0 it is found outside */
  double ts = theta_scale(w), out[PD], nz = sqrt(dot3(pol->z, pol->z));
  CU_ASSERT(theta_violation(w, pol->theta_dual) <= 1e-11 * ts);
  memcpy(out, pol->theta_dual, sizeof out);
  out[0] -= 1 + 2 * ts; /* Theta's width along e_0 is at most 2 ts */
  CU_ASSERT(theta_violation(w, out) >= 1 - 1e-9);
  if (nz > 1e-6) {
    /* complementary slackness (W <= <theta, z> <= h, gap ~0): theta minimises <t, z> over
     * Theta, so it lies on Theta's face with outward normal -z; 1e-6 further out is found */
    CU_ASSERT(fabs(dot3(pol->theta_dual, pol->z) - pol->objective) <= 1e-10 * scale);
    for (int j = 0; j < PD; j++) out[j] = pol->theta_dual[j] - 1e-6 * ts * pol->z[j] / nz;
    CU_ASSERT(theta_violation(w, out) >= 0.5e-6 * ts);
  }
  rlhf_agg_destroy(&agg);
}

/* The pessimistic_sw instances of test_rlhf_mdp.c's occupancy-LP test: k = 4 labelers whose
 * Sigma_i^{-1} come from 20 random comparisons (rlhf_confidence), f = 0.2. */
static void psw_confidence(uint64_t seed, psw_inst *w)
{
  double x[20 * PD], lo[PD], hi[PD];
  ss_err e;
  ss_err_clear(&e);
  w->k = 4, w->f = 0.2;
  for (int i = 0; i < w->k; i++) {
    for (int q = 0; q < 20 * PD; q++) x[q] = ss_rng_normal(seed, SS_P_TEST, 50 + i, q);
    for (int j = 0; j < PD; j++) w->th[i * PD + j] = 0.3 + ss_rng_normal(seed, SS_P_TEST, 90 + i, j);
    rlhf_confidence(20, PD, x, 0.1, w->th + i * PD, 0.2, NULL, w->P + i * PD * PD, lo, hi, &e);
  }
  CU_ASSERT_EQUAL(e.code, SS_OK);
}

/* (a) on the H = 3 MDPs of test_rlhf_mdp.c's occupancy-LP test (S = 5, A = 3, b = 2): its own
 * pessimistic_sw instances (seed 200 + 10 t + 2: the aggregator's registry index is 2) and
 * random ones with f = 0.1, 0.5; fixed and automatic alpha. */
static void test_psw_dual_in_theta(void)
{
  for (int t = 0; t < 3; t++) {
    rlhf_env env;
    rlhf_states *st = mdp_states(120 + t, 5, 3, &env);
    for (int q = 0; q < 6; q++) {
      psw_inst w;
      if (q < 2) psw_confidence(200 + 10 * t + 2, &w);
      else psw_random(300 + 10 * t + q, 3 + q % 2, q < 4 ? 0.1 : 0.5, &w);
      rlhf_policy pol;
      psw_solve(st, &w, q % 2, &pol);
      rlhf_policy_free(&pol);
    }
    rlhf_states_destroy(&st);
    rlhf_env_destroy(&env);
  }
}

/* z of every deterministic non-stationary policy (n = A^(H S) of them) by the exact occupancy
 * recursion from the uniform start distribution. */
static double *all_policies_z(const rlhf_mdp *m, int *n)
{
  int S = m->S, A = m->A, H = m->H, cells = H * S;
  *n = 1;
  for (int c = 0; c < cells; c++) *n *= A;
  double *Z = calloc((size_t)*n * PD, sizeof *Z), occ[8], nxt[8], f[RLHF_DMAX];
  for (int c = 0; c < *n; c++) {
    for (int s = 0; s < S; s++) occ[s] = 1.0 / S;
    for (int h = 0, code = c; h < H; h++) {
      memset(nxt, 0, sizeof nxt);
      for (int s = 0; s < S; s++, code /= A) {
        int a = code % A;
        rlhf_mdp_features(m, s, a, f);
        for (int j = 0; j < PD; j++) Z[c * PD + j] += occ[s] * f[j];
        for (int64_t k = m->srow[s * A + a]; k < m->srow[s * A + a + 1]; k++)
          nxt[m->ghost[m->scol[k]]] += occ[s] * m->sprob[k];
      }
      memcpy(occ, nxt, sizeof occ);
    }
  }
  return Z;
}

/* Euclidean projection of v (n) onto the probability simplex (sort and threshold). */
static int cmp_desc(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}
static void project_simplex(double *v, int n, double *tmp)
{
  memcpy(tmp, v, (size_t)n * sizeof *v);
  qsort(tmp, (size_t)n, sizeof *tmp, cmp_desc);
  double cum = 0, tau = 0;
  for (int i = 0; i < n; i++) {
    cum += tmp[i];
    if (tmp[i] - (cum - 1) / (i + 1) > 0) tau = (cum - 1) / (i + 1);
  }
  for (int i = 0; i < n; i++) v[i] = fmax(v[i] - tau, 0);
}

static double mix_W(const psw_inst *w, const double *Z, const double *lam, int n, double *z)
{
  for (int j = 0; j < PD; j++) z[j] = 0;
  for (int c = 0; c < n; c++)
    for (int j = 0; j < PD; j++) z[j] += lam[c] * Z[c * PD + j];
  return psw_W(w, z);
}

/* max W over the hull of Z's rows: projected gradient ascent on the mixture weights with a
 * backtracking step; returns lb = W(z) of the best mixture (z: its point). */
static double hull_max_W(const psw_inst *w, const double *Z, int n, double *zbest)
{
  double *lam = malloc((size_t)n * sizeof *lam), *nl = malloc((size_t)n * sizeof *nl);
  double *tmp = malloc((size_t)n * sizeof *tmp), z[PD], g[PD], step = 1;
  for (int c = 0; c < n; c++) lam[c] = 1.0 / n;
  double cur = mix_W(w, Z, lam, n, zbest);
  for (int it = 0; it < 4000 && step > 1e-14; it++) {
    psw_grad(w, zbest, g);
    for (;;) { /* accept the first step that does not decrease W */
      for (int c = 0; c < n; c++) nl[c] = lam[c] + step * dot3(Z + c * PD, g);
      project_simplex(nl, n, tmp);
      double v = mix_W(w, Z, nl, n, z);
      if (v >= cur) {
        memcpy(lam, nl, (size_t)n * sizeof *lam), memcpy(zbest, z, sizeof z);
        cur = v, step = fmin(1.5 * step, 1e3); /* big steps lose the simplex to rounding */
        break;
      }
      if ((step *= 0.5) <= 1e-14) break;
    }
  }
  free(lam), free(nl), free(tmp);
  return cur;
}

static double h_enum(const double *theta, const double *Z, int n)
{
  double best = -INFINITY;
  for (int c = 0; c < n; c++) best = fmax(best, dot3(theta, Z + c * PD));
  return best;
}

/* (b) on tiny MDPs: S = 2 or 3, A = 2, H = 3 (64 or 512 deterministic policies), b = 2. */
static void test_psw_vs_enumerated_optimum(void)
{
  for (int t = 0; t < 4; t++) {
    rlhf_env env;
    rlhf_states *st = mdp_states(500 + t, 2 + t % 2, 2, &env);
    int n;
    double *Z = all_policies_z(st->mdp, &n), zs[PD], th[PD];
    for (int q = 0; q < 2; q++) { /* fixed and automatic alpha */
      psw_inst w;
      psw_random(600 + 10 * t + q, 3 + q, t < 2 ? 0.1 : 0.3, &w);
      double lb = hull_max_W(&w, Z, n, zs);
      psw_grad(&w, zs, th); /* a point of Theta: h(th) >= the optimum */
      double ub = h_enum(th, Z, n), scale = fmax(fabs(lb), 1e-3), tol = 1e-9 * scale;
      CU_ASSERT(fabs(lb) > 0.01);    /* away from the kink z = 0 (W(0) = 0) */
      CU_ASSERT(ub - lb <= 1e-7 * scale); /* the reference is sharp */
      rlhf_policy pol;
      psw_solve(st, &w, q, &pol);
      CU_ASSERT(pol.objective >= lb - tol && pol.objective <= ub + tol);
      CU_ASSERT(pol.dual >= lb - tol && pol.dual - pol.objective <= tol);
      CU_ASSERT(fabs(h_enum(pol.theta_dual, Z, n) - pol.dual) <= 1e-12 * scale);
      /* the planner's z lies in the hull: no direction separates it */
      for (int r = 0; r < 50; r++) {
        double u[PD];
        for (int j = 0; j < PD; j++) u[j] = ss_rng_normal(t, SS_P_TEST, 88 + r, j);
        CU_ASSERT(dot3(u, pol.z) <= h_enum(u, Z, n) + 1e-12 * (1 + sqrt(dot3(u, u))));
      }
      rlhf_policy_free(&pol);
    }
    free(Z);
    rlhf_states_destroy(&st);
    rlhf_env_destroy(&env);
  }
}

SS_UNIT_SUITE(rlhf_mdp_psw_suite)
{
  ss_unit_suite("rlhf_mdp_psw");
  ss_unit_test("pessimistic_sw, H = 3: the certified dual point lies in Theta (support function)",
               test_psw_dual_in_theta);
  ss_unit_test("pessimistic_sw, H = 3: planner vs max W over enumerated policies' hull",
               test_psw_vs_enumerated_optimum);
}
