/* One task of `experiment: rlhf` (run.c): setup, oracle, estimate, dump, strategic setup, then
 * per algorithm aggregate and plan, strategise, write. */
#ifndef STRATSIM_RLHF_RUN_H
#define STRATSIM_RLHF_RUN_H

#include "stratsim/experiment.h"

int rlhf_run(ss_task *task, ss_err *e);

#endif
