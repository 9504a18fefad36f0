/* Interrupts: SIGTERM, SIGINT and SIGUSR1 (a SLURM time limit, preemption, Ctrl-C,
 * `sbatch --signal`) only set a flag; the run stops at its next safe point, where the
 * ranks agree on it, and ends with status "interrupted" and exit code 3 (SS_EINTR). */
#ifndef STRATSIM_INTERRUPT_H
#define STRATSIM_INTERRUPT_H

#include "stratsim/error.h"
#include "stratsim/par.h"

/* Installs the handlers (after MPI/PETSc initialisation, which install their own). */
void ss_interrupt_install(void);
/* The signal received on this rank (0 if none). Not collective. */
int ss_interrupt_pending(void);
/* A safe point: collective over c. If any rank of c has received a signal, every rank
 * returns SS_EINTR with "interrupted by SIGTERM" in e. */
int ss_interrupt_check(ss_comm *c, ss_err *e);
/* "SIGTERM", "SIGINT", "SIGUSR1" or "signal N". */
const char *ss_signal_name(int sig);

#endif
