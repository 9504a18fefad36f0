/* The checkpoint file: a write reads back byte for byte; every truncation, every changed byte,
 * another config, another run and another format version are refused (exit-2 errors), and
 * nothing is kept from a refused file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stratsim/checkpoint.h"
#include "unit.h"

#define NT 5
static char dir[64];
static char *rows[NT] = {"a,1\n", NULL, "ccc,3\nccc,4\n", "", NULL};
static size_t lens[NT];
static const char have[NT] = {1, 0, 1, 1, 0};
static const ss_checkpoint_id id = {0x1234abcdULL, -1, NT};

static char *file_bytes(size_t *len)
{
  char path[128], *buf = NULL;
  snprintf(path, sizeof path, "%s/%s", dir, SS_CHECKPOINT_FILE);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  rewind(f);
  buf = malloc(*len + 1);
  if (fread(buf, 1, *len, f) != *len) *len = 0;
  fclose(f);
  return buf;
}

static void put_bytes(const char *buf, size_t len)
{
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, SS_CHECKPOINT_FILE);
  FILE *f = fopen(path, "wb");
  fwrite(buf, 1, len, f);
  fclose(f);
}

/* Reads the file with id; returns the error code, checks that a refusal keeps nothing. */
static int read_back(const ss_checkpoint_id *want, char **packed, size_t *plen, char *got, long *saved)
{
  ss_err e = {0};
  int found = 0;
  memset(got, 0, NT);
  for (int t = 0; t < NT; t++) packed[t] = NULL, plen[t] = 0;
  int rc = ss_checkpoint_read(dir, want, packed, plen, got, &found, saved, &e);
  if (rc) {
    CU_ASSERT_EQUAL(rc, SS_EINPUT);
    for (int t = 0; t < NT; t++) CU_ASSERT(!packed[t] && !got[t]);
  }
  return rc;
}

static void write_good(void)
{
  ss_err e = {0};
  for (int t = 0; t < NT; t++) lens[t] = rows[t] ? strlen(rows[t]) : 0;
  CU_ASSERT_EQUAL(ss_checkpoint_write(dir, &id, rows, lens, have, &e), SS_OK);
}

static void test_roundtrip(void)
{
  char *packed[NT], got[NT];
  size_t plen[NT];
  long saved = -1;
  ss_err e = {0};
  int found = 1;
  strcpy(dir, "/tmp/ss_ckpt_XXXXXX");
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  memset(got, 0, NT);
  CU_ASSERT_EQUAL(ss_checkpoint_read(dir, &id, packed, plen, got, &found, &saved, &e), SS_OK);
  CU_ASSERT_EQUAL(found, 0); /* no file: nothing to resume, not an error */
  write_good();
  CU_ASSERT_EQUAL(read_back(&id, packed, plen, got, &saved), SS_OK);
  CU_ASSERT_EQUAL(saved, 3);
  for (int t = 0; t < NT; t++) {
    CU_ASSERT_EQUAL(got[t], have[t]);
    if (have[t]) CU_ASSERT(plen[t] == lens[t] && !memcmp(packed[t], rows[t], lens[t]));
    free(packed[t]);
  }
}

static void test_refusals(void)
{
  char *packed[NT], got[NT];
  size_t plen[NT], len = 0;
  long saved;
  char *good = file_bytes(&len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(good);
  for (size_t cut = 0; cut < len; cut++) { /* every truncation */
    put_bytes(good, cut);
    CU_ASSERT_EQUAL(read_back(&id, packed, plen, got, &saved), SS_EINPUT);
  }
  for (size_t i = 0; i < len; i++) { /* every changed byte (header, index, rows, checksum) */
    good[i] ^= 0x10;
    put_bytes(good, len);
    CU_ASSERT_EQUAL(read_back(&id, packed, plen, got, &saved), SS_EINPUT);
    good[i] ^= 0x10;
  }
  put_bytes(good, len);
  ss_checkpoint_id other = id;
  other.config_hash ^= 1;
  CU_ASSERT_EQUAL(read_back(&other, packed, plen, got, &saved), SS_EINPUT);
  other = id;
  other.sweep_index = 2;
  CU_ASSERT_EQUAL(read_back(&other, packed, plen, got, &saved), SS_EINPUT);
  other = id;
  other.ntasks = NT + 1;
  CU_ASSERT_EQUAL(read_back(&other, packed, plen, got, &saved), SS_EINPUT);
  CU_ASSERT_EQUAL(read_back(&id, packed, plen, got, &saved), SS_OK);
  for (int t = 0; t < NT; t++) free(packed[t]);
  free(good);
  ss_checkpoint_remove(dir);
  CU_ASSERT_EQUAL(rmdir(dir), 0); /* the file and no temporary left behind */
}

SS_UNIT_SUITE(suite_checkpoint)
{
  ss_unit_suite("checkpoint");
  ss_unit_test("write, then read back byte for byte", test_roundtrip);
  ss_unit_test("truncation, changed bytes, other config/run refused", test_refusals);
}
