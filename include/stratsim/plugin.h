/* One registry for every plug-in family (facility mechanisms, RLHF aggregators and strategies,
 * bandit mechanisms and strategies, environments, policy solvers): find by name, list,
 * suggest the nearest name, generate the schema's choices, gather the plug-ins' own config keys.
 *
 * A family is a static table of ops pointers (one line per plug-in, in the order of the
 * schema's choices) plus the schema key that selects among them. Every ops struct starts with
 * `const char *name` (C11 6.7.2.1: a pointer to a struct points to its first member), so the
 * registry reads names without knowing the struct. A plug-in declares its config keys next to
 * its code (the family's `keys` accessor returns them); the schema lists them right after the
 * selecting key. See docs/plugins.md. */
#ifndef STRATSIM_PLUGIN_H
#define STRATSIM_PLUGIN_H

#include <stddef.h>
#include "stratsim/config.h"
#include "stratsim/error.h"
#include "stratsim/experiment.h"

/* The `choices` of a schema key whose names come from the registry (the family whose `key` is
 * the key's path): never type the names by hand. */
#define SS_PLUGIN_CHOICES "@registry"

typedef struct ss_plugin_family {
  const char *what;          /* "aggregator", for messages */
  const char *key;           /* the schema key that selects, e.g. "rlhf.strategy" */
  const void *const *items;  /* ops tables; each starts with `const char *name` */
  int n;
  /* optional: where the ops struct holds `const ss_key *keys; int nkeys;` (the config keys
   * the plug-in declares, paths under the experiment's section): SS_PLUGIN_KEYS(type), or 0 */
  size_t keys_offset;
} ss_plugin_family;

/* The two members every ops struct with keys declares, adjacent and in this order. */
typedef struct {
  const ss_key *keys;
  int nkeys;
} ss_plugin_keys;
#define SS_PLUGIN_KEYS(type) offsetof(type, keys)
/* The keys plug-in ops declares (n = 0 when none). */
const ss_key *ss_plugin_keys_of(const ss_plugin_family *f, const void *ops, int *n);

/* n of a family's static table */
#define SS_PLUGIN_COUNT(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))

const char *ss_plugin_name(const void *ops);
int ss_plugin_count(const ss_plugin_family *f);
const void *ss_plugin_at(const ss_plugin_family *f, int i);        /* NULL out of range */
const void *ss_plugin_find(const ss_plugin_family *f, const char *name); /* NULL if unknown */
/* The registered name nearest to name (a plausible typo), or NULL (src/core/suggest.c). */
const char *ss_plugin_suggest(const ss_plugin_family *f, const char *name);
/* "a|b|c" into buf; returns buf (truncation is a programming error: asserted by the tests). */
const char *ss_plugin_choices(const ss_plugin_family *f, char *buf, size_t len);
/* SS_EINPUT "<what> 'x' is not registered (one of a|b|c); did you mean 'y'?" */
int ss_plugin_unknown(const ss_plugin_family *f, const char *name, ss_err *e);

/* An input nothing reads is a mistake, not something to skip silently: a key that a plug-in
 * of f other than `selected` declares (and `selected` does not), when cfg gives it a value
 * other than its default (ss_cfg_is_changed, so that a written config.yaml, which gives every
 * key, loads back), is a config error naming the key's file:line:col and the plug-ins that
 * read it ("only env.type csv reads it; found env.type gaussian"). found: how to name the
 * selection in the message (NULL: "<selecting key> <name>"). A key several plug-ins of one
 * family read is declared by each (the same ss_key: the schema lists it once). */
int ss_plugin_check_unread(const ss_plugin_family *f, const ss_config *cfg, const void *selected,
                           const char *found, ss_err *e);

/* The ops that cfg selects through the family's key (for a parsed config of the experiment the
 * schema has checked the name: never NULL then). */
const void *ss_plugin_selected(const ss_plugin_family *f, const ss_config *cfg);

/* A choice: the entry of a family that selects a constant rather than code (a pure enumeration
 * such as rlhf.median's lower|upper|mean, or the constant a hot loop switches on). Its names
 * live in the registry like any plug-in's, and the config keeps the value. */
typedef struct ss_plugin_choice {
  const char *name;
  const char *summary;
  int value;
  /* optional: the config keys only this choice reads (the family's keys_offset is then
   * SS_PLUGIN_KEYS(ss_plugin_choice)) */
  const ss_key *keys;
  int nkeys;
} ss_plugin_choice;
/* The value of the choice cfg selects (a family of ss_plugin_choice). */
int ss_plugin_choice_value(const ss_plugin_family *f, const ss_config *cfg);
/* The median kinds (SS_MEDIAN_*: lower|upper|mean), shared by every experiment that takes a
 * median (src/core/median_choices.c): a family per selecting key over these items. */
#define SS_MEDIAN_NCHOICES 3
extern const void *const ss_median_choices[SS_MEDIAN_NCHOICES];

/* The schema of an experiment with the plug-ins' keys gathered in: key i of n. Each key whose
 * choices are SS_PLUGIN_CHOICES comes back with the registry's names filled in (static copies,
 * valid for the whole run), followed by the keys of its family's plug-ins in registry order. */
int ss_schema_nkeys(const ss_experiment_ops *exp);
const ss_key *ss_schema_key(const ss_experiment_ops *exp, int i);
/* k itself, or (when k is family f's selecting key with SS_PLUGIN_CHOICES) a static copy with
 * the registry's names filled in. */
const ss_key *ss_plugin_resolve(const ss_plugin_family *f, const ss_key *k);
/* Common key i of ss_common_keys, the experiment's choices filled in from ss_experiments
 * (src/core/registry.c). */
const ss_key *ss_common_key(int i);
/* The family selected by schema key `path` of an experiment, or NULL. */
const ss_plugin_family *ss_plugin_family_of(const ss_experiment_ops *exp, const char *path);

#endif
