#include "decode.h"

#include "lib/base64.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REPLACEMENT "\xef\xbf\xbd"

enum msg_cte msg_cte_parse(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
		len--;
	struct str v = {s, len};
	if (!s || len == 0 || str_caseeq(v, "7bit") || str_caseeq(v, "8bit") ||
	    str_caseeq(v, "binary"))
		return MSG_CTE_IDENTITY;
	if (str_caseeq(v, "base64"))
		return MSG_CTE_BASE64;
	if (str_caseeq(v, "quoted-printable"))
		return MSG_CTE_QP;
	return MSG_CTE_UNKNOWN;
}

void msg_decoder_init(struct msg_decoder *d, enum msg_cte cte, bool crlf)
{
	memset(d, 0, sizeof(*d));
	d->cte = cte;
	d->crlf = crlf;
}

static int b64val(unsigned char c)
{
	return b64_symbol(c, '/');
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Emits the bytes of a partial base64 quantum (2 or 3 sextets). */
static bool b64_flush(struct msg_decoder *d, struct buf *out)
{
	unsigned char b[3];
	size_t n = 0;
	if (d->nq >= 2)
		b[n++] = (unsigned char)(d->q[0] << 2 | d->q[1] >> 4);
	if (d->nq >= 3)
		b[n++] = (unsigned char)(d->q[1] << 4 | d->q[2] >> 2);
	if (d->nq == 4)
		b[n++] = (unsigned char)(d->q[2] << 6 | d->q[3]);
	d->nq = 0;
	return buf_append(out, b, n);
}

static bool b64_feed(struct msg_decoder *d, const char *in, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '=') {
			if (!b64_flush(d, out))
				return false;
			continue;
		}
		int v = b64val((unsigned char)in[i]);
		if (v < 0)
			continue;
		d->q[d->nq++] = (unsigned char)v;
		if (d->nq == 4 && !b64_flush(d, out))
			return false;
	}
	return true;
}

static bool line_end(struct msg_decoder *d, struct buf *out)
{
	return d->crlf ? buf_append(out, "\r\n", 2) : buf_appendc(out, '\n');
}

static bool ws_flush(struct msg_decoder *d, struct buf *out)
{
	bool ok = buf_append(out, d->ws, d->nws);
	d->nws = 0;
	return ok;
}

enum { QP_TEXT, QP_CR, QP_EQ, QP_EQ1, QP_EQ_WS, QP_EQ_CR };

static bool qp_feed(struct msg_decoder *d, const char *in, size_t len, struct buf *out)
{
	bool ok = true;
	for (size_t i = 0; ok && i < len;) {
		char c = in[i];
		switch (d->state) {
		case QP_TEXT:
			if (c == ' ' || c == '\t') {
				if (d->nws == sizeof(d->ws))
					ok = ws_flush(d, out);
				d->ws[d->nws++] = c;
			} else if (c == '\r') {
				d->state = QP_CR;
			} else if (c == '\n') {
				d->nws = 0; /* blanks ending a line are padding */
				ok = line_end(d, out);
			} else if (c == '=') {
				ok = ws_flush(d, out);
				d->state = QP_EQ;
			} else {
				/* a run of plain text goes out at once */
				size_t st = i;
				while (i + 1 < len && !strchr(" \t\r\n=", in[i + 1]))
					i++;
				ok = ws_flush(d, out) && buf_append(out, in + st, i - st + 1);
			}
			i++;
			break;
		case QP_CR:
			d->state = QP_TEXT;
			if (c == '\n') {
				d->nws = 0;
				ok = line_end(d, out);
				i++;
			} else {
				ok = ws_flush(d, out) && buf_appendc(out, '\r');
			}
			break;
		case QP_EQ:
			if (hexval(c) >= 0) {
				d->esc[0] = c;
				d->state = QP_EQ1;
			} else if (c == ' ' || c == '\t') {
				d->state = QP_EQ_WS;
			} else if (c == '\r') {
				d->state = QP_EQ_CR;
			} else if (c == '\n') {
				d->state = QP_TEXT; /* soft line break */
			} else {
				d->state = QP_TEXT;
				ok = buf_appendc(out, '=');
				break; /* c again as text */
			}
			i++;
			break;
		case QP_EQ1:
			d->state = QP_TEXT;
			if (hexval(c) >= 0) {
				ok = buf_appendc(out, (char)(hexval(d->esc[0]) << 4 | hexval(c)));
				i++;
			} else {
				ok = buf_appendc(out, '=') && buf_appendc(out, d->esc[0]);
			}
			break;
		case QP_EQ_WS:
			if (c == ' ' || c == '\t') {
				i++;
			} else if (c == '\r') {
				d->state = QP_EQ_CR;
				i++;
			} else if (c == '\n') {
				d->state = QP_TEXT;
				i++;
			} else {
				d->state = QP_TEXT;
				ok = buf_appendc(out, '=');
			}
			break;
		case QP_EQ_CR:
			d->state = QP_TEXT;
			if (c == '\n')
				i++;
			else
				ok = buf_appendc(out, '=') && buf_appendc(out, '\r');
			break;
		}
	}
	return ok;
}

