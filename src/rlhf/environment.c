/* The contextual-bandit environment (H = 1): S states, A actions, features phi(s,a) in R^d
 * and the state distribution rho. Generated (i.i.d. Gaussian entries rescaled to norm L,
 * keyed by (seed, s*A+a)) or explicit (inline in the config, or from a CSV file). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mdp_read_petsc.h"
#include "stratsim/input_file.h"
#include "stratsim/rlhf.h"
#include "stratsim/rng.h"
#include "stratsim/median.h"

void rlhf_params_default(rlhf_params *p)
{
  memset(p, 0, sizeof *p);
  p->seed = 1;
  p->S = 32;
  p->A = 4;
  p->d = 16;
  p->L = 1.0;
  p->env_kind = RLHF_ENV_GAUSSIAN;
  p->k = 5;
  p->n = 100;
  p->B = 1.0;
  p->pop_kind = RLHF_POP_GAUSSIAN;
  p->pop_mean_norm = 0.5;
  p->pop_std = 0.2;
  p->pop_delta = 0.01;
  p->clusters = 2;
  p->cluster_spread = 0.5;
  p->cluster_std = 0.1;
  p->lambda = 1e-3;
  p->c_f = 1.0;
  p->delta = 0.1;
  p->median_kind = SS_MEDIAN_LOWER;
  p->policy_tol = 1e-6;
  p->H = 1;
  p->mdp_successors = 4;
  p->policy_method = RLHF_METHOD_PLANNER;
  p->policy_smoothing = 0.7;
  p->policy_max_passes = 10000;
}

/* One data line of the features file: d values, or s,a and d values. Returns the count of
 * numbers read into vals (at most d + 2 kept), or -1 with e set. */
static int parse_feature_line(const char *file, long lineno, char *p, int d, double *vals, ss_err *e)
{
  int nv = 0;
  for (;;) {
    char *end;
    double v = strtod(p, &end);
    if (end == p) return ss_fail(e, SS_EINPUT, "%s:%ld: expected a number, found '%.20s'", file, lineno, p), -1;
    if (nv < d + 2) vals[nv] = v;
    nv++;
    p = end;
    while (*p == ' ' || *p == '\t') p++;
    if (*p != ',') break;
    p++;
  }
  while (*p == ' ' || *p == '\t' || *p == '\r') p++;
  if (*p) return ss_fail(e, SS_EINPUT, "%s:%ld: unexpected '%.20s' after the numbers", file, lineno, p), -1;
  return nv;
}

/* Stores one row; every (s, a) exactly once. */
static int store_feature_row(const char *file, long lineno, int nv, const double *vals, int S, int A, int d,
                             size_t *row, unsigned char *seen, size_t first, size_t count, double *out,
                             ss_err *e)
{
  size_t rows = (size_t)S * (size_t)A, target = *row;
  const double *v = vals;
  if (nv == d + 2) {
    double sv = vals[0], av = vals[1];
    if (!(sv >= 0 && sv < S && av >= 0 && av < A) || sv != floor(sv) || av != floor(av))
      return ss_fail(e, SS_EINPUT, "%s:%ld: state/action (%g,%g) outside %d x %d", file, lineno, sv, av, S, A);
    target = (size_t)sv * (size_t)A + (size_t)av;
    v = vals + 2;
  }
  if (target >= rows) return ss_fail(e, SS_EINPUT, "%s:%ld: more than S*A = %zu feature rows", file, lineno, rows);
  if (seen[target])
    return ss_fail(e, SS_EINPUT, "%s:%ld: duplicate row for (s, a) = (%zu, %zu)", file, lineno, target / (size_t)A,
                   target % (size_t)A);
  seen[target] = 1;
  for (int j = 0; j < d; j++) {
    if (!isfinite(v[j])) return ss_fail(e, SS_EINPUT, "%s:%ld: feature %d is not finite", file, lineno, j + 1);
    if (target >= first && target < first + count) out[(target - first) * (size_t)d + (size_t)j] = v[j];
  }
  (*row)++;
  return SS_OK;
}

/* Checks every line of a features CSV and keeps rows [first, first + count) of s*A + a in out
 * (count x d; out may be NULL when count = 0: check only). */
int rlhf_read_features(const char *file, int S, int A, int d, int64_t first, int64_t count,
                       double *out, ss_err *e)
{
  char *text = NULL;
  size_t tlen = 0, rows = (size_t)S * (size_t)A, row = 0;
  /* a regular file under the limit before sniffing its format: opening a FIFO blocks */
  SS_TRY(ss_check_input_file(file, SS_DATA_MAX_BYTES, "the features file", e));
  if (rlhf_petsc_binary_is(file)) return rlhf_petsc_read_features(file, S, A, d, first, count, out, e);
  SS_TRY(ss_read_input_file(file, SS_DATA_MAX_BYTES, "the features file", &text, &tlen, e));
  if (strlen(text) != tlen) {
    free(text);
    return ss_fail(e, SS_EINPUT, "%s: the features file holds a NUL byte (not a text CSV file)", file);
  }
  double *vals = ss_malloc(((size_t)d + 2) * sizeof *vals, e);
  unsigned char *seen = ss_calloc(rows, 1, e);
  int rc = vals && seen ? SS_OK : e->code, mode = 0; /* mode: the first row's shape (d or d + 2) */
  long lineno = 0;
  for (char *line = text, *next; !rc && line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    lineno++;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\r' || *p == 0 || *p == '#') continue;
    /* A header line starts with a letter. */
    if (lineno == 1 && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) continue;
    int nv = parse_feature_line(file, lineno, p, d, vals, e);
    if (nv < 0) rc = e->code;
    else if (nv != d && nv != d + 2)
      rc = ss_fail(e, SS_EINPUT, "%s:%ld: expected %d feature values (or s,a and %d values), found %d", file, lineno, d, d, nv);
    else if (mode && nv != mode)
      rc = ss_fail(e, SS_EINPUT, "%s:%ld: rows with and without s,a columns are mixed", file, lineno);
    else {
      mode = nv;
      rc = store_feature_row(file, lineno, nv, vals, S, A, d, &row, seen, (size_t)first, (size_t)count, out, e);
    }
  }
  for (size_t r = 0; !rc && r < rows; r++)
    if (!seen[r])
      rc = ss_fail(e, SS_EINPUT, "%s: expected S*A = %zu feature rows, found %zu (first missing: s = %zu, a = %zu)", file,
                   rows, row, r / (size_t)A, r % (size_t)A);
  free(text);
  free(vals);
  free(seen);
  return rc;
}

