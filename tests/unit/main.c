/* The unit test runner: every suite declared with SS_UNIT_SUITE, in name order,
 * through CUnit's basic interface. Exits non-zero if any assertion failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "unit.h"
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#define MAX_SUITES 128
static struct { const char *name; ss_unit_fn add; } suites[MAX_SUITES];
static int nsuites;
static CU_pSuite current;
static ss_comm *world;

void ss_unit_register(const char *name, ss_unit_fn add)
{
  if (nsuites == MAX_SUITES) { fprintf(stderr, "too many suites\n"); exit(1); }
  suites[nsuites].name = name;
  suites[nsuites].add = add;
  nsuites++;
}

void ss_unit_suite(const char *name) { current = CU_add_suite(name, NULL, NULL); }

void ss_unit_test(const char *name, CU_TestFunc fn) { CU_add_test(current, name, fn); }

ss_comm *ss_unit_world(void) { return world; }

const char *ss_unit_data(const char *file)
{
  static char path[4096];
  const char *dir = getenv("STRATSIM_TEST_DATA");
  snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", file);
  return path;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
  if (ss_par_init(&argc, &argv, &world)) return 1;
  qsort(suites, (size_t)nsuites, sizeof suites[0], by_name);
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  for (int i = 0; i < nsuites; i++) suites[i].add();
  CU_basic_set_mode(argc > 1 && !strcmp(argv[1], "-v") ? CU_BRM_VERBOSE : CU_BRM_NORMAL);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  unsigned run = CU_get_number_of_tests_run();
  CU_cleanup_registry();
#ifdef __SANITIZE_ADDRESS__
  /* check for leaks before MPI_Finalize, while Open MPI's own allocations (which it never
   * frees, some in plugins it unloads) are still reachable: what is reported is ours */
  __lsan_do_leak_check();
#endif
  ss_par_finalize(world);
  return (failed || run == 0) ? 1 : 0;
}
