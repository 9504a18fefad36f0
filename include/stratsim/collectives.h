/* Collectives beyond par.h's core set, for the simulators: an allgather of variable-length
 * blocks of doubles (replicating per-chunk partial sums, which are then added in chunk order,
 * and small per-labeler estimates), a sum of disjoint slots, and the accounting of an exchange
 * made through PETSc. */
#ifndef STRATSIM_COLLECTIVES_H
#define STRATSIM_COLLECTIVES_H

#include <stdint.h>
#include "stratsim/error.h"
#include "stratsim/par.h"

/* Concatenates every rank's nlocal doubles in rank order into out (the caller knows the
 * total). Collective; src/par/allgather.c. A rank may
 * call it with an error pending in e (a failed local step): then every rank returns that
 * error, and nothing is exchanged. */
int ss_comm_allgather_doubles(ss_comm *c, const double *local, int64_t nlocal, double *out, ss_err *e);
/* Sums n doubles over the ranks of c where every slot is non-zero on at most one rank (so the
 * sum is exact and order-free). Collective; src/par/sum_disjoint.c. */
void ss_comm_sum_disjoint(ss_comm *c, double *v, int64_t n);
/* The same, taking the caller's pending error (par.h): agrees on it first, sums only when no
 * rank failed, and returns the agreed code. */
int ss_par_sum_disjoint(ss_comm *c, double *v, int64_t n, ss_err *e);
/* Counts one ghost exchange of the distributed MDP (a PETSc VecScatter, mdp_plan.c) in the
 * communication accounting: bytes received from other ranks, seconds it took. Not collective;
 * nothing is counted on a one-rank communicator. src/par/sum_disjoint.c. */
void ss_comm_count_scatter(const ss_comm *c, uint64_t bytes, double seconds);

#endif
