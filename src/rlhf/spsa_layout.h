/* Private to src/rlhf: how SPSA lays its evaluations over the ranks (strategy_spsa.c), shared
 * with the memory estimate (memory.c). */
#ifndef STRATSIM_RLHF_SPSA_LAYOUT_H
#define STRATSIM_RLHF_SPSA_LAYOUT_H

#include "stratsim/rlhf_params.h"

/* A whole copy of an MDP's policy states above this (about 8 d + 12 b + 40 bytes per (s,a))
 * stays distributed during SPSA. */
#define RLHF_SPSA_REPLICATE_BUDGET (64.0 * (1 << 20))

/* The evaluation groups on P ranks: rlhf.spsa.groups if > 0; else one per rank (each group
 * holds whole policy states: the contextual bandit's replicated ones, or a small MDP), or one
 * group of every rank for an MDP larger than the budget, which then stays distributed by state.
 * At most P. */
int rlhf_spsa_groups(int configured, const rlhf_params *p, int P);

#endif
