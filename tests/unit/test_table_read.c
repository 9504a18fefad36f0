/* ss_table_read: the rows of a table read back once, against fields known by construction and
 * against ss_table_field (the slow per-field reader) on every field. */
#include <stdio.h>
#include <string.h>
#include "stratsim/table_read.h"
#include "unit.h"

static void test_known_rows(void)
{
  ss_tableset *ts = ss_tableset_new();
  ss_table *t = ss_tableset_get(ts, "runs");
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_table_header(t, "n,algorithm,seed,subopt", &e), 0);
  for (int r = 0; r < 50; r++) ss_table_row(t, "%d,alg%d,%d,%.17g", r, r % 3, 1000 + r, r / 7.0);
  static const char *const cols[] = {"subopt", "algorithm", "n"};
  ss_table_rows rows;
  CU_ASSERT_EQUAL_FATAL(ss_table_read(t, cols, 3, &rows, &e), 0);
  CU_ASSERT_EQUAL(rows.nrows, 50);
  int ok = 1;
  char buf[64], want[64];
  for (long r = 0; r < rows.nrows; r++) {
    snprintf(want, sizeof want, "alg%ld", r % 3);
    ok &= !strcmp(ss_rows_str(&rows, r, 1), want);
    ok &= ss_rows_real(&rows, r, 0) == r / 7.0; /* %.17g round-trips exactly */
    ok &= ss_table_field(t, r, 0, buf, sizeof buf) == 0 && !strcmp(buf, ss_rows_str(&rows, r, 2));
  }
  CU_ASSERT(ok);
  ss_table_rows_free(&rows);
  static const char *const bad[] = {"nope"};
  CU_ASSERT_NOT_EQUAL(ss_table_read(t, bad, 1, &rows, &e), 0);
  CU_ASSERT(strstr(e.msg, "nope") != NULL);
  ss_tableset_free(&ts);
}

static void test_short_row_and_empty(void)
{
  ss_tableset *ts = ss_tableset_new();
  ss_table *t = ss_tableset_get(ts, "t");
  ss_err e;
  ss_err_clear(&e);
  CU_ASSERT_EQUAL(ss_table_header(t, "a,b,c", &e), 0);
  static const char *const cols[] = {"c"};
  ss_table_rows rows;
  CU_ASSERT_EQUAL(ss_table_read(t, cols, 1, &rows, &e), 0); /* no rows */
  CU_ASSERT_EQUAL(rows.nrows, 0);
  ss_table_rows_free(&rows);
  ss_table_row(t, "1,2,");
  ss_table_row(t, "1,2");
  CU_ASSERT_NOT_EQUAL(ss_table_read(t, cols, 1, &rows, &e), 0); /* row 2 is short */
  CU_ASSERT(strstr(e.msg, "row 2") != NULL);
  ss_tableset_free(&ts);
}

SS_UNIT_SUITE(suite_table_read)
{
  ss_unit_suite("table_read");
  ss_unit_test("known rows, same as ss_table_field", test_known_rows);
  ss_unit_test("short row, empty table", test_short_row_and_empty);
}
