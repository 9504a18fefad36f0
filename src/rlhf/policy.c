/* Certified policy optimisation over stochastic tabular policies (H = 1, MODELS 1.5).
 *
 * States are spread over the ranks of a communicator in blocks of whole summation chunks
 * (the S x A feature matrix is a PETSc MATDENSE with those row blocks, rho a Vec). Every sum
 * over states is formed per chunk in state order and the chunk partials are then added in
 * chunk order on every rank, so values are bit-identical for any number of ranks.
 *
 * Linear objectives: the greedy policy (ties to the lowest action) is exact.
 * Concave objectives W(z) = min_{theta in Theta} <theta, z>: the saddle point
 * max_pi min_theta <theta, z_pi> = min_theta h(theta) is approached by smoothing both sides
 * with one parameter t: the policy becomes a softmax with temperature tau = t, and W becomes
 * W_mu (mu = t) whose gradient lies in Theta. The smoothed saddle point solves
 *     G(theta) = theta - grad W_mu( z_tau(theta) ) = 0,
 * with Jacobian I - (Hess W_mu)(Hess h_tau), which has eigenvalues >= 1; damped Newton on
 * ||G|| with t decreased by 10 per level from a warm start. Each level is certified: the
 * primal value W(z_pi) of the softmax policy and the dual value h(theta_d) at the point
 * theta_d = grad W_mu(z) of Theta bound the optimum from both sides, and the solve stops
 * when h - W <= tol * max(|W|, |h|, 1e-3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <petscmat.h>
#include "rlhf_impl.h"

struct rlhf_states {
  ss_comm *comm;
  int S, A, d;
  int chunk, nchunks, c_first, c_count;
  int s_first, s_count;
  Mat phi_mat; /* (S*A) x d, rows of this rank's states */
  Vec rho_vec;
  double *phi; /* local row-major copy for the hot loops: s_count*A*d */
  double *rho; /* s_count */
  double L;    /* max ||phi|| over all states */
  size_t m;    /* doubles per chunk partial: 1 + d + d*d */
  double *partial, *all;
  double *cross_prob; /* s_count x A scratch for crossover candidates */
};

