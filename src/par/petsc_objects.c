/* PETSc's collective constructors taking the caller's pending error (stratsim/par_petsc.h). A
 * PETSc failure is turned into an ss error and agreed on, so a rank never returns alone. */
#include "stratsim/par_petsc.h"

/* The agreement after a creation: a rank whose PETSc call failed fails everyone. */
static int created(ss_comm *c, PetscErrorCode perr, const char *what, ss_err *e)
{
  if (perr) ss_fail(e, SS_ERUNTIME, "PETSc error %d creating %s", (int)perr, what);
  return ss_comm_agree(c, e);
}

int ss_par_vec_create(ss_comm *c, PetscInt nlocal, PetscInt nglobal, PetscScalar *array, Vec *v, ss_err *e)
{
  *v = NULL;
  SS_TRY(ss_comm_agree(c, e));
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(c);
  PetscErrorCode perr = array ? VecCreateMPIWithArray(comm, 1, nlocal, nglobal, array, v)
                              : VecCreateMPI(comm, nlocal, nglobal, v);
  if (created(c, perr, "a distributed vector", e) && *v) (void)VecDestroy(v);
  return e->code;
}

int ss_par_mat_transpose(ss_comm *c, Mat A, Mat *At, ss_err *e)
{
  *At = NULL;
  SS_TRY(ss_comm_agree(c, e));
  PetscErrorCode perr = MatTranspose(A, MAT_INITIAL_MATRIX, At);
  if (created(c, perr, "a transposed matrix", e) && *At) (void)MatDestroy(At);
  return e->code;
}
