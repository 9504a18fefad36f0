/* The arg-max fused with a max (include/stratsim/argmax_max.h; the bandit round's collective):
 * one MPI_Allreduce with a user operation over records {score, index, max_mean, failed}.
 * Indices travel as doubles, which is exact below 2^53 arms. The datatype and operation are
 * created once and freed by an attribute callback on MPI_COMM_SELF when MPI finalises. */
#include <math.h>
#include <mpi.h>
#include "stratsim/argmax_max.h"
#include "stratsim/commstats.h"

static MPI_Datatype record_type = MPI_DATATYPE_NULL;
static MPI_Op select_op = MPI_OP_NULL;

static void select_records(void *in, void *inout, int *len, MPI_Datatype *type)
{
  (void)type;
  const double *a = in;
  double *b = inout;
  for (int i = 0; i < *len; i++, a += 4, b += 4) {
    if (a[1] >= 0 && (b[1] < 0 || a[0] > b[0] || (a[0] == b[0] && a[1] < b[1]))) {
      b[0] = a[0];
      b[1] = a[1];
    }
    if (a[2] > b[2]) b[2] = a[2];
    if (a[3] > b[3]) b[3] = a[3];
  }
}

static int free_on_finalize(MPI_Comm comm, int keyval, void *attr, void *extra)
{
  (void)comm; (void)keyval; (void)attr; (void)extra;
  if (select_op != MPI_OP_NULL) MPI_Op_free(&select_op);
  if (record_type != MPI_DATATYPE_NULL) MPI_Type_free(&record_type);
  return MPI_SUCCESS;
}

static void setup(void)
{
  if (select_op != MPI_OP_NULL) return;
  MPI_Type_contiguous(4, MPI_DOUBLE, &record_type);
  MPI_Type_commit(&record_type);
  MPI_Op_create(select_records, 1, &select_op);
  int keyval;
  MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, free_on_finalize, &keyval, NULL);
  MPI_Comm_set_attr(MPI_COMM_SELF, keyval, NULL);
  MPI_Comm_free_keyval(&keyval);
}

int64_t ss_comm_argmax_max(ss_comm *c, double score, int64_t idx, double max_mean, double *best_score,
                           double *best_max_mean, ss_err *e)
{
  double rec[4] = {idx >= 0 ? score : -INFINITY, idx >= 0 ? (double)idx : -1.0, max_mean, e->code ? 1.0 : 0.0};
  if (ss_comm_size(c) > 1) {
    setup();
    double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, rec, 1, record_type, select_op, *(MPI_Comm *)ss_comm_mpi(c));
    ss_commstats_add(SS_VERB_ARGMAX_MAX, sizeof rec, MPI_Wtime() - t0);
  }
  if (rec[3] > 0) { /* some rank had an error pending: every rank learns it */
    ss_comm_agree(c, e);
    return -1;
  }
  *best_score = rec[0];
  *best_max_mean = rec[2];
  return rec[1] >= 0 ? (int64_t)rec[1] : -1;
}