static PetscErrorCode states_petsc(rlhf_states *st, const rlhf_env *env)
{
  PetscScalar *a, *r;
  PetscInt lda;
  PetscFunctionBeginUser;
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(st->comm);
  PetscInt rows = (PetscInt)st->s_count * st->A;
  PetscCall(MatCreateDense(comm, rows, PETSC_DECIDE, (PetscInt)st->S * st->A, st->d, NULL,
                           &st->phi_mat));
  PetscCall(MatDenseGetLDA(st->phi_mat, &lda));
  PetscCall(MatDenseGetArray(st->phi_mat, &a));
  for (PetscInt i = 0; i < rows; i++)
    for (int j = 0; j < st->d; j++)
      a[(size_t)j * lda + i] = env->phi[((size_t)st->s_first * st->A + i) * st->d + j];
  PetscCall(MatDenseRestoreArray(st->phi_mat, &a));
  PetscCall(MatAssemblyBegin(st->phi_mat, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(st->phi_mat, MAT_FINAL_ASSEMBLY));
  PetscCall(VecCreateMPI(comm, st->s_count, st->S, &st->rho_vec));
  PetscCall(VecGetArray(st->rho_vec, &r));
  for (int s = 0; s < st->s_count; s++) r[s] = env->rho[st->s_first + s];
  PetscCall(VecRestoreArray(st->rho_vec, &r));
  /* The hot loops read the locally owned rows of the distributed objects. */
  const PetscScalar *ca, *cr;
  PetscCall(MatDenseGetArrayRead(st->phi_mat, &ca));
  for (PetscInt i = 0; i < rows; i++)
    for (int j = 0; j < st->d; j++) st->phi[(size_t)i * st->d + j] = ca[(size_t)j * lda + i];
  PetscCall(MatDenseRestoreArrayRead(st->phi_mat, &ca));
  PetscCall(VecGetArrayRead(st->rho_vec, &cr));
  for (int s = 0; s < st->s_count; s++) st->rho[s] = cr[s];
  PetscCall(VecRestoreArrayRead(st->rho_vec, &cr));
  PetscFunctionReturn(0);
}

int rlhf_states_create(ss_comm *c, const rlhf_env *env, int chunk, rlhf_states **out, ss_err *e)
{
  *out = NULL;
  if (env->d > RLHF_DMAX) return ss_fail(e, SS_EINPUT, "rlhf: d must be <= %d", RLHF_DMAX);
  rlhf_states *st = ss_calloc(1, sizeof *st, e);
  if (!st) return SS_ERUNTIME;
  st->comm = c;
  st->S = env->S;
  st->A = env->A;
  st->d = env->d;
  st->L = env->L;
  /* The chunk size depends on S only (never on the rank count): at most 256 chunks. */
  st->chunk = chunk > 0 ? chunk : (env->S + 255) / 256 > 16 ? (env->S + 255) / 256 : 16;
  st->nchunks = (env->S + st->chunk - 1) / st->chunk;
  int64_t cf, cc;
  rlhf_block(st->nchunks, ss_comm_size(c), ss_comm_rank(c), &cf, &cc);
  st->c_first = (int)cf;
  st->c_count = (int)cc;
  st->s_first = st->c_first * st->chunk;
  int s_end = (st->c_first + st->c_count) * st->chunk;
  if (s_end > st->S) s_end = st->S;
  st->s_count = st->c_count > 0 ? s_end - st->s_first : 0;
  if (st->s_count == 0) st->s_first = st->S;
  st->m = 1 + (size_t)st->d + (size_t)st->d * st->d;
  size_t nloc = (size_t)st->s_count;
  st->phi = ss_malloc((nloc ? nloc : 1) * st->A * st->d * sizeof *st->phi, e);
  st->rho = ss_malloc((nloc ? nloc : 1) * sizeof *st->rho, e);
  st->partial = ss_malloc((size_t)(st->c_count ? st->c_count : 1) * st->m * sizeof(double), e);
  st->all = ss_malloc((size_t)st->nchunks * st->m * sizeof(double), e);
  st->cross_prob = ss_malloc((nloc ? nloc : 1) * st->A * sizeof(double), e);
  if (!st->phi || !st->rho || !st->partial || !st->all || !st->cross_prob) {
    rlhf_states_destroy(&st);
    return SS_ERUNTIME;
  }
  if (states_petsc(st, env)) {
    rlhf_states_destroy(&st);
    return ss_fail(e, SS_ERUNTIME, "rlhf: creating the distributed state features failed");
  }
  *out = st;
  return SS_OK;
}

void rlhf_states_destroy(rlhf_states **pst)
{
  rlhf_states *st = *pst;
  if (!st) return;
  if (st->phi_mat) (void)MatDestroy(&st->phi_mat);
  if (st->rho_vec) (void)VecDestroy(&st->rho_vec);
  free(st->phi);
  free(st->rho);
  free(st->partial);
  free(st->all);
  free(st->cross_prob);
  free(st);
  *pst = NULL;
}

void rlhf_states_local(const rlhf_states *st, int *s_first, int *s_count)
{
  *s_first = st->s_first;
  *s_count = st->s_count;
}

/* One pass over the local states at theta with temperature tau (0: greedy):
 * hmax = sum_s rho max_a q, z = sum_s rho E_p phi, H = (1/tau) sum_s rho Cov_p(phi) (if want_h).
 * prob (s_count x A) receives the policy when non-NULL. Collective. */
static int states_eval(rlhf_states *st, const double *theta, double tau, int want_h,
                       double *hmax, double *z, double *H, double *prob, ss_err *e)
{
  int d = st->d, A = st->A;
  size_t m = st->m;
  double q[256], p[256], mean[RLHF_DMAX];
  double *qq = A <= 256 ? q : malloc((size_t)A * sizeof *qq);
  double *pp = A <= 256 ? p : malloc((size_t)A * sizeof *pp);
  if (!qq || !pp) return ss_fail(e, SS_ERUNTIME, "out of memory");
  memset(st->partial, 0, (size_t)(st->c_count ? st->c_count : 1) * m * sizeof(double));
  for (int s = 0; s < st->s_count; s++) {
    double *part = st->partial + (size_t)(s / st->chunk) * m;
    const double *ph = st->phi + (size_t)s * A * d;
    int amax = 0;
    for (int a = 0; a < A; a++) {
      qq[a] = rlhf_dot(theta, ph + (size_t)a * d, d);
      if (qq[a] > qq[amax]) amax = a;
    }
    double r = st->rho[s];
    part[0] += r * qq[amax];
    int onehot = 1;
    if (tau > 0) {
      double tot = 0;
      for (int a = 0; a < A; a++) {
        double arg = (qq[a] - qq[amax]) / tau;
        pp[a] = arg < -745.0 ? 0.0 : exp(arg);
        tot += pp[a];
        if (a != amax && pp[a] != 0) onehot = 0;
      }
      for (int a = 0; a < A; a++) pp[a] /= tot;
    }
    if (onehot) {
      for (int a = 0; a < A; a++) pp[a] = (a == amax);
      for (int j = 0; j < d; j++) part[1 + j] += r * ph[(size_t)amax * d + j];
    } else {
      for (int j = 0; j < d; j++) mean[j] = 0;
      for (int a = 0; a < A; a++)
        for (int j = 0; j < d; j++) mean[j] += pp[a] * ph[(size_t)a * d + j];
      for (int j = 0; j < d; j++) part[1 + j] += r * mean[j];
      if (want_h) {
        double *hp = part + 1 + d;
        double c = r / tau;
        for (int a = 0; a < A; a++) {
          if (pp[a] == 0) continue;
          double dev[RLHF_DMAX];
          for (int j = 0; j < d; j++) dev[j] = ph[(size_t)a * d + j] - mean[j];
          double w = c * pp[a];
          for (int i = 0; i < d; i++) {
            double wi = w * dev[i];
            for (int j = i; j < d; j++) hp[i * d + j] += wi * dev[j];
          }
        }
      }
    }
    if (prob) memcpy(prob + (size_t)s * A, pp, (size_t)A * sizeof *pp);
  }
  if (qq != q) free(qq);
  if (pp != p) free(pp);
  SS_TRY(ss_rlhf_allgather(st->comm, st->partial, (int64_t)(st->c_count * m), st->all, e));
  /* Chunk partials in chunk order: the same additions for any rank count. */
  size_t use = want_h ? m : 1 + (size_t)d;
  double acc[1 + RLHF_DMAX + RLHF_DMAX * RLHF_DMAX];
  memset(acc, 0, use * sizeof *acc);
  for (int c = 0; c < st->nchunks; c++)
    for (size_t i = 0; i < use; i++) acc[i] += st->all[(size_t)c * m + i];
  *hmax = acc[0];
  if (z) memcpy(z, acc + 1, (size_t)d * sizeof *z);
  if (want_h && H)
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++) H[i * d + j] = j >= i ? acc[1 + d + i * d + j] : acc[1 + d + j * d + i];
  return SS_OK;
}

