/* In-task checkpoint state: named byte strings (see task_state.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/task_state.h"

struct ss_task_state {
  int n;
  char **key;
  char **data;
  size_t *len;
};

void ss_put_le64(unsigned char *p, unsigned long long v)
{
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

unsigned long long ss_get_le64(const unsigned char *p)
{
  unsigned long long v = 0;
  for (int i = 0; i < 8; i++) v |= (unsigned long long)p[i] << (8 * i);
  return v;
}

int ss_task_state_new(ss_task_state **s, ss_err *e)
{
  *s = ss_calloc(1, sizeof **s, e);
  return e->code;
}

void ss_task_state_free(ss_task_state **s)
{
  if (!*s) return;
  for (int i = 0; i < (*s)->n; i++) {
    free((*s)->key[i]);
    free((*s)->data[i]);
  }
  free((*s)->key);
  free((*s)->data);
  free((*s)->len);
  free(*s);
  *s = NULL;
}

static int find(const ss_task_state *s, const char *key)
{
  for (int i = 0; s && i < s->n; i++)
    if (!strcmp(s->key[i], key)) return i;
  return -1;
}

int ss_task_state_put(ss_task_state *s, const char *key, const void *data, size_t len, ss_err *e)
{
  char *copy = ss_malloc(len ? len : 1, e);
  if (!copy) return e->code;
  if (len) memcpy(copy, data, len);
  int i = find(s, key);
  if (i < 0) { /* one more entry: the arrays copied into arrays one longer */
    size_t n = (size_t)s->n, kl = strlen(key);
    char **k = ss_calloc(n + 1, sizeof *k, e), **d = ss_calloc(n + 1, sizeof *d, e), *name = ss_malloc(kl + 1, e);
    size_t *l = ss_calloc(n + 1, sizeof *l, e);
    if (!k || !d || !l || !name) {
      free(copy), free(k), free(d), free(l), free(name);
      return e->code;
    }
    if (n) {
      memcpy(k, s->key, n * sizeof *k);
      memcpy(d, s->data, n * sizeof *d);
      memcpy(l, s->len, n * sizeof *l);
    }
    memcpy(name, key, kl + 1);
    free(s->key), free(s->data), free(s->len);
    s->key = k, s->data = d, s->len = l;
    i = s->n++;
    s->key[i] = name;
    s->data[i] = NULL;
  }
  free(s->data[i]);
  s->data[i] = copy;
  s->len[i] = len;
  return SS_OK;
}

void ss_task_state_clear(ss_task_state *s, const char *key)
{
  int i = find(s, key);
  if (i >= 0) s->len[i] = 0; /* the bytes are freed with the state or at the next put */
}

const void *ss_task_state_get(const ss_task_state *s, const char *key, size_t *len)
{
  int i = find(s, key);
  if (i < 0) return NULL;
  if (len) *len = s->len[i];
  return s->data[i];
}

int ss_task_state_count(const ss_task_state *s) { return s ? s->n : 0; }

const char *ss_task_state_where(const ss_task_state *s)
{
  size_t len = 0;
  const char *w = ss_task_state_get(s, "where", &len);
  return w && len && w[len - 1] == '\0' ? w : "";
}

int ss_task_state_pack(const ss_task_state *s, char **buf, size_t *len, ss_err *e)
{
  size_t total = 4;
  for (int i = 0; i < s->n; i++) total += 4 + strlen(s->key[i]) + 8 + s->len[i];
  unsigned char *p = ss_malloc(total, e);
  if (!p) return e->code;
  *buf = (char *)p;
  *len = total;
  unsigned char b8[8];
  ss_put_le64(b8, (unsigned long long)s->n);
  memcpy(p, b8, 4);
  p += 4;
  for (int i = 0; i < s->n; i++) {
    size_t kl = strlen(s->key[i]);
    ss_put_le64(b8, kl);
    memcpy(p, b8, 4);
    memcpy(p + 4, s->key[i], kl);
    p += 4 + kl;
    ss_put_le64(p, s->len[i]);
    memcpy(p + 8, s->data[i], s->len[i]);
    p += 8 + s->len[i];
  }
  return SS_OK;
}

/* Reads a u32 (as 4 bytes of a u64) at *at if it fits. */
static int take32(const unsigned char *b, size_t len, size_t *at, uint32_t *v)
{
  unsigned char b8[8] = {0};
  if (len - *at < 4) return 0;
  memcpy(b8, b + *at, 4);
  *v = (uint32_t)ss_get_le64(b8);
  *at += 4;
  return 1;
}

int ss_task_state_unpack(const char *buf, size_t len, ss_task_state **s, ss_err *e)
{
  const unsigned char *b = (const unsigned char *)buf;
  size_t at = 0;
  uint32_t n, kl;
  SS_TRY(ss_task_state_new(s, e));
  if (!take32(b, len, &at, &n)) goto bad;
  for (uint32_t i = 0; i < n; i++) {
    if (!take32(b, len, &at, &kl) || len - at < (size_t)kl + 8 || kl > 255) goto bad;
    char key[256];
    memcpy(key, b + at, kl);
    key[kl] = '\0';
    at += kl;
    unsigned long long dl = ss_get_le64(b + at);
    at += 8;
    if (dl > len - at) goto bad;
    if (ss_task_state_put(*s, key, b + at, (size_t)dl, e)) {
      ss_task_state_free(s);
      return e->code;
    }
    at += (size_t)dl;
  }
  if (at == len) return SS_OK;
bad:
  ss_task_state_free(s);
  return ss_fail(e, SS_EINPUT, "corrupted in-task state in the checkpoint");
}
