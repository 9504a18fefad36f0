/* Memory estimates: before any work, each experiment predicts the peak memory of one rank
 * from the config (the largest terms, each with the keys that drive it); a run whose
 * estimate exceeds limits.memory_per_rank is refused as bad input (docs/reliability-memory-fuzz.md). */
#ifndef STRATSIM_MEMORY_H
#define STRATSIM_MEMORY_H

#include <stdio.h>
#include "stratsim/config.h"
#include "stratsim/par.h"

#define SS_MEM_MAX_TERMS 24

typedef struct {
  double bytes;
  char what[96];  /* e.g. "OptGTM ridge state of the owned arms" */
  char keys[96];  /* the config keys that drive it, e.g. "bandit.K, bandit.d" */
} ss_mem_term;

typedef struct {
  int n;
  ss_mem_term term[SS_MEM_MAX_TERMS];
  char result_keys[96]; /* the keys that drive the size of the result tables */
} ss_mem_estimate;

/* Adds a term (terms below 1 byte are dropped; past SS_MEM_MAX_TERMS they fold into the last). */
void ss_mem_add(ss_mem_estimate *m, double bytes, const char *keys, const char *what);
double ss_mem_total(const ss_mem_estimate *m);

/* What the run directory's manifest records. */
typedef struct {
  double estimate;   /* bytes per rank, the largest over ranks (world rank 0 also holds the results) */
  double limit;      /* bytes per rank; 0: no limit */
  char limit_source[160];
  double peak_rss;   /* measured at the end: the largest VmHWM over ranks; 0 if not measured */
} ss_mem_report;

/* Estimates the peak memory per rank of running cfg (every sweep point, or only sweep_index
 * when >= 0) on the ranks of world, and refuses (SS_EINPUT, the estimate, the largest terms
 * and their keys) when a rank's estimate exceeds its limit. Collective over world. */
int ss_memory_check(ss_comm *world, const ss_config *cfg, long sweep_index, ss_mem_report *r, ss_err *e);
/* The estimate alone: one task's rank on a group of `ranks` ranks plus, when with_results,
 * the results world rank 0 holds for all tasks. Not collective. */
int ss_memory_estimate(const ss_config *cfg, long sweep_index, int ranks, int groups, int with_results,
                       ss_mem_estimate *m, ss_err *e);
/* Records the measured peak (largest VmHWM over ranks) in r. Collective over world. */
void ss_memory_measure(ss_comm *world, ss_mem_report *r);
/* "memory": {...} for the manifest (no trailing comma or newline). */
void ss_memory_write_json(const ss_mem_report *r, FILE *f);
/* Human form of a byte count: "1.5 GiB". */
void ss_mem_format(double bytes, char *buf, size_t len);
/* Parses limits.memory_per_rank: "auto" -> 0 with *automatic set, "none" -> -1, else bytes. */
int ss_mem_parse_limit(const char *text, double *bytes, int *automatic);

/* Each experiment's estimator (the `memory` op of ss_experiment_ops): the peak bytes of one
 * rank while it runs one task on a group of `ranks` ranks, and the bytes of CSV text the
 * task adds to the results (held by world rank 0 until the end). */
typedef void (*ss_memory_fn)(const ss_config *cfg, int ranks, ss_mem_estimate *m, double *result_bytes);
void ss_facility_memory(const ss_config *cfg, int ranks, ss_mem_estimate *m, double *result_bytes);
void ss_rlhf_memory(const ss_config *cfg, int ranks, ss_mem_estimate *m, double *result_bytes);
void ss_bandit_memory(const ss_config *cfg, int ranks, ss_mem_estimate *m, double *result_bytes);

#endif
