/* respond: writing IMAP responses.
 *
 * Every response goes through here so that quoting is done in one place:
 * a string that is safe in quotes is quoted, anything else is a literal.
 */
#ifndef IMAPD_RESPOND_H
#define IMAPD_RESPOND_H

#include "message/imapstr.h"
#include "session/session.h"

/* "<tag> <status> <text>\r\n"; text is printf-style and must not hold CR/LF. */
void respond_tagged(struct session *s, struct str tag, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "* <text>\r\n" */
void respond_untagged(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "+ <text>\r\n" and flush: the client is waiting for it. */
void respond_continue(struct session *s, const char *text);

/* An astring: a bare atom when possible, else a string (message/imapstr.h). */
bool imap_append_astring(struct buf *b, const char *s, size_t len);

#endif
