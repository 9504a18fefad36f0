/* The columns that say which sweep point a row belongs to: `point`, then one column per
 * swept key holding that point's value. A dotted key keeps its path as the column name
 * (`bandit.eps`); a top-level key becomes `sweep.<key>` so that it cannot collide with a
 * table's own columns (`seed`). Values are the config's YAML text, quoted as CSV when
 * they hold a comma or a quote (a swept list). */
#include <stdlib.h>
#include <string.h>
#include "config_impl.h"

static void csv_field(FILE *f, const char *s)
{
  if (!strpbrk(s, ",\"\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

char *ss_config_sweep_header(const ss_config *c, ss_err *e)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) {
    ss_fail(e, SS_ERUNTIME, "out of memory");
    return NULL;
  }
  fputs("point", f);
  for (int a = 0; a < c->naxes; a++) {
    const char *path = c->keys[c->axes[a].key]->path;
    fprintf(f, strchr(path, '.') ? ",%s" : ",sweep.%s", path);
  }
  if (fclose(f) || !buf) {
    free(buf);
    ss_fail(e, SS_ERUNTIME, "out of memory");
    return NULL;
  }
  return buf;
}

char *ss_config_sweep_values(const ss_config *c, long point, ss_err *e)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) {
    ss_fail(e, SS_ERUNTIME, "out of memory");
    return NULL;
  }
  fprintf(f, "%ld", point);
  long rest = point;
  int *digit = calloc((size_t)c->naxes + 1, sizeof *digit);
  for (int a = c->naxes - 1; digit && a >= 0; a--) {
    digit[a] = (int)(rest % c->axes[a].nvals);
    rest /= c->axes[a].nvals;
  }
  for (int a = 0; digit && a < c->naxes; a++) {
    char *val = NULL;
    size_t vlen = 0;
    FILE *vf = open_memstream(&val, &vlen);
    if (!vf) break;
    ss_val_write(c->keys[c->axes[a].key], &c->axes[a].vals[digit[a]], vf, 0);
    fclose(vf);
    fputc(',', f);
    csv_field(f, val ? val : "");
    free(val);
  }
  int bad = !digit;
  free(digit);
  if (fclose(f) || bad || !buf) {
    free(buf);
    ss_fail(e, SS_ERUNTIME, "out of memory");
    return NULL;
  }
  return buf;
}
