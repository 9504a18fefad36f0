/* The MDP's large per-state arrays: the project's allocator plus a transparent-huge-page hint.
 * A leaf of the MDP files (mdp.c and mdp_edges.c both allocate through it). */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "rlhf_mdp.h"

/* Asks for transparent huge pages on a large array before it is touched (Linux: with THP in
 * "madvise" mode, the default here, big arrays otherwise get 4 kB pages, and the pass's
 * data-dependent reads of feature rows and successor values miss the TLB on nearly every
 * row). Only a hint: the values are the same either way. */
static void hugepages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t lo = ((uintptr_t)p + page - 1) / page * page, hi = ((uintptr_t)p + bytes) / page * page;
  if (bytes >= (4u << 20) && hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
  (void)p, (void)bytes;
#endif
}

void *rlhf_mdp_alloc(size_t bytes, ss_err *e)
{
  void *p = ss_malloc(bytes ? bytes : 1, e);
  if (p) hugepages(p, bytes);
  return p;
}
