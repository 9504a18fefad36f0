/* The terms of a memory estimate (include/stratsim/memory.h): what an experiment's `memory`
 * op adds, their total, and sizes for messages. A leaf: the experiments' memory ops call it
 * without reaching back into memory.c, which calls them through the registry (no circle,
 * scripts/check_arch.py --objects). */
#include <stdio.h>
#include "stratsim/memory.h"

void ss_mem_add(ss_mem_estimate *m, double bytes, const char *keys, const char *what)
{
  if (!(bytes >= 1)) return;
  if (m->n == SS_MEM_MAX_TERMS) {
    m->term[SS_MEM_MAX_TERMS - 1].bytes += bytes;
    snprintf(m->term[SS_MEM_MAX_TERMS - 1].what, sizeof m->term[0].what, "other terms");
    return;
  }
  ss_mem_term *t = &m->term[m->n++];
  t->bytes = bytes;
  snprintf(t->what, sizeof t->what, "%s", what);
  snprintf(t->keys, sizeof t->keys, "%s", keys);
}

double ss_mem_total(const ss_mem_estimate *m)
{
  double s = 0;
  for (int i = 0; i < m->n; i++) s += m->term[i].bytes;
  return s;
}

void ss_mem_format(double bytes, char *buf, size_t len)
{
  const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) { bytes /= 1024; u++; }
  snprintf(buf, len, u ? "%.3g %s" : "%.0f %s", bytes, unit[u]);
}
