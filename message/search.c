#include "search.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"

struct msg_matcher {
	uint32_t *needle; /* folded code points */
	size_t *fail;	  /* KMP failure function */
	size_t n, at;	  /* needle length, characters matched now */
	unsigned char carry[4];
	size_t ncarry;
	bool matched;
};

uint32_t msg_fold(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if (c >= 0x100 && c <= 0x17F) {
		if (c == 0x130)
			return 'i';
		if (c == 0x178)
			return 0xFF;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c + 1 : c;
		if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
			return c;
		return (c & 1) ? c : c + 1;
	}
	if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB))
		return c + 32;
	if (c == 0x3C2)
		return 0x3C3; /* final sigma */
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

struct msg_matcher *msg_matcher_create(const char *needle, size_t len)
{
	struct msg_matcher *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->needle = calloc(len + 1, sizeof(*m->needle));
	m->fail = calloc(len + 1, sizeof(*m->fail));
	if (!m->needle || !m->fail) {
		msg_matcher_free(&m);
		return NULL;
	}
	const unsigned char *s = (const unsigned char *)needle;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = msg_utf8_next(s + i, len - i, &cp);
		if (k == 0) { /* cut short: the bytes stand for themselves */
			cp = 0xFFFD;
			k = 1;
		}
		m->needle[m->n++] = msg_fold(cp);
		i += k;
	}
	if (m->n > MSG_SEARCH_MAX_NEEDLE) {
		msg_matcher_free(&m);
		return NULL;
	}
	for (size_t i = 1, k = 0; i < m->n; i++) {
		while (k > 0 && m->needle[i] != m->needle[k])
			k = m->fail[k - 1];
		if (m->needle[i] == m->needle[k])
			k++;
		m->fail[i] = k;
	}
	msg_matcher_reset(m);
	return m;
}

void msg_matcher_free(struct msg_matcher **pm)
{
	if (!*pm)
		return;
	free((*pm)->needle);
	free((*pm)->fail);
	free(*pm);
	*pm = NULL;
}

void msg_matcher_reset(struct msg_matcher *m)
{
	m->at = 0;
	m->ncarry = 0;
	m->matched = m->n == 0;
}

bool msg_matcher_matched(const struct msg_matcher *m)
{
	return m->matched;
}

static void step(struct msg_matcher *m, uint32_t cp)
{
	cp = msg_fold(cp);
	while (m->at > 0 && m->needle[m->at] != cp)
		m->at = m->fail[m->at - 1];
	if (m->needle[m->at] == cp)
		m->at++;
	if (m->at == m->n) {
		m->matched = true;
		m->at = m->fail[m->at - 1];
	}
}

bool msg_matcher_feed(struct msg_matcher *m, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	/* Complete a character cut by the previous chunk, byte by byte. */
	while (m->ncarry > 0 && i < len && !m->matched) {
		m->carry[m->ncarry++] = s[i++];
		uint32_t cp;
		size_t k = msg_utf8_next(m->carry, m->ncarry, &cp);
		if (k == 0 && m->ncarry < 4)
			continue;
		if (k == 0)
			k = 1, cp = 0xFFFD;
		step(m, cp);
		memmove(m->carry, m->carry + k, m->ncarry - k);
		m->ncarry -= k;
	}
	while (i < len && !m->matched) {
		if (s[i] < 0x80) { /* ASCII needs no decoding */
			step(m, s[i++]);
			continue;
		}
		uint32_t cp;
		size_t k = msg_utf8_next(s + i, len - i, &cp);
		if (k == 0) {
			memcpy(m->carry, s + i, len - i);
			m->ncarry = len - i;
			break;
		}
		step(m, cp);
		i += k;
	}
	return m->matched;
}

/* ---- header fields ---- */

struct each_ctx {
	const char *name;
	msg_field_cb cb;
	void *ctx;
	bool stopped;
};

static bool each_cb(void *ctx, const struct msg_field *f)
{
	struct each_ctx *e = ctx;
	if (e->name && !str_caseeq(f->name, e->name))
		return true;
	if (!e->cb(e->ctx, f))
		e->stopped = true;
	return !e->stopped;
}

int msg_header_each(const struct msg_tree *t, const struct msg_reader *r, unsigned node,
		    const char *name, msg_field_cb cb, void *ctx)
{
	const struct msg_part *p = msg_tree_part(t, node);
	if (!p)
		return MSG_ERR_IO;
	struct each_ctx e = {name, cb, ctx, false};
	struct msg_hdr *h = msg_hdr_create(msg_tree_limits(t)->max_field, each_cb, &e);
	char *chunk = malloc(MSG_BODY_CHUNK);
	int ret = 0;
	if (!h || !chunk) {
		ret = MSG_ERR_IO;
		goto out;
	}
	for (uint64_t pos = p->hdr.off, end = p->hdr.off + p->hdr.size; pos < end && !e.stopped;) {
		size_t want = end - pos < MSG_BODY_CHUNK ? (size_t)(end - pos) : MSG_BODY_CHUNK;
		ssize_t got = msg_read_full(r, chunk, want, pos);
		if (got <= 0) {
			ret = MSG_ERR_IO;
			goto out;
		}
		msg_hdr_feed(h, chunk, (size_t)got);
		if (msg_hdr_done(h))
			break;
		pos += (uint64_t)got;
	}
	if (!e.stopped)
		msg_hdr_finish(h);
out:
	free(chunk);
	msg_hdr_free(&h);
	return ret;
}

struct hsearch {
	struct msg_matcher *m;
	bool with_name, found, failed;
	struct buf tmp;
};

