/* Facility location (the talk's hospital example): agents report locations in [lo,hi]^D,
 * a mechanism places the facility, each agent pays its L1 distance. Mechanisms plug in
 * through an ops table; a summary of the report profile (replicated on every rank) is all
 * an agent needs to evaluate any unilateral deviation exactly. */
#ifndef STRATSIM_FACILITY_H
#define STRATSIM_FACILITY_H

#include <stdint.h>
#include "stratsim/median.h"
#include "stratsim/par.h"
#include "stratsim/xsum.h"

typedef struct {
  int64_t m;                 /* agents */
  int D;                     /* dimensions */
  double lo, hi;             /* the report box [lo,hi]^D */
  ss_median_kind median;     /* how the median mechanism treats an even count */
  double tol;                /* a deviation must gain more than this to count */
} ss_fac_params;

/* What a mechanism keeps about the current reports; identical on every rank. */
typedef struct {
  int D;
  ss_xsum *sum;     /* mean: exact per-coordinate sums of the reports */
  int width;        /* median: order statistics v_{first} .. v_{first+width-1} per coordinate */
  int64_t first;    /* 1-based rank of window[0]; ranks outside [1,m] hold -inf / +inf */
  double *window;   /* D x width, row-major by coordinate */
} ss_fac_summary;

/* A facility mechanism (registry: src/facility/mechanism.c). Ops, with designated initialisers:
 * required: name, strategyproof, summarize, outcome, outcome_if, best_report; optional with a
 * default: moved (default: rebuild the summary with summarize). */
typedef struct {
  const char *name;
  /* Claims truthful reporting is always a best response under these parameters. */
  int (*strategyproof)(const ss_fac_params *p);
  /* Builds the summary of reports (n_local x D rows owned by this rank). Collective. May be
   * called with an error pending in e (a failed local step of the caller; reports may then be
   * unusable): it must not read reports then, must still take part in its first collective
   * through a verb that takes the pending error (par.h), and returns the agreed error. */
  int (*summarize)(ss_comm *c, const ss_fac_params *p, const double *reports, int64_t n_local,
                   ss_fac_summary *s, ss_err *e);
  /* Optional: updates the summary in place after one agent's report changed from old[] to
   * new_report[] (D values each, identical on every rank). Without it the dynamics rebuild the
   * summary with summarize. Not collective. */
  void (*moved)(ss_fac_summary *s, const ss_fac_params *p, const double *old, const double *new_report);
  /* Coordinate j of the facility for the current reports. */
  double (*outcome)(const ss_fac_summary *s, const ss_fac_params *p, int j);
  /* Coordinate j of the facility if an agent whose current report is r reports x instead. */
  double (*outcome_if)(const ss_fac_summary *s, const ss_fac_params *p, int j, double r, double x);
  /* A report in [lo,hi] for coordinate j that minimises |outcome - truth| for that agent. */
  double (*best_report)(const ss_fac_summary *s, const ss_fac_params *p, int j, double truth, double r);
} ss_fac_mechanism;

const ss_fac_mechanism *ss_fac_mechanism_find(const char *name);
int ss_fac_mechanism_count(void);
const ss_fac_mechanism *ss_fac_mechanism_at(int i);
/* The family (include/stratsim/plugin.h). */
struct ss_plugin_family;
extern const struct ss_plugin_family ss_fac_mechanisms;

void ss_fac_summary_free(ss_fac_summary *s);
/* x clamped to [lo, hi] (the box of reports, a window of order statistics). */
double ss_fac_clamp(double x, double lo, double hi);
/* The facility location for the current reports. */
void ss_fac_outcome(const ss_fac_mechanism *mech, const ss_fac_summary *s, const ss_fac_params *p,
                    double *f);
/* Cost (L1 distance) to an agent at truth[] if it reports x[] while its current report is r[]. */
double ss_fac_cost_if(const ss_fac_mechanism *mech, const ss_fac_summary *s, const ss_fac_params *p,
                      const double *truth, const double *r, const double *x);
/* The agent's best response into br[] (D values) and its gain over keeping r[]. A
 * coordinate moves only if that lowers the cost by more than tol; otherwise it keeps r. */
double ss_fac_best_response(const ss_fac_mechanism *mech, const ss_fac_summary *s,
                            const ss_fac_params *p, const double *truth, const double *r, double *br);

/* Best-response dynamics: agents in id order, each moving to its best response when that
 * gains more than tol, until a whole round passes without a move or max_rounds is hit.
 * reports (n_local x D) is updated in place. Bit-identical for any rank count. Collective. */
typedef struct {
  long rounds;       /* rounds in which some agent moved */
  long moves;
  int converged;
} ss_fac_dynamics;
int ss_fac_run_dynamics(ss_comm *c, const ss_fac_mechanism *mech, const ss_fac_params *p,
                        int64_t first_agent, int64_t n_local, const double *truth, double *reports,
                        long max_rounds, ss_fac_dynamics *out, ss_err *e);

#endif
