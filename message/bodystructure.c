#include "bodystructure.h"

#include <string.h>
#include <strings.h>

#include "envelope.h"
#include "header.h"
#include "imapstr.h"

/* Nesting is bounded by the parser's depth limit, so recursion is too. */
static bool part_write(const struct msg_tree *t, const struct msg_part *p, bool ext,
		       struct buf *out);

#define DEFAULT_CHARSET "\"charset\" \"us-ascii\""

/* A text part with no charset parameter is us-ascii (RFC 2045 5.2). */
static bool params_write(const struct msg_params *pp, bool text, struct buf *out)
{
	bool add = text && !msg_params_get(pp, "charset");
	if (pp->n == 0 && !add)
		return buf_appends(out, "NIL");
	bool ok = buf_appendc(out, '(');
	for (unsigned i = 0; ok && i < pp->n; i++) {
		ok = (i == 0 || buf_appendc(out, ' ')) &&
		     imap_append_string(out, pp->p[i].name.s, pp->p[i].name.len) &&
		     buf_appendc(out, ' ') &&
		     imap_append_string(out, pp->p[i].value.s, pp->p[i].value.len);
	}
	if (ok && add)
		ok = (pp->n == 0 || buf_appendc(out, ' ')) && buf_appends(out, DEFAULT_CHARSET);
	return ok && buf_appendc(out, ')');
}

static bool field_nstring(const struct msg_tree *t, const struct msg_part *p, enum msg_fid id,
			  struct buf *out)
{
	struct str v;
	if (!msg_part_field(t, p, id, &v))
		return buf_appends(out, "NIL");
	return imap_append_nstring_nolf(out, v.s, v.len);
}

static bool disposition_write(const struct msg_tree *t, const struct msg_part *p, struct buf *out)
{
	struct str v;
	if (!msg_part_field(t, p, MSG_F_CONTENT_DISPOSITION, &v))
		return buf_appends(out, "NIL");
	struct msg_params pp;
	bool ok;
	if (msg_params_parse(v.s, v.len, false, &pp) < 0)
		ok = buf_appends(out, "NIL");
	else
		ok = buf_appendc(out, '(') && imap_append_string(out, pp.type.s, pp.type.len) &&
		     buf_appendc(out, ' ') && params_write(&pp, false, out) &&
		     buf_appendc(out, ')');
	msg_params_free(&pp);
	return ok;
}

/* Content-Language: a comma-separated list of tags. */
static bool language_write(const struct msg_tree *t, const struct msg_part *p, struct buf *out)
{
	struct str v;
	if (!msg_part_field(t, p, MSG_F_CONTENT_LANGUAGE, &v))
		return buf_appends(out, "NIL");
	size_t mark = out->len;
	unsigned n = 0;
	bool ok = true;
	size_t i = 0;
	while (ok && i < v.len) {
		while (i < v.len && strchr(" \t,", v.s[i]))
			i++;
		if (i < v.len && v.s[i] == '(') { /* a comment */
			while (i < v.len && v.s[i] != ')')
				i++;
			i++;
			continue;
		}
		size_t st = i;
		while (i < v.len && !strchr(" \t,(", v.s[i]))
			i++;
		if (i > st)
			ok = buf_appendc(out, n++ ? ' ' : '(') &&
			     imap_append_string(out, v.s + st, i - st);
	}
	if (!ok) {
		buf_truncate(out, mark);
		return false;
	}
	return n ? buf_appendc(out, ')') : buf_appends(out, "NIL");
}

static bool ext_tail(const struct msg_tree *t, const struct msg_part *p, struct buf *out)
{
	return buf_appendc(out, ' ') && disposition_write(t, p, out) && buf_appendc(out, ' ') &&
	       language_write(t, p, out) && buf_appendc(out, ' ') &&
	       field_nstring(t, p, MSG_F_CONTENT_LOCATION, out);
}

