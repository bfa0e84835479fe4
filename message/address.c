/* RFC 5322 address lists, leniently, the way IMAP ENVELOPE shows them. */
#include "header.h"

#include <string.h>

struct lex {
	const char *s;
	size_t len, i;
	struct str comment; /* last comment seen, without its parentheses */
};

static bool special(unsigned char c)
{
	return c <= ' ' || strchr("()<>[]:;@\\,\"", c) != NULL;
}

static void skip_cfws(struct lex *x)
{
	while (x->i < x->len) {
		char c = x->s[x->i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			x->i++;
			continue;
		}
		if (c != '(')
			break;
		unsigned depth = 0;
		size_t st = x->i + 1;
		while (x->i < x->len) {
			c = x->s[x->i++];
			if (c == '\\' && x->i < x->len)
				x->i++;
			else if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0)
				break;
		}
		size_t en = x->i;
		if (en > st && x->s[en - 1] == ')' && depth == 0)
			en--;
		x->comment = (struct str){x->s + st, en - st};
	}
}

/* Appends one word (atom or unquoted quoted-string); false if none here. */
static bool word(struct lex *x, struct buf *b)
{
	if (x->i >= x->len)
		return false;
	if (x->s[x->i] == '"') {
		x->i++;
		while (x->i < x->len && x->s[x->i] != '"') {
			if (x->s[x->i] == '\\' && x->i + 1 < x->len)
				x->i++;
			else if (x->s[x->i] == '\n' || x->s[x->i] == '\r') {
				x->i++; /* unfolding inside quotes */
				continue;
			}
			buf_appendc(b, x->s[x->i++]);
		}
		if (x->i < x->len)
			x->i++;
		return true;
	}
	size_t st = x->i;
	while (x->i < x->len && !special((unsigned char)x->s[x->i]))
		x->i++;
	/* High bytes and stray controls other than white space are atom text. */
	if (x->i == st)
		return false;
	buf_append(b, x->s + st, x->i - st);
	return true;
}

/* A domain: atoms, dots and [literals], until a delimiter. */
static void domain(struct lex *x, struct buf *b)
{
	for (;;) {
		skip_cfws(x);
		if (x->i >= x->len)
			return;
		if (x->s[x->i] == '[') {
			size_t st = x->i;
			while (x->i < x->len && x->s[x->i] != ']')
				x->i++;
			if (x->i < x->len)
				x->i++;
			buf_append(b, x->s + st, x->i - st);
		} else if (!word(x, b)) {
			return;
		}
	}
}

static struct str sv(const struct buf *b)
{
	return (struct str){b->s ? b->s : "", b->len};
}

static const struct str nil = {NULL, 0};

int msg_addr_parse(const char *s, size_t len, msg_addr_cb cb, void *ctx)
{
	struct lex x = {s, len, 0, {NULL, 0}};
	struct buf phrase = BUF_INIT(len + 16), local = BUF_INIT(len + 16);
	struct buf route = BUF_INIT(len + 16), host = BUF_INIT(len + 16);
	int count = 0;
	bool in_group = false;
	while (count < MSG_MAX_ADDRESSES) {
		skip_cfws(&x);
		if (x.i >= len)
			break;
		char c = s[x.i];
		if (c == ',') {
			x.i++;
			continue;
		}
		if (c == ';') {
			x.i++;
			if (in_group) {
				struct msg_addr a = {nil, nil, nil, nil};
				in_group = false;
				count++;
				if (!cb(ctx, &a))
					break;
			}
			continue;
		}
		buf_reset(&phrase);
		buf_reset(&local);
		buf_reset(&route);
		buf_reset(&host);
		x.comment = nil;
		/* Words: a display name, a group name or a local part. */
		for (;;) {
			skip_cfws(&x);
			size_t mark = local.len;
			if (!word(&x, &local))
				break;
			if (phrase.len)
				buf_appendc(&phrase, ' ');
			/* An empty quoted word ("") may leave local unallocated. */
			if (local.len > mark)
				buf_append(&phrase, local.s + mark, local.len - mark);
		}
		c = x.i < len ? s[x.i] : 0;
		struct msg_addr a = {nil, nil, nil, nil};
		if (c == ':' && !in_group) {
			x.i++;
			in_group = true;
			a.mailbox = sv(&phrase);
		} else if (c == '<') {
			x.i++;
			if (phrase.len)
				a.name = sv(&phrase);
			buf_reset(&local);
			skip_cfws(&x);
			if (x.i < len && s[x.i] == '@') {
				/* obsolete source route: @a,@b: */
				size_t st = x.i;
				while (x.i < len && s[x.i] != ':' && s[x.i] != '>')
					x.i++;
				buf_append(&route, s + st, x.i - st);
				if (x.i < len && s[x.i] == ':')
					x.i++;
				a.route = sv(&route);
			}
			for (;;) {
				skip_cfws(&x);
				if (!word(&x, &local))
					break;
			}
			if (x.i < len && s[x.i] == '@') {
				x.i++;
				domain(&x, &host);
			}
			while (x.i < len && s[x.i] != '>')
				x.i++;
			if (x.i < len)
				x.i++;
			a.mailbox = local.len ? sv(&local) : STR_LIT("MISSING_MAILBOX");
			a.host = host.len ? sv(&host) : STR_LIT("MISSING_DOMAIN");
		} else if (c == '@') {
			x.i++;
			domain(&x, &host);
			skip_cfws(&x);
			a.mailbox = local.len ? sv(&local) : STR_LIT("MISSING_MAILBOX");
			a.host = host.len ? sv(&host) : STR_LIT("MISSING_DOMAIN");
			if (x.comment.s && x.comment.len)
				a.name = x.comment;
		} else {
			if (local.len == 0) {
				if (x.i < len)
					x.i++; /* a stray delimiter: skip it */
				continue;
			}
			a.mailbox = sv(&local);
			a.host = STR_LIT("MISSING_DOMAIN");
			if (x.comment.s && x.comment.len)
				a.name = x.comment;
		}
		count++;
		if (!cb(ctx, &a))
			break;
	}
	if (in_group && count < MSG_MAX_ADDRESSES) {
		struct msg_addr a = {nil, nil, nil, nil};
		count++;
		cb(ctx, &a);
	}
	buf_free(&phrase);
	buf_free(&local);
	buf_free(&route);
	buf_free(&host);
	return count;
}
