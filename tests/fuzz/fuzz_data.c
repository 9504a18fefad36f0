/* libFuzzer harness for the data-file readers (issue 11). The first input byte picks the
 * reader, the next three its dimensions; the rest is written to a file the reader opens, as
 * it would open a user's file. A reader must accept the file or fail with SS_EINPUT and a
 * message; it must never crash, leak or read out of bounds. Readers: the RLHF features file
 * (rlhf.env.file) and the MDP transitions file (rlhf.mdp.transitions), each CSV or PETSc binary
 * (chosen by the file's first bytes, as for a user's file). Add a reader as a line of `readers`.
 * Build and run: make fuzz. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stratsim/rlhf.h"

typedef struct {
  const char *name;
  /* Reads `file` with small dimensions taken from dims[0..2]; frees what it read. */
  int (*read)(const char *file, const uint8_t *dims, ss_err *e);
} reader;

static int read_features(const char *file, const uint8_t *dims, ss_err *e)
{
  double *phi = NULL;
  int S = 1 + dims[0] % 8, A = 2 + dims[1] % 4, d = 1 + dims[2] % 8;
  int rc = rlhf_env_read_csv(file, S, A, d, &phi, e);
  free(phi);
  return rc;
}

static void count_entry(void *ctx, int s, int a, int next, double p) { ++*(long *)ctx; }

static int read_transitions(const char *file, const uint8_t *dims, ss_err *e)
{
  long n = 0;
  return rlhf_mdp_scan_transitions(file, 1 + dims[0] % 8, 2 + dims[1] % 4, count_entry, &n, e);
}

static const reader readers[] = {
  {"rlhf features (CSV or PETSc binary)", read_features},
  {"mdp transitions (CSV or PETSc binary)", read_transitions},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char path[64];
  if (!path[0]) snprintf(path, sizeof path, "/tmp/stratsim-fuzz-data-%d.csv", (int)getpid());
  if (size < 4) return 0;
  const reader *r = &readers[data[0] % (sizeof readers / sizeof readers[0])];
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data + 4, 1, size - 4, f);
  fclose(f);
  ss_err e = {0};
  int rc = r->read(path, data + 1, &e);
  if (rc && (rc != SS_EINPUT || !e.msg[0])) {
    fprintf(stderr, "%s: failed with code %d and message '%s'\n", r->name, rc, e.msg);
    abort();
  }
  unlink(path);
  return 0;
}
