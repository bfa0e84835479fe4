#include "imapstr.h"

#include <string.h>

static bool needs_literal(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0 || c == '\r' || c == '\n' || c >= 0x80)
			return true;
	}
	return false;
}

/* NUL, which no IMAP string may hold, goes out as U+FFFD, as Dovecot does. */
#define NUL_REPL "\xef\xbf\xbd"

static size_t mapped_len(const char *s, size_t len)
{
	size_t n = len;
	for (size_t i = 0; i < len; i++)
		if (s[i] == 0)
			n += sizeof(NUL_REPL) - 2;
	return n;
}

static bool append_mapped(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		bool ok = s[i] == 0 ? buf_appends(out, NUL_REPL) : buf_appendc(out, s[i]);
		if (!ok)
			return false;
	}
	return true;
}

static bool append_str(struct buf *out, const char *s, size_t len)
{
	size_t mark = out->len;
	bool ok;
	if (needs_literal(s, len)) {
		ok =
		    buf_appendf(out, "{%zu}\r\n", mapped_len(s, len)) && append_mapped(out, s, len);
	} else {
		ok = buf_appendc(out, '"');
		for (size_t i = 0; ok && i < len; i++) {
			if (s[i] == '"' || s[i] == '\\')
				ok = buf_appendc(out, '\\');
			if (ok)
				ok = append_mapped(out, s + i, 1);
		}
		ok = ok && buf_appendc(out, '"');
	}
	if (!ok)
		buf_truncate(out, mark);
	return ok;
}

bool imap_append_string(struct buf *out, const char *s, size_t len)
{
	return append_str(out, s, len);
}

bool imap_append_nstring(struct buf *out, const char *s, size_t len)
{
	if (!s)
		return buf_appends(out, "NIL");
	return append_str(out, s, len);
}

static bool lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool imap_append_human(struct buf *out, const char *s, size_t len)
{
	if (!s)
		return buf_appends(out, "NIL");
	/* Trim, and see whether anything must change. */
	size_t st = 0, en = len;
	while (st < en && lwsp(s[st]))
		st++;
	while (en > st && lwsp(s[en - 1]))
		en--;
	bool modify = st != 0 || en != len;
	for (size_t i = st; i < en && !modify; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0 || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '\\' ||
		    c >= 0x80 || (c == ' ' && s[i + 1] == ' '))
			modify = true;
	}
	if (!modify) {
		size_t mark = out->len;
		if (buf_appendc(out, '"') && buf_append(out, s, len) && buf_appendc(out, '"'))
			return true;
		buf_truncate(out, mark);
		return false;
	}
	if (st == en)
		return buf_appends(out, "\"\"");
	size_t n = 0;
	for (size_t i = st; i < en; i++)
		if (s[i] == 0)
			n += sizeof(NUL_REPL) - 1;
		else if (!lwsp(s[i]) || !lwsp(s[i - 1]) || i == st)
			n++;
	size_t mark = out->len;
	bool ok = buf_appendf(out, "{%zu}\r\n", n);
	for (size_t i = st; ok && i < en; i++) {
		char c = s[i];
		if (lwsp(c)) {
			if (i > st && lwsp(s[i - 1]))
				continue;
			c = ' ';
		} else if (c == 0) {
			ok = buf_appends(out, NUL_REPL);
			continue;
		}
		ok = buf_appendc(out, c);
	}
	if (!ok)
		buf_truncate(out, mark);
	return ok;
}

bool imap_append_nstring_nolf(struct buf *out, const char *s, size_t len)
{
	if (!s || (!memchr(s, '\n', len) && !memchr(s, '\r', len)))
		return imap_append_nstring(out, s, len);
	struct buf tmp = BUF_INIT(len + 1);
	bool ok = true;
	for (size_t i = 0; ok && i < len; i++)
		if (s[i] != '\r' && s[i] != '\n')
			ok = buf_appendc(&tmp, s[i]);
	ok = ok && imap_append_string(out, tmp.s ? tmp.s : "", tmp.len);
	buf_free(&tmp);
	return ok;
}
