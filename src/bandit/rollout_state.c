/* In-task checkpoints of a batch of rollouts in the middle of its rounds (rollout_lane.h,
 * docs/checkpoint.md). At a block's safe point every lane's running totals, the curve so far,
 * its selections, its squared-context sums and its mechanism's state are saved: the rounds after
 * it are keyed by (seed, round, arm), so a batch loaded from it plays the same bits as one that
 * never stopped, on any rank count (the per-arm parts are gathered in arm order).
 *
 * The record: "ROLLST01", then as u64 the round t, lanes n, K, d, T and the context kind; per
 * lane a u64 length, then regret (double), rounds with every arm eliminated, curve entries c,
 * squared sums s (u64 each), the c curve doubles, K selections (i64), the s doubles (d shared, or
 * K x d in arm order for i.i.d. contexts), and the mechanism's state (ss_bandit_mech_save). */
#include <stdlib.h>
#include <string.h>
#include "stratsim/bandit_context.h"
#include "stratsim/bandit_mech.h"
#include "stratsim/task_state.h"
#include "rollout_lane.h"

#define MAGIC "ROLLST01"
enum { HEAD = 56, LANE_HEAD = 40 };

/* Squared-sum doubles of a lane's record (all arms). */
static size_t sq_count(const ss_bandit_env *env, const lane *l)
{
  if (!l->o->details) return 0;
  return env->contexts == SS_BANDIT_CTX_SHARED ? (size_t)env->d : (size_t)env->K * (size_t)env->d;
}

/* Appends len bytes to *buf (rank 0's record). */
static int append(char **buf, size_t *len, const void *p, size_t n, ss_err *e)
{
  char *b = ss_realloc(*buf, *len + n + 1, e);
  if (!b) return e->code;
  if (n) memcpy(b + *len, p, n);
  *buf = b;
  *len += n;
  return SS_OK;
}

/* One lane's record appended to rank 0's *buf. Collective over c (the gathers). */
static int save_lane(ss_comm *c, const ss_bandit_env *env, const lane *l, char **buf, size_t *len, ss_err *e)
{
  const ss_bandit_mech *m = l->m;
  int iid = env->contexts != SS_BANDIT_CTX_SHARED, root = ss_comm_rank(c) == 0;
  size_t nsq = sq_count(env, l), K = (size_t)env->K;
  char *sq = NULL, *mech = NULL;
  size_t sqlen = 0, mlen = 0;
  if (iid && nsq) /* the owned arms' sums, in arm order */
    ss_par_gather_bytes(c, l->sq_base, (size_t)(m->hi - m->lo) * env->d * sizeof(double), 0, &sq, &sqlen, e);
  ss_bandit_mech_save(c, m, &mech, &mlen, e);
  if (root && !e->code) {
    unsigned char h[LANE_HEAD];
    size_t total = LANE_HEAD - 8 + (size_t)l->ncurve * 8 + K * 8 + nsq * 8 + mlen;
    unsigned long long v[5] = {total, 0, (unsigned long long)l->all_eliminated, (unsigned long long)l->ncurve, nsq};
    for (int i = 0; i < 5; i++) ss_put_le64(h + 8 * i, v[i]);
    memcpy(h + 8, &l->regret, sizeof(double));
    if (!append(buf, len, h, LANE_HEAD, e) && !append(buf, len, l->o->curve, (size_t)l->ncurve * 8, e) &&
        !append(buf, len, l->out->selections, K * 8, e) &&
        !append(buf, len, iid ? (const void *)sq : l->sq_base, nsq * 8, e))
      append(buf, len, mech, mlen, e);
  }
  free(sq);
  free(mech);
  return e->code;
}

/* The batch's record on rank 0 of c (NULL elsewhere). Collective over c. */
static int save_lanes(ss_comm *c, const ss_bandit_env *env, const lane *lanes, int n, int64_t t, char **buf,
                      size_t *len, ss_err *e)
{
  unsigned char h[HEAD];
  unsigned long long v[6] = {(unsigned long long)t, (unsigned long long)n, (unsigned long long)env->K,
                             (unsigned long long)env->d, (unsigned long long)env->T,
                             (unsigned long long)env->contexts};
  *buf = NULL;
  *len = 0;
  memcpy(h, MAGIC, 8);
  for (int i = 0; i < 6; i++) ss_put_le64(h + 8 + 8 * i, v[i]);
  if (ss_comm_rank(c) == 0) append(buf, len, h, HEAD, e);
  for (int k = 0; k < n; k++) save_lane(c, env, &lanes[k], buf, len, e); /* the gathers agree on e */
  if (e->code) {
    free(*buf);
    *buf = NULL;
  }
  return e->code;
}

/* The round a record continues after, checked against env and n (0: malformed). */
static int64_t record_round(const ss_bandit_env *env, int n, const char *buf, size_t len)
{
  const unsigned char *p = (const unsigned char *)buf;
  if (len < HEAD || memcmp(p, MAGIC, 8) || ss_get_le64(p + 16) != (unsigned long long)n ||
      ss_get_le64(p + 24) != (unsigned long long)env->K || ss_get_le64(p + 32) != (unsigned long long)env->d ||
      ss_get_le64(p + 40) != (unsigned long long)env->T || ss_get_le64(p + 48) != (unsigned long long)env->contexts)
    return 0;
  unsigned long long t = ss_get_le64(p + 8);
  return t >= 1 && t < (unsigned long long)env->T ? (int64_t)t : 0;
}

