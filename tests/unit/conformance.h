/* Shared by the conformance suites (tests/unit/test_*_conformance.c): the checks every
 * enumeration family (ss_plugin_choice, include/stratsim/plugin.h) must pass, and the refusal
 * of a plug-in's missing inputs. */
#ifndef STRATSIM_TESTS_CONFORMANCE_H
#define STRATSIM_TESTS_CONFORMANCE_H

#include "stratsim/config.h"
#include "stratsim/plugin.h"

/* The config of YAML text `head` followed by `tail`, with one --set applied ("key=value"), or
 * NULL with the error in e. */
ss_config *ss_unit_parse_config(const char *head, const char *tail, const char *set, ss_err *e);

/* A valid config of the family's experiment with one --set applied ("key=value"), or NULL
 * with the error in e. */
typedef ss_config *(*ss_unit_parse_fn)(const char *set, ss_err *e);

/* Every choice of f has a summary and a value no other choice has, and a config naming it
 * keeps that value. With may_refuse, a choice may instead be refused at config time with a
 * message naming f's key (as rlhf.momle.set's socp); otherwise every choice must validate. */
void ss_unit_check_choices(const ss_plugin_family *f, ss_unit_parse_fn parse, int may_refuse);

/* Every plug-in of f (a family with keys) selected with no inputs given: one that checks its
 * inputs (checks(ops) != 0) refuses the config, SS_EINPUT naming one of its own keys; one
 * without a check validates with nothing more. */
void ss_unit_check_inputs_refused(const ss_plugin_family *f, ss_unit_parse_fn parse,
                                  int (*checks)(const void *ops));

#endif
