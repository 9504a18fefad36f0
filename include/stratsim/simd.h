/* Whether this process may run the AVX2 versions of the vector kernels (src/util/simd.c): the
 * CPU supports AVX2 and STRATSIM_NO_SIMD is unset (or "0"). Decided once per process; both the
 * AVX2 and the portable kernels give the same bits (their unit tests compare them), so this
 * changes speed only. Not collective. */
#ifndef STRATSIM_SIMD_H
#define STRATSIM_SIMD_H

int ss_use_avx2(void);

#endif
