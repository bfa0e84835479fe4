#include "respond.h"

#include "session/mailbox.h"

#include <stdarg.h>
#include <string.h>

__attribute__((format(printf, 4, 0))) static void vline(struct session *s, const char *prefix,
							size_t plen, const char *fmt, va_list ap)
{
	struct buf *o = &s->io.out;
	if (s->io.failed)
		return;
	if (!buf_append(o, prefix, plen) || !buf_vappendf(o, fmt, ap) || !buf_append(o, "\r\n", 2))
		s->io.failed = true;
}

/* Sends what is queued before a reply of about need bytes is added, once
 * the queue is large or the reply might not fit under max_output_buffer
 * (which may be as small as 64 KiB): pipelined commands must not overflow
 * it while there is input left to read. */
#define RESPOND_FLUSH 32768

static void make_room(struct session *s, size_t need)
{
	const struct buf *o = &s->io.out;
	if (o->len > 0 && (o->len >= RESPOND_FLUSH || o->len + need + 1024 > o->max))
		io_flush(&s->io);
}

void respond_tagged(struct session *s, struct str tag, const char *status, const char *fmt, ...)
{
	struct buf *o = &s->io.out;
	make_room(s, tag.len);
	/* What other processes changed is reported before every completion. */
	session_update(s);
	if (!s->io.failed && (!buf_append(o, tag.s, tag.len) || !buf_appendc(o, ' ') ||
			      !buf_appends(o, status) || !buf_appendc(o, ' ')))
		s->io.failed = true;
	va_list ap;
	va_start(ap, fmt);
	vline(s, "", 0, fmt, ap);
	va_end(ap);
}

void respond_untagged(struct session *s, const char *fmt, ...)
{
	make_room(s, 0);
	va_list ap;
	va_start(ap, fmt);
	vline(s, "* ", 2, fmt, ap);
	va_end(ap);
	if (s->io.out.len > 65536)
		io_flush(&s->io);
}

void respond_continue(struct session *s, const char *text)
{
	io_puts(&s->io, "+ ");
	io_puts(&s->io, text);
	io_puts(&s->io, "\r\n");
	io_flush(&s->io);
}

bool imap_append_astring(struct buf *b, const char *s, size_t len)
{
	bool atom = len > 0 && !(len == 3 && memcmp(s, "NIL", 3) == 0);
	for (size_t i = 0; atom && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\", c))
			atom = false;
	}
	if (atom)
		return buf_append(b, s, len);
	return imap_append_string(b, s, len);
}
