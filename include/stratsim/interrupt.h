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
/* A safe point: collective over c. It takes the caller's pending error (par.h): a rank's
 * failure is agreed on first and returned everywhere. Else, if any rank of c has received a
 * signal, every rank returns SS_EINTR with "interrupted by SIGTERM" in e. */
int ss_interrupt_check(ss_comm *c, ss_err *e);
/* Safe points inside a task (a long loop: SPSA steps, bandit epochs and blocks of rounds,
 * best-response rounds, planner passes). Each call counts down; every `stride` calls the
 * ranks of c agree (one reduction of two numbers) on a pending signal and on the slowest
 * rank's time since the last check, and set the next stride so that checks come about every
 * SS_SAFEPOINT_SECONDS. The stride comes from agreed values only, so every rank of c checks at
 * the same call; when no signal arrives nothing the task computes depends on it (results stay
 * byte-identical). On a signal every rank returns SS_EINTR with "interrupted by SIGTERM at
 * <what> <step> of <of>" in e: the loop must stop there, at a state it can be resumed from.
 *
 * What a resume restores at each safe point (docs/checkpoint.md, "In-task states"):
 *   rlhf SPSA step m: the reports (k x d) and every labeler's estimate of step m - 1 (the MLE's
 *     warm starts), and m (gains and perturbations are keyed by m); saved (strategy_spsa.c).
 *   bandit epoch e: the reported features yrep (K x d) at epoch e's start and the rows of the
 *     earlier epochs; saved (protocol.c, task_resume.c). bandit block of rounds: in an epoch of
 *     one rollout (truthful, fixed, the final evaluation) also the rollout's state after the
 *     block, its learner's included (rollout_state.c); in an epoch of 1 + K d rollouts the epoch
 *     restarts (rollouts are keyed by (seed, epoch, rollout) and replay exactly).
 *   facility round r: not saved; the task restarts (its tasks are short).
 *   planner pass p (contextual or MDP pricing) of a solve over the task's ranks: the solve's
 *     index in the task and its master, bound and flags (planner.c); inside an SPSA evaluation
 *     (a split of the task's ranks): not saved, the step restarts from its start. */
#define SS_SAFEPOINT_SECONDS 0.1
typedef struct {
  long countdown; /* calls left before the next collective check */
  long stride;    /* calls between checks */
  double last;    /* this rank's time at the last check */
} ss_safepoint;
/* Not collective; call on every rank of c before the loop. */
void ss_safepoint_init(ss_safepoint *sp);
/* A safe point: collective over c every sp->stride calls (every rank of c must call it the
 * same number of times). what/step/of describe the position for the message (step 1-based). */
int ss_safepoint_check(ss_safepoint *sp, ss_comm *c, const char *what, long step, long of, ss_err *e);
/* Periodic in-task checkpoints (checkpoint.every; docs/checkpoint.md). The driver arms them
 * for the task each rank group runs. A loop that can save its state (an SPSA step, a bandit
 * epoch or block of rounds, a planner pass) then calls ss_safepoint_due instead of
 * ss_safepoint_check: when its communicator is the task's, the safe point's reduction carries the
 * group leader's verdict "a checkpoint is due" (its clock against `every`), so every rank of the
 * group agrees on it without an extra meeting. When *due is set, the loop puts its state into
 * the task's state, exactly as at a stop, calls ss_periodic_write, and continues. Nothing the
 * task computes depends on it. Disarmed (the default, or a safe point of a sub-communicator)
 * *due stays 0. */
typedef struct {
  double every;   /* seconds between checkpoints */
  double last;    /* the group leader: time of its last checkpoint (or of the run's start) */
  const ss_comm *comm; /* the task's communicator (NULL: any communicator of world_size ranks) */
  int world_size;
  int root;       /* this rank is the task group's rank 0 (its clock decides) */
  /* collective over comm: writes the checkpoint (one group: the world writes it; several: the
   * leader hands the state to world rank 0, docs/checkpoint.md) */
  int (*write)(void *arg, ss_err *e);
  void (*poll)(void *arg); /* world rank 0 (NULL elsewhere): at each of its safe points, takes the
                            * states other groups handed over (not collective) */
  void *arg;
} ss_periodic;
/* Arms p (NULL disarms). Not collective; every rank of a group arms its group's task. */
void ss_periodic_arm(ss_periodic *p);
/* ss_safepoint_check, and *due = 1 on every rank of c when a periodic checkpoint is due. */
int ss_safepoint_due(ss_safepoint *sp, ss_comm *c, const char *what, long step, long of, int *due, ss_err *e);
/* After the loop saved its state: agrees on errors over c, then writes the checkpoint (the
 * armed p->write). Collective over c (the task's ranks, as ss_safepoint_due found). */
int ss_periodic_write(ss_comm *c, ss_err *e);

/* "SIGTERM", "SIGINT", "SIGUSR1" or "signal N". */
const char *ss_signal_name(int sig);

#endif
