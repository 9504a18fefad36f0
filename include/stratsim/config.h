/* Experiment configuration: a schema of typed keys, YAML files read through libyaml,
 * --set overrides and sweeps. Every value remembers where it came from (file:line:column
 * or the --set argument) so that every error can point at the exact spot. */
#ifndef STRATSIM_CONFIG_H
#define STRATSIM_CONFIG_H

#include <stdio.h>
#include "stratsim/error.h"

typedef enum {
  SS_T_BOOL,
  SS_T_INT,
  SS_T_REAL,
  SS_T_STRING,
  SS_T_ENUM,        /* one of choices, "a|b|c" */
  SS_T_REAL_LIST,   /* [1, 2.5, ...] */
  SS_T_INT_LIST,    /* [0, 3, ...] */
  SS_T_REAL_MATRIX, /* [[..], [..]]: rows of equal length */
  SS_T_ENUM_LIST    /* [a, b]: each one of choices, no repeats */
} ss_type;

/* SS_K_PATH: a string key naming a data file. A relative path is taken from the directory
 * of the config file (from the working directory for --set) and stored absolute, so that
 * a resolved config (show-config, a run's config.yaml) runs from anywhere. */
enum { SS_K_MIN_OPEN = 1, SS_K_MAX_OPEN = 2, SS_K_PATH = 4 };

typedef struct {
  const char *path;    /* dotted key path, e.g. "facility.agents" */
  ss_type type;
  const char *def;     /* default as YAML text; NULL means optional with no default */
  double min, max;     /* bounds for numbers and for list/matrix elements */
  int flags;           /* SS_K_MIN_OPEN / SS_K_MAX_OPEN make a bound exclusive */
  const char *choices; /* SS_T_ENUM only */
  const char *help;    /* one line */
} ss_key;

typedef struct ss_config ss_config;

/* Parses YAML text (the bytes of file `name`) plus overrides "key.path=value" into a
 * validated config. Deterministic: every rank given the same bytes gets the same result.
 * Errors are SS_EINPUT with "name:line:col: key: expected ..., found ...". */
int ss_config_parse(const char *name, const char *text, size_t len, char *const *sets, int nsets,
                    ss_config **out, ss_err *e);
void ss_config_free(ss_config **cfg);

/* Typed access. Asking for a key that is not in the schema, or with the wrong type, is a
 * programming error and aborts. */
long long ss_cfg_int(const ss_config *c, const char *path);
double ss_cfg_real(const ss_config *c, const char *path);
int ss_cfg_bool(const ss_config *c, const char *path);
const char *ss_cfg_str(const ss_config *c, const char *path); /* string or enum; NULL if unset */
const double *ss_cfg_list(const ss_config *c, const char *path, int *n);          /* NULL if unset */
const long long *ss_cfg_int_list(const ss_config *c, const char *path, int *n);   /* NULL if unset */
const double *ss_cfg_matrix(const ss_config *c, const char *path, int *rows, int *cols);
/* Enum list: n names, each one of the key's choices. NULL if unset. */
const char *const *ss_cfg_enum_list(const ss_config *c, const char *path, int *n);
int ss_cfg_has(const ss_config *c, const char *path);   /* has a value (set or default) */
int ss_cfg_is_set(const ss_config *c, const char *path); /* given in the file or by --set */
/* Given (in the file or by --set) with a value other than the key's default (a key without a
 * default: given at all). A written config (config.yaml, show-config) gives every key, so
 * "given its default" must count as not given where that matters (ss_plugin_check_unread). */
int ss_cfg_is_changed(const ss_config *c, const char *path, ss_err *e); /* -1: out of memory, in e */
/* "file:line:col" of the value (or of the key's mapping when unset), for error messages. */
const char *ss_cfg_where(const ss_config *c, const char *path);
/* Config error about a key, in the standard form. Returns SS_EINPUT. */
int ss_cfg_error(const ss_config *c, const char *path, ss_err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

const char *ss_cfg_experiment(const ss_config *c);
const char *ss_cfg_source(const ss_config *c); /* the file name */

/* Sweeps: the cartesian product of the sweep: block, last key varying fastest. Parsing
 * refuses more than SS_MAX_POINTS points or SS_MAX_TASKS tasks (points x seeds). */
#define SS_MAX_POINTS 1000000L
#define SS_MAX_TASKS 10000000L
long ss_config_npoints(const ss_config *c);
/* The experiment's cross-key checks on point i's config (from ss_config_point), the error
 * labelled with the point. Parsing checks each swept value once; the driver checks each
 * point before its task. */
int ss_config_check_point(const ss_config *c, const ss_config *point_cfg, long i, ss_err *e);
/* Is name[0..len) a usable run directory name (one path component)? SS_EINPUT if not. */
int ss_check_run_name(const char *name, size_t len, ss_err *e);
/* A copy of c with sweep point i applied (and no sweep). */
int ss_config_point(const ss_config *c, long i, ss_config **out, ss_err *e);
/* "key=value key=value" of point i, for progress lines. */
void ss_config_point_label(const ss_config *c, long i, char *buf, size_t len);

/* The sweep columns every result row starts with (src/core/sweep_columns.c): the header
 * "point,<key>,..." and point i's values "i,<value>,...". Malloc'd; NULL on failure. */
char *ss_config_sweep_header(const ss_config *c, ss_err *e);
char *ss_config_sweep_values(const ss_config *c, long point, ss_err *e);
/* FNV-1a 64 of the resolved config as YAML (sweep included, file name excluded): equal for
 * the pieces of one sweep array and for a rerun of a run directory's config.yaml. */
unsigned long long ss_config_hash(const ss_config *c);

/* Writers. YAML lists every key of the experiment with its resolved value. */
void ss_config_write_yaml(const ss_config *c, FILE *f);
/* JSON objects for the manifest: the resolved config, and the overrides as given. */
void ss_config_write_json(const ss_config *c, FILE *f, int indent);
void ss_config_write_overrides_json(const ss_config *c, FILE *f);

/* The schema of the common keys and of every experiment, as Markdown (docs/config.md). */
void ss_schema_write_markdown(FILE *f);

#endif
