/* Elementwise vector updates of the dense solvers (the simplex pivot, the LU elimination):
 * y_j -= f x_j and y_j *= f. Every element gets the same two (or one) rounded IEEE operations
 * as the plain loop, in lanes of two (SSE2, part of every x86-64), so the results are the same
 * bits with or without the lanes; there is no reduction and no fused multiply-add. */
#include "stratsim/rlhf.h"
#include "linalg.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void rlhf_vec_sub_scaled(double *restrict y, double f, const double *restrict x, int n)
{
  int j = 0;
#if defined(__SSE2__)
  __m128d vf = _mm_set1_pd(f);
  for (; j + 2 <= n; j += 2)
    _mm_storeu_pd(y + j, _mm_sub_pd(_mm_loadu_pd(y + j), _mm_mul_pd(vf, _mm_loadu_pd(x + j))));
#endif
  for (; j < n; j++) y[j] -= f * x[j];
}

void rlhf_vec_scale(double *y, double f, int n)
{
  int j = 0;
#if defined(__SSE2__)
  __m128d vf = _mm_set1_pd(f);
  for (; j + 2 <= n; j += 2) _mm_storeu_pd(y + j, _mm_mul_pd(_mm_loadu_pd(y + j), vf));
#endif
  for (; j < n; j++) y[j] *= f;
}

void rlhf_vec_psw_hess_row(double *restrict h, const double *restrict p, double pa,
                           const double *restrict pz, double r, double r3, double f, int n)
{
  int j = 0;
#if defined(__SSE2__)
  __m128d vr = _mm_set1_pd(r), vr3 = _mm_set1_pd(r3), vf = _mm_set1_pd(f), va = _mm_set1_pd(pa);
  for (; j + 2 <= n; j += 2) {
    __m128d t = _mm_sub_pd(_mm_div_pd(_mm_loadu_pd(p + j), vr),
                           _mm_div_pd(_mm_mul_pd(va, _mm_loadu_pd(pz + j)), vr3));
    _mm_storeu_pd(h + j, _mm_sub_pd(_mm_loadu_pd(h + j), _mm_mul_pd(vf, t)));
  }
#endif
  for (; j < n; j++) h[j] -= f * (p[j] / r - pa * pz[j] / r3);
}