double rlhf_policy_dual_value(rlhf_states *st, const double *theta)
{
  double h;
  ss_err e;
  ss_err_clear(&e);
  if (states_eval(st, theta, 0.0, 0, &h, NULL, NULL, NULL, &e)) return NAN;
  return h;
}

void rlhf_policy_free(rlhf_policy *pol)
{
  free(pol->prob);
  pol->prob = NULL;
}

static int policy_alloc(rlhf_states *st, rlhf_policy *pol, ss_err *e)
{
  memset(pol, 0, sizeof *pol);
  pol->s_first = st->s_first;
  pol->s_count = st->s_count;
  pol->A = st->A;
  pol->prob = ss_malloc((size_t)(st->s_count ? st->s_count : 1) * st->A * sizeof *pol->prob, e);
  return pol->prob ? SS_OK : SS_ERUNTIME;
}

static double rel_denominator(double w, double h)
{
  double m = fabs(w) > fabs(h) ? fabs(w) : fabs(h);
  return m > 1e-3 ? m : 1e-3;
}

int rlhf_policy_greedy(rlhf_states *st, const double *theta, rlhf_policy *pol, ss_err *e)
{
  SS_TRY(policy_alloc(st, pol, e));
  double h;
  SS_TRY(states_eval(st, theta, 0.0, 0, &h, pol->z, NULL, pol->prob, e));
  pol->objective = rlhf_dot(theta, pol->z, st->d);
  pol->dual = h;
  pol->gap = h - pol->objective;
  pol->rel_gap = pol->gap / rel_denominator(pol->objective, h);
  memcpy(pol->theta_dual, theta, (size_t)st->d * sizeof *theta);
  pol->converged = 1;
  return SS_OK;
}

