/* flags: parsing IMAP flag lists into Maildir flag bits and keyword names. */
#ifndef IMAPD_SESSION_FLAGS_H
#define IMAPD_SESSION_FLAGS_H

#include <stdint.h>

#include "session/parser.h"

/* Keywords one command may name (a Maildir folder holds 26 in all). */
#define FLAGS_MAX_KEYWORDS 26

struct flag_list {
	uint8_t flags; /* enum md_flag bits */
	size_t nkw;
	char kw[FLAGS_MAX_KEYWORDS][128]; /* keyword names, NUL-terminated */
};

/* flag-list = "(" [flag *(SP flag)] ")"; with bare, a single flag or
 * several without parentheses are accepted too (STORE allows that).
 * \Recent and unknown system flags are errors (BAD). */
bool p_flag_list(struct parser *p, struct flag_list *out, bool bare);

#endif
