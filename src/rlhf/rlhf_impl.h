/* Private to src/rlhf: a thin umbrella over its one-concept private headers, for code and tests
 * written before the split (issue 8). New code includes the header of the concept it uses. */
#ifndef STRATSIM_RLHF_IMPL_H
#define STRATSIM_RLHF_IMPL_H

#include "stratsim/collectives.h"
#include "stratsim/rlhf.h"
#include "agg_ops.h"
#include "certify.h"
#include "choices.h"
#include "env_model.h"
#include "env_type.h"
#include "linalg.h"
#include "petsc_call.h"
#include "planner.h"
#include "population_model.h"
#include "rlhf_limits.h"
#include "solver.h"
#include "states.h"
#include "strategy_ops.h"

#endif