static int rlhf_trace = 0;

static double norm2(const double *v, int d) { return sqrt(rlhf_dot(v, v, d)); }

/* z of an explicit local policy (s_count x A), summed per chunk then in chunk order. */
static int states_z_policy(rlhf_states *st, const double *prob, double *z, ss_err *e)
{
  int d = st->d, A = st->A;
  size_t m = st->m;
  memset(st->partial, 0, (size_t)(st->c_count ? st->c_count : 1) * m * sizeof(double));
  for (int s = 0; s < st->s_count; s++) {
    double *part = st->partial + (size_t)(s / st->chunk) * m;
    const double *ph = st->phi + (size_t)s * A * d;
    for (int a = 0; a < A; a++) {
      double w = st->rho[s] * prob[(size_t)s * A + a];
      if (w == 0) continue;
      for (int j = 0; j < d; j++) part[1 + j] += w * ph[(size_t)a * d + j];
    }
  }
  SS_TRY(ss_rlhf_allgather(st->comm, st->partial, (int64_t)(st->c_count * m), st->all, e));
  for (int j = 0; j < d; j++) z[j] = 0;
  for (int c = 0; c < st->nchunks; c++)
    for (int j = 0; j < d; j++) z[j] += st->all[(size_t)c * m + 1 + j];
  return SS_OK;
}

/* Crossover from the smoothed solution to an exact vertex of the saddle problem.
 * Near-tied actions (softmax weight >= 1e-6) define the tie states; the optimal policy mixes
 * only there. With D the rows phi(s,a_k) - phi(s,a_0) of the ties (a_0 the argmax) and
 * D_rho the same rows scaled by rho(s):
 *   polyhedral Theta, face theta = theta0 + M y:  D M y = -D theta0  (the ties hold) and
 *                                                M^T (z_base + D_rho^T p) = 0 (W's pieces tie);
 *   smooth W (pessimistic_sw): D grad W(z_base + D_rho^T p) = 0, by Newton in p.
 * The candidate is then certified exactly like any other (W of the explicit policy against
 * h at a point of Theta), so a wrong identification can only fail to certify. */