int rlhf_env_read_csv(const char *file, int S, int A, int d, double **phi, ss_err *e)
{
  size_t rows = (size_t)S * (size_t)A;
  double *out = ss_calloc(rows * (size_t)d, sizeof *out, e);
  *phi = NULL;
  if (!out) return e->code;
  int rc = rlhf_read_features(file, S, A, d, 0, (int64_t)rows, out, e);
  if (rc) free(out);
  else *phi = out;
  return rc;
}

int rlhf_env_create(const rlhf_params *p, rlhf_env *env, ss_err *e)
{
  memset(env, 0, sizeof *env);
  int S = p->S, A = p->A, d = p->d;
  if (S < 1 || A < 2 || d < 1 || d > 64)
    return ss_fail(e, SS_EINPUT, "rlhf: need S >= 1, A >= 2 and 1 <= d <= 64");
  env->S = S;
  env->A = A;
  env->d = d;
  size_t rows = (size_t)S * (size_t)A;
  if (p->env_kind == RLHF_ENV_CSV) {
    SS_TRY(rlhf_env_read_csv(p->env_file, S, A, d, &env->phi, e));
  } else {
    env->phi = ss_malloc(rows * (size_t)d * sizeof *env->phi, e);
    if (!env->phi) return SS_ERUNTIME;
    if (p->env_kind == RLHF_ENV_EXPLICIT) {
      memcpy(env->phi, p->phi_cfg, rows * (size_t)d * sizeof *env->phi);
    } else {
      for (size_t r = 0; r < rows; r++) {
        double *v = env->phi + r * (size_t)d;
        ss_rng_normal_fill(p->seed, SS_P_RLHF_FEATURES, (uint32_t)r, 0, (uint64_t)d, v);
        double nrm = 0;
        for (int j = 0; j < d; j++) nrm += v[j] * v[j];
        nrm = sqrt(nrm);
        for (int j = 0; j < d; j++) v[j] = nrm > 0 ? v[j] * (p->L / nrm) : 0.0;
      }
    }
  }
  env->rho = ss_malloc((size_t)S * sizeof *env->rho, e);
  if (!env->rho) return SS_ERUNTIME;
  if (p->rho_cfg) {
    double tot = 0;
    for (int s = 0; s < S; s++) tot += p->rho_cfg[s];
    env->rho_cdf = ss_malloc((size_t)S * sizeof *env->rho_cdf, e);
    if (!env->rho_cdf) return SS_ERUNTIME;
    double c = 0;
    for (int s = 0; s < S; s++) {
      env->rho[s] = p->rho_cfg[s] / tot;
      c += env->rho[s];
      env->rho_cdf[s] = c;
    }
    env->rho_cdf[S - 1] = 1.0;
  } else {
    for (int s = 0; s < S; s++) env->rho[s] = 1.0 / S;
  }
  double L = 0, Lx = 0;
  for (int s = 0; s < S; s++)
    for (int a = 0; a < A; a++) {
      const double *u = env->phi + ((size_t)s * A + a) * d;
      double nu = 0;
      for (int j = 0; j < d; j++) nu += u[j] * u[j];
      if (nu > L) L = nu;
      for (int b = a + 1; b < A; b++) {
        const double *v = env->phi + ((size_t)s * A + b) * d;
        double nx = 0;
        for (int j = 0; j < d; j++) nx += (u[j] - v[j]) * (u[j] - v[j]);
        if (nx > Lx) Lx = nx;
      }
    }
  env->L = sqrt(L);
  env->Lx = sqrt(Lx);
  return SS_OK;
}

int rlhf_env_create_mdp(const rlhf_params *p, rlhf_env *env, ss_err *e)
{
  memset(env, 0, sizeof *env);
  if (p->S < 1 || p->A < 2 || p->d < 1 || p->d > 64 || p->H < 1)
    return ss_fail(e, SS_EINPUT, "rlhf: need S >= 1, A >= 2, 1 <= d <= 64 and H >= 1");
  env->S = p->S;
  env->A = p->A;
  env->d = p->d;
  env->H = p->H;
  env->mdp = p;
  env->rho = ss_malloc((size_t)p->S * sizeof *env->rho, e);
  if (!env->rho) return SS_ERUNTIME;
  for (int s = 0; s < p->S; s++) env->rho[s] = 1.0 / p->S;
  return SS_OK;
}

void rlhf_env_destroy(rlhf_env *env)
{
  free(env->design_x);
  free(env->phi);
  free(env->rho);
  free(env->rho_cdf);
  memset(env, 0, sizeof *env);
}

int rlhf_env_sample_state(const rlhf_env *env, double u)
{
  if (!env->rho_cdf) {
    int s = (int)(u * env->S);
    return s < env->S ? s : env->S - 1;
  }
  int lo = 0, hi = env->S - 1; /* first s with cdf[s] > u */
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (env->rho_cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
