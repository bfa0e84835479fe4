/* imapstr: writing IMAP strings (RFC 3501/9051 string, nstring).
 *
 * A value is sent as a quoted string when every byte is printable 7-bit
 * (0x01-0x7f except CR and LF); '"' and '\' are escaped inside quotes.
 * Anything else (CR, LF, 8-bit) goes out as a literal {n}\r\n...; a NUL,
 * which no IMAP string may carry, is sent as U+FFFD (as Dovecot does), so
 * the rendering stays valid. All functions return false when out is full.
 */
#ifndef IMAPD_MESSAGE_IMAPSTR_H
#define IMAPD_MESSAGE_IMAPSTR_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

bool imap_append_string(struct buf *out, const char *s, size_t len);
/* NIL when s is NULL. */
bool imap_append_nstring(struct buf *out, const char *s, size_t len);
/* imap_append_nstring without any CR or LF (unfolded header values). */
bool imap_append_nstring_nolf(struct buf *out, const char *s, size_t len);
/* Text meant for people (ENVELOPE subject and display names), as Dovecot
 * writes it: runs of SP, HT, CR and LF become one space, leading and
 * trailing white space goes, NUL becomes U+FFFD. Sent quoted when nothing had
 * to change and no byte needs escaping, else as a literal. NIL for NULL. */
bool imap_append_human(struct buf *out, const char *s, size_t len);

#endif
