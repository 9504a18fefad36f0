/* Private to src/rlhf: the population models (rlhf.population.model) and their registry
 * (population_models.c), and the strategic labelers' count (population_config.c). */
#ifndef STRATSIM_RLHF_POPULATION_MODEL_H
#define STRATSIM_RLHF_POPULATION_MODEL_H

#include <stdint.h>
#include "stratsim/plugin.h"
#include "stratsim/rlhf_params.h"

/* A population model (rlhf.population.model; registry: population_models.c): how the true
 * parameters theta_i* are drawn.
 *   required: name, summary, kind (its RLHF_POP_* constant, the value of
 *             rlhf_params.pop_kind), theta (labeler i's theta_i*, keyed: any rank, any order) */
typedef struct {
  const char *name;
  const char *summary;
  int kind;
  void (*theta)(const rlhf_params *p, int64_t i, double *theta);
} rlhf_population_ops;
const rlhf_population_ops *rlhf_population_of(int kind);
extern const ss_plugin_family rlhf_populations;
/* The number of strategic labelers a config asks for (rlhf.strategic.*), before the seed
 * picks them (population_config.c). */
int64_t rlhf_strategic_count(const ss_config *cfg, const rlhf_params *p);

#endif
