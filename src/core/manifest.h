/* manifest.json: what ran, on what, with which config, how long each phase took, and
 * whether it finished. Written by world rank 0 at the start (status "running") and again
 * at the end ("completed", "failed" with the reason, or "interrupted" with the signal and
 * how many tasks were done, or "checkpointed" when those tasks were saved for --resume). Its first field, "format": "stratsim-run-1", marks a directory
 * as a stratsim run directory (what --force may replace). */
#ifndef STRATSIM_MANIFEST_H
#define STRATSIM_MANIFEST_H

#include "stratsim/config.h"
#include "stratsim/memory.h"
#include "stratsim/table.h"

#define SS_MAX_MANIFEST_PHASES 32

typedef struct {
  const ss_config *cfg;
  const char *dir;
  const char *status;  /* running | completed | failed | interrupted | checkpointed */
  const char *reason;  /* for failed and interrupted */
  const char *signal;  /* for interrupted: "SIGTERM", ... */
  unsigned long long config_hash;
  long tasks_done;     /* tasks finished over all groups (at the end), resumed ones included */
  long tasks_resumed;  /* tasks taken from a checkpoint by --resume */
  long tasks_checkpointed; /* tasks in the run directory's checkpoint.bin (0: none) */
  int argc;
  char **argv;
  int ranks, groups;
  long sweep_index;    /* -1 for all */
  long npoints, ntasks;
  char mpi_version[256];
  char start_time[64], end_time[64];
  double wall_seconds;
  int nphases;
  const char *phase_name[SS_MAX_MANIFEST_PHASES];
  double phase_min[SS_MAX_MANIFEST_PHASES], phase_max[SS_MAX_MANIFEST_PHASES],
      phase_mean[SS_MAX_MANIFEST_PHASES];
  ss_tableset *tables; /* the files written, or NULL */
  ss_mem_report memory; /* estimated and measured peak memory per rank */
  const char *summary;  /* the run's summary: its "warning: " lines become "warnings" */
} ss_manifest;

int ss_manifest_write(const ss_manifest *m, ss_err *e);
/* ISO 8601 UTC time of now. */
void ss_iso_time(char *buf, size_t len);

#endif
