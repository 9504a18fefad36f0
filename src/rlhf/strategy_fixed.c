/* `fixed`: the strategic labelers' reports are given, in the config (rlhf.fixed.reports) or in
 * a CSV file (rlhf.fixed.file), as the bandit's `fixed` strategy takes bandit.reported. For
 * checking constructions (MODELS 1.8, SP-RLHF Thm 3.5) and for replaying reports found
 * elsewhere, usually with rlhf.data exact.
 *
 * Rows: either k rows (row i is labeler i's report, used when i is strategic) or one row per
 * strategic labeler (row j is the report of the j-th strategic labeler in index order); d
 * values each, finite, of norm <= B. The file: one row per line, values separated by commas;
 * blank lines, '#' comments and one header line before the first row are skipped. Every bad
 * row is reported as file:line (a config error: exit 2 before anything runs). Non-strategic
 * labelers report theta_i*. This file plus one line in strategy.c's registry is the whole
 * plug-in (docs/plugins.md). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "stratsim/input_file.h"
#include "stratsim/rlhf.h"
#include "population_model.h"
#include "strategy_ops.h"

static const ss_key fixed_keys[] = {
  {"rlhf.fixed.reports", SS_T_REAL_MATRIX, NULL, -1e6, 1e6, 0, NULL,
   "fixed: the reports, k rows (row i: labeler i) or one row per strategic labeler (in index order), d values each of norm <= B"},
  {"rlhf.fixed.file", SS_T_STRING, NULL, 0, 0, SS_K_PATH, NULL,
   "fixed: a CSV file of the reports instead of rlhf.fixed.reports (same rows; relative paths: from the config file's folder)"},
};

typedef struct {
  int rows, d;
  double *r; /* rows x d */
} fixed_data;

static void fixed_teardown(void *data)
{
  fixed_data *f = data;
  if (!f) return;
  free(f->r);
  free(f);
}

/* One line of the file: d values into row. Returns SS_OK for a row, FIXED_HEADER for a header
 * (allowed before the first row only), or SS_EINPUT with "file:line: ...". */
#define FIXED_HEADER (-1)
static int parse_line(const char *file, int line, const char *s, int d, int may_be_header,
                      double *row, ss_err *e)
{
  int n = 0;
  const char *p = s;
  for (;;) {
    char *end;
    while (*p == ' ' || *p == '\t') p++;
    double v = strtod(p, &end);
    if (end == p) {
      if (may_be_header && n == 0 && isalpha((unsigned char)*p) && strncasecmp(p, "nan", 3) &&
          strncasecmp(p, "inf", 3))
        return FIXED_HEADER;
      return ss_fail(e, SS_EINPUT, "%s:%d: rlhf.fixed.file: expected %d numbers separated by commas, found '%.40s'",
                     file, line, d, s);
    }
    if (n < d) row[n] = v;
    n++;
    p = end;
    while (*p == ' ' || *p == '\t' || *p == '\r') p++;
    if (*p != ',') break;
    p++;
  }
  if (*p) return ss_fail(e, SS_EINPUT, "%s:%d: rlhf.fixed.file: expected a number, found '%.40s'", file, line, p);
  if (n != d)
    return ss_fail(e, SS_EINPUT, "%s:%d: rlhf.fixed.file: expected d = %d values per row (rlhf.d), found %d",
                   file, line, d, n);
  return SS_OK;
}

/* Appends a row slot (and its line number) to f; SS_ERUNTIME when out of memory. */
static int grow(fixed_data *f, int **line_of, int *cap, ss_err *e)
{
  if (f->rows < *cap) return SS_OK;
  int ncap = *cap ? 2 * *cap : 16;
  double *r = ss_malloc((size_t)ncap * f->d * sizeof *r, e);
  int *l = ss_malloc((size_t)ncap * sizeof *l, e);
  if (!r || !l) {
    free(r);
    free(l);
    return e->code;
  }
  if (f->rows) {
    memcpy(r, f->r, (size_t)f->rows * f->d * sizeof *r);
    memcpy(l, *line_of, (size_t)f->rows * sizeof *l);
  }
  free(f->r);
  free(*line_of);
  f->r = r;
  *line_of = l;
  *cap = ncap;
  return SS_OK;
}

/* The rows of the file; line_of[i] is the line of row i (for later messages). */
static int read_file(const char *file, int64_t max_rows, fixed_data *f, int **line_of, ss_err *e)
{
  char *buf;
  size_t len;
  SS_TRY(ss_read_input_file(file, SS_DATA_MAX_BYTES, "rlhf.fixed.file", &buf, &len, e));
  int cap = 0, rc = SS_OK, line = 0, header_ok = 1;
  for (char *s = buf, *nl; !rc && s && *s; s = nl ? nl + 1 : NULL) {
    nl = strchr(s, '\n');
    if (nl) *nl = '\0';
    line++;
    while (isspace((unsigned char)*s)) s++;
    if (!*s || *s == '#') continue;
    if (f->rows >= max_rows) {
      rc = ss_fail(e, SS_EINPUT, "%s:%d: rlhf.fixed.file: expected at most k = %lld rows (rlhf.k), found more",
                   file, line, (long long)max_rows);
      break;
    }
    rc = grow(f, line_of, &cap, e);
    if (rc) break;
    rc = parse_line(file, line, s, f->d, header_ok, f->r + (size_t)f->rows * f->d, e);
    header_ok = 0;
    if (rc == FIXED_HEADER) rc = SS_OK;
    else if (!rc) (*line_of)[f->rows++] = line;
  }
  free(buf);
  if (!rc && f->rows == 0)
    rc = ss_fail(e, SS_EINPUT, "%s: rlhf.fixed.file: expected rows of d = %d values, found none", file, f->d);
  return rc;
}

