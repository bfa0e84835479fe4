#include "location.h"

#include <string.h>

#include "util.h"

static int put_value(struct buf *out, const char *v, size_t n, char esc, struct buf *err)
{
	if (n == 0 || memchr(v, '/', n) || (n == 1 && v[0] == '.') ||
	    (n == 2 && v[0] == '.' && v[1] == '.')) {
		md_seterr(err, "mail_location: %%%c has no usable value for this user", esc);
		return -1;
	}
	if (!buf_append(out, v, n)) {
		md_seterr(err, "mail_location: path too long");
		return -1;
	}
	return 0;
}

static int check_path(const struct buf *p, struct buf *err)
{
	if (p->len == 0 || p->s[0] != '/') {
		md_seterr(err, "mail_location: not an absolute path");
		return -1;
	}
	if (p->len >= MD_PATH_MAX) {
		md_seterr(err, "mail_location: path too long");
		return -1;
	}
	for (size_t i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->s[i];
		if (c < 0x20 || c == 0x7f) {
			md_seterr(err, "mail_location: control character in path");
			return -1;
		}
		if (c != '/')
			continue;
		const char *comp = p->s + i + 1;
		size_t n = strcspn(comp, "/");
		if ((n == 1 && comp[0] == '.') || (n == 2 && comp[0] == '.' && comp[1] == '.')) {
			md_seterr(err, "mail_location: \".\" or \"..\" in path");
			return -1;
		}
	}
	return 0;
}

int md_location_expand(const char *tmpl, const char *user, const char *home, struct buf *out,
		       struct buf *err)
{
	buf_reset(out);
	const char *at = user ? strchr(user, '@') : NULL;
	for (const char *p = tmpl; *p; p++) {
		if (*p != '%') {
			if (!buf_appendc(out, *p))
				goto toolong;
			continue;
		}
		char e = *++p;
		int r = 0;
		switch (e) {
		case '%':
			if (!buf_appendc(out, '%'))
				goto toolong;
			break;
		case 'u':
			r = put_value(out, user ? user : "", user ? strlen(user) : 0, e, err);
			break;
		case 'n':
			r = put_value(out, user ? user : "",
				      at ? (size_t)(at - user) : (user ? strlen(user) : 0), e, err);
			break;
		case 'd':
			r = put_value(out, at ? at + 1 : "", at ? strlen(at + 1) : 0, e, err);
			break;
		case 'h':
			if (!home || home[0] != '/') {
				md_seterr(err, "mail_location: %%h used but the user has no home");
				return -1;
			}
			if (!buf_appends(out, home))
				goto toolong;
			break;
		case '\0':
			md_seterr(err, "mail_location: template ends with '%%'");
			return -1;
		default:
			md_seterr(err, "mail_location: unknown escape %%%c", e);
			return -1;
		}
		if (r < 0)
			return -1;
	}
	/* A trailing '/' adds nothing and would confuse later joins. */
	while (out->len > 1 && out->s[out->len - 1] == '/')
		buf_truncate(out, out->len - 1);
	return check_path(out, err);
toolong:
	md_seterr(err, "mail_location: path too long");
	return -1;
}
