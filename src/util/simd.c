/* The AVX2 dispatch of the vector kernels (stratsim/simd.h): the Philox blocks (rng_blocks.c)
 * and the bandit's scoring lanes (src/bandit/ridge_lanes.c). */
#include <stdlib.h>
#include "stratsim/simd.h"

int ss_use_avx2(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  static int state = -1;
  if (state < 0) {
    const char *off = getenv("STRATSIM_NO_SIMD");
    state = __builtin_cpu_supports("avx2") && !(off && *off && *off != '0');
  }
  return state;
#else
  return 0;
#endif
}
