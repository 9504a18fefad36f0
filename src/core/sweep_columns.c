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

static int write_names(const ss_config *c, FILE *f)
{
  fputs("point", f);
  for (int a = 0; a < c->naxes; a++) {
    const char *path = c->keys[c->axes[a].key]->path;
    fprintf(f, strchr(path, '.') ? ",%s" : ",sweep.%s", path);
  }
  return 0;
}

static int write_values(const ss_config *c, long point, FILE *f)
{
  fprintf(f, "%ld", point);
  long rest = point;
  int *digit = ss_calloc((size_t)c->naxes + 1, sizeof *digit, NULL);
  for (int a = c->naxes - 1; digit && a >= 0; a--) {
    digit[a] = (int)(rest % c->axes[a].nvals);
    rest /= c->axes[a].nvals;
  }
  int bad = !digit;
  for (int a = 0; digit && a < c->naxes; a++) {
    char *val = NULL;
    size_t vlen = 0;
    FILE *vf = open_memstream(&val, &vlen);
    if (!vf) { bad = 1; break; }
    ss_val_write(c->keys[c->axes[a].key], &c->axes[a].vals[digit[a]], vf, 0);
    bad |= fclose(vf) != 0;
    fputc(',', f);
    csv_field(f, val ? val : "");
    free(val);
  }
  free(digit);
  return bad;
}

/* The row's text through a memory stream: `header` writes the column names, otherwise the
 * values of `point`. NULL with a message when memory runs out. */
static char *sweep_text(const ss_config *c, long point, int header, ss_err *e)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  int bad = !f || (header ? write_names(c, f) : write_values(c, point, f));
  if ((f && fclose(f)) || bad || !buf) {
    free(buf);
    ss_fail(e, SS_ERUNTIME, "out of memory");
    return NULL;
  }
  return buf;
}

char *ss_config_sweep_header(const ss_config *c, ss_err *e) { return sweep_text(c, 0, 1, e); }

char *ss_config_sweep_values(const ss_config *c, long point, ss_err *e) { return sweep_text(c, point, 0, e); }
