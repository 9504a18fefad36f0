/* Where the ranks run: the node (MPI processor name, i.e. the host name) of every rank,
 * found once at start-up, so the manifest records the node list and the ranks per node. */
#ifndef STRATSIM_NODES_H
#define STRATSIM_NODES_H

#include <stdio.h>

struct ss_comm;
/* Collective over world: gathers every rank's node name to world rank 0. Without memory
 * the layout is reported as unknown; the run goes on. */
void ss_nodes_init(struct ss_comm *world);
/* On world rank 0: writes `"nodes": ["n1", ...], "ranks_per_node": [2, ...]` (nodes in the
 * order of their lowest rank), or null for both if unknown. Not collective. */
void ss_nodes_json(FILE *f);
void ss_nodes_free(void);

#endif
