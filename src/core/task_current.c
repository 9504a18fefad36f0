/* The task this rank's group runs (task_current.h). */
#include <stddef.h>
#include "stratsim/task_current.h"

static ss_task_current *current;

void ss_task_current_set(ss_task_current *t) { current = t; }

ss_task_current *ss_task_current_of(const ss_comm *c) { return current && current->comm == c ? current : NULL; }
