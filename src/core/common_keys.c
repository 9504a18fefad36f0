/* The keys every experiment shares: identity, seeds, rank groups and output. */
#include "stratsim/experiment.h"
#include "stratsim/plugin.h"

const ss_key ss_common_keys[] = {
  {"experiment", SS_T_ENUM, NULL, 0, 0, 0, SS_PLUGIN_CHOICES,
   "which simulator runs (required)"},
  {"name", SS_T_STRING, NULL, 0, 0, 0, NULL,
   "run name: results go to <output.dir>/<name>/ (default: the config file's base name)"},
  {"seed", SS_T_INT, "1", 0, 4294967295.0, 0, NULL,
   "base seed; replicate r uses seed + r"},
  {"seeds", SS_T_INT, "1", 1, 100000, 0, NULL, "number of replicates (seeds seed .. seed+seeds-1)"},
  {"parallel.groups", SS_T_INT, "1", 1, 1e6, 0, NULL,
   "rank groups for independent (sweep point, seed) tasks; more groups than ranks means one per rank"},
  {"output.dir", SS_T_STRING, "results", 0, 0, 0, NULL, "parent folder of run directories"},
  {"limits.memory_per_rank", SS_T_STRING, "auto", 0, 0, 0, NULL,
   "refuse a run whose estimated peak memory per rank exceeds this: a size (4G, 512MiB; K/M/G/T are "
   "powers of 1024, as SLURM's --mem), none, or auto = the node's available memory (capped by the "
   "cgroup limit) / the ranks on the node"},
  {"checkpoint.every", SS_T_REAL, "0", 0, 1e9, 0, NULL,
   "seconds between checkpoints of the completed tasks into the run directory (0: off; a checkpoint "
   "is still written at SIGTERM, SIGINT or SIGUSR1); resume with stratsim run --resume DIR "
   "(docs/checkpoint.md)"},
  {"output.dump_data", SS_T_BOOL, "false", 0, 0, 0, NULL,
   "also write the raw generated data (experiments that support it)"},
};
const int ss_ncommon_keys = sizeof ss_common_keys / sizeof ss_common_keys[0];
