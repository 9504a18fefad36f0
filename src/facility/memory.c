/* Memory estimate of one facility task (the `memory` op; include/stratsim/memory.h). A rank
 * keeps five arrays of agents x dims doubles for its block (truth, reports, gains, costs;
 * experiment.c sizes all five by cells), the group leader gathers the agent rows as text. */
#include <stdio.h>
#include "stratsim/memory.h"

/* CSV bytes of one facility_agents row: names and ids, then 2D + 2 numbers printed with %.17g. */
static double agent_row_bytes(int D) { return 30 + 2.0 * D * 20 + 16; }

void ss_facility_memory(const ss_config *cfg, int ranks, ss_mem_estimate *m, double *result_bytes)
{
  double agents = (double)ss_cfg_int(cfg, "facility.agents"), D = (double)ss_cfg_int(cfg, "facility.dims");
  double block = agents / ranks + 1, run_rows_bytes = 2 * 200.0; /* two facility_runs rows */
  int nmech = 0;
  ss_cfg_enum_list(cfg, "facility.mechanisms", &nmech);
  ss_mem_add(m, 8 * block * (5 * D + 2), "facility.agents, facility.dims",
             "the block's agent arrays (5 x agents/ranks x dims doubles)");
  int rows = 0, cols = 0;
  if (ss_cfg_matrix(cfg, "facility.locations", &rows, &cols))
    ss_mem_add(m, 2 * 8.0 * rows * cols, "facility.locations", "explicit locations (two config copies)");
  double text = 0;
  if (ss_cfg_bool(cfg, "facility.write_agents")) {
    text = nmech * agents * agent_row_bytes((int)D);
    /* the block's rows, the gathered rows and the task's table (grown by doubling: 1.5 x on average) */
    ss_mem_add(m, block * agent_row_bytes((int)D) + agents * agent_row_bytes((int)D) + 1.5 * text,
               "facility.agents, facility.write_agents", "agent rows gathered on the group leader");
  }
  snprintf(m->result_keys, sizeof m->result_keys, "facility.agents, facility.write_agents");
  *result_bytes = text + nmech * run_rows_bytes;
}
