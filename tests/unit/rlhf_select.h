/* Tests that need RLHF parameters with a given environment type or population model select it
 * by name, through the registry and the plug-in's own setup, as a run does (rlhf_select.c):
 * no test names a plug-in's constant or its private settings. */
#ifndef STRATSIM_TESTS_RLHF_SELECT_H
#define STRATSIM_TESTS_RLHF_SELECT_H

#include "stratsim/config.h"
#include "stratsim/rlhf.h"
#include "../../src/rlhf/inputs.h"

typedef struct {
  ss_config *cfg; /* the plug-ins' settings may borrow from it: kept until release */
  rlhf_inputs in;
} ss_unit_rlhf_inputs;

/* Sets p's input plug-ins (env type, env model, population) and their settings from the
 * YAML lines under `rlhf:` (indented by two spaces; the config must validate), leaving p's
 * shared fields as they are. Returns SS_OK or the error in e. */
int ss_unit_rlhf_select(const char *rlhf_yaml, rlhf_params *p, ss_unit_rlhf_inputs *u, ss_err *e);
void ss_unit_rlhf_release(ss_unit_rlhf_inputs *u);

#endif
