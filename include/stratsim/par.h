/* The parallel layer: the only code that calls MPI lives in src/par/.
 * An ss_comm is an opaque communicator; everything else reads like serial code.
 * Every function taking an ss_comm is collective over it unless it says otherwise. */
#ifndef STRATSIM_PAR_H
#define STRATSIM_PAR_H

#include <stddef.h>
#include <stdint.h>
#include "stratsim/error.h"
#include "stratsim/xsum.h"

typedef struct ss_comm ss_comm;

/* Starts MPI through PetscInitialize (so PETSc options such as -log_view work) and
 * returns the world communicator. argc/argv are those of main. */
int ss_par_init(int *argc, char ***argv, ss_comm **world);
/* SS_EINPUT naming every single-dash option that no PETSc object reads (a mistyped
 * option must not be ignored). Not collective (every rank has the same options). */
int ss_par_check_options(ss_err *e);
/* Frees world and finalises PETSc and MPI. */
void ss_par_finalize(ss_comm *world);

int ss_comm_rank(const ss_comm *c);    /* not collective */
int ss_comm_size(const ss_comm *c);    /* not collective */
/* The underlying MPI_Comm, as a pointer to it, for PETSc object creation only. */
void *ss_comm_mpi(ss_comm *c);
/* Splits c into groups by color (key orders ranks inside a group). */
int ss_comm_split(ss_comm *c, int color, int key, ss_comm **out);
void ss_comm_free(ss_comm **c);

void ss_comm_barrier(ss_comm *c);
void ss_comm_bcast(ss_comm *c, void *buf, size_t bytes, int root);
/* Broadcasts a heap buffer of unknown length from root; non-roots get a malloc'd copy
 * (with a NUL after the len bytes, so text can be used as a string). */
int ss_comm_bcast_buffer(ss_comm *c, char **buf, size_t *len, int root);

/* In-place reductions. Integer sums and max/min are exact and order-free. */
void ss_comm_sum_i64(ss_comm *c, int64_t *v, int n);
void ss_comm_max_i64(ss_comm *c, int64_t *v, int n);
void ss_comm_min_i64(ss_comm *c, int64_t *v, int n);
void ss_comm_max_double(ss_comm *c, double *v, int n);
void ss_comm_min_double(ss_comm *c, double *v, int n);
/* Exact, order-free sum of n accumulators (each normalised on return). */
void ss_comm_sum_xsum(ss_comm *c, ss_xsum *acc, int n);
/* Exact sums of n doubles across ranks, rounded once: bit-identical for any rank count.
 * Slots holding inf/NaN on some rank give the IEEE result (+inf, -inf, or NaN). */
void ss_comm_sum_exact(ss_comm *c, double *v, int n);
/* MAXLOC with ties to the lowest index: returns the index (or -1 if every value is -inf/NaN-free
 * absent, i.e. idx < 0 everywhere) and sets *best. idx is this rank's candidate (or -1). */
int64_t ss_comm_argmax(ss_comm *c, double value, int64_t idx, double *best);

/* Gathers byte blocks to root in rank order. On root *out is malloc'd (caller frees). */
int ss_comm_gather_bytes(ss_comm *c, const void *buf, size_t len, int root, char **out, size_t *outlen);
/* Point-to-point byte transfer (used to bring group results to world rank 0). */
int ss_comm_send_bytes(ss_comm *c, const void *buf, size_t len, int dest, int tag);
int ss_comm_recv_bytes(ss_comm *c, int src, int tag, char **out, size_t *len);

/* Notifications (src/par/notify.c): a zero-byte message to dest, sent on a communicator
 * used for nothing else. Not collective. The receiver counts what has arrived (poll) and,
 * at the end, takes exactly the n it has not yet counted (drain). */
void ss_comm_notify(ss_comm *c, int dest);
long ss_comm_notify_poll(ss_comm *c);
void ss_comm_notify_drain(ss_comm *c, long n);

/* Error agreement: every rank passes its local ss_err; on return every rank holds the
 * error of the lowest rank that failed with the highest code (or SS_OK everywhere).
 * Returns that code. */
int ss_comm_agree(ss_comm *c, ss_err *e);

/* Verbs taking the caller's pending error (src/par/pending.c, docs/errors.md): every rank
 * calls them, also one whose local step failed (its error pending in e); they agree on the
 * error first, do the operation only if no rank failed, and return the agreed code (with the
 * agreed message in e on every rank). A local failure before them therefore cannot hang the
 * others, and simulator code needs no agreement of its own. ss_par_gather_bytes also turns
 * a failed gather (out of memory on root) into an agreed error. */
int ss_par_sum_xsum(ss_comm *c, ss_xsum *acc, int n, ss_err *e);
int ss_par_sum_i64(ss_comm *c, int64_t *v, int n, ss_err *e);
int ss_par_max_i64(ss_comm *c, int64_t *v, int n, ss_err *e);
int ss_par_min_i64(ss_comm *c, int64_t *v, int n, ss_err *e);
int ss_par_max_double(ss_comm *c, double *v, int n, ss_err *e);
int ss_par_gather_bytes(ss_comm *c, const void *buf, size_t len, int root, char **out, size_t *outlen,
                        ss_err *e);
int ss_par_sum_exact(ss_comm *c, double *v, int n, ss_err *e);
int ss_par_bcast(ss_comm *c, void *buf, size_t bytes, int root, ss_err *e);
/* The broadcast of a heap buffer of unknown length (ss_comm_bcast_buffer); a receiver that
 * cannot allocate it fails the call on every rank. */
int ss_par_bcast_buffer(ss_comm *c, char **buf, size_t *len, int root, ss_err *e);
/* ss_comm_split; *out is NULL on every rank when the call fails. */
int ss_par_split(ss_comm *c, int color, int key, ss_comm **out, ss_err *e);
/* Moves numbered byte blocks to root (src/par/blocks.c). from[t] (n entries) is me + 1 on the
 * rank that holds block t and 0 elsewhere; on return it is holder + 1 on every rank (0: nobody
 * holds it). On root, buf[t] / len[t] receive each block held elsewhere (the old buf[t] freed);
 * senders keep theirs. Agrees on a pending error first and on a failed transfer at the end. */
int ss_par_blocks_to_root(ss_comm *c, long n, int64_t *from, char **buf, size_t *len, int root, ss_err *e);
/* The end of one of the driver's phases (src/core/driver.c, src/main.c: the config loaded, a
 * task's inputs ready, a task finished, every task finished, the run's outcome, the final
 * manifest), where what follows is not one collective every rank takes alike: every rank
 * learns whether any rank failed. Returns the agreed code. Simulator code never needs it:
 * its collectives take the pending error (docs/errors.md), and scripts/check_arch.py fails on
 * an agreement call outside src/par and the driver. */
int ss_par_phase_end(ss_comm *c, ss_err *e);

/* A documented last resort (docs/errors.md): a failure that no rank can report through an ss
 * code (a message already posted to this rank that it cannot take, a config key read that is not
 * in the schema). Prints "stratsim: <message>" and ends every rank of the run (MPI_Abort on the
 * world with exit code `code`; abort() without MPI). Not collective; does not return. */
void ss_par_last_resort(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Ranks of c on this rank's node (shared-memory domain), this rank included. */
int ss_comm_node_ranks(ss_comm *c);

/* Library version strings for the manifest (not collective). */
void ss_par_mpi_version(char *buf, size_t len);

double ss_wtime(void); /* not collective */

#endif