static bool multipart_write(const struct msg_tree *t, const struct msg_part *p,
			    const struct msg_params *pp, bool ext, struct buf *out)
{
	bool ok = buf_appendc(out, '(');
	for (int32_t c = p->child; ok && c >= 0; c = msg_tree_part(t, (unsigned)c)->next)
		ok = part_write(t, msg_tree_part(t, (unsigned)c), ext, out);
	ok = ok && buf_appendc(out, ' ') && imap_append_string(out, pp->subtype.s, pp->subtype.len);
	if (ext)
		ok = ok && buf_appendc(out, ' ') && params_write(pp, false, out) &&
		     ext_tail(t, p, out);
	return ok && buf_appendc(out, ')');
}

static bool leaf_write(const struct msg_tree *t, const struct msg_part *p, struct str type,
		       struct str subtype, const struct msg_params *pp, bool ext, struct buf *out)
{
	struct str enc;
	if (!msg_part_field(t, p, MSG_F_CTE, &enc) || enc.len == 0)
		enc = STR_LIT("7bit");
	bool text = str_caseeq(type, "text");
	bool ok = buf_appendc(out, '(') && imap_append_string(out, type.s, type.len) &&
		  buf_appendc(out, ' ') && imap_append_string(out, subtype.s, subtype.len) &&
		  buf_appendc(out, ' ');
	if (ok && pp)
		ok = params_write(pp, text, out);
	else if (ok)
		ok = buf_appends(out, text ? "(" DEFAULT_CHARSET ")" : "NIL");
	ok = ok && buf_appendc(out, ' ') && field_nstring(t, p, MSG_F_CONTENT_ID, out) &&
	     buf_appendc(out, ' ') && field_nstring(t, p, MSG_F_CONTENT_DESCRIPTION, out) &&
	     buf_appendc(out, ' ') && imap_append_string(out, enc.s, enc.len) &&
	     buf_appendf(out, " %llu", (unsigned long long)p->body.vsize);
	if (ok && p->kind == MSG_RFC822 && p->child >= 0) {
		unsigned c = (unsigned)p->child;
		ok = buf_appendc(out, ' ') && msg_envelope_write(t, c, out) &&
		     buf_appendc(out, ' ') && part_write(t, msg_tree_part(t, c), ext, out) &&
		     buf_appendf(out, " %llu", (unsigned long long)p->body.lines);
	} else if (ok && text) {
		ok = buf_appendf(out, " %llu", (unsigned long long)p->body.lines);
	}
	if (ext)
		ok = ok && buf_appendc(out, ' ') && field_nstring(t, p, MSG_F_CONTENT_MD5, out) &&
		     ext_tail(t, p, out);
	return ok && buf_appendc(out, ')');
}

static bool part_write(const struct msg_tree *t, const struct msg_part *p, bool ext,
		       struct buf *out)
{
	struct str ct;
	struct msg_params pp;
	bool have = false;
	if (msg_part_field(t, p, MSG_F_CONTENT_TYPE, &ct)) {
		have = msg_params_parse(ct.s, ct.len, true, &pp) == 0;
		if (!have)
			msg_params_free(&pp);
	}
	bool ok;
	if (p->kind == MSG_MULTIPART && have && p->child >= 0) {
		ok = multipart_write(t, p, &pp, ext, out);
	} else if (p->overflow || p->kind == MSG_MULTIPART ||
		   (p->kind == MSG_RFC822 && p->child < 0)) {
		/* a multipart with no part, or a message/rfc822 with no message
		 * (limits), would be invalid IMAP as such */
		/* as Dovecot: the original parameters stay */
		ok = leaf_write(t, p, STR_LIT("application"), STR_LIT("octet-stream"),
				have ? &pp : NULL, ext, out);
	} else if (have) {
		ok = leaf_write(t, p, pp.type, pp.subtype, &pp, ext, out);
	} else if (p->in_digest) {
		ok = leaf_write(t, p, STR_LIT("message"), STR_LIT("rfc822"), NULL, ext, out);
	} else {
		ok = leaf_write(t, p, STR_LIT("text"), STR_LIT("plain"), NULL, ext, out);
	}
	if (have)
		msg_params_free(&pp);
	return ok;
}

bool msg_bodystructure_write(const struct msg_tree *t, unsigned node, bool extended,
			     struct buf *out)
{
	const struct msg_part *p = msg_tree_part(t, node);
	if (!p)
		return false;
	size_t mark = out->len;
	if (part_write(t, p, extended, out))
		return true;
	buf_truncate(out, mark);
	return false;
}
