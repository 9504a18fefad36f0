/* Explicit MDPs from PETSc binary files (mdp_read_petsc.c): transitions and features written by
 * MatView to a binary viewer, recognised by their first bytes. The CSV readers hand a file over
 * to these when rlhf_petsc_binary_is says so. */
#ifndef STRATSIM_RLHF_MDP_READ_PETSC_H
#define STRATSIM_RLHF_MDP_READ_PETSC_H

#include <stdint.h>
#include "stratsim/rlhf.h"

/* 1 if the file starts with PETSc's Mat class id (big-endian), 0 otherwise or if unreadable. */
int rlhf_petsc_binary_is(const char *file);
/* As rlhf_mdp_scan_transitions: an AIJ matrix of S*A rows and S columns. */
int rlhf_petsc_scan_transitions(const char *file, int S, int A, rlhf_entry_cb cb, void *ctx, ss_err *e);
/* As rlhf_read_features: an AIJ or dense matrix of S*A rows and d columns. */
int rlhf_petsc_read_features(const char *file, int S, int A, int d, int64_t first, int64_t count, double *out,
                             ss_err *e);

#endif
