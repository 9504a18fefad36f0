/* Explicit MDPs from PETSc binary files: what `MatView` writes to a binary viewer (PETSc with
 * 32-bit PetscInt, the Debian build; big-endian). Recognised by their first four bytes (the Mat
 * class id), so rlhf.mdp.transitions and rlhf.env.file take either CSV or PETSc binary.
 *   header   int32 classid (1211216), M, N, nz
 *   AIJ      int32 row lengths[M], int32 columns[nz], double values[nz]  (nz >= 0)
 *   dense    double values[M * N], row by row                             (nz = -1)
 * Transitions: an AIJ matrix of S*A rows (row s*A + a) and S columns, one row per (s, a), the
 * columns of a row strictly increasing (as MatView writes them). Features: S*A rows and d
 * columns, AIJ (missing entries are 0) or dense. The file is read in one streaming pass per
 * section, with O(1) memory beyond the rows a rank keeps; the checks match the CSV readers'
 * (mdp_read.c, environment.c), and errors name the file and the row (s, a). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "stratsim/rlhf.h"
#include "states.h"
#include "stratsim/input_file.h"

#define MAT_CLASSID 1211216
#define FORMAT_DENSE (-1)
#define ROW_SUM_TOL 1e-9

typedef struct {
  const char *file;
  int64_t M, N, nz; /* nz < 0: dense */
} header;

