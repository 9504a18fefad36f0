/* Phase timers: a PETSc log event per phase (visible with -log_view) plus wall-clock
 * totals that the manifest reports as min, max and mean across ranks. */
#ifndef STRATSIM_TIMER_H
#define STRATSIM_TIMER_H

#define SS_MAX_PHASES 32

typedef struct {
  int n;
  int classid;                /* PetscClassId, registered with the first phase */
  const char *name[SS_MAX_PHASES];
  int event[SS_MAX_PHASES];   /* PetscLogEvent */
  double total[SS_MAX_PHASES];
  double started[SS_MAX_PHASES];
  int depth[SS_MAX_PHASES];
} ss_timers;

void ss_timers_init(ss_timers *t);
/* Returns the phase id for name, registering it (and its PETSc event) on first use. */
int ss_phase(ss_timers *t, const char *name);
void ss_phase_begin(ss_timers *t, int id);
void ss_phase_end(ss_timers *t, int id);

#endif
