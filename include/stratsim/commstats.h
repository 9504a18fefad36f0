/* Communication accounting: every verb of the parallel layer (src/par) counts its calls, the
 * bytes this rank contributes and the seconds it spends in MPI, under the innermost phase
 * that is running (the phase timers of timer.h enter and leave phases here). The manifest
 * and -log_view report the counts reduced over ranks; docs/scaling.md turns them into a
 * latency-bandwidth cost model. */
#ifndef STRATSIM_COMMSTATS_H
#define STRATSIM_COMMSTATS_H

#include <stdint.h>
#include <stdio.h>

typedef enum {
  SS_VERB_BARRIER,
  SS_VERB_BCAST,          /* ss_comm_bcast and the payload of ss_comm_bcast_buffer */
  SS_VERB_SUM_I64,
  SS_VERB_MAX_I64,
  SS_VERB_MIN_I64,
  SS_VERB_MAX_DOUBLE,
  SS_VERB_MIN_DOUBLE,
  SS_VERB_SUM_XSUM,       /* superaccumulator sums, also those of ss_comm_sum_exact */
  SS_VERB_ARGMAX,
  SS_VERB_GATHER,         /* ss_comm_gather_bytes */
  SS_VERB_SEND,           /* ss_comm_send_bytes */
  SS_VERB_RECV,           /* ss_comm_recv_bytes */
  SS_VERB_AGREE,          /* error agreement (allreduce, and a bcast of the message on error) */
  SS_VERB_SPLIT,          /* communicator creation */
  SS_VERB_ARGMAX_MAX,     /* ss_comm_argmax_max: the best (score, index) and the largest value
                           * in one allreduce (the bandit round's arm selection) */
  SS_VERB_ALLGATHER,      /* ss_comm_allgather_doubles */
  SS_VERB_SUM_DISJOINT,   /* ss_comm_sum_disjoint (the MDP's trajectory steps) */
  SS_VERB_VEC_SCATTER,    /* a ghost exchange by a PETSc VecScatter (ss_comm_count_scatter;
                           * the MDP's pricing pass): bytes received from other ranks */
  SS_NVERBS
} ss_verb;

/* The verb's name and the MPI operation it costs like (allreduce, bcast, gather, p2p, ...). */
const char *ss_verb_name(ss_verb v);
const char *ss_verb_kind(ss_verb v);

/* Phase attribution (not collective). Unmatched leaves are ignored. Calls outside any phase
 * count under "other". */
void ss_commstats_enter(const char *phase);
void ss_commstats_leave(void);
/* Counts one call of verb: bytes this rank sends or contributes, seconds spent. */
void ss_commstats_add(ss_verb v, uint64_t bytes, double seconds);
/* Clears the counts of this rank (not collective). */
void ss_commstats_reset(void);

/* Collective over the world communicator (an MPI_Comm *, as ss_comm_mpi gives): reduces the
 * counts of all ranks to world rank 0 (calls and bytes: max and total over ranks; seconds:
 * max and mean). Its own messages are not counted. */
struct ss_comm;
void ss_commstats_reduce(struct ss_comm *world);
/* On world rank 0, after ss_commstats_reduce: the reduced counts as a JSON object
 * {"<phase>": {"<verb>": {...}}} (indent: spaces before each line), or as a text table. */
void ss_commstats_json(FILE *f, int indent);
void ss_commstats_table(FILE *f);

#endif
