/* Safe points (interrupt.h) across ranks that run at different speeds: with no signal a loop
 * runs to its end and every rank keeps the same stride (it comes from agreed timings only);
 * when one rank alone raises SIGUSR1 at iteration 1000, every rank stops with SS_EINTR at the
 * same iteration (>= 1000), and the message names the signal and the step; periodic
 * checkpoints are due at the same iterations on every rank, never in a split, and, armed per
 * group (several rank groups), at the same iterations on every rank of each group. Prints
 * "mpi_safepoint P=<n>: ok" on rank 0. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "stratsim/interrupt.h"

static ss_comm *world;
static int rank, size, failures;

static void check(int cond, const char *what)
{
  int64_t bad = !cond;
  ss_comm_max_i64(world, &bad, 1);
  if (bad) {
    failures++;
    if (rank == 0) printf("mpi_safepoint P=%d: FAILED: %s\n", size, what);
  }
}

/* Uneven work: the last rank is slower. */
static void work(long i)
{
  if (rank == size - 1 && i % 16 == 0) usleep(200);
}

/* A loop of n steps with a safe point after each (the last rank raises SIGUSR1 at step
 * signal_at, if >= 0); returns the step it stopped at (n: none), its stride in *stride. */
static long safepoint_loop(long n, long signal_at, long *stride, ss_err *e)
{
  ss_safepoint sp;
  ss_safepoint_init(&sp);
  long i;
  for (i = 0; i < n; i++) {
    work(i);
    if (i == signal_at && rank == size - 1) raise(SIGUSR1);
    if (ss_safepoint_check(&sp, world, "step", i + 1, n, e)) break;
  }
  *stride = sp.stride;
  return i;
}

/* Is v the same on every rank? */
static int same_everywhere(int64_t v)
{
  int64_t lo = v, hi = v;
  ss_comm_min_i64(world, &lo, 1);
  ss_comm_max_i64(world, &hi, 1);
  return lo == hi;
}

static void no_signal(void)
{
  ss_err e = {0};
  long stride, n = 20000, i = safepoint_loop(n, -1, &stride, &e);
  check(i == n && e.code == SS_OK, "a loop without a signal runs to its end");
  check(same_everywhere(stride), "every rank keeps the same stride");
}

static void one_rank_signalled(void)
{
  ss_err e = {0};
  long stride, n = 10000000, i = safepoint_loop(n, 1000, &stride, &e);
  check(same_everywhere(i) && i >= 1000 && i < n, "every rank stops at the same iteration, after the signal");
  check(e.code == SS_EINTR, "the code is SS_EINTR");
  char want[64];
  snprintf(want, sizeof want, "interrupted by SIGUSR1 at step %ld of %ld", i + 1, n);
  check(!strcmp(e.msg, want), "the message names the signal and the step");
  check(ss_interrupt_pending() == SIGUSR1, "every rank now reports the signal");
}

static int writes;
static int count_write(void *arg, ss_err *e)
{
  (void)arg, (void)e;
  writes++;
  return SS_OK;
}

/* Periodic checkpoints: armed with every = 0.05 s, a loop over the world sees *due at the same
 * iterations on every rank (world rank 0's clock, agreed in the safe point's reduction), and
 * ss_periodic_write calls the armed write on every rank; a split communicator never sees one;
 * disarmed, none. */
