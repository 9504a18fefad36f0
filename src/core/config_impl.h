/* Private to the config files: the value store behind ss_config. */
#ifndef STRATSIM_CONFIG_IMPL_H
#define STRATSIM_CONFIG_IMPL_H

#include <yaml.h>
#include "stratsim/config.h"
#include "stratsim/experiment.h"

#define SS_WHERE 512

typedef struct {
  int has, set;
  long long i;
  double r;
  int b;
  char *s;
  double *v;       /* real list, or matrix rows*cols row-major */
  long long *iv;   /* int list */
  char **sv;       /* enum list */
  int n, rows, cols;
  char where[SS_WHERE];
} ss_val;

typedef struct {
  int key;      /* index into keys */
  int nvals;
  ss_val *vals;
  char where[SS_WHERE];
} ss_sweep_axis;

struct ss_config {
  char *source;
  const ss_experiment_ops *exp;
  int nkeys;
  const ss_key **keys;
  ss_val *vals;
  int naxes;
  ss_sweep_axis *axes;
  int nsets;
  char **sets;
};

/* Converts a YAML node into v for key k, with range checks. `where` prefixes messages about
 * the whole value; list elements are located as file:line:col when file is given. */
int ss_val_from_node(const ss_key *k, yaml_document_t *doc, yaml_node_t *node, const char *where,
                     const char *file, ss_val *v, ss_err *e);
/* A plain `~`, `null` or empty scalar: the value is "not given". */
int ss_node_is_null(yaml_node_t *n);
/* Parses the key's default text. */
int ss_val_default(const ss_key *k, ss_val *v, ss_err *e);
void ss_val_free(ss_val *v);
int ss_val_copy(ss_val *dst, const ss_val *src, ss_err *e);
/* Do a and b hold the same value of key k? */
int ss_val_equal(const ss_key *k, const ss_val *a, const ss_val *b);
/* Writes the value as YAML flow text (also valid JSON for numbers/lists when json=1). */
void ss_val_write(const ss_key *k, const ss_val *v, FILE *f, int json);

int ss_config_key_index(const ss_config *c, const char *path);
/* The nearest of the candidate paths to s, or NULL if none is close. */
const char *ss_nearest(const char *s, const char *const *cands, int n);

#endif
