/* The stratsim command line: run | validate | show-config | schema | --help | --version.
 * Single-dash arguments after the config path are PETSc options (-log_view, -mle_tao_type
 * nls, ...), read by PetscInitialize. Every rank parses the same arguments, so usage errors
 * need no agreement; everything else goes through the driver, which agrees on errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/driver.h"
#include "stratsim/experiment.h"
#include "stratsim/memory.h"
#include "stratsim_version.h"

#define SS_VERSION "0.1.0"

static void usage(FILE *f)
{
  fputs("usage: stratsim run CONFIG [--set key.path=value]... [--out DIR] [--force] [--quiet]\n"
        "                           [--sweep-index I] [PETSc options such as -log_view]\n"
        "       stratsim validate CONFIG [--set key.path=value]...\n"
        "       stratsim show-config CONFIG [--set key.path=value]...\n"
        "       stratsim schema --markdown\n"
        "       stratsim --help | --version\n\n"
        "Runs a strategic-agent experiment described by a YAML config (docs/config.md).\n"
        "Results go to <output.dir>/<name>/ (default results/<config base name>/), or --out DIR;\n"
        "an existing directory is only replaced with --force. Exit codes: 0 success, 1 run failed,\n"
        "2 bad input (config, arguments, existing output).\n\nexperiments:\n", f);
  for (int i = 0; i < ss_experiment_count(); i++)
    fprintf(f, "  %-10s %s\n", ss_experiment_at(i)->name, ss_experiment_at(i)->summary);
}

/* Parses argv[2..]; returns SS_EINPUT with a message on bad usage. */
static int parse_args(int argc, char **argv, ss_run_options *o, ss_err *e)
{
  o->sweep_index = -1;
  o->sets = calloc((size_t)argc, sizeof *o->sets);
  if (!o->sets) return ss_fail(e, SS_ERUNTIME, "out of memory");
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--set") || !strcmp(a, "--out") || !strcmp(a, "--sweep-index")) {
      if (!value) return ss_fail(e, SS_EINPUT, "%s needs a value (see stratsim --help)", a);
      i++;
      if (!strcmp(a, "--set")) o->sets[o->nsets++] = argv[i];
      else if (!strcmp(a, "--out")) o->out = value;
      else {
        char *end;
        o->sweep_index = strtol(value, &end, 10);
        if (*end || o->sweep_index < 0)
          return ss_fail(e, SS_EINPUT, "--sweep-index: expected a non-negative integer, found '%s'", value);
      }
    } else if (!strncmp(a, "--set=", 6)) {
      o->sets[o->nsets++] = argv[i] + 6;
    } else if (!strcmp(a, "--force")) {
      o->force = 1;
    } else if (!strcmp(a, "--quiet")) {
      o->quiet = 1;
    } else if (!strncmp(a, "--", 2)) {
      return ss_fail(e, SS_EINPUT, "unknown option %s (see stratsim --help)", a);
    } else if (a[0] == '-' && a[1]) {
      /* a PETSc option; its value, if any, follows when it does not look like an option */
      if (o->config && value && value[0] != '-') i++;
    } else if (!o->config) {
      o->config = a;
    } else {
      return ss_fail(e, SS_EINPUT, "unexpected argument '%s' (one config per run; see stratsim --help)", a);
    }
  }
  if (!o->config) return ss_fail(e, SS_EINPUT, "%s: missing the CONFIG argument (see stratsim --help)", argv[1]);
  return SS_OK;
}

static int command(ss_comm *world, int argc, char **argv, ss_err *e)
{
  const char *cmd = argv[1];
  if (!strcmp(cmd, "schema")) {
    if (ss_comm_rank(world) == 0) ss_schema_write_markdown(stdout);
    return SS_OK;
  }
  ss_run_options o = {0};
  o.argc = argc;
  o.argv = argv;
  int rc = parse_args(argc, argv, &o, e);
  if (!rc && !strcmp(cmd, "run")) {
    rc = ss_driver_run(world, &o, e);
  } else if (!rc) {
    ss_config *cfg = NULL;
    rc = ss_driver_load(world, &o, &cfg, e);
    ss_mem_report mem = {0};
    if (!rc && !strcmp(cmd, "validate")) rc = ss_memory_check(world, cfg, o.sweep_index, &mem, e);
    if (!rc && ss_comm_rank(world) == 0) {
      if (!strcmp(cmd, "show-config")) ss_config_write_yaml(cfg, stdout);
      else {
        long np = ss_config_npoints(cfg), seeds = ss_cfg_int(cfg, "seeds");
        printf("%s: ok (experiment %s; %ld sweep point%s x %ld seed%s = %ld tasks)\n", o.config,
               ss_cfg_experiment(cfg), np, np == 1 ? "" : "s", seeds, seeds == 1 ? "" : "s", np * seeds);
        char est[32], lim[32];
        ss_mem_format(mem.estimate, est, sizeof est);
        ss_mem_format(mem.limit, lim, sizeof lim);
        printf("estimated peak memory per rank on %d rank%s: %s (limit %s; %s)\n", ss_comm_size(world),
               ss_comm_size(world) > 1 ? "s" : "", est, mem.limit > 0 ? lim : "none", mem.limit_source);
      }
    }
    ss_config_free(&cfg);
  }
  free(o.sets);
  return rc;
}

int main(int argc, char **argv)
{
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? SS_EINPUT : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("stratsim %s (%s)\n", SS_VERSION, SS_GIT_DESCRIBE);
    return 0;
  }
  const char *cmds[] = {"run", "validate", "show-config", "schema"};
  int known = 0;
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) known |= !strcmp(argv[1], cmds[i]);
  if (!known) {
    fprintf(stderr, "stratsim: unknown command '%s' (expected run, validate, show-config or schema; see --help)\n", argv[1]);
    return SS_EINPUT;
  }
  ss_comm *world = NULL;
  if (ss_par_init(&argc, &argv, &world)) {
    fputs("stratsim: MPI/PETSc initialisation failed\n", stderr);
    return SS_ERUNTIME;
  }
  ss_err e = {0};
  int rc = command(world, argc, argv, &e);
  if (rc && ss_comm_rank(world) == 0) {
    fprintf(stderr, "stratsim: error: %s\n", e.msg);
    fflush(stderr);
  }
  ss_par_finalize(world);
  return rc;
}