#define TIE_P 1e-6
static int crossover(rlhf_states *st, const rlhf_agg *agg, const double *theta, double t,
                     rlhf_policy *cand, ss_err *e)
{
  int d = st->d, A = st->A;
  size_t R = 3 + 2 * (size_t)A + (size_t)(A - 1) * d;
  double *prob = cand->prob;
  int64_t nloc_ties = 0;
  double q[256], p[256];
  if (A > 256) return 1;
  /* local policy: greedy everywhere for now; count ties */
  for (int s = 0; s < st->s_count; s++) {
    const double *ph = st->phi + (size_t)s * A * d;
    int amax = 0;
    for (int a = 0; a < A; a++) {
      q[a] = rlhf_dot(theta, ph + (size_t)a * d, d);
      if (q[a] > q[amax]) amax = a;
    }
    int cnt = 0;
    for (int a = 0; a < A; a++) cnt += exp((q[a] - q[amax]) / t) >= TIE_P * 0.5;
    for (int a = 0; a < A; a++) prob[(size_t)s * A + a] = (a == amax);
    nloc_ties += cnt >= 2;
  }
  int64_t ntie = nloc_ties;
  ss_comm_sum_i64(st->comm, &ntie, 1);
  if (ntie > 4 * RLHF_DMAX) return 1;
  double *mine = ss_malloc((size_t)(nloc_ties ? nloc_ties : 1) * R * sizeof *mine, e);
  double *all = ss_malloc((size_t)(ntie ? ntie : 1) * R * sizeof *all, e);
  if (!mine || !all) {
    free(mine);
    free(all);
    return ss_fail(e, SS_ERUNTIME, "out of memory");
  }
  int64_t r = 0;
  for (int s = 0; s < st->s_count; s++) {
    const double *ph = st->phi + (size_t)s * A * d;
    int amax = 0;
    for (int a = 0; a < A; a++) {
      q[a] = rlhf_dot(theta, ph + (size_t)a * d, d);
      if (q[a] > q[amax]) amax = a;
    }
    double tot = 0;
    for (int a = 0; a < A; a++) tot += (p[a] = exp((q[a] - q[amax]) / t));
    int cnt = 0;
    for (int a = 0; a < A; a++) cnt += p[a] >= TIE_P * 0.5;
    if (cnt < 2) continue;
    double *rec = mine + r++ * R;
    memset(rec, 0, R * sizeof *rec);
    rec[0] = st->s_first + s;
    rec[1] = cnt;
    rec[2] = st->rho[s];
    int c = 0;
    rec[3 + c] = amax;
    rec[3 + A + c] = p[amax] / tot;
    c++;
    for (int a = 0; a < A; a++) {
      if (a == amax || p[a] < TIE_P * 0.5) continue;
      rec[3 + c] = a;
      rec[3 + A + c] = p[a] / tot;
      double *row = rec + 3 + 2 * A + (size_t)(c - 1) * d;
      for (int j = 0; j < d; j++) row[j] = ph[(size_t)a * d + j] - ph[(size_t)amax * d + j];
      c++;
    }
  }
  int rc = ss_rlhf_allgather(st->comm, mine, nloc_ties * (int64_t)R, all, e);
  free(mine);
  if (rc) {
    free(all);
    return rc;
  }
  double zbase[RLHF_DMAX];
  rc = states_z_policy(st, prob, zbase, e);
  if (rc) {
    free(all);
    return rc;
  }
  /* ties as rows */
  int m = 0;
  for (int64_t i = 0; i < ntie; i++) m += (int)all[i * R + 1] - 1;
  if (m > RLHF_DMAX) {
    free(all);
    return 1;
  }
  double D[RLHF_DMAX * RLHF_DMAX], Dr[RLHF_DMAX * RLHF_DMAX], pv[RLHF_DMAX];
  {
    int row = 0;
    for (int64_t i = 0; i < ntie; i++) {
      const double *rec = all + i * R;
      for (int c = 1; c < (int)rec[1]; c++, row++) {
        memcpy(D + row * RLHF_DMAX, rec + 3 + 2 * A + (size_t)(c - 1) * d, (size_t)d * sizeof *D);
        for (int j = 0; j < d; j++) Dr[row * RLHF_DMAX + j] = rec[2] * D[row * RLHF_DMAX + j];
        pv[row] = rec[3 + A + c];
      }
    }
  }
  double thd[RLHF_DMAX], zp[RLHF_DMAX];
  int piv[RLHF_DMAX];
  int ok = 1;
  if (agg->ops->face) {
    rlhf_face face;
    if (agg->ops->face(agg, cand->z, t, &face) || face.r != m) ok = 0;
    if (rlhf_trace)
      fprintf(stderr, "  %s: ties m=%d face r=%d\n", agg->ops->name, m, face.r);
    if (ok && m > 0) {
      double A1[RLHF_DMAX * RLHF_DMAX], b1[RLHF_DMAX], A2[RLHF_DMAX * RLHF_DMAX], b2[RLHF_DMAX];
      for (int i = 0; i < m; i++) {
        b1[i] = -rlhf_dot(D + i * RLHF_DMAX, face.theta0, d);
        for (int c = 0; c < m; c++) {
          double v = 0, w = 0;
          for (int j = 0; j < d; j++) {
            v += D[i * RLHF_DMAX + j] * face.M[j * RLHF_DMAX + c];
            w += face.M[j * RLHF_DMAX + i] * Dr[c * RLHF_DMAX + j];
          }
          A1[i * m + c] = v;
          A2[i * m + c] = w;
        }
        double v = 0;
        for (int j = 0; j < d; j++) v += face.M[j * RLHF_DMAX + i] * zbase[j];
        b2[i] = -v;
      }
      if (rlhf_lu_solve(A1, m, b1, piv) || rlhf_lu_solve(A2, m, b2, piv)) ok = 0;
      memcpy(pv, b2, (size_t)m * sizeof *pv);
      if (ok) agg->ops->face_point(agg, &face, b1, thd);
    } else if (ok) {
      agg->ops->face_point(agg, &face, NULL, thd);
    }
  } else {
    /* smooth W: Newton on F(p) = D grad W(z_base + D_rho^T p) */
    double g[RLHF_DMAX], N[RLHF_DMAX * RLHF_DMAX];
    for (int it = 0; it < 30 && m > 0; it++) {
      for (int j = 0; j < d; j++) {
        zp[j] = zbase[j];
        for (int i = 0; i < m; i++) zp[j] += Dr[i * RLHF_DMAX + j] * pv[i];
      }
      rlhf_agg_smooth(agg, zp, 0.0, g, N);
      double F[RLHF_DMAX], J[RLHF_DMAX * RLHF_DMAX], fn = 0;
      for (int i = 0; i < m; i++) {
        F[i] = rlhf_dot(D + i * RLHF_DMAX, g, d);
        fn += F[i] * F[i];
      }
      if (sqrt(fn) <= 1e-15 * (1 + norm2(g, d))) break;
      for (int i = 0; i < m; i++)
        for (int c = 0; c < m; c++) {
          double v = 0;
          for (int a = 0; a < d; a++) {
            double nd = 0;
            for (int b = 0; b < d; b++) nd += N[a * d + b] * Dr[c * RLHF_DMAX + b];
            v += D[i * RLHF_DMAX + a] * nd;
          }
          J[i * m + c] = v;
        }
      for (int i = 0; i < m; i++) F[i] = -F[i];
      if (rlhf_lu_solve(J, m, F, piv)) {
        ok = 0;
        break;
      }
      for (int i = 0; i < m; i++) pv[i] += F[i];
    }
    for (int j = 0; j < d; j++) {
      zp[j] = zbase[j];
      for (int i = 0; i < m; i++) zp[j] += Dr[i * RLHF_DMAX + j] * pv[i];
    }
    rlhf_agg_smooth(agg, zp, 0.0, thd, NULL);
  }
  if (ok) {
    /* the explicit policy: tie states mix with pv (clipped to the simplex) */
    int row = 0;
    for (int64_t i = 0; i < ntie; i++) {
      const double *rec = all + i * R;
      int cnt = (int)rec[1], s = (int)rec[0];
      double w[256], tot = 0, rest = 1;
      for (int c = 1; c < cnt; c++) {
        w[c] = pv[row + c - 1] > 0 ? pv[row + c - 1] : 0;
        rest -= pv[row + c - 1];
      }
      w[0] = rest > 0 ? rest : 0;
      for (int c = 0; c < cnt; c++) tot += w[c];
      row += cnt - 1;
      if (s < st->s_first || s >= st->s_first + st->s_count) continue;
      double *ps = prob + (size_t)(s - st->s_first) * A;
      for (int a = 0; a < A; a++) ps[a] = 0;
      for (int c = 0; c < cnt; c++) ps[(int)rec[3 + c]] = tot > 0 ? w[c] / tot : (c == 0);
    }
  }
  free(all);
  if (!ok) return 1;
  SS_TRY(states_z_policy(st, prob, cand->z, e));
  cand->objective = rlhf_agg_value(agg, cand->z);
  cand->dual = rlhf_policy_dual_value(st, thd);
  cand->gap = cand->dual - cand->objective;
  cand->rel_gap = cand->gap / rel_denominator(cand->objective, cand->dual);
  memcpy(cand->theta_dual, thd, (size_t)d * sizeof *thd);
  cand->tau = 0;
  return 0;
}