static uint32_t be32(const unsigned char *b)
{
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* One section of the file, read in order. */
typedef struct {
  FILE *f;
  const char *file, *what;
} stream;

static int open_at(stream *st, const char *file, const char *what, long offset, ss_err *e)
{
  st->file = file, st->what = what;
  st->f = fopen(file, "rb");
  if (!st->f) return ss_fail(e, SS_EINPUT, "%s: cannot open: %s", file, strerror(errno));
  if (fseek(st->f, offset, SEEK_SET)) return ss_fail(e, SS_EINPUT, "%s: cannot seek to the %s", file, what);
  return SS_OK;
}

static void close_stream(stream *st)
{
  if (st->f) fclose(st->f);
  st->f = NULL;
}

static int next_int(stream *st, int64_t *v, ss_err *e)
{
  unsigned char b[4];
  if (fread(b, 1, 4, st->f) != 4) return ss_fail(e, SS_EINPUT, "%s: the %s end early", st->file, st->what);
  *v = (int32_t)be32(b);
  return SS_OK;
}

static int next_real(stream *st, double *v, ss_err *e)
{
  unsigned char b[8];
  if (fread(b, 1, 8, st->f) != 8) return ss_fail(e, SS_EINPUT, "%s: the %s end early", st->file, st->what);
  uint64_t u = (uint64_t)be32(b) << 32 | be32(b + 4);
  memcpy(v, &u, sizeof *v);
  return SS_OK;
}

/* (callers check the file first: ss_check_input_file refuses a FIFO, which fopen would wait on) */
int rlhf_petsc_binary_is(const char *file)
{
  unsigned char b[4];
  struct stat sb; /* only a regular file is sniffed: opening a FIFO would block (the readers
                   * refuse anything else with a clear message) */
  if (stat(file, &sb) || !S_ISREG(sb.st_mode)) return 0;
  FILE *f = fopen(file, "rb");
  if (!f) return 0;
  int is = fread(b, 1, 4, f) == 4 && be32(b) == MAT_CLASSID;
  fclose(f);
  return is;
}

/* The header, checked against the shape wanted (rows x cols) and against the file's size. */
static int read_header(const char *file, const char *what, int64_t rows, int64_t cols, int dense_ok, header *h,
                       ss_err *e)
{
  SS_TRY(ss_check_input_file(file, SS_DATA_MAX_BYTES, what, e));
  unsigned char b[16];
  FILE *f = fopen(file, "rb");
  if (!f) return ss_fail(e, SS_EINPUT, "%s: cannot open %s: %s", file, what, strerror(errno));
  size_t got = fread(b, 1, sizeof b, f);
  fclose(f);
  if (got != sizeof b) return ss_fail(e, SS_EINPUT, "%s: a PETSc binary file shorter than its header", file);
  h->file = file;
  h->M = (int32_t)be32(b + 4), h->N = (int32_t)be32(b + 8), h->nz = (int32_t)be32(b + 12);
  if (h->M != rows || h->N != cols)
    return ss_fail(e, SS_EINPUT, "%s: a %lld x %lld PETSc matrix, expected %lld x %lld for %s", file, (long long)h->M,
                   (long long)h->N, (long long)rows, (long long)cols, what);
  if (h->nz < 0 && !(h->nz == FORMAT_DENSE && dense_ok))
    return ss_fail(e, SS_EINPUT, "%s: %s must be an AIJ (sparse) PETSc matrix, found nonzero count %lld", file, what,
                   (long long)h->nz);
  struct stat sb;
  if (stat(file, &sb)) return ss_fail(e, SS_EINPUT, "%s: %s", file, strerror(errno));
  long long want = h->nz < 0 ? 16 + 8LL * h->M * h->N : 16 + 4LL * h->M + 12LL * h->nz;
  if ((long long)sb.st_size != want)
    return ss_fail(e, SS_EINPUT, "%s: %lld bytes, expected %lld for %s PETSc matrix of %lld x %lld%s%s (32-bit "
                   "PetscInt, as MatView writes it)", file, (long long)sb.st_size, want, h->nz < 0 ? "a dense" : "an AIJ",
                   (long long)h->M, (long long)h->N, h->nz < 0 ? "" : " with nonzeros ",
                   h->nz < 0 ? "" : "as in its header");
  return SS_OK;
}

/* The AIJ sections of h, streamed row by row. */
typedef struct {
  stream lens, cols, vals;
  int64_t used; /* nonzeros handed out so far */
} aij;

static int aij_open(aij *m, const header *h, ss_err *e)
{
  memset(m, 0, sizeof *m);
  long cols_at = 16 + 4L * (long)h->M, vals_at = cols_at + 4L * (long)h->nz;
  SS_TRY(open_at(&m->lens, h->file, "row lengths", 16, e));
  SS_TRY(open_at(&m->cols, h->file, "column indices", cols_at, e));
  return open_at(&m->vals, h->file, "values", vals_at, e);
}

static void aij_close(aij *m)
{
  close_stream(&m->lens), close_stream(&m->cols), close_stream(&m->vals);
}

/* Row r's length, checked against what is left of nz. */
static int aij_row_length(aij *m, const header *h, int64_t r, int A, int64_t *len, ss_err *e)
{
  SS_TRY(next_int(&m->lens, len, e));
  if (*len < 0 || *len > h->N || m->used + *len > h->nz)
    return ss_fail(e, SS_EINPUT, "%s: row (s=%lld, a=%lld) has length %lld: not in [0, %lld] or beyond the %lld "
                   "nonzeros of the header", h->file, (long long)(r / A), (long long)(r % A), (long long)*len,
                   (long long)h->N, (long long)h->nz);
  m->used += *len;
  return SS_OK;
}

/* Entry q of row r: its column (strictly after prev, below N) and its finite value. */
static int aij_entry(aij *m, const header *h, int64_t r, int A, int64_t prev, int64_t *col, double *v, ss_err *e)
{
  SS_TRY(next_int(&m->cols, col, e));
  SS_TRY(next_real(&m->vals, v, e));
  if (*col <= prev || *col >= h->N)
    return ss_fail(e, SS_EINPUT, "%s: row (s=%lld, a=%lld): column %lld out of order or outside [0, %lld) (the "
                   "columns of a row must be strictly increasing, as MatView writes them)", h->file,
                   (long long)(r / A), (long long)(r % A), (long long)*col, (long long)h->N);
  if (!isfinite(*v))
    return ss_fail(e, SS_EINPUT, "%s: row (s=%lld, a=%lld), column %lld: value is not finite", h->file,
                   (long long)(r / A), (long long)(r % A), (long long)*col);
  return SS_OK;
}

static int aij_done(aij *m, const header *h, ss_err *e)
{
  if (m->used != h->nz)
    return ss_fail(e, SS_EINPUT, "%s: the row lengths add up to %lld nonzeros, the header says %lld", h->file,
                   (long long)m->used, (long long)h->nz);
  return SS_OK;
}

int rlhf_petsc_scan_transitions(const char *file, int S, int A, rlhf_entry_cb cb, void *ctx, ss_err *e)
{
  header h;
  SS_TRY(read_header(file, "the transitions file", (int64_t)S * A, S, 0, &h, e));
  aij m;
  int rc = aij_open(&m, &h, e);
  for (int64_t r = 0; !rc && r < h.M; r++) {
    int64_t len, col = -1;
    double sum = 0, p;
    rc = aij_row_length(&m, &h, r, A, &len, e);
    if (!rc && len == 0) rc = ss_fail(e, SS_EINPUT, "%s: row (s=%lld, a=%lld) has no transitions", file,
                                      (long long)(r / A), (long long)(r % A));
    for (int64_t q = 0; !rc && q < len; q++) {
      rc = aij_entry(&m, &h, r, A, col, &col, &p, e);
      if (!rc && p < 0)
        rc = ss_fail(e, SS_EINPUT, "%s: probability %g of row (s=%lld, a=%lld) is negative", file, p,
                     (long long)(r / A), (long long)(r % A));
      if (rc) break;
      sum += p;
      if (cb) cb(ctx, (int)(r / A), (int)(r % A), (int)col, p);
    }
    if (!rc && fabs(sum - 1.0) > ROW_SUM_TOL)
      rc = ss_fail(e, SS_EINPUT, "%s: transition row (s=%lld, a=%lld) sums to %.17g, expected 1 (within %g)", file,
                   (long long)(r / A), (long long)(r % A), sum, ROW_SUM_TOL);
  }
  if (!rc) rc = aij_done(&m, &h, e);
  aij_close(&m);
  return rc;
}

/* Dense features: rows [first, first + count) kept, every value checked. */
static int dense_features(const header *h, int A, int d, int64_t first, int64_t count, double *out, ss_err *e)
{
  stream st;
  int rc = open_at(&st, h->file, "values", 16, e);
  for (int64_t r = 0; !rc && r < h->M; r++)
    for (int j = 0; !rc && j < d; j++) {
      double v;
      rc = next_real(&st, &v, e);
      if (!rc && !isfinite(v))
        rc = ss_fail(e, SS_EINPUT, "%s: row (s=%lld, a=%lld): feature %d is not finite", h->file, (long long)(r / A),
                     (long long)(r % A), j + 1);
      if (!rc && r >= first && r < first + count) out[(r - first) * d + j] = v;
    }
  close_stream(&st);
  return rc;
}

int rlhf_petsc_read_features(const char *file, int S, int A, int d, int64_t first, int64_t count, double *out,
                             ss_err *e)
{
  header h;
  SS_TRY(read_header(file, "the features file", (int64_t)S * A, d, 1, &h, e));
  if (count) memset(out, 0, (size_t)count * (size_t)d * sizeof *out);
  if (h.nz < 0) return dense_features(&h, A, d, first, count, out, e);
  aij m;
  int rc = aij_open(&m, &h, e);
  for (int64_t r = 0; !rc && r < h.M; r++) {
    int64_t len, col = -1;
    double v;
    rc = aij_row_length(&m, &h, r, A, &len, e);
    for (int64_t q = 0; !rc && q < len; q++) {
      rc = aij_entry(&m, &h, r, A, col, &col, &v, e);
      if (!rc && r >= first && r < first + count) out[(r - first) * d + col] = v;
    }
  }
  if (!rc) rc = aij_done(&m, &h, e);
  aij_close(&m);
  return rc;
}
