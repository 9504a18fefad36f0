/* RLHF with strategic labelers (MODELS section 1, horizon H = 1).
 * The pieces of the pipeline, one verb group per concept: environment, labeler population,
 * comparison data, per-labeler MLE and confidence set, aggregators (ops table + registry),
 * certified policy optimisation, strategies (ops table + registry): the umbrella of
 * the one-concept headers below, for tests and tools. */
#ifndef STRATSIM_RLHF_H
#define STRATSIM_RLHF_H

#include "stratsim/rlhf_params.h"
#include "stratsim/rlhf_env.h"
#include "stratsim/rlhf_population.h"
#include "stratsim/rlhf_comparisons.h"
#include "stratsim/rlhf_mle.h"
#include "stratsim/rlhf_confidence.h"
#include "stratsim/rlhf_data_cache.h"
#include "stratsim/rlhf_estimates.h"
#include "stratsim/rlhf_agg.h"
#include "stratsim/rlhf_policy.h"
#include "stratsim/rlhf_strategy.h"

#endif
