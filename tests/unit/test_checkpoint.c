/* The checkpoint file: a write (finished tasks' rows and unfinished tasks' in-task states)
 * reads back byte for byte; every truncation, every changed byte, another config, another run
 * and another format version are refused (exit-2 errors), and nothing is kept from a refused
 * file. The in-task state's container packs and unpacks, and refuses malformed bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stratsim/checkpoint.h"
#include "stratsim/task_state.h"
#include "unit.h"

#define NT 5
static char dir[64];
static char *rows[NT] = {"a,1\n", NULL, "ccc,3\nccc,4\n", "", NULL};
static size_t lens[NT];
static char have[NT] = {1, 0, 1, 1, 0};
/* in-task states of unfinished tasks 1 and 4 (and one of finished task 0, which is not saved) */
static char *parts[NT] = {"zzz", "state of task 1", NULL, NULL, "4"};
static size_t partlens[NT];
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
  long nparts = 0;
  char *part[NT];
  size_t partlen[NT];
  memset(got, 0, NT);
  for (int t = 0; t < NT; t++) packed[t] = part[t] = NULL, plen[t] = partlen[t] = 0;
  ss_checkpoint_data d = {packed, plen, got, part, partlen};
  int rc = ss_checkpoint_read(dir, want, &d, &found, saved, &nparts, &e);
  if (rc) {
    CU_ASSERT_EQUAL(rc, SS_EINPUT);
    for (int t = 0; t < NT; t++) CU_ASSERT(!packed[t] && !got[t] && !part[t]);
  } else {
    CU_ASSERT_EQUAL(nparts, 2);
    for (int t = 0; t < NT; t++) {
      int want_part = !have[t] && parts[t];
      CU_ASSERT(want_part ? part[t] && partlen[t] == partlens[t] && !memcmp(part[t], parts[t], partlen[t]) : !part[t]);
      free(part[t]);
    }
  }
  return rc;
}

static void write_good(void)
{
  ss_err e = {0};
  for (int t = 0; t < NT; t++) lens[t] = rows[t] ? strlen(rows[t]) : 0;
  for (int t = 0; t < NT; t++) partlens[t] = parts[t] ? strlen(parts[t]) : 0;
  ss_checkpoint_data d = {rows, lens, have, parts, partlens};
  CU_ASSERT_EQUAL(ss_checkpoint_write(dir, &id, &d, &e), SS_OK);
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
  long nparts = -1;
  char *part[NT] = {0};
  size_t partlen[NT];
  ss_checkpoint_data d = {packed, plen, got, part, partlen};
  CU_ASSERT_EQUAL(ss_checkpoint_read(dir, &id, &d, &found, &saved, &nparts, &e), SS_OK);
  CU_ASSERT_EQUAL(found, 0); /* no file: nothing to resume, not an error */
  CU_ASSERT_EQUAL(nparts, 0);
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
  good[8] = 1; /* format version 1 (finished tasks only) */
  put_bytes(good, len);
  CU_ASSERT_EQUAL(read_back(&id, packed, plen, got, &saved), SS_EINPUT);
  good[8] = SS_CHECKPOINT_VERSION;
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

static void test_task_state(void)
{
  ss_err e = {0};
  ss_task_state *s = NULL, *back = NULL;
  char *buf = NULL;
  size_t len = 0, got = 0;
  CU_ASSERT_EQUAL_FATAL(ss_task_state_new(&s, &e), SS_OK);
  CU_ASSERT_STRING_EQUAL(ss_task_state_where(s), "");
  CU_ASSERT_EQUAL(ss_task_state_put(s, "rlhf.spsa.0", "abc", 3, &e), SS_OK);
  CU_ASSERT_EQUAL(ss_task_state_put(s, "where", "SPSA step 3 of 9", 17, &e), SS_OK);
  CU_ASSERT_EQUAL(ss_task_state_put(s, "rlhf.spsa.0", "abcdef", 6, &e), SS_OK); /* replaces */
  CU_ASSERT_EQUAL(ss_task_state_put(s, "empty", "", 0, &e), SS_OK);
  CU_ASSERT_EQUAL(ss_task_state_count(s), 3);
  CU_ASSERT_EQUAL(ss_task_state_pack(s, &buf, &len, &e), SS_OK);
  CU_ASSERT_EQUAL(len, 4 + (4 + 11 + 8 + 6) + (4 + 5 + 8 + 17) + (4 + 5 + 8 + 0));
  CU_ASSERT_EQUAL_FATAL(ss_task_state_unpack(buf, len, &back, &e), SS_OK);
  const char *v = ss_task_state_get(back, "rlhf.spsa.0", &got);
  CU_ASSERT(v && got == 6 && !memcmp(v, "abcdef", 6));
  CU_ASSERT_STRING_EQUAL(ss_task_state_where(back), "SPSA step 3 of 9");
  CU_ASSERT_PTR_NULL(ss_task_state_get(back, "missing", &got));
  ss_task_state_free(&back);
  for (size_t cut = 0; cut < len; cut++) { /* every truncation is refused */
    ss_err ce = {0};
    CU_ASSERT_EQUAL(ss_task_state_unpack(buf, cut, &back, &ce), SS_EINPUT);
    CU_ASSERT_PTR_NULL(back);
  }
  ss_err xe = {0};
  char *longer = malloc(len + 1);
  memcpy(longer, buf, len);
  longer[len] = 0;
  CU_ASSERT_EQUAL(ss_task_state_unpack(longer, len + 1, &back, &xe), SS_EINPUT); /* trailing bytes */
  free(longer);
  free(buf);
  ss_task_state_free(&s);
  CU_ASSERT_PTR_NULL(s);
}

SS_UNIT_SUITE(suite_checkpoint)
{
  ss_unit_suite("checkpoint");
  ss_unit_test("write, then read back byte for byte", test_roundtrip);
  ss_unit_test("truncation, changed bytes, other config/run/version refused", test_refusals);
  ss_unit_test("in-task state: pack, unpack, malformed refused", test_task_state);
}
