/* Writing a config back out: YAML (show-config; loads back to the same config), JSON
 * (the manifest), and the schema as Markdown (docs/config.md). Keys are grouped into
 * nested sections in the order their sections first appear in the schema. */
#include <stdlib.h>
#include <string.h>
#include "config_impl.h"
#include "stratsim/plugin.h"

/* Does path lie under prefix, and if so, what is the next segment? */
static int child_segment(const char *path, const char *prefix, const char **seg, size_t *seglen)
{
  size_t pl = strlen(prefix);
  if (pl) {
    if (strncmp(path, prefix, pl) || path[pl] != '.') return 0;
    path += pl + 1;
  }
  const char *dot = strchr(path, '.');
  *seg = path;
  *seglen = dot ? (size_t)(dot - path) : strlen(path);
  return dot ? 2 : 1; /* 1: a key here; 2: a section here */
}

static void indent(FILE *f, int n)
{
  for (int i = 0; i < n; i++) fputc(' ', f);
}

/* Is section seg (under prefix) also that of a key before key i? Then it was written there.
 * (A scan instead of a list of seen names: writing a config allocates nothing, so it cannot
 * fail half-way and leave config.yaml or the config hash silently short.) */
static int section_seen(const ss_config *c, int i, const char *prefix, const char *seg, size_t seglen)
{
  for (int k = 0; k < i; k++) {
    const char *s2;
    size_t l2;
    if (child_segment(c->keys[k]->path, prefix, &s2, &l2) == 2 && l2 == seglen && !strncmp(s2, seg, seglen))
      return 1;
  }
  return 0;
}

static void emit(const ss_config *c, FILE *f, const char *prefix, int depth, int json)
{
  int first = 1;
  for (int i = 0; i < c->nkeys; i++) {
    const char *seg;
    size_t seglen;
    int kind = child_segment(c->keys[i]->path, prefix, &seg, &seglen);
    if (!kind) continue;
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)seglen, seg);
    if (kind == 2 && section_seen(c, i, prefix, seg, seglen)) continue;
    if (json) {
      fputs(first ? "\n" : ",\n", f);
      indent(f, 2 * (depth + 1));
      fprintf(f, "\"%s\": ", name);
    } else {
      indent(f, 2 * depth);
      fprintf(f, "%s:", name);
    }
    first = 0;
    if (kind == 1) {
      if (!json) fputc(' ', f);
      if (!json && !c->vals[i].has) fputs("~", f);
      else ss_val_write(c->keys[i], &c->vals[i], f, json);
      if (!json) fputc('\n', f);
    } else {
      char sub[512];
      snprintf(sub, sizeof sub, "%s%s%s", prefix, *prefix ? "." : "", name);
      if (json) fputc('{', f);
      else fputc('\n', f);
      emit(c, f, sub, depth + 1, json);
      if (json) {
        fputc('\n', f);
        indent(f, 2 * (depth + 1));
        fputc('}', f);
      }
    }
  }
}

static void write_sweep_yaml(const ss_config *c, FILE *f);

void ss_config_write_yaml(const ss_config *c, FILE *f)
{
  fprintf(f, "# resolved config of %s (defaults filled in)\n", c->source);
  emit(c, f, "", 0, 0);
  write_sweep_yaml(c, f);
}

static void write_sweep_yaml(const ss_config *c, FILE *f)
{
  if (c->naxes) {
    fputs("sweep:\n", f);
    for (int a = 0; a < c->naxes; a++) {
      fprintf(f, "  %s: [", c->keys[c->axes[a].key]->path);
      for (int v = 0; v < c->axes[a].nvals; v++) {
        if (v) fputs(", ", f);
        ss_val_write(c->keys[c->axes[a].key], &c->axes[a].vals[v], f, 0);
      }
      fputs("]\n", f);
    }
  }
}

unsigned long long ss_config_hash(const ss_config *c)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return 0;
  emit(c, f, "", 0, 0);
  write_sweep_yaml(c, f);
  fclose(f);
  unsigned long long h = 1469598103934665603ULL;
  for (size_t i = 0; buf && i < len; i++) h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
  free(buf);
  return h;
}

