/* What the benchmarks measure besides wall time: the peak resident memory of the process and
 * the CPU time of the calling thread (less disturbed than wall time when other jobs share the
 * cores). Header-only: every bench program is one file. */
#ifndef STRATSIM_BENCH_CLOCK_H
#define STRATSIM_BENCH_CLOCK_H

#include <sys/resource.h>
#include <time.h>

static inline long peak_rss_kb(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss; /* kilobytes on Linux */
}

static inline double peak_rss_mb(void) { return peak_rss_kb() / 1024.0; }

static inline double cpu_time(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

#endif
