/* The stratsim command line: run | validate | show-config | rerun | collect | schema |
 * --help | --version. Single-dash arguments after the config path are PETSc options
 * (-log_view, -mle_tao_type nls, ...), read by PetscInitialize; one that no PETSc object
 * reads is an error. Every rank parses the same arguments, so usage errors need no
 * agreement; everything else goes through the driver, which agrees on errors. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/collect.h"
#include "stratsim/driver.h"
#include "stratsim/experiment.h"
#include "stratsim/input_file.h"
#include "stratsim/interrupt.h"
#include "stratsim/memory.h"
#include "stratsim/output.h"
#include "stratsim_version.h"

#define SS_VERSION "0.2.0"

static const char *const run_help =
    "usage: stratsim run CONFIG [--set key.path=value]... [--out DIR] [--force] [--quiet]\n"
    "                           [--sweep-index I] [--resume-auto] [PETSc options such as -log_view]\n"
    "       stratsim run --resume DIR [--quiet] [PETSc options]\n\n"
    "Runs the experiment of a YAML config (docs/config.md) and writes a run directory:\n"
    "<output.dir>/<name>/ (name defaults to the config file's base name), <...>/point-I/ with\n"
    "--sweep-index I, or --out DIR. The directory holds manifest.json, config.yaml (the resolved\n"
    "config, runnable as is) and the CSV tables (docs/output.md).\n\n"
    "  --set key.path=value  override a config key (YAML flow value: 3, [1, 2], true)\n"
    "  --out DIR             write the run directory DIR\n"
    "  --force               replace DIR if it is a stratsim run directory (only the files that\n"
    "                        run wrote are removed; anything else is refused, exit 2)\n"
    "  --quiet               no progress lines on stderr (the summary still goes to stdout)\n"
    "  --sweep-index I       run sweep point I alone (SLURM arrays; gather with stratsim collect)\n"
    "  --resume DIR          continue the run in DIR (its config.yaml, sweep point and checkpoint):\n"
    "                        the tasks in DIR/checkpoint.bin are not run again, at any rank count;\n"
    "                        a checkpoint of another config or format, or a damaged one, is refused\n"
    "  --resume-auto         continue the run directory's unfinished run of this config if there is\n"
    "                        one (as --resume), else start it (with --force: replacing a finished\n"
    "                        run); jobs/*.sbatch add it when SLURM requeues the job\n\n"
    "Checkpoints (docs/checkpoint.md): at SIGTERM, SIGINT or SIGUSR1, and every checkpoint.every\n"
    "seconds if set, the finished tasks' results are saved to DIR/checkpoint.bin (removed when the\n"
    "run completes). Exit codes: 0 completed; 1 the run failed (manifest \"failed\" with the\n"
    "reason); 2 bad input (config, arguments, output directory, refused checkpoint; nothing is\n"
    "written); 3 stopped by SIGTERM, SIGINT or SIGUSR1 at a safe point, without CSV files: manifest\n"
    "\"checkpointed\" (resume with --resume DIR) or \"interrupted\" (no task had finished).\n";

static const char *const collect_help =
    "usage: stratsim collect DIR... --out DIR [--force]\n\n"
    "Merges the run directories of one sweep run as pieces (a SLURM array of --sweep-index runs,\n"
    "jobs/submit_sweep.sh writes them as <name>/point-I/) into one run directory whose CSV files\n"
    "are those of a single-job run of the whole sweep. The pieces must share the config hash and\n"
    "the stratsim version; missing or failed points are listed (exit 1, nothing written).\n";

static const char *const rerun_help =
    "usage: stratsim rerun DIR [--out NEW] [--force] [--quiet] [PETSc options]\n\n"
    "Runs a run directory's config.yaml again (the same sweep point for a --sweep-index run) into\n"
    "NEW (default DIR-rerun). The CSV files are byte-identical to DIR's.\n";

static void usage(FILE *f)
{
  fputs("usage: stratsim run CONFIG [--set key.path=value]... [--out DIR] [--force] [--quiet]\n"
        "                           [--sweep-index I] [--resume-auto] [PETSc options such as -log_view]\n"
        "       stratsim run --resume DIR [--quiet]\n"
        "       stratsim validate CONFIG [--set key.path=value]...\n"
        "       stratsim show-config CONFIG [--set key.path=value]...\n"
        "       stratsim rerun DIR [--out NEW] [--force] [--quiet]\n"
        "       stratsim collect DIR... --out DIR [--force]\n"
        "       stratsim schema --markdown\n"
        "       stratsim COMMAND --help | --help | --version\n\n"
        "Runs a strategic-agent experiment described by a YAML config (docs/config.md).\n"
        "Results go to <output.dir>/<name>/ (default results/<config base name>/), or --out DIR;\n"
        "an existing run directory is only replaced with --force. Exit codes: 0 success, 1 run\n"
        "failed, 2 bad input (config, arguments, output directory), 3 interrupted by a signal\n"
        "(finished tasks checkpointed: stratsim run --resume DIR continues).\n\n"
        "experiments:\n", f);
  for (int i = 0; i < ss_experiment_count(); i++)
    fprintf(f, "  %-10s %s\n", ss_experiment_at(i)->name, ss_experiment_at(i)->summary);
}

typedef struct {
  ss_run_options run;
  char **positional; /* collect's directories */
  int npositional;
  const char *resume_dir; /* run --resume DIR */
} cli;

