/* The RLHF experiment's finish hook (the SubOpt table rlhf_table and the human summary) and
 * the typed records of rlhf_runs it reads: each rlhf_runs row also goes into an internal
 * record table (stratsim/table.h), so the summary reads numbers, not re-parsed CSV text. */
#ifndef STRATSIM_RLHF_SUMMARY_H
#define STRATSIM_RLHF_SUMMARY_H

#include <stdint.h>
#include <stdio.h>
#include "stratsim/config.h"
#include "stratsim/table.h"

/* The record of one rlhf_runs row (on the rank that writes the rows): the values the
 * summary reads, as written to the CSV row. */
void rlhf_run_record_add(ss_tableset *tables, const char *algorithm, uint64_t seed, int n, int strategic,
                         double subopt, double relative_gap, int converged);
/* ss_experiment_ops.finish: rlhf_table and the summary of one sweep point. */
int rlhf_finish(const ss_config *cfg, ss_tableset *tables, FILE *summary, ss_err *e);

#endif
