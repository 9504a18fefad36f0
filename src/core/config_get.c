/* Reading a parsed config's values (stratsim/config.h): the typed getters that experiments
 * and plug-ins call at check, setup and run time. A leaf: it calls nothing that reaches the
 * registry (the parser in config.c does), so a plug-in that reads its settings is not on a
 * circle with the registry that lists it (scripts/check_arch.py --objects). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/par.h"
#include "config_impl.h"

int ss_config_key_index(const ss_config *c, const char *path)
{
  for (int i = 0; i < c->nkeys; i++)
    if (!strcmp(c->keys[i]->path, path)) return i;
  return -1;
}

static const ss_val *lookup(const ss_config *c, const char *path, ss_type t1, ss_type t2)
{
  int idx = ss_config_key_index(c, path);
  /* a programming error, not an input error: scripts/check_arch.py checks every key the code
   * reads against the schema, so this last resort (docs/errors.md) is unreachable from a config */
  if (idx < 0 || (c->keys[idx]->type != t1 && c->keys[idx]->type != t2))
    ss_par_last_resort(SS_ERUNTIME, "internal error: config key '%s' %s", path,
                       idx < 0 ? "is not in the schema" : "read with the wrong type");
  return &c->vals[idx];
}

long long ss_cfg_int(const ss_config *c, const char *path) { return lookup(c, path, SS_T_INT, SS_T_INT)->i; }
double ss_cfg_real(const ss_config *c, const char *path)
{
  const ss_val *v = lookup(c, path, SS_T_REAL, SS_T_INT);
  return v->r;
}
int ss_cfg_bool(const ss_config *c, const char *path) { return lookup(c, path, SS_T_BOOL, SS_T_BOOL)->b; }
const char *ss_cfg_str(const ss_config *c, const char *path)
{
  return lookup(c, path, SS_T_STRING, SS_T_ENUM)->s;
}
const double *ss_cfg_list(const ss_config *c, const char *path, int *n)
{
  const ss_val *v = lookup(c, path, SS_T_REAL_LIST, SS_T_INT_LIST);
  if (n) *n = v->has ? v->n : 0;
  return v->has ? v->v : NULL;
}
const long long *ss_cfg_int_list(const ss_config *c, const char *path, int *n)
{
  const ss_val *v = lookup(c, path, SS_T_INT_LIST, SS_T_INT_LIST);
  if (n) *n = v->has ? v->n : 0;
  return v->has ? v->iv : NULL;
}
const double *ss_cfg_matrix(const ss_config *c, const char *path, int *rows, int *cols)
{
  const ss_val *v = lookup(c, path, SS_T_REAL_MATRIX, SS_T_REAL_MATRIX);
  if (rows) *rows = v->has ? v->rows : 0;
  if (cols) *cols = v->has ? v->cols : 0;
  return v->has ? v->v : NULL;
}

const char *const *ss_cfg_enum_list(const ss_config *c, const char *path, int *n)
{
  const ss_val *v = lookup(c, path, SS_T_ENUM_LIST, SS_T_ENUM_LIST);
  if (n) *n = v->has ? v->n : 0;
  return v->has ? (const char *const *)v->sv : NULL;
}

int ss_cfg_has(const ss_config *c, const char *path)
{
  int idx = ss_config_key_index(c, path);
  return idx >= 0 && c->vals[idx].has;
}

int ss_cfg_is_set(const ss_config *c, const char *path)
{
  int idx = ss_config_key_index(c, path);
  return idx >= 0 && c->vals[idx].set;
}

int ss_cfg_is_changed(const ss_config *c, const char *path, ss_err *e)
{
  int idx = ss_config_key_index(c, path);
  if (idx < 0 || !c->vals[idx].set) return 0;
  const ss_key *k = c->keys[idx];
  if (!k->def) return 1;
  ss_val def;
  if (ss_val_default(k, &def, e)) { /* out of memory: a runtime error, not the config's */
    ss_val_free(&def);
    return -1;
  }
  int same = ss_val_equal(k, &c->vals[idx], &def);
  ss_val_free(&def);
  return !same;
}

const char *ss_cfg_where(const ss_config *c, const char *path)
{
  int idx = ss_config_key_index(c, path);
  if (idx < 0 || !c->vals[idx].set) return c->source;
  return c->vals[idx].where;
}

int ss_cfg_error(const ss_config *c, const char *path, ss_err *e, const char *fmt, ...)
{
  char msg[SS_ERRMSG];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ss_fail(e, SS_EINPUT, "%s: %s: %s", ss_cfg_where(c, path), path, msg);
}

const char *ss_cfg_experiment(const ss_config *c) { return c->exp->name; }
const char *ss_cfg_source(const ss_config *c) { return c->source; }
