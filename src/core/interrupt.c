/* Interrupts as flags: a handler does nothing but record the signal, so no write is ever
 * cut short; the run checks the flag at safe points, collectively. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "stratsim/interrupt.h"

static volatile sig_atomic_t received;

static void on_signal(int sig) { received = sig; }

void ss_interrupt_install(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL); /* the terminal of an interactive run went away (ssh dropped) */
}

int ss_interrupt_pending(void) { return received; }

int ss_interrupt_check(ss_comm *c, ss_err *e)
{
  int64_t sig = received;
  SS_TRY(ss_par_max_i64(c, &sig, 1, e)); /* agrees on a pending error first */
  if (!sig) return SS_OK;
  received = (sig_atomic_t)sig; /* every rank of c now reports the same signal */
  return ss_fail(e, SS_EINTR, "interrupted by %s", ss_signal_name((int)sig));
}

void ss_safepoint_init(ss_safepoint *sp)
{
  sp->countdown = sp->stride = 1;
  sp->last = ss_wtime();
}

static ss_periodic *armed; /* the task this rank's group runs, when checkpoint.every is set */

void ss_periodic_arm(ss_periodic *p) { armed = p; }

int ss_safepoint_due(ss_safepoint *sp, ss_comm *c, const char *what, long step, long of, int *due, ss_err *e)
{
  if (due) *due = 0;
  if (--sp->countdown > 0) return SS_OK;
  double now = ss_wtime(), v[3] = {(double)received, now - sp->last, 0};
  /* the group leader's clock decides; the others contribute 0 (every rank of c finds the same
   * answer, the task's communicator or not, so every rank of c takes part in the same reduction) */
  int world = due && armed && (armed->comm ? armed->comm == c : ss_comm_size(c) == armed->world_size);
  if (world && armed->root && armed->every > 0 && now - armed->last >= armed->every) v[2] = 1;
  if (armed && armed->poll) armed->poll(armed->arg);
  ss_comm_max_double(c, v, world ? 3 : 2);
  sp->last = now;
  if (v[0] != 0) {
    received = (sig_atomic_t)v[0];
    return ss_fail(e, SS_EINTR, "interrupted by %s at %s %ld of %ld", ss_signal_name((int)v[0]), what, step, of);
  }
  if (world) *due = v[2] != 0;
  /* the next check after about SS_SAFEPOINT_SECONDS at the slowest rank's pace; the stride at
   * most doubles per check, so a loop that slows down is still checked often */
  double per_call = v[1] / (double)sp->stride;
  double want = per_call > 0 ? SS_SAFEPOINT_SECONDS / per_call : 2.0 * (double)sp->stride;
  if (want > 2.0 * (double)sp->stride) want = 2.0 * (double)sp->stride;
  sp->stride = sp->countdown = want < 1 ? 1 : (long)want;
  return SS_OK;
}

int ss_safepoint_check(ss_safepoint *sp, ss_comm *c, const char *what, long step, long of, ss_err *e)
{
  return ss_safepoint_due(sp, c, what, step, of, NULL, e);
}

int ss_periodic_write(ss_comm *c, ss_err *e)
{
  /* the loop's save was local: the armed write's first collective (the gather of the finished
   * tasks, ss_run_save) agrees on it. *due is set only for an armed task; were it not armed,
   * the phase ends here. */
  return armed ? armed->write(armed->arg, e) : ss_par_phase_end(c, e);
}

const char *ss_signal_name(int sig)
{
  static char other[32];
  switch (sig) {
  case SIGTERM: return "SIGTERM";
  case SIGINT: return "SIGINT";
  case SIGUSR1: return "SIGUSR1";
  case SIGHUP: return "SIGHUP";
  default: snprintf(other, sizeof other, "signal %d", sig); return other;
  }
}
