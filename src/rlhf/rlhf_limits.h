/* Private to src/rlhf: the fixed sizes it is built for. */
#ifndef STRATSIM_RLHF_LIMITS_H
#define STRATSIM_RLHF_LIMITS_H

#include <stddef.h>

#define RLHF_DMAX 64
/* Per-rank bytes SPSA may spend caching every labeler's report-independent data (data_cache.c);
 * above it, each evaluation regenerates the data (same results, slower). */
#define RLHF_CACHE_BUDGET ((size_t)64 << 20)

#endif
