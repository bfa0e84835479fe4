/* mutf7: IMAP modified UTF-7 mailbox names (RFC 3501 section 5.1.3).
 *
 * Printable US-ASCII other than '&' stands for itself, "&-" is '&', and any
 * other character is UTF-16 in a "&...-" run of base64 with ',' for '/'.
 * Only the canonical form is valid: no empty or adjacent runs, no printable
 * ASCII inside a run, zero padding bits, paired surrogates, no U+0000 and no
 * raw 8-bit or control bytes. Canonical form makes the mapping one-to-one,
 * so two spellings can never name the same folder.
 *
 * The converters append to out and return 0; on invalid input or when out
 * reaches its limit they return -1 and leave out as it was.
 */
#ifndef IMAPD_MUTF7_H
#define IMAPD_MUTF7_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

bool mutf7_valid(const char *s, size_t len);
/* UTF-8 (strict: no overlong forms, surrogates or NUL) to modified UTF-7. */
int mutf7_from_utf8(const char *s, size_t len, struct buf *out);
/* Modified UTF-7 (validated as above) to UTF-8. */
int mutf7_to_utf8(const char *s, size_t len, struct buf *out);

#endif
