/* The one plug-in registry (include/stratsim/plugin.h): every family is a static table of ops
 * pointers; this file finds, lists, suggests and generates the schema's choices for all. */
#include <stdio.h>
#include <string.h>
#include "stratsim/plugin.h"
#include "config_impl.h"

const char *ss_plugin_name(const void *ops) { return ops ? *(const char *const *)ops : NULL; }

int ss_plugin_count(const ss_plugin_family *f) { return f->n; }

const ss_key *ss_plugin_keys_of(const ss_plugin_family *f, const void *ops, int *n)
{
  *n = 0;
  if (!f->keys_offset || !ops) return NULL;
  /* `const ss_key *keys; int nkeys;` at keys_offset: each member read with its own type */
  const char *at = (const char *)ops + f->keys_offset;
  *n = *(const int *)(at + offsetof(ss_plugin_keys, nkeys));
  return *(const ss_key *const *)at;
}

const void *ss_plugin_at(const ss_plugin_family *f, int i)
{
  return i >= 0 && i < f->n ? f->items[i] : NULL;
}

const void *ss_plugin_find(const ss_plugin_family *f, const char *name)
{
  for (int i = 0; name && i < f->n; i++)
    if (!strcmp(ss_plugin_name(f->items[i]), name)) return f->items[i];
  return NULL;
}

const char *ss_plugin_suggest(const ss_plugin_family *f, const char *name)
{
  const char *cands[64];
  int n = 0;
  for (int i = 0; i < f->n && n < 64; i++) cands[n++] = ss_plugin_name(f->items[i]);
  return name ? ss_nearest(name, cands, n) : NULL;
}

const char *ss_plugin_choices(const ss_plugin_family *f, char *buf, size_t len)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < f->n && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "|" : "", ss_plugin_name(f->items[i]));
  return buf;
}

