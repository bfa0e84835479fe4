#include "name.h"

#include <string.h>
#include <strings.h>

#include "mutf7.h"
#include "util.h"

#define DOT_ESCAPE "&AC4-"

bool md_name_is_inbox(const char *name, size_t len)
{
	return len == 5 && strncasecmp(name, "INBOX", 5) == 0;
}

static bool inbox_prefix(const char *name, size_t len)
{
	return len > 6 && strncasecmp(name, "INBOX/", 6) == 0;
}

int md_name_check(const char *name, size_t len, struct buf *err)
{
	if (len == 0) {
		md_seterr(err, "Mailbox name is empty");
		return -1;
	}
	if (len > MD_NAME_MAX) {
		md_seterr(err, "Mailbox name is too long (limit %d bytes)", MD_NAME_MAX);
		return -1;
	}
	unsigned depth = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == 0 || c < 0x20 || c == 0x7f) {
			md_seterr(err, "Mailbox name contains a control character");
			return -1;
		}
		if (c >= 0x80) {
			md_seterr(err, "Mailbox name is not valid modified UTF-7");
			return -1;
		}
		if (c == '%' || c == '*') {
			md_seterr(err, "Mailbox name contains a wildcard character");
			return -1;
		}
		bool level_start = i == 0 || name[i - 1] == MD_DELIM;
		if (level_start && c == MD_DELIM) {
			md_seterr(err, "Mailbox name has an empty level");
			return -1;
		}
		if (level_start && c == '.') {
			md_seterr(err, "Mailbox name level may not begin with '.'");
			return -1;
		}
		if (c == MD_DELIM && ++depth > MD_NAME_DEPTH_MAX) {
			md_seterr(err, "Mailbox name is nested too deeply (limit %d levels)",
				  MD_NAME_DEPTH_MAX);
			return -1;
		}
	}
	if (name[len - 1] == MD_DELIM) {
		md_seterr(err, "Mailbox name has an empty level");
		return -1;
	}
	struct buf u = BUF_INIT(4 * MD_NAME_MAX);
	if (mutf7_to_utf8(name, len, &u) < 0) {
		buf_free(&u);
		md_seterr(err, "Mailbox name is not valid modified UTF-7");
		return -1;
	}
	/* Controls can arrive encoded; refuse them like raw ones. */
	for (size_t i = 0; i < u.len; i++) {
		unsigned char a = (unsigned char)u.s[i];
		unsigned char b = i + 1 < u.len ? (unsigned char)u.s[i + 1] : 0;
		if (a < 0x20 || a == 0x7f || (a == 0xc2 && b >= 0x80 && b <= 0x9f)) {
			buf_free(&u);
			md_seterr(err, "Mailbox name contains a control character");
			return -1;
		}
	}
	buf_free(&u);
	return 0;
}

int md_name_normalize(const char *name, size_t len, struct buf *out)
{
	if (md_name_is_inbox(name, len) || inbox_prefix(name, len)) {
		if (!buf_appends(out, "INBOX") || !buf_append(out, name + 5, len - 5))
			return -1;
		return 0;
	}
	return buf_append(out, name, len) ? 0 : -1;
}

int md_name_to_dir(const char *name, size_t len, struct buf *dir, struct buf *err)
{
	if (md_name_check(name, len, err) < 0)
		return -1;
	size_t mark = dir->len;
	if (md_name_is_inbox(name, len))
		return 0;
	bool ok = buf_appendc(dir, '.');
	size_t i = 0;
	if (inbox_prefix(name, len)) {
		ok = ok && buf_appends(dir, "INBOX");
		i = 5;
	}
	for (; ok && i < len; i++) {
		if (name[i] == MD_DELIM)
			ok = buf_appendc(dir, '.');
		else if (name[i] == '.')
			ok = buf_appends(dir, DOT_ESCAPE);
		else
			ok = buf_appendc(dir, name[i]);
	}
	if (!ok || dir->len - mark > MD_NAME_MAX) {
		buf_truncate(dir, mark);
		md_seterr(err, "Mailbox name is too long (limit %d bytes)", MD_NAME_MAX);
		return -1;
	}
	return 0;
}

int md_name_from_dir(const char *d, struct buf *name)
{
	size_t len = strlen(d), mark = name->len;
	if (len < 2 || d[0] != '.' || len > MD_NAME_MAX)
		return -1;
	bool ok = true;
	for (size_t i = 1; ok && i < len; i++) {
		if (d[i] == '.')
			ok = buf_appendc(name, MD_DELIM);
		else if (strncmp(d + i, DOT_ESCAPE, 5) == 0)
			ok = buf_appendc(name, '.'), i += 4;
		else
			ok = buf_appendc(name, d[i]);
	}
	if (!ok || md_name_check(name->s + mark, name->len - mark, NULL) < 0) {
		buf_truncate(name, mark);
		return -1;
	}
	/* Only the one directory a name maps to is that folder: ".INBOX" and
	 * ".inbox.x" would shadow INBOX and "INBOX/x" under the same name. */
	struct buf back = BUF_INIT(MD_NAME_MAX + 1);
	ok = md_name_to_dir(name->s + mark, name->len - mark, &back, NULL) == 0 &&
	     back.len == len && memcmp(back.s, d, len) == 0;
	buf_free(&back);
	if (!ok) {
		buf_truncate(name, mark);
		return -1;
	}
	return 0;
}
