/* CUnit glue: each test file declares its suites with SS_UNIT_SUITE; main.c runs them all.
 * Inside a suite body call ss_unit_suite(name) once, then ss_unit_test(name, fn) per test. */
#ifndef STRATSIM_TESTS_UNIT_H
#define STRATSIM_TESTS_UNIT_H

#include <CUnit/CUnit.h>
#include "stratsim/par.h"

typedef void (*ss_unit_fn)(void);
void ss_unit_register(const char *name, ss_unit_fn add);
void ss_unit_suite(const char *name);
void ss_unit_test(const char *name, CU_TestFunc fn);
/* The world communicator of the test process (a single rank). */
ss_comm *ss_unit_world(void);
/* Path of a file under tests/data/. */
const char *ss_unit_data(const char *file);

#define SS_UNIT_SUITE(fn)                                                      \
  static void fn(void);                                                        \
  __attribute__((constructor)) static void fn##_register(void) { ss_unit_register(#fn, fn); } \
  static void fn(void)

#endif
