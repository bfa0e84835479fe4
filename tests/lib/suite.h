/* suite: the one way a test binary runs its libcheck suite. */
#ifndef IMAPD_TESTS_SUITE_H
#define IMAPD_TESTS_SUITE_H

#include <check.h>

/* Runs every test of s (each in its own child, libcheck's default), prints
 * the results and returns the exit status: 0 when all passed. */
int suite_run(Suite *s);

#endif
