/* Test tool (tests/integration.d/mdp_petsc.sh): converts an explicit MDP's CSV files into PETSc
 * binary files written by PETSc itself (MatView), the independent writer that stratsim's PETSc
 * binary reader (src/rlhf/mdp_read_petsc.c) must agree with.
 *   petsc_write_mdp S A d TRANSITIONS.csv FEATURES.csv OUTDIR
 * writes OUTDIR/transitions.petsc (AIJ, S*A x S), OUTDIR/features_dense.petsc (dense, native
 * format), OUTDIR/features_aij.petsc (AIJ), and OUTDIR/transitions_sorted.csv: the CSV with each
 * row's successors in increasing order, as the AIJ rows hold them (so that the CSV and the
 * binary runs see the same numbers in the same order). Not an MPI test: one process. */
#include <petscmat.h>
#include <stdio.h>
#include <stdlib.h>
#include "stratsim/rlhf.h"

typedef struct {
  int S, A, n, cap;
  int *row, *col;
  double *p;
} entries;

static void keep(void *ctx, int s, int a, int next, double p)
{
  entries *t = ctx;
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 64;
    t->row = realloc(t->row, (size_t)t->cap * sizeof *t->row);
    t->col = realloc(t->col, (size_t)t->cap * sizeof *t->col);
    t->p = realloc(t->p, (size_t)t->cap * sizeof *t->p);
    if (!t->row || !t->col || !t->p) abort(); /* a test tool: no recovery */
  }
  t->row[t->n] = s * t->A + a, t->col[t->n] = next, t->p[t->n] = p;
  t->n++;
}

static PetscErrorCode view(Mat M, const char *dir, const char *name, PetscBool native)
{
  char path[4096];
  PetscViewer v;
  PetscFunctionBeginUser;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  PetscCall(PetscViewerCreate(PETSC_COMM_SELF, &v));
  PetscCall(PetscViewerSetType(v, PETSCVIEWERBINARY));
  PetscCall(PetscViewerBinarySetSkipInfo(v, PETSC_TRUE));
  PetscCall(PetscViewerFileSetMode(v, FILE_MODE_WRITE));
  PetscCall(PetscViewerFileSetName(v, path));
  if (native) PetscCall(PetscViewerPushFormat(v, PETSC_VIEWER_NATIVE));
  PetscCall(MatView(M, v));
  if (native) PetscCall(PetscViewerPopFormat(v));
  PetscCall(PetscViewerDestroy(&v));
  PetscFunctionReturn(0);
}

static PetscErrorCode write_all(int S, int A, int d, const entries *t, const double *phi, const char *dir)
{
  Mat P, F, Fa;
  PetscFunctionBeginUser;
  PetscCall(MatCreateSeqAIJ(PETSC_COMM_SELF, S * A, S, S, NULL, &P));
  for (int i = 0; i < t->n; i++) PetscCall(MatSetValue(P, t->row[i], t->col[i], t->p[i], INSERT_VALUES));
  PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  PetscCall(view(P, dir, "transitions.petsc", PETSC_FALSE));
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, S * A, d, NULL, &F));
  PetscCall(MatCreateSeqAIJ(PETSC_COMM_SELF, S * A, d, d, NULL, &Fa));
  for (int r = 0; r < S * A; r++)
    for (int j = 0; j < d; j++) {
      PetscCall(MatSetValue(F, r, j, phi[(size_t)r * d + j], INSERT_VALUES));
      if (phi[(size_t)r * d + j] != 0) PetscCall(MatSetValue(Fa, r, j, phi[(size_t)r * d + j], INSERT_VALUES));
    }
  PetscCall(MatAssemblyBegin(F, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(F, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyBegin(Fa, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(Fa, MAT_FINAL_ASSEMBLY));
  PetscCall(view(F, dir, "features_dense.petsc", PETSC_TRUE));
  PetscCall(view(Fa, dir, "features_aij.petsc", PETSC_FALSE));
  /* the sorted CSV, from the assembled matrix's rows */
  char path[4096];
  snprintf(path, sizeof path, "%s/transitions_sorted.csv", dir);
  FILE *f = fopen(path, "w");
  if (!f) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  fprintf(f, "s,a,next,p\n");
  for (int r = 0; r < S * A; r++) {
    PetscInt nc;
    const PetscInt *cols;
    const PetscScalar *vals;
    PetscCall(MatGetRow(P, r, &nc, &cols, &vals));
    for (PetscInt q = 0; q < nc; q++) fprintf(f, "%d,%d,%d,%.17g\n", r / A, r % A, (int)cols[q], (double)vals[q]);
    PetscCall(MatRestoreRow(P, r, &nc, &cols, &vals));
  }
  fclose(f);
  PetscCall(MatDestroy(&P));
  PetscCall(MatDestroy(&F));
  PetscCall(MatDestroy(&Fa));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  if (argc != 7) {
    fprintf(stderr, "usage: petsc_write_mdp S A d TRANSITIONS.csv FEATURES.csv OUTDIR\n");
    return 2;
  }
  int S = atoi(argv[1]), A = atoi(argv[2]), d = atoi(argv[3]);
  entries t = {S, A, 0, 0, NULL, NULL, NULL};
  double *phi = calloc((size_t)S * A * d, sizeof *phi);
  ss_err e = {0};
  if (!phi || rlhf_mdp_scan_transitions(argv[4], S, A, keep, &t, &e) ||
      rlhf_read_features(argv[5], S, A, d, 0, (int64_t)S * A, phi, &e)) {
    fprintf(stderr, "petsc_write_mdp: %s\n", e.msg);
    return 1;
  }
  int one = 1;
  char *args[] = {argv[0], NULL}, **pargs = args;
  if (PetscInitialize(&one, &pargs, NULL, NULL)) return 1;
  PetscErrorCode rc = write_all(S, A, d, &t, phi, argv[6]);
  PetscFinalize();
  free(t.row), free(t.col), free(t.p), free(phi);
  return rc ? 1 : 0;
}