/* The options each command uses; any other is refused rather than silently ignored. */
static int check_option(const char *cmd, const char *opt, ss_err *e)
{
  static const char *const uses[][2] = {
      {"run", " --set --out --force --quiet --sweep-index --resume --resume-auto "}, {"validate", " --set --sweep-index "},
      {"show-config", " --set "}, {"rerun", " --out --force --quiet "}, {"collect", " --out --force "}};
  char word[32];
  snprintf(word, sizeof word, " %.20s ", opt);
  if (!strstr(uses[0][1], word)) return SS_OK; /* not one of ours: "unknown option" below */
  for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++)
    if (!strcmp(cmd, uses[i][0]) && !strstr(uses[i][1], word))
      return ss_fail(e, SS_EINPUT, "%s does not use %s (see stratsim %s --help)", cmd, opt, cmd);
  return SS_OK;
}

/* Parses argv[2..]; returns SS_EINPUT with a message on bad usage. */
static int parse_args(int argc, char **argv, cli *c, ss_err *e)
{
  ss_run_options *o = &c->run;
  o->sweep_index = -1;
  o->sets = ss_calloc((size_t)argc, sizeof *o->sets, e);
  c->positional = ss_calloc((size_t)argc, sizeof *c->positional, e);
  if (!o->sets || !c->positional) return ss_fail(e, SS_ERUNTIME, "out of memory");
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strncmp(a, "--", 2) && check_option(argv[1], strncmp(a, "--set=", 6) ? a : "--set", e)) return e->code;
    if (!strcmp(a, "--set") || !strcmp(a, "--out") || !strcmp(a, "--sweep-index") || !strcmp(a, "--resume")) {
      if (!value) return ss_fail(e, SS_EINPUT, "%s needs a value (see stratsim %s --help)", a, argv[1]);
      i++;
      if (!strcmp(a, "--set")) o->sets[o->nsets++] = argv[i];
      else if (!strcmp(a, "--resume")) c->resume_dir = value;
      else if (!strcmp(a, "--out")) o->out = value;
      else {
        char *end;
        o->sweep_index = strtol(value, &end, 10);
        if (*end || !*value || o->sweep_index < 0)
          return ss_fail(e, SS_EINPUT, "--sweep-index: expected a non-negative integer, found '%s'", value);
      }
    } else if (!strncmp(a, "--set=", 6)) {
      o->sets[o->nsets++] = argv[i] + 6;
    } else if (!strcmp(a, "--force")) {
      o->force = 1;
    } else if (!strcmp(a, "--quiet")) {
      o->quiet = 1;
    } else if (!strcmp(a, "--resume-auto")) {
      o->resume = 2;
    } else if (!strncmp(a, "--", 2)) {
      return ss_fail(e, SS_EINPUT, "unknown option %s (see stratsim %s --help)", a, argv[1]);
    } else if (a[0] == '-' && a[1]) {
      /* a PETSc option; its value, if any, follows when it does not look like an option */
      if (value && value[0] != '-') i++;
    } else {
      c->positional[c->npositional++] = argv[i];
    }
  }
  const char *cmd = argv[1];
  if (c->resume_dir || o->resume) {
    if (strcmp(cmd, "run"))
      return ss_fail(e, SS_EINPUT, "%s is an option of stratsim run only", c->resume_dir ? "--resume" : "--resume-auto");
    if (c->resume_dir && (c->npositional || o->nsets || o->out || o->force || o->sweep_index >= 0 || o->resume))
      return ss_fail(e, SS_EINPUT, "--resume DIR takes the config, sweep point and output of DIR: give no CONFIG, "
                     "--set, --out, --force, --sweep-index or --resume-auto with it");
    if (c->resume_dir) return SS_OK;
  }
  int many = !strcmp(cmd, "collect");
  if (!many && c->npositional > 1)
    return ss_fail(e, SS_EINPUT, "unexpected argument '%s' (one %s per command; see stratsim %s --help)",
                   c->positional[1], strcmp(cmd, "rerun") ? "config" : "run directory", cmd);
  if (!c->npositional)
    return ss_fail(e, SS_EINPUT, "%s: missing the %s argument (see stratsim %s --help)", cmd,
                   many || !strcmp(cmd, "rerun") ? "DIR" : "CONFIG", cmd);
  if (many && !o->out) return ss_fail(e, SS_EINPUT, "collect: --out DIR is required (see stratsim collect --help)");
  if (!many) o->config = c->positional[0];
  return SS_OK;
}

