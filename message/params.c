/* Content-Type / Content-Disposition values and RFC 2231 parameter joining. */
#include "header.h"

#include <stdlib.h>
#include <strings.h>
#include <string.h>

static bool tspecial(unsigned char c)
{
	return c <= ' ' || c == 0x7f || strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static void skip_cfws(const char *s, size_t len, size_t *i)
{
	while (*i < len) {
		char c = s[*i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			(*i)++;
		} else if (c == '(') {
			unsigned depth = 0;
			while (*i < len) {
				c = s[(*i)++];
				if (c == '\\' && *i < len)
					(*i)++;
				else if (c == '(')
					depth++;
				else if (c == ')' && --depth == 0)
					break;
			}
		} else {
			break;
		}
	}
}

static struct str token(const char *s, size_t len, size_t *i)
{
	size_t st = *i;
	while (*i < len && !tspecial((unsigned char)s[*i]))
		(*i)++;
	return (struct str){s + st, *i - st};
}

/* Scratch was reserved up front, so appends never move earlier pointers. */
static struct str keep(struct buf *sc, const char *p, size_t n)
{
	size_t at = sc->len;
	if (!buf_append(sc, p, n))
		return (struct str){"", 0};
	return (struct str){sc->s + at, n};
}

/* Parses a quoted-string or token value into scratch. */
static struct str value(const char *s, size_t len, size_t *i, struct buf *sc)
{
	if (*i < len && s[*i] == '"') {
		size_t at = sc->len;
		(*i)++;
		while (*i < len && s[*i] != '"') {
			if (s[*i] == '\\' && *i + 1 < len)
				(*i)++;
			buf_appendc(sc, s[(*i)++]);
		}
		if (*i < len)
			(*i)++;
		return (struct str){sc->s + at, sc->len - at};
	}
	/* Dovecot accepts anything up to ';' or white space for a bare value. */
	size_t st = *i;
	while (*i < len && !strchr("; \t\r\n", s[*i]))
		(*i)++;
	return keep(sc, s + st, *i - st);
}

struct raw_param {
	struct str name; /* base name for continuations */
	struct str value;
	int index;     /* -1: plain; -2: single "name*"; >=0: continuation number */
	bool extended; /* piece ends with '*' */
};

/* Splits "name*3*" into base "name", index 3, extended. */
static void classify(struct raw_param *rp)
{
	struct str n = rp->name;
	rp->index = -1;
	rp->extended = false;
	const char *star = memchr(n.s, '*', n.len);
	if (!star)
		return;
	size_t base = (size_t)(star - n.s);
	size_t k = base + 1;
	if (k == n.len) {
		rp->index = -2;
		return;
	}
	long num = 0;
	size_t d = k;
	while (k < n.len && n.s[k] >= '0' && n.s[k] <= '9' && num < 100000)
		num = num * 10 + (n.s[k++] - '0');
	if (k == d)
		return;
	if (k < n.len && n.s[k] == '*' && k + 1 == n.len)
		rp->extended = true;
	else if (k != n.len)
		return;
	rp->index = (int)num;
	rp->name.len = base;
}

int msg_params_parse(const char *s, size_t len, bool with_subtype, struct msg_params *out)
{
	memset(out, 0, sizeof(*out));
	out->type = out->subtype = (struct str){"", 0};
	out->scratch.max = 4 * len + 64;
	if (!buf_reserve(&out->scratch, out->scratch.max - 1))
		return -1;
	int ret = 0;
	size_t i = 0;
	skip_cfws(s, len, &i);
	out->type = token(s, len, &i);
	if (out->type.len == 0)
		ret = -1;
	if (with_subtype) {
		skip_cfws(s, len, &i);
		if (i < len && s[i] == '/') {
			i++;
			skip_cfws(s, len, &i);
			out->subtype = token(s, len, &i);
		}
	}
	struct raw_param raw[MSG_MAX_PARAMS];
	unsigned nraw = 0;
	while (i < len && nraw < MSG_MAX_PARAMS) {
		const char *semi = memchr(s + i, ';', len - i);
		if (!semi)
			break;
		i = (size_t)(semi - s) + 1;
		skip_cfws(s, len, &i);
		struct str name = token(s, len, &i);
		skip_cfws(s, len, &i);
		if (name.len == 0 || i >= len || s[i] != '=')
			continue;
		i++;
		skip_cfws(s, len, &i);
		raw[nraw].name = name;
		raw[nraw].value = value(s, len, &i, &out->scratch);
		classify(&raw[nraw]);
		nraw++;
	}
	/* Plain parameters first, in order; then the joined RFC 2231 ones. */
	bool used[MSG_MAX_PARAMS] = {false};
	for (unsigned k = 0; k < nraw; k++) {
		if (raw[k].index != -1)
			continue;
		used[k] = true;
		out->p[out->n].name = keep(&out->scratch, raw[k].name.s, raw[k].name.len);
		out->p[out->n++].value = raw[k].value;
	}
	for (unsigned k = 0; k < nraw; k++) {
		if (used[k])
			continue;
		if (raw[k].index == -2) {
			used[k] = true;
			out->p[out->n].name = keep(&out->scratch, raw[k].name.s, raw[k].name.len);
			out->p[out->n++].value = raw[k].value;
			continue;
		}
		/* Join every piece of this base name in index order. */
		struct str base = raw[k].name;
		bool first_ext = false;
		size_t vat = out->scratch.len;
		for (int want = 0;; want++) {
			unsigned found = nraw;
			for (unsigned j = 0; j < nraw; j++) {
				if (!used[j] && raw[j].index == want &&
				    raw[j].name.len == base.len &&
				    strncasecmp(raw[j].name.s, base.s, base.len) == 0) {
					found = j;
					break;
				}
			}
			if (found == nraw)
				break;
			used[found] = true;
			if (want == 0)
				first_ext = raw[found].extended;
			buf_append(&out->scratch, raw[found].value.s, raw[found].value.len);
		}
		struct str joined = {out->scratch.s + vat, out->scratch.len - vat};
		if (joined.len == 0 && !used[k]) {
			used[k] = true; /* pieces not starting at 0: drop */
			continue;
		}
		size_t nat = out->scratch.len;
		buf_append(&out->scratch, base.s, base.len);
		if (first_ext)
			buf_appendc(&out->scratch, '*');
		out->p[out->n].name = (struct str){out->scratch.s + nat, out->scratch.len - nat};
		out->p[out->n++].value = joined;
	}
	return ret;
}

void msg_params_free(struct msg_params *pp)
{
	buf_free(&pp->scratch);
	pp->n = 0;
}

const struct str *msg_params_get(const struct msg_params *pp, const char *name)
{
	for (unsigned k = 0; k < pp->n; k++)
		if (str_caseeq(pp->p[k].name, name))
			return &pp->p[k].value;
	return NULL;
}