/* G = theta - grad W_mu(z_tau(theta)); also returns z, H (if want) and the agg gradient. */
static int residual(rlhf_states *st, const rlhf_agg *agg, const double *theta, double t,
                    int want_h, double *G, double *z, double *H, double *g, double *N, ss_err *e)
{
  double hm;
  SS_TRY(states_eval(st, theta, t, want_h, &hm, z, H, NULL, e));
  rlhf_agg_smooth(agg, z, t, g, want_h ? N : NULL);
  for (int j = 0; j < st->d; j++) G[j] = theta[j] - g[j];
  return SS_OK;
}


int rlhf_policy_solve(rlhf_states *st, const rlhf_agg *agg, double tol, rlhf_policy *pol,
                      ss_err *e)
{
  int d = st->d;
  const double *lin = rlhf_agg_linear_theta(agg);
  if (lin) {
    SS_TRY(rlhf_policy_greedy(st, lin, pol, e));
    pol->objective = rlhf_agg_value(agg, pol->z);
    pol->gap = pol->dual - pol->objective;
    pol->rel_gap = pol->gap / rel_denominator(pol->objective, pol->dual);
    return SS_OK;
  }
  SS_TRY(policy_alloc(st, pol, e));
  double theta[RLHF_DMAX], z[RLHF_DMAX], g[RLHF_DMAX], G[RLHF_DMAX];
  double H[RLHF_DMAX * RLHF_DMAX], N[RLHF_DMAX * RLHF_DMAX], J[RLHF_DMAX * RLHF_DMAX];
  double zero[RLHF_DMAX] = {0}, hm;
  int piv[RLHF_DMAX];
  /* Start: the uniform policy's z, and the point of Theta the smoothed objective picks. */
  SS_TRY(states_eval(st, zero, 1.0, 0, &hm, z, NULL, NULL, e));
  rlhf_agg_smooth(agg, z, 1.0, theta, NULL);
  double scale = st->L * norm2(theta, d);
  if (!(scale > 1e-6)) scale = 1e-6;
  double t = 0.1 * scale;
  const double newton_tol = 1e-10;
  int its_total = 0;
  pol->converged = 0;
  /* Continuation: t shrinks by `factor` after a level whose Newton solve converged; a level
   * that fails restarts from the last converged theta with a gentler factor. */
  double theta_ok[RLHF_DMAX], t_ok = 0, factor = 0.1;
  int have_ok = 0;
  for (int level = 0; level < 60 && its_total < 400; level++) {
    int rc = residual(st, agg, theta, t, 1, G, z, H, g, N, e);
    if (rc) return rc;
    double gn = norm2(G, d);
    for (int it = 0; it < 40; it++) {
      if (gn <= newton_tol * (1.0 + norm2(theta, d))) break;
      /* J = I - N H, rows equilibrated before LU with partial pivoting. */
      double rhs[RLHF_DMAX];
      for (int i = 0; i < d; i++) {
        double rmax = 0;
        for (int j = 0; j < d; j++) {
          double v = (i == j) - rlhf_dot_strided(N + i * d, H + j, d, d);
          J[i * d + j] = v;
          if (fabs(v) > rmax) rmax = fabs(v);
        }
        for (int j = 0; j < d; j++) J[i * d + j] /= rmax;
        rhs[i] = -G[i] / rmax;
      }
      if (rlhf_lu_solve(J, d, rhs, piv)) break;
      double alpha = 1.0, trial[RLHF_DMAX], Gt[RLHF_DMAX], zt[RLHF_DMAX], gt[RLHF_DMAX];
      double Ht[RLHF_DMAX * RLHF_DMAX], Nt[RLHF_DMAX * RLHF_DMAX];
      int accepted = 0;
      while (alpha > 1e-10) {
        for (int j = 0; j < d; j++) trial[j] = theta[j] + alpha * rhs[j];
        rc = residual(st, agg, trial, t, 1, Gt, zt, Ht, gt, Nt, e);
        if (rc) return rc;
        double gtn = norm2(Gt, d);
        if (gtn <= (1.0 - 1e-4 * alpha) * gn) {
          memcpy(theta, trial, (size_t)d * sizeof *theta);
          memcpy(G, Gt, (size_t)d * sizeof *G);
          memcpy(z, zt, (size_t)d * sizeof *z);
          memcpy(g, gt, (size_t)d * sizeof *g);
          memcpy(H, Ht, (size_t)d * d * sizeof *H);
          memcpy(N, Nt, (size_t)d * d * sizeof *N);
          gn = gtn;
          accepted = 1;
          break;
        }
        alpha *= 0.5;
      }
      its_total++;
      if (!accepted) break;
    }
    if (gn > 1e-9 * (1.0 + norm2(theta, d)) && have_ok) {
      /* this level failed: back to the last converged point, gentler decrease */
      factor = sqrt(factor);
      if (factor > 0.95) break;
      memcpy(theta, theta_ok, (size_t)d * sizeof *theta);
      t = t_ok * factor;
      continue;
    }
    memcpy(theta_ok, theta, (size_t)d * sizeof *theta);
    t_ok = t;
    have_ok = 1;
    /* Certificate at this level: primal W(z_pi) of the softmax policy, dual h at g in Theta. */
    double w = rlhf_agg_value(agg, z);
    double h = rlhf_policy_dual_value(st, g);
    double gap = h - w;
    pol->levels = level + 1;
    pol->objective = w;
    pol->dual = h;
    pol->gap = gap;
    pol->rel_gap = gap / rel_denominator(w, h);
    pol->tau = t;
    memcpy(pol->z, z, (size_t)d * sizeof *z);
    memcpy(pol->theta_dual, g, (size_t)d * sizeof *g);
    /* Crossover candidate: exact when the ties and the face were identified correctly. */
    rlhf_policy cand;
    memset(&cand, 0, sizeof cand);
    cand.prob = st->cross_prob;
    memcpy(cand.z, z, (size_t)d * sizeof *z);
    int xc = crossover(st, agg, theta, t, &cand, e);
    if (xc < 0 || xc > 1) return xc;
    if (rlhf_trace && xc == 0)
      fprintf(stderr, "  crossover W %.15g h %.15g rel_gap %.3g\n", cand.objective, cand.dual, cand.rel_gap);
    if (xc == 0 && cand.rel_gap <= tol && cand.gap >= -1e-9 * rel_denominator(w, h)) {
      pol->objective = cand.objective;
      pol->dual = cand.dual;
      pol->gap = cand.gap;
      pol->rel_gap = cand.rel_gap;
      pol->tau = 0;
      pol->levels = level + 1;
      memcpy(pol->z, cand.z, (size_t)d * sizeof *z);
      memcpy(pol->theta_dual, cand.theta_dual, (size_t)d * sizeof *z);
      memcpy(pol->prob, st->cross_prob, (size_t)st->s_count * st->A * sizeof *pol->prob);
      pol->converged = 1;
      pol->newton_its = its_total;
      return SS_OK;
    }
    if (rlhf_trace)
      fprintf(stderr, "level %d t %.3g |G| %.3g W %.12g h %.12g gap %.3g its %d\n", level, t,
              norm2(G, d), w, h, gap, its_total);
    if (pol->rel_gap <= tol) {
      pol->converged = 1;
      break;
    }
    if (t < 1e-15 * scale) break;
    t *= factor;
    factor = factor * factor < 0.1 ? 0.1 : factor * factor;
  }
  pol->newton_its = its_total;
  if (!pol->converged && getenv("RLHF_DEBUG_FAIL") && !rlhf_trace) {
    rlhf_trace = 1;
    fprintf(stderr, "FAILED solve %s: re-running with trace\n", agg->ops->name);
    rlhf_policy again;
    rlhf_policy_solve(st, agg, tol, &again, e);
    rlhf_policy_free(&again);
    rlhf_trace = 0;
  }
  /* The reported policy: the softmax at the final theta and tau. */
  return states_eval(st, theta, pol->tau, 0, &hm, NULL, NULL, pol->prob, e);
}

int rlhf_solve_aggregate(rlhf_states *st, const rlhf_agg *agg, double tol, double *z, ss_err *e)
{
  rlhf_policy pol;
  int rc = rlhf_policy_solve(st, agg, tol, &pol, e);
  if (!rc) memcpy(z, pol.z, (size_t)st->d * sizeof *z);
  rlhf_policy_free(&pol);
  return rc;
}