int ss_plugin_unknown(const ss_plugin_family *f, const char *name, ss_err *e)
{
  char choices[1024];
  const char *near = ss_plugin_suggest(f, name);
  return ss_fail(e, SS_EINPUT, "%s: %s '%s' is not registered (one of %s)%s%s%s", f->key, f->what,
                 name ? name : "(null)", ss_plugin_choices(f, choices, sizeof choices),
                 near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

const void *ss_plugin_selected(const ss_plugin_family *f, const ss_config *cfg)
{
  return ss_plugin_find(f, ss_cfg_str(cfg, f->key));
}

int ss_plugin_choice_value(const ss_plugin_family *f, const ss_config *cfg)
{
  const ss_plugin_choice *c = ss_plugin_selected(f, cfg);
  return c ? c->value : -1;
}

/* ------------------------------------------------------------------ the gathered schema */
const ss_plugin_family *ss_plugin_family_of(const ss_experiment_ops *exp, const char *path)
{
  for (int i = 0; exp->plugins && exp->plugins[i]; i++)
    if (!strcmp(exp->plugins[i]->key, path)) return exp->plugins[i];
  return NULL;
}

/* A registry-backed key with its choices filled in: one static copy per family (never freed,
 * no heap, identical on every rank). */
#define SS_MAX_FAMILIES 32
static struct {
  const ss_plugin_family *f;
  ss_key key;
  char choices[1024];
} resolved[SS_MAX_FAMILIES];

static const ss_key *resolve_in(const ss_plugin_family *f, const ss_key *k)
{
  if (!f) return k; /* a programming error, caught by the schema-vs-registry tests */
  int i = 0;
  while (i < SS_MAX_FAMILIES && resolved[i].f && resolved[i].f != f) i++;
  if (i == SS_MAX_FAMILIES) return k;
  if (!resolved[i].f) {
    resolved[i].key = *k;
    ss_plugin_choices(f, resolved[i].choices, sizeof resolved[i].choices);
    resolved[i].key.choices = resolved[i].choices;
    resolved[i].f = f;
  }
  return &resolved[i].key;
}

static const ss_key *resolve(const ss_experiment_ops *exp, const ss_key *k)
{
  if (!k->choices || strcmp(k->choices, SS_PLUGIN_CHOICES)) return k;
  return resolve_in(ss_plugin_family_of(exp, k->path), k);
}

const ss_key *ss_plugin_resolve(const ss_plugin_family *f, const ss_key *k)
{
  if (!k->choices || strcmp(k->choices, SS_PLUGIN_CHOICES)) return k;
  return resolve_in(f && !strcmp(k->path, f->key) ? f : NULL, k);
}

/* Does plug-in ops of f declare a key at path? */
static int declares(const ss_plugin_family *f, const void *ops, const char *path)
{
  int nk = 0;
  const ss_key *ks = ss_plugin_keys_of(f, ops, &nk);
  for (int j = 0; ks && j < nk; j++)
    if (!strcmp(ks[j].path, path)) return 1;
  return 0;
}

/* Is the key at path declared by a plug-in of f before plug-in p (a key several plug-ins
 * read, such as the centred populations' rlhf.population.mean: listed once, at its first)? */
static int declared_before(const ss_plugin_family *f, int p, const char *path)
{
  for (int q = 0; q < p; q++)
    if (declares(f, f->items[q], path)) return 1;
  return 0;
}

/* "a or b" into buf: the plug-ins of f that declare path. */
static const char *readers(const ss_plugin_family *f, const char *path, char *buf, size_t len)
{
  size_t used = 0;
  int n = 0;
  buf[0] = '\0';
  for (int i = 0; i < f->n && used < len; i++)
    if (declares(f, f->items[i], path))
      used += (size_t)snprintf(buf + used, len - used, "%s%s", n++ ? " or " : "", ss_plugin_name(f->items[i]));
  return buf;
}

int ss_plugin_check_unread(const ss_plugin_family *f, const ss_config *cfg, const void *selected,
                           const char *found, ss_err *e)
{
  const char *dot = strchr(f->key, '.'), *shortkey = dot ? dot + 1 : f->key; /* "env.type" */
  for (int p = 0; p < f->n; p++) {
    int nk = 0;
    const ss_key *ks = ss_plugin_keys_of(f, f->items[p], &nk);
    for (int j = 0; ks && j < nk; j++) {
      const char *path = ks[j].path;
      if (f->items[p] == selected || declares(f, selected, path)) continue;
      int changed = ss_cfg_is_changed(cfg, path, e);
      if (changed < 0) return e->code;
      if (!changed) continue;
      char who[512], sel[256];
      if (!found) snprintf(sel, sizeof sel, "%s %s", shortkey, ss_plugin_name(selected));
      return ss_cfg_error(cfg, path, e, "only %s %s reads it; found %s", shortkey,
                          readers(f, path, who, sizeof who), found ? found : sel);
    }
  }
  return SS_OK;
}

/* Walks the schema: each base key, then (if it selects a family) every plug-in's keys (a key
 * that several plug-ins declare, once). Returns key `want`, or NULL and the number of keys in
 * *count. */
static const ss_key *walk(const ss_experiment_ops *exp, int want, int *count)
{
  int idx = 0;
  for (int b = 0; b < exp->nkeys; b++) {
    if (idx++ == want) return resolve(exp, &exp->keys[b]);
    const ss_plugin_family *f = ss_plugin_family_of(exp, exp->keys[b].path);
    for (int p = 0; f && p < f->n; p++) {
      int nk = 0;
      const ss_key *ks = ss_plugin_keys_of(f, f->items[p], &nk);
      for (int j = 0; ks && j < nk; j++)
        if (!declared_before(f, p, ks[j].path) && idx++ == want) return resolve(exp, &ks[j]);
    }
  }
  if (count) *count = idx;
  return NULL;
}

int ss_schema_nkeys(const ss_experiment_ops *exp)
{
  int n = 0;
  walk(exp, -1, &n);
  return n;
}

const ss_key *ss_schema_key(const ss_experiment_ops *exp, int i)
{
  return i < 0 ? NULL : walk(exp, i, NULL);
}
