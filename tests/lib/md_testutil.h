/* Helpers for the maildir tests: temporary directories and small files. */
#ifndef IMAPD_TEST_MD_TESTUTIL_H
#define IMAPD_TEST_MD_TESTUTIL_H

#include <stddef.h>

/* Creates a fresh directory under /tmp; path must hold 64 bytes. */
void mdt_tmpdir(char *path);
/* Removes a tree (for cleaning up after a test). */
void mdt_rmrf(const char *path);
/* Writes text to path (creating or truncating); aborts the test on error. */
void mdt_write(const char *path, const char *text);
/* Reads a whole file into malloc'd memory; NULL when missing. */
char *mdt_read(const char *path);
/* Copies a tree with cp -a; 0 on success. */
int mdt_copytree(const char *src, const char *dst);
/* Number of entries (not . or ..) in a directory, -1 if it cannot be read. */
int mdt_count(const char *dir);
/* Path of a fixture under tests/fixtures, found from the repo root or tests/. */
const char *mdt_fixture(const char *name, char *buf, size_t len);

#endif
