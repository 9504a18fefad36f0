/* Private to src/rlhf: the RLHF experiment's input plug-ins -- the environment type
 * (rlhf.env.type), the environment model (rlhf.env.model) and the population model
 * (rlhf.population.model) -- selected, set up and checked in one place (inputs.c), so the
 * experiment never names one of them. */
#ifndef STRATSIM_RLHF_INPUTS_H
#define STRATSIM_RLHF_INPUTS_H

#include "stratsim/config.h"
#include "stratsim/rlhf_params.h"

/* The settings the selected plug-ins' setup ops made (owned; rlhf_params points at them). */
typedef struct {
  void *env, *mdp, *pop;
} rlhf_inputs;

/* Selects the plug-ins cfg names into p (env_type, population, mdp at p->H) and reads their
 * settings into in (p->env_data, mdp_data, pop_data point there). p->H must be set. On failure
 * in holds what was made: rlhf_inputs_free it in any case. Not collective. */
int rlhf_inputs_setup(const ss_config *cfg, rlhf_params *p, rlhf_inputs *in, ss_err *e);
void rlhf_inputs_free(rlhf_inputs *in);
/* Config-time checks of the selected plug-ins: every family's key of an unselected plug-in
 * that is set is an error (ss_plugin_check_unread), then each selected plug-in's check. */
int rlhf_inputs_check(const ss_config *cfg, const rlhf_params *p, ss_err *e);

#endif
