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
}

int ss_interrupt_pending(void) { return received; }

int ss_interrupt_check(ss_comm *c, ss_err *e)
{
  int64_t sig = received;
  ss_comm_max_i64(c, &sig, 1);
  if (!sig) return SS_OK;
  received = (sig_atomic_t)sig; /* every rank of c now reports the same signal */
  return ss_fail(e, SS_EINTR, "interrupted by %s", ss_signal_name((int)sig));
}

const char *ss_signal_name(int sig)
{
  static char other[32];
  switch (sig) {
  case SIGTERM: return "SIGTERM";
  case SIGINT: return "SIGINT";
  case SIGUSR1: return "SIGUSR1";
  default: snprintf(other, sizeof other, "signal %d", sig); return other;
  }
}
