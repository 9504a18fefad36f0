/* Internal record tables (stratsim/table.h): typed records that travel with the CSV tables
 * through pack and unpack (between ranks, into checkpoints), in task order, and are never
 * written as CSV files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stratsim/output.h"
#include "stratsim/plugin.h"
#include "stratsim/table.h"
#include "unit.h"

typedef struct {
  char name[SS_RECORD_NAME];
  int64_t i;
  double x;
} rec;

/* A task's tables: a CSV table of m rows and the same m values as records. */
static ss_tableset *task_tables(int task, int m)
{
  ss_tableset *ts = ss_tableset_new();
  ss_err e;
  ss_err_clear(&e);
  ss_table *t = ss_tableset_get(ts, "runs");
  CU_ASSERT_EQUAL(ss_table_header(t, "task,i,x", &e), 0);
  for (int i = 0; i < m; i++) {
    rec r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "task%d", task);
    r.i = i;
    r.x = task + i / 7.0;
    ss_table_row(t, "%d,%d,%.17g", task, i, r.x);
    ss_records_add(ss_tableset_records(ts, "runs.records", sizeof r), &r);
  }
  return ts;
}

static void test_pack_merge(void)
{
  ss_err e;
  ss_err_clear(&e);
  ss_tableset *all = ss_tableset_new();
  const int m[3] = {5, 0, 11};
  for (int task = 0; task < 3; task++) { /* as the assembly merges tasks in order */
    ss_tableset *ts = task_tables(task, m[task]);
    char *buf = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(ss_tableset_pack(ts, &buf, &len, &e), 0);
    CU_ASSERT_EQUAL(ss_tableset_unpack_append(all, buf, len, &e), 0);
    free(buf);
    ss_tableset_free(&ts);
  }
  long n = -1;
  ss_table *rt = ss_tableset_records(all, "runs.records", sizeof(rec));
  const rec *r = ss_records_data(rt, &n);
  CU_ASSERT_EQUAL_FATAL(n, 16);
  CU_ASSERT_PTR_NULL(ss_table_get_header(rt)); /* so no writer makes it a CSV file */
  CU_ASSERT_EQUAL(ss_table_nrows(rt), 16);
  int ok = 1;
  for (long k = 0; k < n; k++) {
    int task = k < 5 ? 0 : 2, i = k < 5 ? (int)k : (int)k - 5;
    char want[16];
    snprintf(want, sizeof want, "task%d", task);
    ok &= !strcmp(r[k].name, want) && r[k].i == i && r[k].x == task + i / 7.0;
  }
  CU_ASSERT(ok);
  CU_ASSERT_EQUAL(ss_table_nrows(ss_tableset_get(all, "runs")), 16);
  CU_ASSERT_EQUAL(ss_tableset_check(all, &e), 0);
  ss_tableset_free(&all);
}

static void test_mismatch(void)
{
  ss_err e;
  ss_err_clear(&e);
  ss_tableset *ts = task_tables(0, 3);
  ss_records_add(ss_tableset_records(ts, "runs.records", sizeof(rec) + 8), &(char[sizeof(rec) + 8]){0});
  CU_ASSERT_NOT_EQUAL(ss_tableset_check(ts, &e), 0); /* another record size */
  ss_tableset_free(&ts);
  ts = task_tables(0, 3);
  ss_records_add(ss_tableset_records(ts, "runs", sizeof(rec)), &(rec){{0}, 0, 0}); /* a CSV table */
  CU_ASSERT_NOT_EQUAL(ss_tableset_check(ts, &e), 0);
  ss_tableset_free(&ts);
  ts = task_tables(0, 3);
  ss_err_clear(&e);
  CU_ASSERT_NOT_EQUAL(ss_table_header(ss_tableset_records(ts, "runs.records", sizeof(rec)), "a,b", &e), 0);
  ss_records_add(ss_tableset_get(ts, "runs"), &(rec){{0}, 0, 0}); /* records into a CSV table */
  CU_ASSERT_NOT_EQUAL(ss_tableset_check(ts, &e), 0);
  ss_tableset_free(&ts);
}

/* Every cut of a packed set is refused or reads whole tables: never a partial record. */
static void test_truncated(void)
{
  ss_err e;
  ss_tableset *ts = task_tables(1, 4);
  char *buf = NULL;
  size_t len = 0;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL_FATAL(ss_tableset_pack(ts, &buf, &len, &e), 0);
  int ok = 1;
  for (size_t cut = 0; cut < len; cut++) {
    ss_tableset *got = ss_tableset_new();
    ss_err_clear(&e);
    long n = 0;
    if (!ss_tableset_unpack_append(got, buf, cut, &e))
      ok &= ss_records_data(ss_tableset_records(got, "runs.records", sizeof(rec)), &n) ? n == 4 : n == 0;
    ss_tableset_free(&got);
  }
  CU_ASSERT(ok);
  free(buf);
  ss_tableset_free(&ts);
}

/* The writer of the CSV files writes the CSV table only. */
static void test_not_written(void)
{
  char dir[] = "/tmp/ss_records_XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  ss_tableset *ts = task_tables(2, 3);
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_write_tables(dir, ts, &e), 0);
  char path[256];
  snprintf(path, sizeof path, "%s/runs.csv", dir);
  CU_ASSERT_EQUAL(access(path, F_OK), 0);
  CU_ASSERT_EQUAL(unlink(path), 0);
  CU_ASSERT_EQUAL(rmdir(dir), 0); /* nothing else was written */
  ss_tableset_free(&ts);
}

/* The summaries keep registry names in SS_RECORD_NAME bytes: every plug-in name fits. */
static void test_names_fit(void)
{
  int ok = 1;
  for (int x = 0; x < ss_plugin_count(&ss_experiments); x++) {
    const ss_experiment_ops *exp = ss_plugin_at(&ss_experiments, x);
    ok &= strlen(exp->name) < SS_RECORD_NAME;
    for (const struct ss_plugin_family *const *f = exp->plugins; f && *f; f++)
      for (int i = 0; i < ss_plugin_count(*f); i++) ok &= strlen(ss_plugin_name(ss_plugin_at(*f, i))) < SS_RECORD_NAME;
  }
  CU_ASSERT(ok);
}

SS_UNIT_SUITE(suite_table_records)
{
  ss_unit_suite("table_records");
  ss_unit_test("records travel with the tables, in task order", test_pack_merge);
  ss_unit_test("a record of another size or into a CSV table fails", test_mismatch);
  ss_unit_test("a truncated packed set never gives a partial record", test_truncated);
  ss_unit_test("records are never written as CSV", test_not_written);
  ss_unit_test("every registry name fits a record's name", test_names_fit);
}
