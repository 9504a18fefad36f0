/* Reading the S x A features of a contextual environment or an MDP from a file
 * (include/stratsim/rlhf_env.h): CSV text, or a PETSc binary matrix. A leaf below the
 * environment types (env_types.c) and the config checks that read the file first. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mdp_read_petsc.h"
#include "stratsim/input_file.h"
#include "stratsim/rlhf.h"

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
  /* checked before the format probe opens it: a FIFO or a device must not block or be read */
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
    int nv = 0;
    if (ss_csv_numbers(file, lineno, p, vals, d + 2, &nv, e)) rc = e->code;
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
