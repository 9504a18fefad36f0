/* The RLHF summary (summary.h): per algorithm, SubOpt over seeds in both conditions and their
 * per-seed difference (rlhf_table.csv, docs/output.md), and the warning on uncertified policy
 * solves. It reads the typed records that rlhf_run adds next to each rlhf_runs row. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "summary.h"

#define RUN_RECORDS "rlhf_runs.records" /* internal: never a CSV file */

typedef struct {
  char algorithm[SS_RECORD_NAME]; /* the aggregator's registry name */
  uint64_t seed;
  int32_t n;         /* rlhf.n */
  int32_t strategic; /* the condition: 0 truthful, 1 strategic */
  int32_t converged;
  int32_t unused; /* zero */
  double subopt, relative_gap;
} run_record;

void rlhf_run_record_add(ss_tableset *tables, const char *algorithm, uint64_t seed, int n, int strategic,
                         double subopt, double relative_gap, int converged)
{
  run_record r;
  memset(&r, 0, sizeof r);
  snprintf(r.algorithm, sizeof r.algorithm, "%s", algorithm); /* registry names fit (test_table_records) */
  r.seed = seed;
  r.n = n;
  r.strategic = strategic;
  r.converged = converged;
  r.subopt = subopt;
  r.relative_gap = relative_gap;
  ss_records_add(ss_tableset_records(tables, RUN_RECORDS, sizeof r), &r);
}

typedef struct {
  const char *alg;
  int n;
  int cnt;
  double sum[3], sumsq[3];
} cell;

/* Uncertified policy solves (converged = 0: max_passes reached, or the planner stopped at the
 * master's accuracy above tol) are reported loudly: a "warning: " line in the summary, which
 * the manifest copies into its "warnings" (docs/mdp.md). */
static void certify_warning(const ss_config *cfg, const run_record *rec, long nrec, FILE *summary)
{
  if (!summary) return;
  long bad = 0;
  double worst = 0;
  for (long r = 0; r < nrec; r++) {
    if (rec[r].converged == 1) continue;
    bad++;
    double g = rec[r].relative_gap;
    if (!(g <= worst)) worst = g; /* a NaN gap is the worst */
  }
  if (bad)
    fprintf(summary, "warning: %ld of %ld policy solves not certified (relative gap > rlhf.policy.tol = %g, "
            "largest %.3g): rows with converged = 0 in rlhf_runs.csv and rlhf_solves.csv\n",
            bad, nrec, ss_cfg_real(cfg, "rlhf.policy.tol"), worst);
}

/* The truthful record of strategic record r: the same (algorithm, seed), written just before
 * it by the same task (rlhf_run writes truthful then strategic per algorithm); NaN if there is
 * none. */
static double truthful_of(const run_record *rec, long r)
{
  if (r > 0 && !rec[r - 1].strategic && !strcmp(rec[r - 1].algorithm, rec[r].algorithm) &&
      rec[r - 1].seed == rec[r].seed)
    return rec[r - 1].subopt;
  return NAN;
}

/* One cell per algorithm (finish sees one sweep point at a time), in the records' order: the
 * sums of truthful, strategic and difference SubOpt over seeds. O(records x algorithms). */
static int collect_cells(const run_record *rec, long nrec, cell *cells)
{
  int nc = 0;
  for (long r = 0; r < nrec; r++) {
    if (!rec[r].strategic) continue;
    const char *alg = rec[r].algorithm;
    int ci = 0;
    while (ci < nc && strcmp(cells[ci].alg, alg)) ci++;
    if (ci == nc) {
      memset(&cells[nc], 0, sizeof cells[nc]);
      cells[nc].alg = alg;
      cells[nc++].n = rec[r].n;
    }
    double tv = truthful_of(rec, r), sub = rec[r].subopt;
    double v[3] = {tv, sub, sub - tv};
    cells[ci].cnt++;
    for (int q = 0; q < 3; q++) {
      cells[ci].sum[q] += v[q];
      cells[ci].sumsq[q] += v[q] * v[q];
    }
  }
  return nc;
}

static void write_cell(ss_table *tb, const cell *c, FILE *summary)
{
  double mean[3], se[3];
  for (int j = 0; j < 3; j++) {
    mean[j] = c->sum[j] / c->cnt;
    double var = c->cnt > 1 ? (c->sumsq[j] - c->cnt * mean[j] * mean[j]) / (c->cnt - 1) : 0;
    se[j] = var > 0 ? sqrt(var / c->cnt) : 0;
  }
  ss_table_row(tb, "%d,%s,%d,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g", c->n, c->alg, c->cnt, mean[0],
               se[0], mean[1], se[1], mean[2], se[2]);
  if (summary)
    fprintf(summary, "  n=%-5d %-18s %.3f +- %.3f | %.3f +- %.3f | %+.3f +- %.3f\n", c->n, c->alg,
            mean[0], se[0], mean[1], se[1], mean[2], se[2]);
}

int rlhf_finish(const ss_config *cfg, ss_tableset *tables, FILE *summary, ss_err *e)
{
  long nrec;
  const run_record *rec = ss_records_data(ss_tableset_records(tables, RUN_RECORDS, sizeof(run_record)), &nrec);
  SS_TRY(ss_tableset_check(tables, e));
  if (nrec == 0) return SS_OK;
  cell *cells = ss_calloc((size_t)nrec, sizeof *cells, e);
  if (!cells) return e->code;
  int nc = collect_cells(rec, nrec, cells);
  ss_table *tb = ss_tableset_get(tables, "rlhf_table");
  int rc = ss_table_header(tb, "n,algorithm,seeds,truthful_mean,truthful_se,strategic_mean,strategic_se,difference_mean,difference_se", e);
  if (summary && !rc)
    fprintf(summary, "RLHF SubOpt (mean +- s.e. over %lld seed%s): truthful | strategic | difference\n",
            ss_cfg_int(cfg, "seeds"), ss_cfg_int(cfg, "seeds") == 1 ? "" : "s");
  for (int q = 0; q < nc && !rc; q++) write_cell(tb, &cells[q], summary);
  if (!rc) certify_warning(cfg, rec, nrec, summary);
  free(cells);
  return rc;
}
