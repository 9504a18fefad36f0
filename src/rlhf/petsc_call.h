/* Private to src/rlhf: the glue that turns PETSc error codes into ss_err. */
#ifndef STRATSIM_RLHF_PETSC_CALL_H
#define STRATSIM_RLHF_PETSC_CALL_H

#include <petscmat.h>
#include "stratsim/error.h"

/* Calls a PETSc function; on error records it in e and returns SS_ERUNTIME. */
#define RLHF_PETSC(e, call)                                                              \
  do {                                                                                   \
    PetscErrorCode rlhf_ierr_ = (call);                                                  \
    if (rlhf_ierr_) return ss_fail((e), SS_ERUNTIME, "%s:%d: PETSc error %d in %s", __FILE__, \
                                   __LINE__, (int)rlhf_ierr_, #call);                   \
  } while (0)

#endif
