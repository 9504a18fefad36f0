/* RLHF input plug-ins selected by name for tests (rlhf_select.h). */
#include <stdio.h>
#include <string.h>
#include "rlhf_select.h"

int ss_unit_rlhf_select(const char *rlhf_yaml, rlhf_params *p, ss_unit_rlhf_inputs *u, ss_err *e)
{
  char text[4096];
  memset(u, 0, sizeof *u);
  ss_err_clear(e);
  snprintf(text, sizeof text, "experiment: rlhf\nrlhf:\n%s", rlhf_yaml);
  SS_TRY(ss_config_parse("select.yaml", text, strlen(text), NULL, 0, &u->cfg, e));
  return rlhf_inputs_setup(u->cfg, p, &u->in, e);
}

void ss_unit_rlhf_release(ss_unit_rlhf_inputs *u)
{
  rlhf_inputs_free(&u->in);
  ss_config_free(&u->cfg);
}
