/* keywords: the dovecot-keywords file, keyword names for the letters a-z.
 *
 * Format, as Dovecot writes it: one "<index> <name>" line per keyword,
 * index 0-25 standing for the letters 'a'-'z' in a message file's flags.
 * At most MD_MAX_KEYWORDS (26) keywords per folder, each a valid IMAP atom
 * of at most MD_KEYWORD_MAX bytes. Lines that do not parse are ignored.
 * New keywords are added under the uidlist lock (so two writers cannot
 * give one letter two names; Dovecot relies on the same lock) and saved by
 * an atomic rename whose mtime is always later, in whole seconds, than the
 * file it replaces, because that is how readers notice the change.
 */
#ifndef IMAPD_MD_KEYWORDS_H
#define IMAPD_MD_KEYWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "filename.h"
#include "lib/buf.h"

#define MD_KEYWORDS_NAME "dovecot-keywords"
#define MD_KEYWORD_MAX	 128

struct md_keywords {
	char *name[MD_MAX_KEYWORDS]; /* NULL: index unused */
};

/* Replaces the table with dir's file (a missing file is an empty table). */
int md_keywords_read(struct md_keywords *kw, const char *dir, struct buf *err);
int md_keywords_write(const struct md_keywords *kw, const char *dir, struct buf *err);
void md_keywords_clear(struct md_keywords *kw);
/* Index of name (case-insensitive, as IMAP flags are), or -1. */
int md_keywords_find(const struct md_keywords *kw, const char *name);
/* Index of name, adding it when missing; -1 with err when the table is
 * full or the name is not a valid keyword. *added tells whether it was new. */
int md_keywords_add(struct md_keywords *kw, const char *name, bool *added, struct buf *err);
/* Whether name is a keyword atom: no system flag backslash, no atom-specials. */
bool md_keyword_valid(const char *name);

#endif