static bool identity_feed(struct msg_decoder *d, const char *in, size_t len, struct buf *out)
{
	if (!d->crlf && d->keep_nul)
		return buf_append(out, in, len);
	if (!buf_reserve(out, 2 * len))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (d->crlf && c == '\n' && !d->last_cr)
			out->s[out->len++] = '\r';
		d->last_cr = c == '\r';
		if (c == 0 && !d->keep_nul)
			c = (char)0x80;
		out->s[out->len++] = c;
	}
	out->s[out->len] = '\0';
	return true;
}

bool msg_decoder_feed(struct msg_decoder *d, const char *in, size_t len, struct buf *out)
{
	switch (d->cte) {
	case MSG_CTE_BASE64:
		return b64_feed(d, in, len, out);
	case MSG_CTE_QP:
		return qp_feed(d, in, len, out);
	default:
		return identity_feed(d, in, len, out);
	}
}

bool msg_decoder_finish(struct msg_decoder *d, struct buf *out)
{
	bool ok = true;
	if (d->cte == MSG_CTE_BASE64) {
		ok = b64_flush(d, out);
	} else if (d->cte == MSG_CTE_QP) {
		if (d->state == QP_EQ || d->state == QP_EQ_WS)
			ok = buf_appendc(out, '=');
		else if (d->state == QP_EQ1)
			ok = buf_appendc(out, '=') && buf_appendc(out, d->esc[0]);
		else if (d->state == QP_CR)
			ok = buf_appendc(out, '\r');
		d->nws = 0;
	}
	d->state = QP_TEXT;
	return ok;
}

/* ---- UTF-8 ---- */

size_t msg_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if (i >= len)
			return 0;
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = v;
	return n;
}

/* Appends UTF-8 of in; an incomplete character at the end is left for the
 * caller: returns the bytes consumed in *used. */
static bool utf8_part(const char *in, size_t len, struct buf *out, size_t *used, bool final)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;
	bool ok = true;
	while (ok && i < len) {
		uint32_t cp;
		size_t n = msg_utf8_next(s + i, len - i, &cp);
		if (n == 0) {
			if (!final)
				break;
			ok = buf_appends(out, REPLACEMENT);
			i++;
			continue;
		}
		if (cp == 0xFFFD && n == 1 && s[i] >= 0x80)
			ok = buf_appends(out, REPLACEMENT);
		else
			ok = buf_append(out, in + i, n);
		i += n;
	}
	*used = i;
	return ok;
}

bool msg_utf8_sanitize(const char *in, size_t len, struct buf *out)
{
	size_t used;
	return utf8_part(in, len, out, &used, true);
}

/* ---- charsets ---- */

#define CARRY_MAX 16

struct msg_conv {
	iconv_t cd;
	bool utf8, known;
	char carry[CARRY_MAX];
	size_t ncarry;
};

static bool is_utf8_name(const char *n)
{
	return strcasecmp(n, "utf-8") == 0 || strcasecmp(n, "utf8") == 0 ||
	       strcasecmp(n, "us-ascii") == 0 || strcasecmp(n, "ascii") == 0 || n[0] == '\0';
}

