/* The experiment driver: loads a config on rank 0 and shares its bytes, agrees on errors,
 * runs every (sweep point, seed) task on a group of ranks, and has world rank 0 write
 * the run directory (manifest.json and the CSV tables). All functions are collective
 * over world. */
#ifndef STRATSIM_DRIVER_H
#define STRATSIM_DRIVER_H

#include "stratsim/config.h"
#include "stratsim/par.h"

typedef struct {
  const char *config;   /* path of the YAML file */
  char **sets;          /* "key.path=value" overrides */
  int nsets;
  const char *out;      /* --out DIR, or NULL */
  int force, quiet;
  long sweep_index;     /* -1: all points */
  int resume;           /* 1: --resume DIR (config = DIR/config.yaml, out = DIR); 2: --resume-auto */
  int argc;             /* the command line, for the manifest */
  char **argv;
} ss_run_options;

/* Reads and validates the config on every rank; SS_EINPUT with one message on error. */
int ss_driver_load(ss_comm *world, const ss_run_options *o, ss_config **cfg, ss_err *e);
/* Runs the experiment and writes the results. */
int ss_driver_run(ss_comm *world, const ss_run_options *o, ss_err *e);

#endif
