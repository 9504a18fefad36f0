/* The whole state of a bandit mechanism for in-task checkpoints (bandit_mech.h): a header, the
 * part every rank replicates (rank 0's), then every arm's part in arm order. The arms are a block
 * distribution in rank order, so the ranks' owned parts gathered in rank order are in arm order,
 * and a rank of any other layout finds its arms at a fixed offset. */
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_mech.h"
#include "stratsim/task_state.h"

#define MAGIC "MECHST01"
enum { HEAD = 40 }; /* magic, K, d, replicated bytes, arm bytes */

int ss_bandit_mech_saves(const ss_bandit_mech *m)
{
  return m->ops->state_bytes && m->ops->save && m->ops->load;
}

size_t ss_bandit_state_none_bytes(const ss_bandit_mech *m, int per_arm) { return 0; }
void ss_bandit_state_none_save(const ss_bandit_mech *m, int64_t arm, unsigned char *buf) {}
void ss_bandit_state_none_load(ss_bandit_mech *m, int64_t arm, const unsigned char *buf) {}

int ss_bandit_mech_save(ss_comm *c, const ss_bandit_mech *m, char **buf, size_t *len, ss_err *e)
{
  *buf = NULL;
  *len = 0;
  if (!ss_bandit_mech_saves(m)) ss_fail(e, SS_ERUNTIME, "bandit: mechanism %s cannot save its state", m->ops->name);
  size_t shared = e->code ? 0 : m->ops->state_bytes(m, 0), arm = e->code ? 0 : m->ops->state_bytes(m, 1);
  size_t mine = (size_t)(m->hi - m->lo) * arm;
  unsigned char *own = ss_malloc(mine ? mine : 1, e);
  for (int64_t a = m->lo; !e->code && arm && a < m->hi; a++) m->ops->save(m, a, own + (size_t)(a - m->lo) * arm);
  char *arms = NULL;
  size_t alen = 0;
  int rc = ss_par_gather_bytes(c, own, mine, 0, &arms, &alen, e); /* agrees on a failure above */
  free(own);
  if (rc || ss_comm_rank(c) != 0) return rc;
  unsigned char *out = ss_malloc(HEAD + shared + alen, e);
  if (out) {
    memcpy(out, MAGIC, 8);
    unsigned long long v[4] = {(unsigned long long)m->K, (unsigned long long)m->d, shared, arm};
    for (int i = 0; i < 4; i++) ss_put_le64(out + 8 + 8 * i, v[i]);
    if (shared) m->ops->save(m, -1, out + HEAD);
    if (alen) memcpy(out + HEAD + shared, arms, alen);
    *buf = (char *)out;
    *len = HEAD + shared + alen;
  }
  free(arms);
  return e->code; /* rank 0's own: the caller agrees (the checkpoint's write does) */
}

int ss_bandit_mech_load(ss_bandit_mech *m, const char *buf, size_t len, ss_err *e)
{
  const unsigned char *p = (const unsigned char *)buf;
  if (!ss_bandit_mech_saves(m)) return ss_fail(e, SS_EINPUT, "bandit: mechanism %s cannot load a state", m->ops->name);
  size_t shared = m->ops->state_bytes(m, 0), arm = m->ops->state_bytes(m, 1);
  if (len < HEAD || memcmp(p, MAGIC, 8) || ss_get_le64(p + 8) != (unsigned long long)m->K ||
      ss_get_le64(p + 16) != (unsigned long long)m->d || ss_get_le64(p + 24) != shared ||
      ss_get_le64(p + 32) != arm || len != HEAD + shared + (size_t)m->K * arm)
    return ss_fail(e, SS_EINPUT, "the checkpoint's %s state does not match this run (%zu bytes)", m->ops->name, len);
  if (shared) m->ops->load(m, -1, p + HEAD);
  for (int64_t a = m->lo; arm && a < m->hi; a++) m->ops->load(m, a, p + HEAD + shared + (size_t)a * arm);
  return SS_OK;
}