struct msg_conv *msg_conv_create(const char *charset, size_t len)
{
	struct msg_conv *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	char name[MSG_MAX_CHARSET + 1];
	if (!charset || len > MSG_MAX_CHARSET)
		len = 0;
	memcpy(name, charset ? charset : "", len);
	name[len] = '\0';
	c->utf8 = true;
	c->known = len == 0 || is_utf8_name(name);
	if (!c->known && !memchr(name, 0, len)) {
		c->cd = iconv_open("UTF-8", name);
		if (c->cd != (iconv_t)-1) {
			c->utf8 = false;
			c->known = true;
		}
	}
	return c;
}

void msg_conv_free(struct msg_conv **pc)
{
	struct msg_conv *c = *pc;
	if (!c)
		return;
	if (!c->utf8)
		iconv_close(c->cd);
	free(c);
	*pc = NULL;
}

bool msg_conv_known(const struct msg_conv *c)
{
	return c->known;
}

static bool conv_run(struct msg_conv *c, const char *in, size_t len, struct buf *out, bool final)
{
	/* The carried bytes go first; a copy keeps the code simple and the
	 * memory bounded by the caller's chunk. */
	size_t total = c->ncarry + len;
	char *tmp = malloc(total ? total : 1);
	if (!tmp)
		return false;
	memcpy(tmp, c->carry, c->ncarry);
	if (len)
		memcpy(tmp + c->ncarry, in, len);
	c->ncarry = 0;
	bool ok = true;
	size_t used = 0;
	if (c->utf8) {
		ok = utf8_part(tmp, total, out, &used, final);
	} else {
		char *ip = tmp;
		size_t ileft = total;
		while (ok && ileft > 0) {
			if (!buf_reserve(out, ileft * 4 + 16)) {
				ok = false;
				break;
			}
			char *op = out->s + out->len;
			size_t oleft = out->cap - out->len - 1;
			size_t r = iconv(c->cd, &ip, &ileft, &op, &oleft);
			out->len = (size_t)(op - out->s);
			out->s[out->len] = '\0';
			if (r != (size_t)-1)
				break;
			if (errno == E2BIG)
				continue;
			if (errno == EINVAL && !final && ileft <= CARRY_MAX)
				break; /* incomplete: wait for more */
			/* invalid or cut short at the end */
			ok = buf_appends(out, REPLACEMENT);
			ip++;
			ileft--;
			iconv(c->cd, NULL, NULL, NULL, NULL);
		}
		used = (size_t)(ip - tmp);
	}
	if (ok && used < total) {
		c->ncarry = total - used;
		memcpy(c->carry, tmp + used, c->ncarry);
	}
	free(tmp);
	return ok;
}

bool msg_conv_feed(struct msg_conv *c, const char *in, size_t len, struct buf *out)
{
	return conv_run(c, in, len, out, false);
}

bool msg_conv_finish(struct msg_conv *c, struct buf *out)
{
	bool ok = conv_run(c, NULL, 0, out, true);
	if (!c->utf8) {
		/* flush any shift state */
		if (buf_reserve(out, 16)) {
			char *op = out->s + out->len;
			size_t oleft = 16;
			iconv(c->cd, NULL, NULL, &op, &oleft);
			out->len = (size_t)(op - out->s);
			out->s[out->len] = '\0';
		}
	}
	return ok;
}

bool msg_conv_string(const char *charset, size_t clen, const char *in, size_t len, struct buf *out)
{
	struct msg_conv *c = msg_conv_create(charset, clen);
	if (!c)
		return false;
	bool ok = msg_conv_feed(c, in, len, out) && msg_conv_finish(c, out);
	msg_conv_free(&c);
	return ok;
}

/* ---- RFC 2047 encoded words ---- */