/* DIR's config.yaml and sweep point (from its manifest) as the run's config. */
static int dir_config(ss_comm *world, const char *dir, cli *c, char **path, ss_err *e)
{
  if (ss_comm_rank(world) == 0 && !ss_output_is_run_dir(dir))
    ss_fail(e, SS_EINPUT, "%s: not a stratsim run directory (no manifest.json written by stratsim)", dir);
  char *manifest = NULL, *mpath = NULL;
  size_t len = 0;
  if (!e->code && ss_comm_rank(world) == 0 && asprintf(&mpath, "%s/manifest.json", dir) >= 0)
    ss_read_input_file(mpath, 64 << 20, "the manifest", &manifest, &len, e);
  free(mpath);
  long idx = -1;
  const char *at = manifest ? strstr(manifest, "\n  \"sweep_index\": ") : NULL;
  if (at) idx = strtol(at + 18, NULL, 10) > 0 || at[18] == '0' ? strtol(at + 18, NULL, 10) : -1;
  free(manifest);
  int64_t shared = idx;
  SS_TRY(ss_par_bcast(world, &shared, sizeof shared, 0, e)); /* agrees on rank 0's reading first */
  c->run.sweep_index = (long)shared;
  if (asprintf(path, "%s/config.yaml", dir) < 0) return ss_fail(e, SS_ERUNTIME, "out of memory");
  c->run.config = *path;
  return SS_OK;
}

/* rerun DIR: DIR/config.yaml, at DIR's sweep point, into --out or DIR-rerun. */
static int rerun(ss_comm *world, cli *c, char **path, char **out, ss_err *e)
{
  SS_TRY(dir_config(world, c->run.config, c, path, e));
  if (!c->run.out && asprintf(out, "%s-rerun", c->positional[0]) < 0) return ss_fail(e, SS_ERUNTIME, "out of memory");
  if (!c->run.out) c->run.out = *out;
  return ss_driver_run(world, &c->run, e);
}

/* run --resume DIR: DIR's config and sweep point, into DIR, skipping its checkpoint's tasks. */
static int resume(ss_comm *world, cli *c, char **path, ss_err *e)
{
  SS_TRY(dir_config(world, c->resume_dir, c, path, e));
  c->run.out = c->resume_dir;
  c->run.resume = 1;
  return ss_driver_run(world, &c->run, e);
}