static bool hsearch_cb(void *ctx, const struct msg_field *f)
{
	struct hsearch *hs = ctx;
	buf_reset(&hs->tmp);
	bool ok = true;
	if (hs->with_name)
		ok = buf_append(&hs->tmp, f->name.s, f->name.len) && buf_appends(&hs->tmp, ": ");
	ok = ok && msg_decode_header(f->value.s, f->value.len, &hs->tmp);
	if (!ok) {
		hs->failed = true;
		return false;
	}
	msg_matcher_reset(hs->m);
	hs->found = msg_matcher_feed(hs->m, hs->tmp.s ? hs->tmp.s : "", hs->tmp.len);
	return !hs->found;
}

static int header_search(const struct msg_tree *t, const struct msg_reader *r, unsigned node,
			 const char *name, struct msg_matcher *m, bool *found)
{
	/* decoded text is at most 4 bytes per input byte, plus the name */
	struct hsearch hs = {m, name == NULL, false, false,
			     BUF_INIT(4 * msg_tree_limits(t)->max_field + 1024)};
	int ret = msg_header_each(t, r, node, name, hsearch_cb, &hs);
	buf_free(&hs.tmp);
	if (ret == 0 && hs.failed)
		ret = MSG_ERR_IO;
	*found = ret == 0 && hs.found;
	return ret;
}

int msg_search_header(const struct msg_tree *t, const struct msg_reader *r, unsigned node,
		      const char *name, struct msg_matcher *m, bool *found)
{
	return header_search(t, r, node, name ? name : "", m, found);
}

/* Is this leaf text that SEARCH BODY looks into? Fills its charset. */
static bool text_leaf(const struct msg_tree *t, const struct msg_part *p, char *cs, size_t cslen,
		      enum msg_cte *cte)
{
	if (p->kind != MSG_LEAF || p->overflow)
		return false;
	struct str v;
	cs[0] = '\0';
	*cte = msg_part_field(t, p, MSG_F_CTE, &v) ? msg_cte_parse(v.s, v.len) : MSG_CTE_IDENTITY;
	if (*cte == MSG_CTE_UNKNOWN)
		*cte = MSG_CTE_IDENTITY;
	if (!msg_part_field(t, p, MSG_F_CONTENT_TYPE, &v))
		return !p->in_digest;
	struct msg_params pp;
	bool text = false;
	if (msg_params_parse(v.s, v.len, true, &pp) == 0) {
		text = str_caseeq(pp.type, "text");
		const struct str *c = msg_params_get(&pp, "charset");
		if (c && c->len < cslen) {
			memcpy(cs, c->s, c->len);
			cs[c->len] = '\0';
		}
	} else {
		text = !p->in_digest;
	}
	msg_params_free(&pp);
	return text;
}

static int part_search(const struct msg_tree *t, const struct msg_reader *r,
		       const struct msg_part *p, const char *charset, enum msg_cte cte,
		       struct msg_matcher *m, bool *found)
{
	struct msg_decoder d;
	msg_decoder_init(&d, cte, false);
	d.keep_nul = true;
	struct msg_conv *conv = msg_conv_create(charset, strlen(charset));
	char *chunk = malloc(MSG_BODY_CHUNK);
	struct buf dec = BUF_INIT(0), utf = BUF_INIT(0);
	int ret = 0;
	if (!conv || !chunk) {
		ret = MSG_ERR_IO;
		goto out;
	}
	msg_matcher_reset(m);
	uint64_t pos = p->body.off, end = p->body.off + p->body.size;
	bool last = false;
	while (!last && !msg_matcher_matched(m)) {
		size_t want = end - pos < MSG_BODY_CHUNK ? (size_t)(end - pos) : MSG_BODY_CHUNK;
		ssize_t got = want ? msg_read_full(r, chunk, want, pos) : 0;
		if (got < 0 || (want && got == 0)) {
			ret = MSG_ERR_IO;
			goto out;
		}
		pos += (uint64_t)got;
		last = pos >= end;
		buf_reset(&dec);
		buf_reset(&utf);
		bool ok = msg_decoder_feed(&d, chunk, (size_t)got, &dec) &&
			  (!last || msg_decoder_finish(&d, &dec)) &&
			  msg_conv_feed(conv, dec.s ? dec.s : "", dec.len, &utf) &&
			  (!last || msg_conv_finish(conv, &utf));
		if (!ok) {
			ret = MSG_ERR_IO;
			goto out;
		}
		msg_matcher_feed(m, utf.s ? utf.s : "", utf.len);
	}
	*found = msg_matcher_matched(m);
out:
	buf_free(&dec);
	buf_free(&utf);
	free(chunk);
	msg_conv_free(&conv);
	return ret;
}

int msg_search_body(const struct msg_tree *t, const struct msg_reader *r, struct msg_matcher *m,
		    bool *found)
{
	*found = false;
	for (unsigned i = 0; i < msg_tree_count(t) && !*found; i++) {
		const struct msg_part *p = msg_tree_part(t, i);
		char cs[MSG_MAX_CHARSET + 1];
		enum msg_cte cte;
		if (!text_leaf(t, p, cs, sizeof(cs), &cte))
			continue;
		int ret = part_search(t, r, p, cs, cte, m, found);
		if (ret)
			return ret;
	}
	return 0;
}

int msg_search_text(const struct msg_tree *t, const struct msg_reader *r, struct msg_matcher *m,
		    bool *found)
{
	/* as Dovecot: the headers of every part and embedded message too */
	for (unsigned i = 0; i < msg_tree_count(t); i++) {
		int ret = header_search(t, r, i, NULL, m, found);
		if (ret || *found)
			return ret;
	}
	return msg_search_body(t, r, m, found);
}
