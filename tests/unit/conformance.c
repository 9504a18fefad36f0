/* The shared checks of the conformance suites (conformance.h). */
#include <stdio.h>
#include <string.h>
#include "conformance.h"
#include "unit.h"

ss_config *ss_unit_parse_config(const char *head, const char *tail, const char *set, ss_err *e)
{
  char text[2048], one[256];
  snprintf(text, sizeof text, "%s%s", head, tail);
  snprintf(one, sizeof one, "%s", set);
  char *sets[1] = {one};
  ss_config *c = NULL;
  ss_err_clear(e);
  if (ss_config_parse("conformance.yaml", text, strlen(text), sets, 1, &c, e) != SS_OK) return NULL;
  return c;
}

void ss_unit_check_choices(const ss_plugin_family *f, ss_unit_parse_fn parse, int may_refuse)
{
  CU_ASSERT(ss_plugin_count(f) >= 2);
  for (int i = 0; i < ss_plugin_count(f); i++) {
    const ss_plugin_choice *ch = ss_plugin_at(f, i);
    CU_ASSERT_PTR_NOT_NULL(ch->summary);
    for (int j = 0; j < i; j++) CU_ASSERT(((const ss_plugin_choice *)ss_plugin_at(f, j))->value != ch->value);
    char sel[128];
    snprintf(sel, sizeof sel, "%s=%s", f->key, ch->name);
    ss_err e;
    ss_config *cfg = parse(sel, &e);
    if (cfg) {
      CU_ASSERT_EQUAL(ss_plugin_choice_value(f, cfg), ch->value);
    } else {
      CU_ASSERT(may_refuse);
      CU_ASSERT_EQUAL(e.code, SS_EINPUT);
      CU_ASSERT(strstr(e.msg, f->key) != NULL);
    }
    ss_config_free(&cfg);
  }
}

void ss_unit_check_inputs_refused(const ss_plugin_family *f, ss_unit_parse_fn parse,
                                  int (*checks)(const void *ops))
{
  for (int i = 0; i < ss_plugin_count(f); i++) {
    const void *ops = ss_plugin_at(f, i);
    char sel[128];
    snprintf(sel, sizeof sel, "%s=%s", f->key, ss_plugin_name(ops));
    ss_err e;
    ss_config *cfg = parse(sel, &e);
    if (!checks(ops)) {
      CU_ASSERT_PTR_NOT_NULL(cfg);
    } else {
      CU_ASSERT_PTR_NULL(cfg);
      CU_ASSERT_EQUAL(e.code, SS_EINPUT);
      int nk = 0, names_key = 0;
      const ss_key *keys = ss_plugin_keys_of(f, ops, &nk);
      CU_ASSERT(nk > 0);
      for (int k = 0; k < nk; k++) names_key |= strstr(e.msg, keys[k].path) != NULL;
      CU_ASSERT(names_key);
    }
    ss_config_free(&cfg);
  }
}
