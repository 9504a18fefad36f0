/* The strategic labelers a config asks for (rlhf.strategic.*), counted before the seed picks
 * them: for the strategies' checks. Apart from population.c, which the whole simulator uses
 * (rlhf_dot, rlhf_block), because this reads the config: kept there, it put every RLHF file in
 * the config reader's circle (scripts/check_arch.py --objects). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "stratsim/rlhf.h"
#include "population_model.h"

static int by_ll(const void *a, const void *b)
{
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

int64_t rlhf_strategic_count(const ss_config *cfg, const rlhf_params *p)
{
  int n = 0;
  const long long *list = ss_cfg_int_list(cfg, "rlhf.strategic.labelers", &n);
  if (!list) {
    int64_t m = (int64_t)llround(ss_cfg_real(cfg, "rlhf.strategic.fraction") * (double)p->k);
    return m < 0 ? 0 : m > p->k ? p->k : m;
  }
  /* distinct labelers in [0, k), as rlhf_strategic_flags marks them */
  ss_err tmp;
  ss_err_clear(&tmp);
  long long *c = ss_malloc((size_t)(n ? n : 1) * sizeof *c, &tmp);
  if (!c) return n; /* only a count for a check: an upper bound will do */
  int64_t m = 0;
  for (int q = 0; q < n; q++)
    if (list[q] >= 0 && list[q] < p->k) c[m++] = list[q];
  qsort(c, (size_t)m, sizeof *c, by_ll);
  int64_t distinct = 0;
  for (int64_t q = 0; q < m; q++) distinct += q == 0 || c[q] != c[q - 1];
  free(c);
  return distinct;
}