/* Parses "=?charset?e?text?=" at s; returns its length, 0 when not one. */
static size_t encoded_word(const char *s, size_t len, struct str *cs, char *enc, struct str *text)
{
	if (len < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	size_t i = 2;
	while (i < len && s[i] != '?' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
		i++;
	if (i >= len || s[i] != '?' || i == 2)
		return 0;
	*cs = (struct str){s + 2, i - 2};
	const char *star = memchr(cs->s, '*', cs->len); /* RFC 2231 language */
	if (star)
		cs->len = (size_t)(star - cs->s);
	if (i + 2 >= len || s[i + 2] != '?')
		return 0;
	*enc = s[i + 1];
	if (*enc != 'q' && *enc != 'Q' && *enc != 'b' && *enc != 'B')
		return 0;
	size_t st = i + 3;
	for (i = st; i + 1 < len; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			return 0;
		if (s[i] == '?' && s[i + 1] == '=') {
			*text = (struct str){s + st, i - st};
			return i + 2;
		}
	}
	return 0;
}

static bool decode_word(struct str cs, char enc, struct str text, struct buf *out)
{
	struct buf raw = BUF_INIT(text.len + 16);
	bool ok = true;
	if (enc == 'b' || enc == 'B') {
		struct msg_decoder d;
		msg_decoder_init(&d, MSG_CTE_BASE64, false);
		ok = msg_decoder_feed(&d, text.s, text.len, &raw) && msg_decoder_finish(&d, &raw);
	} else {
		for (size_t i = 0; ok && i < text.len; i++) {
			char c = text.s[i];
			if (c == '_') {
				c = ' ';
			} else if (c == '=' && i + 2 < text.len && hexval(text.s[i + 1]) >= 0 &&
				   hexval(text.s[i + 2]) >= 0) {
				c = (char)(hexval(text.s[i + 1]) << 4 | hexval(text.s[i + 2]));
				i += 2;
			}
			ok = buf_appendc(&raw, c);
		}
	}
	ok = ok && msg_conv_string(cs.s, cs.len, raw.s ? raw.s : "", raw.len, out);
	buf_free(&raw);
	return ok;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool msg_decode_header(const char *s, size_t len, struct buf *out)
{
	bool ok = true, last_word = false;
	size_t i = 0;
	while (ok && i < len) {
		/* white space: kept unless it separates two encoded words */
		size_t ws = i;
		while (i < len && blank(s[i]))
			i++;
		struct str cs = {"", 0}, text = {"", 0};
		char enc = 0;
		size_t n = i < len ? encoded_word(s + i, len - i, &cs, &enc, &text) : 0;
		if (i > ws && !(n && last_word)) {
			/* a fold (line end and its blanks) reads as one space */
			bool fold = memchr(s + ws, '\n', i - ws) != NULL;
			for (size_t k = ws; ok && k < i && !fold; k++)
				ok = s[k] == '\r' || buf_appendc(out, s[k]);
			if (fold)
				ok = buf_appendc(out, ' ');
		}
		if (!ok || i >= len)
			break;
		if (n) {
			ok = decode_word(cs, enc, text, out);
			i += n;
			last_word = true;
			continue;
		}
		size_t st = i;
		while (i < len && !blank(s[i]) && !(s[i] == '=' && i + 1 < len && s[i + 1] == '?'))
			i++;
		if (i == st)
			i++; /* a "=?" that is no encoded word */
		ok = msg_utf8_sanitize(s + st, i - st, out);
		last_word = false;
	}
	return ok;
}

bool msg_decode_param(struct str name, struct str value, struct buf *out)
{
	if (name.len == 0 || name.s[name.len - 1] != '*')
		return msg_decode_header(value.s, value.len, out);
	const char *q1 = memchr(value.s, '\'', value.len);
	const char *q2 = q1 ? memchr(q1 + 1, '\'', value.len - (size_t)(q1 + 1 - value.s)) : NULL;
	struct str cs = {"", 0}, text = value;
	if (q2) {
		cs = (struct str){value.s, (size_t)(q1 - value.s)};
		text = (struct str){q2 + 1, value.len - (size_t)(q2 + 1 - value.s)};
	}
	struct buf raw = BUF_INIT(text.len + 16);
	bool ok = true;
	for (size_t i = 0; ok && i < text.len; i++) {
		char c = text.s[i];
		if (c == '%' && i + 2 < text.len && hexval(text.s[i + 1]) >= 0 &&
		    hexval(text.s[i + 2]) >= 0) {
			c = (char)(hexval(text.s[i + 1]) << 4 | hexval(text.s[i + 2]));
			i += 2;
		}
		ok = buf_appendc(&raw, c);
	}
	ok = ok && msg_conv_string(cs.s, cs.len, raw.s ? raw.s : "", raw.len, out);
	buf_free(&raw);
	return ok;
}
