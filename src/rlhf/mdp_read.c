/* Explicit MDPs from CSV files, read in one streaming pass with O(1) memory beyond the rows a
 * rank keeps (so the checks of `stratsim validate` and every rank's load cost no S x A memory).
 * Transitions: rows `s,a,next,p` (an optional header line starting with a letter; `#` comments),
 * grouped by (s,a) in s-major order, every (s,a) present. Checked: the shape of every line,
 * integer s, a, next in range, p finite and >= 0, no successor twice in a row, and every row
 * summing to 1 within 1e-9. Errors name the file, the line and the row (s, a). A PETSc binary
 * file (mdp_read_petsc.c) is read instead when the file starts with PETSc's Mat class id. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/rlhf.h"
#include "mdp_read_petsc.h"
#include "stratsim/input_file.h"

#define ROW_SUM_TOL 1e-9

typedef struct {
  const char *file;
  int S, A;
  long row_line;      /* first line of the current row */
  int64_t cur;        /* current row s*A + a, -1 before the first */
  double sum;
  int *succ, nsucc, cap;
} scan;

/* the current row is complete: it must sum to 1 */
static int close_row(scan *sc, ss_err *e)
{
  if (sc->cur < 0) return SS_OK;
  int s = (int)(sc->cur / sc->A), a = (int)(sc->cur % sc->A);
  if (fabs(sc->sum - 1.0) > ROW_SUM_TOL)
    return ss_fail(e, SS_EINPUT, "%s:%ld: transition row (s=%d, a=%d) sums to %.17g, expected 1 (within %g)",
                   sc->file, sc->row_line, s, a, sc->sum, ROW_SUM_TOL);
  return SS_OK;
}

static int check_entry(scan *sc, long lineno, const double *v, ss_err *e)
{
  double sv = v[0], av = v[1], nv = v[2], p = v[3];
  if (sv < 0 || sv >= sc->S || av < 0 || av >= sc->A || sv != floor(sv) || av != floor(av))
    return ss_fail(e, SS_EINPUT, "%s:%ld: state/action (%g,%g) outside %d x %d", sc->file, lineno, sv, av, sc->S, sc->A);
  int s = (int)sv, a = (int)av;
  if (nv < 0 || nv >= sc->S || nv != floor(nv))
    return ss_fail(e, SS_EINPUT, "%s:%ld: successor %g of row (s=%d, a=%d) outside the states [0, %d)", sc->file, lineno, nv, s, a, sc->S);
  if (!isfinite(p) || p < 0)
    return ss_fail(e, SS_EINPUT, "%s:%ld: probability %g of row (s=%d, a=%d) is negative or not finite", sc->file, lineno, p, s, a);
  int64_t row = (int64_t)s * sc->A + a;
  if (row != sc->cur) {
    SS_TRY(close_row(sc, e));
    if (row < sc->cur)
      return ss_fail(e, SS_EINPUT, "%s:%ld: row (s=%d, a=%d) out of order: rows must be grouped by (s,a) in s-major order", sc->file, lineno, s, a);
    if (row != sc->cur + 1)
      return ss_fail(e, SS_EINPUT, "%s:%ld: row (s=%d, a=%d) has no transitions", sc->file, lineno, (int)((sc->cur + 1) / sc->A), (int)((sc->cur + 1) % sc->A));
    sc->cur = row, sc->sum = 0, sc->nsucc = 0, sc->row_line = lineno;
  }
  for (int q = 0; q < sc->nsucc; q++)
    if (sc->succ[q] == (int)nv)
      return ss_fail(e, SS_EINPUT, "%s:%ld: successor %d listed twice in row (s=%d, a=%d)", sc->file, lineno, (int)nv, s, a);
  if (sc->nsucc == sc->cap) {
    int *g = ss_realloc(sc->succ, (size_t)(sc->cap ? 2 * sc->cap : 16) * sizeof *g, e);
    if (!g) return ss_fail(e, SS_ERUNTIME, "out of memory");
    sc->succ = g, sc->cap = sc->cap ? 2 * sc->cap : 16;
  }
  sc->succ[sc->nsucc++] = (int)nv;
  sc->sum += p;
  return SS_OK;
}

int rlhf_mdp_scan_transitions(const char *file, int S, int A, rlhf_entry_cb cb, void *ctx, ss_err *e)
{
  SS_TRY(ss_check_input_file(file, SS_DATA_MAX_BYTES, "the transitions file", e));
  if (rlhf_petsc_binary_is(file)) return rlhf_petsc_scan_transitions(file, S, A, cb, ctx, e);
  FILE *f = fopen(file, "r");
  if (!f) return ss_fail(e, SS_EINPUT, "%s: cannot open transitions file: %s", file, strerror(errno));
  scan sc = {file, S, A, 0, -1, 0, NULL, 0, 0};
  char *line = NULL;
  size_t cap = 0;
  long lineno = 0;
  int rc = SS_OK, seen = 0;
  while (!rc && getline(&line, &cap, f) >= 0) {
    lineno++;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\n' || *p == '\r' || *p == 0 || *p == '#') continue;
    if (!seen++ && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) continue; /* header */
    double v[4];
    int n;
    rc = ss_csv_numbers(file, lineno, p, v, 4, &n, e);
    if (!rc && n != 4)
      rc = ss_fail(e, SS_EINPUT, "%s:%ld: expected 4 values s,a,next,p, found %d", file, lineno, n);
    if (!rc) rc = check_entry(&sc, lineno, v, e);
    if (!rc && cb) cb(ctx, (int)v[0], (int)v[1], (int)v[2], v[3]);
  }
  if (!rc && ferror(f)) rc = ss_fail(e, SS_EINPUT, "%s:%ld: cannot read the transitions file", file, lineno + 1);
  if (!rc) rc = close_row(&sc, e);
  if (!rc && sc.cur < 0)
    rc = ss_fail(e, SS_EINPUT, "%s: no transitions (expected rows s,a,next,p for all S*A = %lld pairs)",
                 file, (long long)S * A);
  else if (!rc && sc.cur != (int64_t)S * A - 1)
    rc = ss_fail(e, SS_EINPUT, "%s: expected transitions for all S*A = %lld rows, the last row with transitions is %lld",
                 file, (long long)S * A, (long long)sc.cur);
  free(line);
  free(sc.succ);
  fclose(f);
  return rc;
}
