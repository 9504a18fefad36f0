/* The state of a ridge estimate for checkpoints (include/stratsim/bandit_ridge.h): V^{-1}, theta,
 * b and V, every bit (so that the Sherman-Morrison drift continues exactly), then the update
 * counts. Each array is copied through its own pointer, whatever ss_ridge_attach's layout. */
#include <string.h>
#include "stratsim/bandit_ridge.h"

static size_t packed_bytes(int d) { return (size_t)d * (size_t)(d + 1) / 2 * sizeof(double); }

size_t ss_ridge_state_bytes(int d)
{
  return 2 * packed_bytes(d) + 2 * (size_t)d * sizeof(double) + 2 * sizeof(int64_t);
}

void ss_ridge_save(const ss_ridge *r, unsigned char *buf)
{
  size_t p = packed_bytes(r->d), v = (size_t)r->d * sizeof(double);
  int64_t counts[2] = {r->n, r->since_refactor};
  memcpy(buf, r->vinv, p);
  memcpy(buf + p, r->v, p);
  memcpy(buf + 2 * p, r->theta, v);
  memcpy(buf + 2 * p + v, r->b, v);
  memcpy(buf + 2 * p + 2 * v, counts, sizeof counts);
}

void ss_ridge_load(ss_ridge *r, const unsigned char *buf)
{
  size_t p = packed_bytes(r->d), v = (size_t)r->d * sizeof(double);
  int64_t counts[2];
  memcpy(r->vinv, buf, p);
  memcpy(r->v, buf + p, p);
  memcpy(r->theta, buf + 2 * p, v);
  memcpy(r->b, buf + 2 * p + v, v);
  memcpy(counts, buf + 2 * p + 2 * v, sizeof counts);
  r->n = counts[0];
  r->since_refactor = counts[1];
}
