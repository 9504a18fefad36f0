/* PETSc options are single-dash arguments (-log_view, -mle_tao_type nls). A mistyped
 * stratsim option (-facility_agents 5) would otherwise sit unused in PETSc's database while
 * the run goes on with the default: before a run, the objects that read options are set
 * up once from the database, and any option nothing consumed is an error. */
#include <petsctao.h>
#include <stdio.h>
#include <string.h>
#include "stratsim/par.h"

/* Marks as used every option the MLE solver reads (prefix mle_, as src/rlhf/mle.c). */
static PetscErrorCode consume_solver_options(void)
{
  Tao tao;
  PetscFunctionBeginUser;
  PetscCall(TaoCreate(PETSC_COMM_SELF, &tao));
  PetscCall(TaoSetType(tao, TAONLS));
  PetscCall(TaoSetOptionsPrefix(tao, "mle_"));
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(TaoDestroy(&tao));
  PetscFunctionReturn(0);
}

int ss_par_check_options(ss_err *e)
{
  if (consume_solver_options()) return ss_fail(e, SS_EINPUT, "PETSc rejected the solver options (see above)");
  PetscInt n = 0;
  char **names = NULL, **values = NULL;
  if (PetscOptionsLeftGet(NULL, &n, &names, &values)) return ss_fail(e, SS_ERUNTIME, "cannot read PETSc's options");
  char list[1024] = "";
  int shown = 0;
  for (PetscInt i = 0; i < n; i++) {
    /* our own --long options also land in PETSc's database (as "-set", "-out", ...) */
    if (!strcmp(names[i], "-set") || !strcmp(names[i], "-out") || !strcmp(names[i], "-force") ||
        !strcmp(names[i], "-quiet") || !strcmp(names[i], "-sweep-index") || !strncmp(names[i], "-set=", 5) ||
        !strcmp(names[i], "-resume") || !strcmp(names[i], "-resume-auto"))
      continue;
    size_t used = strlen(list);
    snprintf(list + used, sizeof list - used, "%s-%s", shown++ ? ", " : "", names[i]);
  }
  PetscOptionsLeftRestore(NULL, &n, &names, &values);
  if (!shown) return SS_OK;
  return ss_fail(e, SS_EINPUT, "unknown option%s %s: no PETSc object reads %s; stratsim's own settings are "
                 "config keys (--set key.path=value; see stratsim --help)", shown > 1 ? "s" : "", list,
                 shown > 1 ? "them" : "it");
}