/* One lane from its record p (len bytes after its length). Not collective. */
static int load_lane(const ss_bandit_env *env, lane *l, const unsigned char *p, size_t len, ss_err *e)
{
  size_t K = (size_t)env->K, nsq = sq_count(env, l);
  int64_t st = l->o->curve_stride, clen = l->o->curve && st > 0 ? (env->T + st - 1) / st : 0; /* ss_bandit_curve_len */
  unsigned long long nc = len >= LANE_HEAD - 8 ? ss_get_le64(p + 16) : ~0ULL;
  if (nc > (unsigned long long)clen || ss_get_le64(p + 24) != nsq || len < LANE_HEAD - 8 + nc * 8 + K * 8 + nsq * 8)
    return ss_fail(e, SS_EINPUT, "the checkpoint's bandit rollout state does not match this run");
  size_t fixed = LANE_HEAD - 8 + (size_t)nc * 8 + K * 8 + nsq * 8;
  const unsigned char *q = p + LANE_HEAD - 8;
  memcpy(&l->regret, p, sizeof(double));
  l->all_eliminated = (int64_t)ss_get_le64(p + 8);
  l->ncurve = (int64_t)nc;
  if (nc) memcpy(l->o->curve, q, nc * 8);
  memcpy(l->out->selections, q + nc * 8, K * 8);
  q += nc * 8 + K * 8;
  if (env->contexts == SS_BANDIT_CTX_SHARED) memcpy(l->sq_base, q, nsq * 8);
  else if (nsq) memcpy(l->sq_base, q + (size_t)l->m->lo * env->d * 8, (size_t)(l->m->hi - l->m->lo) * env->d * 8);
  return ss_bandit_mech_load(l->m, (const char *)q + nsq * 8, len - fixed, e);
}

/* The round the batch starts at, agreed over the task's ranks: the rollouts' group and the
 * groups that shadow its safe points (ss_bandit_rollout_shadow) each read it from the record,
 * and they must meet at the same safe points. The maximum (of equal values) also agrees on a
 * failed load, pending in e, before the rounds. Collective over task. */
static int agree_start(ss_comm *task, int64_t *start, ss_err *e)
{
  int64_t t = *start;
  SS_TRY(ss_par_max_i64(task, &t, 1, e));
  *start = t;
  return SS_OK;
}

int ss_bandit_lanes_begin(ss_comm *c, const ss_bandit_env *env, ss_bandit_rollout_ckpt *ck, lane *lanes, int n,
                          int64_t *start, ss_err *e)
{
  *start = 1;
  if (!e->code && ck->from) {
    int64_t t = record_round(env, n, ck->from, ck->fromlen);
    const unsigned char *p = (const unsigned char *)ck->from + HEAD, *end = (const unsigned char *)ck->from + ck->fromlen;
    if (!t) ss_fail(e, SS_EINPUT, "the checkpoint's bandit rollout state does not match this run");
    for (int k = 0; k < n && !e->code; k++) {
      size_t len = p + 8 <= end ? (size_t)ss_get_le64(p) : (size_t)-1;
      if (len > (size_t)(end - p - 8)) ss_fail(e, SS_EINPUT, "the checkpoint's bandit rollout state is truncated");
      else load_lane(env, &lanes[k], p + 8, len, e);
      p += 8 + len;
    }
    *start = t + 1;
  }
  return agree_start(ck->task ? ck->task : c, start, e);
}

int ss_bandit_lanes_point(ss_comm *c, const ss_bandit_env *env, ss_bandit_rollout_ckpt *ck, lane *lanes, int n,
                          ss_safepoint *sp, int64_t t1, ss_err *e)
{
  int due = 0;
  int rc = ss_safepoint_due(sp, ck->task ? ck->task : c, "bandit round", t1, env->T, &due, e);
  if (rc != SS_EINTR && (rc || !due)) return rc;
  ss_err se = {0}; /* a failed save keeps the stop (the state saved before, if any, stays) */
  char *rec = NULL;
  size_t len = 0;
  if (!save_lanes(c, env, lanes, n, t1, &rec, &len, &se) && rec) ck->put(ck, t1, rec, len, due, &se);
  else free(rec);
  if (rc == SS_EINTR) return rc;
  *e = se; /* pending: the write agrees on it first */
  return ck->write(ck, e);
}

int ss_bandit_rollout_shadow(ss_bandit_rollout_ckpt *ck, int64_t T, ss_err *e)
{
  int64_t start = 1;
  if (!e->code && ck->from) { /* the round the rollouts continue after (they check the rest) */
    const unsigned char *p = (const unsigned char *)ck->from;
    unsigned long long t = ck->fromlen >= HEAD ? ss_get_le64(p + 8) : 0;
    if (!t || t >= (unsigned long long)T) ss_fail(e, SS_EINPUT, "the checkpoint's bandit rollout state does not match this run");
    start = (int64_t)t + 1;
  }
  SS_TRY(agree_start(ck->task, &start, e)); /* with the rollouts' ss_bandit_lanes_begin */
  ss_safepoint sp;
  ss_safepoint_init(&sp);
  for (int64_t t0 = start; t0 <= T; t0 += SS_BANDIT_BLOCK_ROUNDS) {
    int64_t t1 = t0 + SS_BANDIT_BLOCK_ROUNDS - 1 < T ? t0 + SS_BANDIT_BLOCK_ROUNDS - 1 : T;
    int due = 0;
    if (t1 >= T) break;
    SS_TRY(ss_safepoint_due(&sp, ck->task, "bandit round", t1, T, &due, e));
    if (due) SS_TRY(ck->write(ck, e));
  }
  return SS_OK;
}