static void periodic(void)
{
  ss_periodic p = {.every = 0.05, .last = ss_wtime(), .world_size = size, .root = rank == 0, .write = count_write};
  ss_safepoint sp;
  ss_err e = {0};
  ss_comm *half = NULL;
  ss_comm_split(world, rank % 2, rank, &half);
  ss_periodic_arm(&p);
  long n = 20000, dues = 0, sum = 0, split_dues = 0;
  ss_safepoint_init(&sp);
  for (long i = 0; i < n && !e.code; i++) {
    int due = 0;
    work(i);
    if (ss_safepoint_due(&sp, world, "step", i + 1, n, &due, &e) || !due) continue;
    dues++, sum += i;
    if (!ss_periodic_write(world, &e) && rank == 0) p.last = ss_wtime();
  }
  ss_safepoint_init(&sp);
  for (long i = 0; size > 1 && i < 2000 && !e.code; i++) {
    int due = 0;
    work(i);
    ss_safepoint_due(&sp, half, "step", i + 1, n, &due, &e);
    split_dues += due;
  }
  ss_periodic_arm(NULL);
  int64_t v[3] = {dues, sum, writes}, lo[3] = {dues, sum, writes};
  ss_comm_max_i64(world, v, 3);
  ss_comm_min_i64(world, lo, 3);
  check(e.code == SS_OK && v[0] >= 1 && v[0] == lo[0] && v[1] == lo[1], "periodic checkpoints are due at the same iterations on every rank");
  check(v[2] == v[0] && lo[2] == v[0], "ss_periodic_write calls the armed write on every rank");
  check(split_dues == 0, "a split communicator's safe points are never due");
  ss_comm_free(&half);
}

/* Several rank groups (parallel.groups > 1): each half of the ranks armed with its own
 * communicator and its own leader's clock sees *due at the same iterations on every rank of the
 * half (the halves independently: the second one's leader decides with a period twice as long),
 * the write runs on every rank of the half, and a safe point over the world is never due. */
static void periodic_groups(void)
{
  ss_comm *half = NULL;
  int color = rank % 2;
  ss_comm_split(world, color, rank, &half);
  int hrank = ss_comm_rank(half);
  writes = 0;
  ss_periodic p = {.every = color ? 0.1 : 0.05, .last = ss_wtime(), .comm = half, .root = hrank == 0,
                   .write = count_write};
  ss_safepoint sp;
  ss_err e = {0};
  ss_periodic_arm(&p);
  long n = 40000, dues = 0, sum = 0, world_dues = 0;
  ss_safepoint_init(&sp);
  for (long i = 0; i < n && !e.code; i++) {
    int due = 0;
    if (i % 16 == 0) usleep(100); /* every group's ranks: about 0.25 s in all */
    if (ss_safepoint_due(&sp, half, "step", i + 1, n, &due, &e) || !due) continue;
    dues++, sum += i;
    if (!ss_periodic_write(half, &e) && hrank == 0) p.last = ss_wtime();
  }
  ss_safepoint_init(&sp);
  for (long i = 0; i < 2000 && !e.code; i++) {
    int due = 0;
    ss_safepoint_due(&sp, world, "step", i + 1, n, &due, &e);
    world_dues += due;
  }
  ss_periodic_arm(NULL);
  int64_t v[3] = {dues, sum, writes}, lo[3] = {dues, sum, writes}, w = world_dues;
  ss_comm_max_i64(half, v, 3);
  ss_comm_min_i64(half, lo, 3);
  int64_t bad[2] = {!(e.code == SS_OK && v[0] >= 1 && v[0] == lo[0] && v[1] == lo[1]), !(v[2] == v[0] && lo[2] == v[0])};
  check(!bad[0], "groups: periodic checkpoints are due at the same iterations on every rank of a group");
  check(!bad[1], "groups: ss_periodic_write calls the armed write on every rank of the group");
  check(w == 0, "groups: a safe point over the world is never due");
  ss_comm_free(&half);
}

int main(int argc, char **argv)
{
  if (ss_par_init(&argc, &argv, &world)) return 1;
  ss_interrupt_install();
  rank = ss_comm_rank(world);
  size = ss_comm_size(world);
  no_signal();
  periodic();
  periodic_groups();
  one_rank_signalled();
  if (rank == 0 && !failures) printf("mpi_safepoint P=%d: ok\n", size);
  ss_par_finalize(world);
  return failures ? 1 : 0;
}