static int command(ss_comm *world, int argc, char **argv, ss_err *e)
{
  const char *cmd = argv[1];
  if (!strcmp(cmd, "schema")) {
    for (int i = 2; i < argc; i++)
      if (strcmp(argv[i], "--markdown"))
        return ss_fail(e, SS_EINPUT, "schema: unexpected argument '%s' (usage: stratsim schema --markdown)", argv[i]);
    if (ss_comm_rank(world) == 0) ss_schema_write_markdown(stdout);
    return SS_OK;
  }
  const char *cmds[] = {"run", "validate", "show-config", "rerun", "collect"};
  int known = 0;
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) known |= !strcmp(cmd, cmds[i]);
  if (!known)
    return ss_fail(e, SS_EINPUT, "unknown command '%s' (expected run, validate, show-config, rerun, collect or "
                   "schema; see stratsim --help)", cmd);
  cli c = {0};
  c.run.argc = argc;
  c.run.argv = argv;
  char *path = NULL, *out = NULL;
  int rc = parse_args(argc, argv, &c, e);
  if (!rc) rc = ss_par_check_options(e); /* validate and show-config too: what run would refuse */
  if (rc) {
  } else if (!strcmp(cmd, "run") && c.resume_dir) {
    rc = resume(world, &c, &path, e);
  } else if (!strcmp(cmd, "run")) {
    rc = ss_driver_run(world, &c.run, e);
  } else if (!strcmp(cmd, "rerun")) {
    rc = rerun(world, &c, &path, &out, e);
  } else if (!strcmp(cmd, "collect")) {
    if (ss_comm_rank(world) == 0) ss_collect(c.positional, c.npositional, c.run.out, c.run.force, argc, argv, e);
    rc = ss_par_phase_end(world, e); /* rank 0 collected */
  } else {
    ss_config *cfg = NULL;
    rc = ss_driver_load(world, &c.run, &cfg, e);
    ss_mem_report mem = {0};
    if (!rc && !strcmp(cmd, "validate")) rc = ss_memory_check(world, cfg, c.run.sweep_index, &mem, e);
    if (!rc && ss_comm_rank(world) == 0) {
      if (!strcmp(cmd, "show-config")) ss_config_write_yaml(cfg, stdout);
      else {
        long np = ss_config_npoints(cfg), seeds = ss_cfg_int(cfg, "seeds");
        printf("%s: ok (experiment %s; %ld sweep point%s x %ld seed%s = %ld tasks)\n", c.run.config,
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
  free(c.run.sets);
  free(c.positional);
  free(path);
  free(out);
  return rc;
}

/* `stratsim COMMAND --help`: that command's help, without starting MPI. */
static int command_help(int argc, char **argv)
{
  int asked = 0;
  for (int i = 2; i < argc; i++) asked |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
  if (!asked) return 0;
  const char *cmd = argv[1];
  if (!strcmp(cmd, "run")) fputs(run_help, stdout);
  else if (!strcmp(cmd, "collect")) fputs(collect_help, stdout);
  else if (!strcmp(cmd, "rerun")) fputs(rerun_help, stdout);
  else usage(stdout);
  return 1;
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
  if (command_help(argc, argv)) return 0;
  /* a signal during MPI/PETSc start-up waits (blocked, pending) for the handlers instead of
   * killing the rank; threads started meanwhile keep it blocked, so it reaches the main one */
  sigset_t stop, before;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGUSR1);
  sigprocmask(SIG_BLOCK, &stop, &before);
  ss_comm *world = NULL;
  if (ss_par_init(&argc, &argv, &world)) {
    fputs("stratsim: MPI/PETSc initialisation failed\n", stderr);
    return SS_ERUNTIME;
  }
  ss_interrupt_install();
  sigprocmask(SIG_SETMASK, &before, NULL);
  ss_err e = {0};
  int rc = command(world, argc, argv, &e);
  if (rc && rc != SS_EINTR && ss_comm_rank(world) == 0) {
    fprintf(stderr, "stratsim: error: %s\n", e.msg);
    fflush(stderr);
  }
  ss_par_finalize(world);
  return rc;
}
