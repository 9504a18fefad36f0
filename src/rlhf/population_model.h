/* Private to src/rlhf: the population models (rlhf.population.model) and their registry
 * (population_models.c), and the strategic labelers' count (population_config.c). */
#ifndef STRATSIM_RLHF_POPULATION_MODEL_H
#define STRATSIM_RLHF_POPULATION_MODEL_H

#include <stdint.h>
#include "stratsim/plugin.h"
#include "stratsim/rlhf_params.h"

/* A population model (rlhf.population.model; registry: population_models.c): how the true
 * parameters theta_i* are drawn. rlhf_params.population points at the selected one,
 * .pop_data at its settings.
 *   required:                    name, summary, theta (labeler i's theta_i*, keyed: any rank,
 *                                any order; from p->pop_data, or its defaults when NULL)
 *   optional without a default:  keys/nkeys (its config keys: another model's key set in the
 *                                config is an error, ss_plugin_check_unread; a key several
 *                                models read is the same ss_key in each one's table);
 *                                setup (reads its keys into *data, one ss_malloc'd block that
 *                                free() releases); check (its inputs at config time: exit 2) */
typedef struct rlhf_population_ops {
  const char *name;
  const char *summary;
  const ss_key *keys;
  int nkeys;
  int (*setup)(const ss_config *cfg, void **data, ss_err *e);
  int (*check)(const ss_config *cfg, const rlhf_params *p, ss_err *e);
  void (*theta)(const rlhf_params *p, int64_t i, double *theta);
} rlhf_population_ops;
extern const ss_plugin_family rlhf_populations;
/* The number of strategic labelers a config asks for (rlhf.strategic.*), before the seed
 * picks them (population_config.c). */
int64_t rlhf_strategic_count(const ss_config *cfg, const rlhf_params *p);

#endif
