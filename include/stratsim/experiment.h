/* Experiments plug into the driver through an ops table and a registry by name.
 * The driver runs every (sweep point, seed) task on a group of ranks and brings the
 * rows each task produced to world rank 0, which writes them in task order. */
#ifndef STRATSIM_EXPERIMENT_H
#define STRATSIM_EXPERIMENT_H

#include <stdint.h>
#include "stratsim/config.h"
#include "stratsim/memory.h"
#include "stratsim/par.h"
#include "stratsim/table.h"
#include "stratsim/timer.h"

typedef struct {
  ss_comm *comm;         /* the group that runs this task (collective over it) */
  ss_comm *world;        /* all ranks; only for splitting further, never to wait on others' tasks */
  const ss_config *cfg;  /* the resolved config of this sweep point */
  long point;            /* sweep point index */
  int seed_index;        /* 0 .. seeds-1 */
  uint64_t seed;         /* the seed of this task: seed + seed_index */
  ss_tableset *tables;   /* rows appended on group rank 0 are kept; other ranks' are ignored */
  ss_timers *timers;
  struct ss_progress *progress; /* the driver's; use ss_task_progress */
  /* in-task checkpoints (task_state.h, docs/checkpoint.md): the state to continue from (NULL:
   * from the start; the same on every rank of comm), and where a loop stopped by a signal puts
   * the state to continue from (it starts as a copy of resume; group rank 0's is kept) */
  const struct ss_task_state *resume;
  struct ss_task_state *save;
} ss_task;

typedef struct {
  const char *name;       /* the value of `experiment:` */
  const char *summary;    /* one line for --help */
  const ss_key *keys;     /* this experiment's keys; paths start with "<name>." */
  int nkeys;
  /* Checks that span several keys (list lengths, references). Config errors. Not collective. */
  int (*check)(const ss_config *cfg, ss_err *e);
  /* Runs one task. Collective over task->comm. */
  int (*run)(ss_task *task, ss_err *e);
  /* After all tasks, on world rank 0 only, once per sweep point: cfg is that point's config
   * and tables hold that point's rows (every seed). Adds derived tables and writes the
   * point's human summary. Optional. It reads typed records (ss_tableset_records, table.h)
   * that run added next to its CSV rows, not the CSV text. */
  int (*finish)(const ss_config *cfg, ss_tableset *tables, FILE *summary, ss_err *e);
  /* Tables that do not depend on the sweep point unless a swept key changes them (NULL-
   * terminated; optional): written once, without sweep columns, when every point gave the
   * same rows. */
  const char *const *shared_tables;
  /* Optional: the peak memory of one rank running one task on `ranks` ranks, as terms with
   * the keys that drive them, and the CSV bytes the task adds (include/stratsim/memory.h). */
  void (*memory)(const ss_config *cfg, int ranks, ss_mem_estimate *m, double *result_bytes);
  /* Optional: the name of a file whose columns depend on config key `key` under cfg (the
   * sweep's first point), or NULL. One file holds one column set, so a sweep over such a key
   * is refused by validate, before anything runs. */
  const char *(*columns_depend_on)(const ss_config *cfg, const char *key);
  /* The plug-in families of this experiment (NULL-terminated; optional): the registry
   * (include/stratsim/plugin.h) fills the choices of their selecting keys and gathers their
   * plug-ins' keys into the schema. */
  const struct ss_plugin_family *const *plugins;
} ss_experiment_ops;

/* Reports progress inside a long task (fraction of this task done, 0..1). Cheap; the
 * driver prints at most one line every few seconds on world rank 0. Not collective. */
void ss_task_progress(ss_task *task, double fraction);

/* The experiments, a plug-in family (stratsim/plugin.h) defined by the program's top layer
 * (src/experiments.c). */
extern const struct ss_plugin_family ss_experiments;
const ss_experiment_ops *ss_experiment_find(const char *name);
int ss_experiment_count(void);
const ss_experiment_ops *ss_experiment_at(int i);

/* The common keys (name, experiment, seed, seeds, parallel.*, output.*). */
extern const ss_key ss_common_keys[];
extern const int ss_ncommon_keys;

#endif