/* Reads the reports (config or file) into a new fixed_data; `line_of` (file rows) may be NULL. */
static int load(const ss_config *cfg, const rlhf_params *p, fixed_data **out, int **line_of, ss_err *e)
{
  *out = NULL;
  *line_of = NULL;
  int has_m = ss_cfg_is_set(cfg, "rlhf.fixed.reports"), has_f = ss_cfg_has(cfg, "rlhf.fixed.file");
  if (has_m && has_f)
    return ss_cfg_error(cfg, "rlhf.fixed.file", e, "expected the reports in rlhf.fixed.reports or in a file, found both");
  if (!has_m && !has_f)
    return ss_cfg_error(cfg, "rlhf.fixed.reports", e, "expected k rows of d values for strategy fixed, found none "
                        "(give rlhf.fixed.reports or rlhf.fixed.file)");
  fixed_data *f = ss_calloc(1, sizeof *f, e);
  if (!f) return e->code;
  f->d = p->d;
  int rc = SS_OK;
  if (has_f) {
    rc = read_file(ss_cfg_str(cfg, "rlhf.fixed.file"), p->k, f, line_of, e);
  } else {
    int r, c;
    const double *m = ss_cfg_matrix(cfg, "rlhf.fixed.reports", &r, &c);
    if (c != p->d) rc = ss_cfg_error(cfg, "rlhf.fixed.reports", e, "expected rows of d = %d values, found %d", p->d, c);
    else if (!(f->r = ss_malloc((size_t)r * c * sizeof *f->r, e))) rc = e->code;
    else {
      memcpy(f->r, m, (size_t)r * c * sizeof *f->r);
      f->rows = r;
    }
  }
  if (rc) fixed_teardown(f);
  else *out = f;
  return rc;
}

/* Row i's problem, at its file line or at the config key. */
static int row_error(const ss_config *cfg, const int *line_of, int i, ss_err *e, const char *what)
{
  if (line_of)
    return ss_fail(e, SS_EINPUT, "%s:%d: rlhf.fixed.file: %s", ss_cfg_str(cfg, "rlhf.fixed.file"), line_of[i], what);
  return ss_cfg_error(cfg, "rlhf.fixed.reports", e, "%s (row %d)", what, i);
}

static int validate(const ss_config *cfg, const rlhf_params *p, const fixed_data *f, const int *line_of,
                    ss_err *e)
{
  int64_t m = rlhf_strategic_count(cfg, p);
  if (f->rows != p->k && f->rows != m) {
    char what[160];
    snprintf(what, sizeof what, "expected k = %lld rows (rlhf.k) or one per strategic labeler (%lld), found %d",
             (long long)p->k, (long long)m, f->rows);
    return line_of ? ss_fail(e, SS_EINPUT, "%s: rlhf.fixed.file: %s", ss_cfg_str(cfg, "rlhf.fixed.file"), what)
                   : ss_cfg_error(cfg, "rlhf.fixed.reports", e, "%s", what);
  }
  for (int i = 0; i < f->rows; i++) {
    const double *row = f->r + (size_t)i * f->d;
    double nrm2 = 0;
    for (int j = 0; j < f->d; j++) {
      if (!isfinite(row[j])) return row_error(cfg, line_of, i, e, "expected finite values, found NaN or Inf");
      nrm2 += row[j] * row[j];
    }
    if (sqrt(nrm2) > p->B * (1 + 1e-12)) {
      char what[160];
      snprintf(what, sizeof what, "expected ||row|| <= B = %g (rlhf.B), found norm %g", p->B, sqrt(nrm2));
      return row_error(cfg, line_of, i, e, what);
    }
  }
  return SS_OK;
}

static int fixed_check(const ss_config *cfg, const rlhf_params *p, ss_err *e)
{
  fixed_data *f;
  int *line_of;
  int rc = load(cfg, p, &f, &line_of, e);
  if (!rc) rc = validate(cfg, p, f, line_of, e);
  fixed_teardown(f);
  free(line_of);
  return rc;
}

static int fixed_setup(const ss_config *cfg, const rlhf_params *p, void **data, ss_err *e)
{
  fixed_data *f;
  int *line_of;
  int rc = load(cfg, p, &f, &line_of, e);
  free(line_of);
  if (!rc) *data = f;
  return rc;
}

static int fixed_run(rlhf_strategy_ctx *ctx, double *reports, ss_err *e)
{
  const fixed_data *f = ctx->data;
  int d = ctx->p->d;
  int64_t k = ctx->p->k, j = 0;
  memcpy(reports, ctx->theta_star, (size_t)k * d * sizeof *reports);
  for (int64_t i = 0; i < k; i++) {
    if (!ctx->strategic[i]) continue;
    int64_t row = f->rows == k ? i : j++;
    if (row >= f->rows) return ss_fail(e, SS_ERUNTIME, "rlhf: strategy fixed: more strategic labelers than rows");
    memcpy(reports + i * d, f->r + row * d, (size_t)d * sizeof *reports);
  }
  return SS_OK;
}

const rlhf_strategy_ops rlhf_strategy_fixed = {
  .name = "fixed",
  .summary = "the strategic labelers' reports are given (rlhf.fixed.reports or the CSV rlhf.fixed.file)",
  .keys = fixed_keys,
  .nkeys = SS_PLUGIN_COUNT(fixed_keys),
  .check = fixed_check,
  .setup = fixed_setup,
  .teardown = fixed_teardown,
  .run = fixed_run,
};
