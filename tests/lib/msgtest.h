/* Shared helpers for the message tests: files, corpus listing, parsing. */
#ifndef IMAPD_TESTS_MSGTEST_H
#define IMAPD_TESTS_MSGTEST_H

#include <stddef.h>

#include "lib/buf.h"
#include "message/parser.h"
#include "message/section.h"

/* Reads a whole file into malloc'd memory (NUL-terminated); NULL if absent. */
char *mt_read_file(const char *path, size_t *len);
/* Directory of the corpus: $CORPUS_DIR or tests/corpus. */
const char *mt_corpus_dir(void);
/* Sorted names (without .eml) of the corpus messages; returns the count. */
unsigned mt_corpus_list(char ***names);
void mt_corpus_free(char **names, unsigned n);
/* Parses data fed in chunks of `chunk` bytes (0: all at once). */
struct msg_tree *mt_parse(const char *data, size_t len, size_t chunk, const struct msg_limits *lim);
/* Parses "1.2.HEADER.FIELDS (A B)<3.4>" into sec; names point into store. */
void mt_section_parse(const char *spec, struct msg_section *sec, char *store, size_t storelen);

#endif