void ss_config_write_json(const ss_config *c, FILE *f, int depth)
{
  fputc('{', f);
  emit(c, f, "", depth, 1);
  if (c->naxes) {
    fputs(",\n", f);
    indent(f, 2 * (depth + 1));
    fputs("\"sweep\": {", f);
    for (int a = 0; a < c->naxes; a++) {
      fprintf(f, "%s\"%s\": [", a ? ", " : "", c->keys[c->axes[a].key]->path);
      for (int v = 0; v < c->axes[a].nvals; v++) {
        if (v) fputs(", ", f);
        ss_val_write(c->keys[c->axes[a].key], &c->axes[a].vals[v], f, 1);
      }
      fputc(']', f);
    }
    fputc('}', f);
  }
  fputc('\n', f);
  indent(f, 2 * depth);
  fputc('}', f);
}

void ss_config_write_overrides_json(const ss_config *c, FILE *f)
{
  fputc('[', f);
  for (int i = 0; i < c->nsets; i++) {
    fputs(i ? ", \"" : "\"", f);
    for (const char *s = c->sets[i]; *s; s++) {
      if (*s == '"' || *s == '\\') fputc('\\', f);
      if ((unsigned char)*s >= 0x20) fputc(*s, f);
    }
    fputc('"', f);
  }
  fputc(']', f);
}

static const char *type_name(ss_type t)
{
  static const char *names[] = {"bool", "int", "real", "string", "enum", "list of real",
                                "list of int", "matrix of real", "list of enum"};
  return names[t];
}

static void markdown_row(FILE *f, const ss_key *k)
{
  char range[1100] = "";
  if (k->type == SS_T_ENUM || k->type == SS_T_ENUM_LIST) snprintf(range, sizeof range, "`%s`", k->choices);
  else if (k->min != 0 || k->max != 0)
    snprintf(range, sizeof range, "%s%g, %g%s", (k->flags & SS_K_MIN_OPEN) ? "(" : "[", k->min,
             k->max, (k->flags & SS_K_MAX_OPEN) ? ")" : "]");
  fprintf(f, "| `%s` | %s | %s | %s%s%s | %s |\n", k->path, type_name(k->type), range,
          k->def ? "`" : "", k->def ? k->def : "(none)", k->def ? "`" : "", k->help);
}

static const char table_head[] = "| key | type | range / choices | default | meaning |\n|---|---|---|---|---|\n";

void ss_schema_write_markdown(FILE *f)
{
  fputs("# Config reference\n\n"
        "Generated by `bin/stratsim schema --markdown` (`make docs`); a test keeps it in step with\n"
        "the schema. A config is a YAML mapping. Nested mappings spell key paths: `facility:` then\n"
        "`agents: 300` is the key `facility.agents`. The same path is used by `--set`\n"
        "(`--set facility.agents=500`) and in `sweep:`.\n\n"
        "## Sweeps\n\n"
        "`sweep:` maps key paths to lists of values; the run covers their cartesian product, the\n"
        "last key varying fastest. `--sweep-index I` runs point I alone (for SLURM arrays). A\n"
        "`--set` on a swept key pins that key and drops it from the sweep.\n\n"
        "## Common keys\n\n", f);
  fputs(table_head, f);
  for (int i = 0; i < ss_ncommon_keys; i++) markdown_row(f, ss_common_key(i));
  fputc('\n', f);
  for (int x = 0; x < ss_experiment_count(); x++) {
    const ss_experiment_ops *ops = ss_experiment_at(x);
    fprintf(f, "## experiment: %s\n\n%s\n\n", ops->name, ops->summary);
    /* the experiment's keys with its plug-ins' keys gathered in (the registry's choices) */
    fputs(table_head, f);
    for (int i = 0; i < ss_schema_nkeys(ops); i++) markdown_row(f, ss_schema_key(ops, i));
    fputc('\n', f);
  }
}
