/* Phase timers backed by PETSc log events, so -log_view shows one event per phase. */
#include <petscsys.h>
#include <string.h>
#include "stratsim/timer.h"
#include "stratsim/par.h"
#include "stratsim/commstats.h"

void ss_timers_init(ss_timers *t) { memset(t, 0, sizeof *t); }

int ss_phase(ss_timers *t, const char *name)
{
  for (int i = 0; i < t->n; i++)
    if (!strcmp(t->name[i], name)) return i;
  if (t->n == SS_MAX_PHASES) return SS_MAX_PHASES - 1;
  int id = t->n++;
  t->name[id] = name;
  PetscLogEvent ev = 0;
  PetscClassId cls = (PetscClassId)t->classid;
  if (!cls && PetscClassIdRegister("stratsim", &cls) == 0) t->classid = (int)cls;
  /* registering twice under one name is harmless: PETSc returns the existing event */
  if (cls && PetscLogEventRegister(name, cls, &ev) == 0)
    t->event[id] = (int)ev;
  else
    t->event[id] = -1;
  return id;
}

void ss_phase_begin(ss_timers *t, int id)
{
  if (t->depth[id]++ == 0) t->started[id] = ss_wtime();
  ss_commstats_enter(t->name[id]);
  if (t->event[id] >= 0) (void)PetscLogEventBegin((PetscLogEvent)t->event[id], 0, 0, 0, 0);
}

void ss_phase_end(ss_timers *t, int id)
{
  if (t->event[id] >= 0) (void)PetscLogEventEnd((PetscLogEvent)t->event[id], 0, 0, 0, 0);
  if (--t->depth[id] == 0) t->total[id] += ss_wtime() - t->started[id];
  ss_commstats_leave();
}
