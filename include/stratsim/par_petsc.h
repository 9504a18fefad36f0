/* PETSc's collective constructors as par verbs (src/par/petsc_objects.c). Like the verbs of
 * par.h, each takes the caller's pending error: every rank calls it, also one whose local step
 * failed; it agrees on the error first, creates the object only when no rank failed, agrees
 * again on a failure inside PETSc, and returns the agreed code (docs/errors.md). So code that
 * builds distributed PETSc objects after local work that may fail (the RLHF MDP's arrays, its
 * transitions file, its successor lists) needs no agreement of its own. Collective over c. */
#ifndef STRATSIM_PAR_PETSC_H
#define STRATSIM_PAR_PETSC_H

#include <petscmat.h>
#include "stratsim/error.h"
#include "stratsim/par.h"

/* A vector distributed over c by contiguous blocks: nlocal entries on this rank, nglobal in
 * all. array: this rank's entries in the caller's memory (kept by the caller; the vector uses
 * it in place), or NULL for PETSc's own. *v is NULL on every rank when the call fails. */
int ss_par_vec_create(ss_comm *c, PetscInt nlocal, PetscInt nglobal, PetscScalar *array, Vec *v, ss_err *e);
/* *At = the transpose of the matrix A distributed over c (a new matrix, the caller destroys
 * it); NULL on every rank when the call fails. */
int ss_par_mat_transpose(ss_comm *c, Mat A, Mat *At, ss_err *e);

#endif
