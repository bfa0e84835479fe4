/* Tests for message/: the streaming parser, ENVELOPE, BODY[STRUCTURE] and
 * sections, against the corpus (answers checked with a reference Dovecot)
 * and against hostile input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/config.h"
#include "message/binary.h"
#include "message/bodystructure.h"
#include "message/envelope.h"
#include "message/header.h"
#include "message/imapstr.h"
#include "message/parser.h"
#include "message/section.h"
#include "tests/lib/msgtest.h"
#include "tests/lib/suite.h"

/* ---- helpers ---- */

static char *path_of(const char *name, const char *ext)
{
	static char p[4096];
	ck_assert(snprintf_ok(p, sizeof(p), "%s/%s.%s", mt_corpus_dir(), name, ext));
	return p;
}

/* Expected answer file with its final newline removed; NULL if absent. */
static char *expected(const char *name, const char *ext, size_t *len)
{
	char *s = mt_read_file(path_of(name, ext), len);
	if (s && *len > 0 && s[*len - 1] == '\n')
		s[--*len] = '\0';
	return s;
}

static void render_all(const struct msg_tree *t, struct buf *env, struct buf *body, struct buf *bs)
{
	ck_assert(msg_envelope_write(t, 0, env));
	ck_assert(msg_bodystructure_write(t, 0, false, body));
	ck_assert(msg_bodystructure_write(t, 0, true, bs));
}

static void assert_same_tree(const struct msg_tree *a, const struct msg_tree *b, const char *what)
{
	ck_assert_msg(msg_tree_count(a) == msg_tree_count(b), "%s: part count", what);
	ck_assert_msg(msg_tree_vsize(a) == msg_tree_vsize(b), "%s: size", what);
	for (unsigned i = 0; i < msg_tree_count(a); i++) {
		const struct msg_part *x = msg_tree_part(a, i), *y = msg_tree_part(b, i);
		ck_assert_msg(x->parent == y->parent && x->child == y->child &&
				  x->next == y->next && x->kind == y->kind && x->depth == y->depth,
			      "%s: shape of part %u", what, i);
		ck_assert_msg(memcmp(&x->hdr, &y->hdr, sizeof(x->hdr)) == 0 &&
				  memcmp(&x->body, &y->body, sizeof(x->body)) == 0,
			      "%s: spans of part %u", what, i);
		ck_assert_msg(x->present == y->present, "%s: fields of part %u", what, i);
		for (unsigned f = 0; f < MSG_F_COUNT; f++) {
			struct str u, v;
			if (!msg_part_field(a, x, f, &u))
				continue;
			ck_assert(msg_part_field(b, y, f, &v));
			ck_assert_msg(u.len == v.len && memcmp(u.s, v.s, u.len) == 0,
				      "%s: field %u of part %u", what, f, i);
		}
	}
}

/* Checks that a rendering is well-formed IMAP: balanced parentheses outside
 * quoted strings and literals, literal lengths that fit. */
static void assert_imap_wellformed(const char *s, size_t len)
{
	long depth = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\')
					i++;
				ck_assert(s[i] != '\r' && s[i] != '\n' && s[i] != 0);
			}
			ck_assert(i < len);
		} else if (c == '{') {
			char *end;
			unsigned long long n = strtoull(s + i + 1, &end, 10);
			ck_assert(end[0] == '}' && end[1] == '\r' && end[2] == '\n');
			i = (size_t)(end + 3 - s);
			ck_assert(n <= len - i);
			ck_assert(memchr(s + i, 0, n) == NULL);
			i += n - 1;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			ck_assert(--depth >= 0);
		}
	}
	ck_assert_int_eq(depth, 0);
}

/* ---- corpus ---- */

START_TEST(corpus_size)
{
	char **names;
	unsigned n = mt_corpus_list(&names);
	ck_assert_uint_ge(n, 40);
	mt_corpus_free(names, n);
}
END_TEST

START_TEST(corpus_renderings)
{
	char **names;
	unsigned n = mt_corpus_list(&names);
	for (unsigned i = 0; i < n; i++) {
		size_t len, elen;
		char *data = mt_read_file(path_of(names[i], "eml"), &len);
		ck_assert_ptr_nonnull(data);
		struct msg_tree *t = mt_parse(data, len, 0, NULL);
		ck_assert_ptr_nonnull(t);
		struct buf env = BUF_INIT(0), body = BUF_INIT(0), bs = BUF_INIT(0);
		render_all(t, &env, &body, &bs);
		const char *exts[] = {"envelope", "body", "bodystructure"};
		struct buf *got[] = {&env, &body, &bs};
		for (unsigned k = 0; k < 3; k++) {
			char *exp = expected(names[i], exts[k], &elen);
			ck_assert_msg(exp != NULL, "%s.%s missing", names[i], exts[k]);
			ck_assert_msg(elen == got[k]->len && memcmp(exp, got[k]->s, elen) == 0,
				      "%s %s:\n got %s\nwant %s", names[i], exts[k], got[k]->s,
				      exp);
			assert_imap_wellformed(got[k]->s, got[k]->len);
			free(exp);
		}
		char *size = expected(names[i], "size", &elen);
		ck_assert_ptr_nonnull(size);
		ck_assert_msg(strtoull(size, NULL, 10) == msg_tree_vsize(t), "%s size", names[i]);
		free(size);
		buf_free(&env);
		buf_free(&body);
		buf_free(&bs);
		msg_tree_free(&t);
		ck_assert_ptr_null(t);
		free(data);
	}
	mt_corpus_free(names, n);
}
END_TEST

START_TEST(corpus_streaming)
{
	char **names;
	unsigned n = mt_corpus_list(&names);
	const size_t chunks[] = {1, 2, 3, 7, 64, 4096};
	for (unsigned i = 0; i < n; i++) {
		size_t len;
		char *data = mt_read_file(path_of(names[i], "eml"), &len);
		struct msg_tree *whole = mt_parse(data, len, 0, NULL);
		struct buf e1 = BUF_INIT(0), b1 = BUF_INIT(0), s1 = BUF_INIT(0);
		render_all(whole, &e1, &b1, &s1);
		for (unsigned c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct msg_tree *t = mt_parse(data, len, chunks[c], NULL);
			ck_assert_ptr_nonnull(t);
			char what[256];
			ck_assert(
			    snprintf_ok(what, sizeof(what), "%s chunk %zu", names[i], chunks[c]));
			assert_same_tree(whole, t, what);
			struct buf e2 = BUF_INIT(0), b2 = BUF_INIT(0), s2 = BUF_INIT(0);
			render_all(t, &e2, &b2, &s2);
			ck_assert_msg(e1.len == e2.len && memcmp(e1.s, e2.s, e1.len) == 0, "%s",
				      what);
			ck_assert_msg(s1.len == s2.len && memcmp(s1.s, s2.s, s1.len) == 0, "%s",
				      what);
			buf_free(&e2);
			buf_free(&b2);
			buf_free(&s2);
			msg_tree_free(&t);
		}
		buf_free(&e1);
		buf_free(&b1);
		buf_free(&s1);
		msg_tree_free(&whole);
		free(data);
	}
	mt_corpus_free(names, n);
}
END_TEST

/* Each .sections file holds "SPEC {n}\r\n<n bytes>\r\n" entries. */
START_TEST(corpus_sections)
{
	char **names;
	unsigned n = mt_corpus_list(&names), checked = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t len, slen;
		char *data = mt_read_file(path_of(names[i], "eml"), &len);
		char *secs = mt_read_file(path_of(names[i], "sections"), &slen);
		ck_assert_msg(secs != NULL, "%s.sections missing", names[i]);
		struct msg_tree *t = mt_parse(data, len, 0, NULL);
		struct msg_reader r = msg_reader_mem(data, len);
		size_t pos = 0;
		while (pos < slen) {
			char *brace = memmem(secs + pos, slen - pos, " {", 2);
			ck_assert_ptr_nonnull(brace);
			char spec[512], store[512];
			size_t speclen = (size_t)(brace - (secs + pos));
			ck_assert_uint_lt(speclen, sizeof(spec));
			memcpy(spec, secs + pos, speclen);
			spec[speclen] = '\0';
			char *end;
			size_t want = strtoull(brace + 2, &end, 10);
			const char *exp = end + 3; /* "}\r\n" */
			pos = (size_t)(exp - secs) + want + 2;

			struct msg_section sec;
			mt_section_parse(spec, &sec, store, sizeof(store));
			struct msg_body b;
			memset(&b, 0, sizeof(b));
			struct buf out = BUF_INIT(0);
			int rc = msg_section_resolve(t, &r, &sec, &b);
			if (rc == MSG_ERR_NOPART) {
				/* Sent as an empty string, as Dovecot does. */
				ck_assert_msg(want == 0, "%s [%s]: no such part", names[i], spec);
			} else {
				ck_assert_msg(rc == 0, "%s [%s]: rc %d", names[i], spec, rc);
				ck_assert_int_eq(msg_body_append(&b, &r, &out), 0);
				ck_assert_msg(msg_body_size(&b) == out.len, "%s [%s] size",
					      names[i], spec);
				ck_assert_msg(out.len == want &&
						  (want == 0 || memcmp(out.s, exp, want) == 0),
					      "%s [%s]: got %zu bytes, want %zu", names[i], spec,
					      out.len, want);
			}
			checked++;
			buf_free(&out);
			msg_body_free(&b);
		}
		msg_tree_free(&t);
		free(secs);
		free(data);
	}
	ck_assert_uint_ge(checked, 40 * 20);
	mt_corpus_free(names, n);
}
END_TEST

/* ---- IMAP strings ---- */

static char *render_str(bool (*fn)(struct buf *, const char *, size_t), const char *s, size_t n)
{
	static char out[256];
	struct buf b = BUF_INIT(0);
	ck_assert(fn(&b, s, n));
	ck_assert_uint_lt(b.len, sizeof(out));
	memcpy(out, b.s, b.len + 1);
	buf_free(&b);
	return out;
}

START_TEST(imapstr_forms)
{
	ck_assert_str_eq(render_str(imap_append_nstring, "abc", 3), "\"abc\"");
	ck_assert_str_eq(render_str(imap_append_nstring, "a\"b\\", 4), "\"a\\\"b\\\\\"");
	ck_assert_str_eq(render_str(imap_append_nstring, "a\r\nb", 4), "{4}\r\na\r\nb");
	ck_assert_str_eq(render_str(imap_append_nstring, "caf\xc3\xa9", 5), "{5}\r\ncaf\xc3\xa9");
	/* NUL becomes U+FFFD and the literal length follows */
	ck_assert_str_eq(render_str(imap_append_nstring, "a\0b", 3), "{5}\r\na\xef\xbf\xbd"
								     "b");
	ck_assert_str_eq(render_str(imap_append_nstring, NULL, 0), "NIL");
	ck_assert_str_eq(render_str(imap_append_nstring, "", 0), "\"\"");
	ck_assert_str_eq(render_str(imap_append_nstring_nolf, "a\r\n b", 5), "\"a b\"");
	ck_assert_str_eq(render_str(imap_append_human, "plain text", 10), "\"plain text\"");
	ck_assert_str_eq(render_str(imap_append_human, "  two  spaces\n\tx ", 17),
			 "{12}\r\ntwo spaces x");
	ck_assert_str_eq(render_str(imap_append_human, " \t\n", 3), "\"\"");
	ck_assert_str_eq(render_str(imap_append_human, "say \"hi\"", 8), "{8}\r\nsay \"hi\"");
	ck_assert_str_eq(render_str(imap_append_human, NULL, 0), "NIL");
	/* a full buffer leaves it unchanged */
	struct buf b = BUF_INIT(4);
	ck_assert(!imap_append_string(&b, "abcdef", 6));
	ck_assert_uint_eq(b.len, 0);
	ck_assert(!imap_append_human(&b, "a  bcdef", 8));
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

/* ---- header fields ---- */

struct fields {
	struct buf all;
	unsigned n, truncated;
};

static bool collect(void *ctx, const struct msg_field *f)
{
	struct fields *fs = ctx;
	buf_append(&fs->all, f->name.s, f->name.len);
	buf_appends(&fs->all, "=");
	buf_append(&fs->all, f->value.s, f->value.len);
	buf_appends(&fs->all, "|");
	fs->n++;
	fs->truncated += f->truncated;
	return true;
}

static size_t split_fields(const char *h, size_t len, size_t chunk, size_t max, struct fields *fs)
{
	memset(fs, 0, sizeof(*fs));
	struct msg_hdr *p = msg_hdr_create(max, collect, fs);
	ck_assert_ptr_nonnull(p);
	size_t used = 0;
	for (size_t i = 0; i < len && !msg_hdr_done(p); i += chunk) {
		size_t n = len - i < chunk ? len - i : chunk;
		used += msg_hdr_feed(p, h + i, n);
	}
	msg_hdr_finish(p);
	msg_hdr_free(&p);
	ck_assert_ptr_null(p);
	return used;
}

START_TEST(header_split_streaming)
{
	const char h[] = "Subject: one\r\n two\r\nX-A:b\nnocolon\n"
			 "X-Empty:\r\nX-Tab:\tv\r\n\r\nbody: not a field\n";
	size_t len = sizeof(h) - 1;
	struct fields whole, bytes;
	size_t u1 = split_fields(h, len, len, 1024, &whole);
	size_t u2 = split_fields(h, len, 1, 1024, &bytes);
	ck_assert_str_eq(whole.all.s, "Subject=one\n two|X-A=b|X-Empty=|X-Tab=v|");
	ck_assert_str_eq(bytes.all.s, whole.all.s);
	ck_assert_uint_eq(u1, (size_t)(strstr(h, "body:") - h));
	ck_assert_uint_eq(u2, u1);
	buf_free(&whole.all);
	buf_free(&bytes.all);
}
END_TEST

START_TEST(header_split_truncates)
{
	struct buf h = BUF_INIT(0);
	buf_appends(&h, "Subject: ");
	for (int i = 0; i < 5000; i++)
		buf_appends(&h, "word ");
	buf_appends(&h, "\nTo: x@y\n\n");
	struct fields fs;
	split_fields(h.s, h.len, 333, 1024, &fs);
	ck_assert_uint_eq(fs.n, 2);
	ck_assert_uint_eq(fs.truncated, 1);
	ck_assert(strstr(fs.all.s, "|To=x@y|") != NULL);
	ck_assert_uint_le(fs.all.len, 1024 + 20);
	buf_free(&fs.all);
	buf_free(&h);
}
END_TEST

START_TEST(params_parse)
{
	struct msg_params pp;
	const char *ct = "Text/Plain (c) ; charset=\"utf-8\"; name*0*=utf-8''a%20; name*1=b;"
			 " junk; x = y ; title*=us-ascii'en'hi";
	ck_assert_int_eq(msg_params_parse(ct, strlen(ct), true, &pp), 0);
	ck_assert(str_eq(pp.type, "Text") && str_eq(pp.subtype, "Plain"));
	ck_assert_uint_eq(pp.n, 4);
	ck_assert(str_eq(pp.p[0].name, "charset") && str_eq(pp.p[0].value, "utf-8"));
	ck_assert(str_eq(pp.p[1].name, "x") && str_eq(pp.p[1].value, "y"));
	ck_assert(str_eq(pp.p[2].name, "name*") && str_eq(pp.p[2].value, "utf-8''a%20b"));
	ck_assert(str_eq(pp.p[3].name, "title*") && str_eq(pp.p[3].value, "us-ascii'en'hi"));
	ck_assert_ptr_nonnull(msg_params_get(&pp, "CHARSET"));
	ck_assert_ptr_null(msg_params_get(&pp, "none"));
	msg_params_free(&pp);
	/* no type at all */
	ck_assert_int_eq(msg_params_parse("; a=b", 5, true, &pp), -1);
	ck_assert_uint_eq(pp.n, 1);
	msg_params_free(&pp);
	/* type without subtype is kept, as Dovecot shows it */
	ck_assert_int_eq(msg_params_parse("garbage", 7, true, &pp), 0);
	ck_assert(str_eq(pp.type, "garbage") && pp.subtype.len == 0);
	msg_params_free(&pp);
	/* more parameters than kept */
	struct buf many = BUF_INIT(0);
	buf_appends(&many, "a/b");
	for (int i = 0; i < 1000; i++)
		buf_appendf(&many, "; p%d=v", i);
	ck_assert_int_eq(msg_params_parse(many.s, many.len, true, &pp), 0);
	ck_assert_uint_eq(pp.n, MSG_MAX_PARAMS);
	msg_params_free(&pp);
	buf_free(&many);
}
END_TEST

static bool addr_collect(void *ctx, const struct msg_addr *a)
{
	struct buf *b = ctx;
	const struct str *f[] = {&a->name, &a->route, &a->mailbox, &a->host};
	buf_appendc(b, '[');
	for (int i = 0; i < 4; i++) {
		if (i)
			buf_appendc(b, ' ');
		if (f[i]->s)
			buf_append(b, f[i]->s, f[i]->len);
		else
			buf_appends(b, "-");
	}
	buf_appendc(b, ']');
	return true;
}

START_TEST(address_parse)
{
	struct buf b = BUF_INIT(0);
	const char *v = "G: a@b, \"N \\\"q\\\"\" <c@d>;, x@y (Cmt), <@r1,@r2:u@h>, lone, @dom";
	ck_assert_int_eq(msg_addr_parse(v, strlen(v), addr_collect, &b), 8);
	ck_assert_str_eq(b.s, "[- - G -][- - a b][N \"q\" - c d][- - - -][Cmt - x y]"
			      "[- @r1,@r2 u h][- - lone MISSING_DOMAIN][- - MISSING_MAILBOX dom]");
	buf_reset(&b);
	ck_assert_int_eq(msg_addr_parse("", 0, addr_collect, &b), 0);
	ck_assert_int_eq(msg_addr_parse(",,;;", 4, addr_collect, &b), 0);
	/* an unclosed group is closed */
	ck_assert_int_eq(msg_addr_parse("g: a@b", 6, addr_collect, &b), 3);
	/* an empty quoted display name as the very first word (found by fuzzing:
	 * it once did pointer arithmetic on an unallocated buffer) */
	buf_reset(&b);
	ck_assert_int_eq(msg_addr_parse("\"\" <b@example.org>", 19, addr_collect, &b), 1);
	ck_assert_str_eq(b.s, "[- - b example.org]");
	buf_free(&b);
}
END_TEST

static unsigned addr_count_only;
static bool addr_count(void *ctx, const struct msg_addr *a)
{
	(void)ctx;
	(void)a;
	addr_count_only++;
	return true;
}

START_TEST(address_list_is_capped)
{
	struct buf v = BUF_INIT(0);
	for (int i = 0; i < 3 * MSG_MAX_ADDRESSES; i++)
		buf_appends(&v, "a@b,");
	addr_count_only = 0;
	ck_assert_int_eq(msg_addr_parse(v.s, v.len, addr_count, NULL), MSG_MAX_ADDRESSES);
	ck_assert_uint_eq(addr_count_only, MSG_MAX_ADDRESSES);
	buf_free(&v);
}
END_TEST

/* ---- sections ---- */

static const char sec_msg[] = "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n"
			      "--b\nContent-Type: text/plain\n\nline1\nline2\n--b--\n";

START_TEST(section_errors)
{
	struct msg_tree *t = mt_parse(sec_msg, sizeof(sec_msg) - 1, 0, NULL);
	struct msg_reader r = msg_reader_mem(sec_msg, sizeof(sec_msg) - 1);
	struct msg_section sec;
	struct msg_body b;
	char store[64];
	const char *nopart[] = {"2", "0", "1.2", "1.1.1", "3.MIME"};
	for (unsigned i = 0; i < 5; i++) {
		mt_section_parse(nopart[i], &sec, store, sizeof(store));
		memset(&b, 0, sizeof(b));
		ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), MSG_ERR_NOPART);
		msg_body_free(&b);
	}
	mt_section_parse("MIME", &sec, store, sizeof(store));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), MSG_ERR_BADSECTION);
	msg_body_free(&b);
	/* HEADER of a part that is no message: empty */
	mt_section_parse("1.HEADER", &sec, store, sizeof(store));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), 0);
	ck_assert_uint_eq(msg_body_size(&b), 0);
	msg_body_free(&b);
	/* a partial past the end is empty; one over the end is cut */
	mt_section_parse("1<100.5>", &sec, store, sizeof(store));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), 0);
	ck_assert_uint_eq(msg_body_size(&b), 0);
	msg_body_free(&b);
	mt_section_parse("1<7.100>", &sec, store, sizeof(store));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), 0);
	struct buf out = BUF_INIT(0);
	ck_assert_int_eq(msg_body_append(&b, &r, &out), 0);
	ck_assert_str_eq(out.s, "line2");
	ck_assert_uint_eq(msg_body_size(&b), 5);
	buf_free(&out);
	msg_body_free(&b);
	msg_tree_free(&t);
}
END_TEST

static ssize_t failing_pread(void *ctx, void *buf, size_t n, uint64_t off)
{
	(void)ctx;
	(void)buf;
	(void)n;
	(void)off;
	return -1;
}

static int refuse(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 42;
}

/* Every window of HEADER.FIELDS output is the matching slice of it, with
 * odd line ends (CRs before the LF are rebuilt as one CRLF). */
START_TEST(section_header_fields_windows)
{
	const char m[] = "A: 1\r\r\nB: 2\n x\r\n\rC: odd\nA: 3\r\r\r\n\nbody\n";
	struct msg_tree *t = mt_parse(m, sizeof(m) - 1, 1, NULL);
	struct msg_reader r = msg_reader_mem(m, sizeof(m) - 1);
	char store[64];
	struct msg_section sec;
	struct msg_body b;
	struct buf full = BUF_INIT(0), part = BUF_INIT(0);
	mt_section_parse("HEADER.FIELDS (a b)", &sec, store, sizeof(store));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), 0);
	ck_assert_int_eq(msg_body_append(&b, &r, &full), 0);
	ck_assert_str_eq(full.s, "A: 1\r\nB: 2\r\n x\r\nA: 3\r\n\r\n");
	ck_assert_uint_eq(msg_body_size(&b), full.len);
	msg_body_free(&b);
	for (uint64_t o = 0; o <= full.len + 1; o++) {
		for (uint64_t c = 1; c < 6; c++) {
			sec.partial = true;
			sec.origin = o;
			sec.count = c;
			memset(&b, 0, sizeof(b));
			ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), 0);
			buf_reset(&part);
			ck_assert_int_eq(msg_body_append(&b, &r, &part), 0);
			uint64_t want = o >= full.len ? 0 : (full.len - o < c ? full.len - o : c);
			ck_assert_uint_eq(part.len, want);
			ck_assert_uint_eq(msg_body_size(&b), want);
			ck_assert(want == 0 || memcmp(part.s, full.s + o, want) == 0);
			msg_body_free(&b);
		}
	}
	mt_section_parse("HEADER.FIELDS.NOT (a b)", &sec, store, sizeof(store));
	memset(&b, 0, sizeof(b));
	buf_reset(&part);
	ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), 0);
	ck_assert_int_eq(msg_body_append(&b, &r, &part), 0);
	ck_assert_str_eq(part.s, "\rC: odd\r\n\r\n");
	msg_body_free(&b);
	buf_free(&full);
	buf_free(&part);
	msg_tree_free(&t);
}
END_TEST

/* A header far larger than one read: field starts, names and CR runs
 * fall on every read boundary; the output equals a line-by-line filter. */
START_TEST(section_header_fields_big_header)
{
	struct buf m = BUF_INIT(0), want = BUF_INIT(0);
	uint64_t seed = 42;
	for (int i = 0; i < 6000; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		const char *name = (seed >> 60) & 1 ? "Keep" : "Drop";
		size_t vlen = (size_t)(seed >> 33) % 90;
		unsigned crs = (unsigned)(seed >> 20) % 3;
		size_t st = m.len;
		buf_appendf(&m, "%s-%d: ", name, (int)((seed >> 40) % 3));
		for (size_t k = 0; k < vlen; k++)
			buf_appendc(&m, (char)('a' + k % 26));
		for (unsigned k = 0; k < crs; k++)
			buf_appendc(&m, '\r');
		buf_appendc(&m, '\n');
		if ((seed >> 50) % 4 == 0)
			buf_appends(&m, "\tfolded\r\n");
		if (name[0] == 'K' && strncmp(m.s + st, "Keep-1", 6) != 0) {
			/* expected: the same line with one CRLF at each line end */
			for (size_t k = st; k < m.len; k++) {
				if (m.s[k] == '\r')
					continue;
				if (m.s[k] == '\n')
					buf_appendc(&want, '\r');
				buf_appendc(&want, m.s[k]);
			}
		}
	}
	buf_appends(&m, "\nbody\n");
	buf_appends(&want, "\r\n");
	ck_assert_uint_gt(m.len, 4 * MSG_BODY_CHUNK);
	struct msg_tree *t = mt_parse(m.s, m.len, 4093, NULL);
	struct msg_reader r = msg_reader_mem(m.s, m.len);
	char store[64];
	struct msg_section sec;
	mt_section_parse("HEADER.FIELDS (keep-0 KEEP-2)", &sec, store, sizeof(store));
	struct msg_body b;
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), 0);
	struct buf out = BUF_INIT(0);
	ck_assert_int_eq(msg_body_append(&b, &r, &out), 0);
	ck_assert_uint_eq(out.len, want.len);
	ck_assert_uint_eq(msg_body_size(&b), want.len);
	ck_assert(memcmp(out.s, want.s, want.len) == 0);
	msg_body_free(&b);
	buf_free(&out);
	buf_free(&m);
	buf_free(&want);
	msg_tree_free(&t);
}
END_TEST

START_TEST(section_io_errors)
{
	struct msg_tree *t = mt_parse(sec_msg, sizeof(sec_msg) - 1, 0, NULL);
	struct msg_reader bad = {failing_pread, NULL, -1, NULL, 0};
	struct msg_reader good = msg_reader_mem(sec_msg, sizeof(sec_msg) - 1);
	struct msg_section sec;
	struct msg_body b;
	char store[64];
	mt_section_parse("HEADER.FIELDS (Subject)", &sec, store, sizeof(store));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(msg_section_resolve(t, &bad, &sec, &b), MSG_ERR_IO);
	msg_body_free(&b);
	mt_section_parse("", &sec, store, sizeof(store));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(msg_section_resolve(t, &bad, &sec, &b), 0);
	struct buf out = BUF_INIT(0);
	ck_assert_int_eq(msg_body_append(&b, &bad, &out), MSG_ERR_IO);
	ck_assert_uint_eq(out.len, 0);
	/* the writer's own error comes back unchanged */
	ck_assert_int_eq(msg_body_write(&b, &good, refuse, NULL), 42);
	/* a full output buffer */
	struct buf small = BUF_INIT(10);
	ck_assert_int_eq(msg_body_append(&b, &good, &small), MSG_ERR_IO);
	ck_assert_uint_eq(small.len, 0);
	buf_free(&out);
	msg_body_free(&b);
	msg_tree_free(&t);
}
END_TEST

struct sink {
	struct buf got;
	size_t biggest;
};

static int sink_write(void *ctx, const void *p, size_t n)
{
	struct sink *s = ctx;
	if (n > s->biggest)
		s->biggest = n;
	return buf_append(&s->got, p, n) ? 0 : -1;
}

/* A big LF message: BODY[] is converted while streamed, and any window
 * of it is the same bytes as the matching slice of the whole. */
START_TEST(section_big_streaming)
{
	struct buf m = BUF_INIT(0), conv = BUF_INIT(0);
	buf_appends(&m, "Subject: big\n\n");
	for (int i = 0; m.len < (3u << 20); i++)
		buf_appendf(&m, "line %d with text%s\n", i, i % 7 ? "" : "\r");
	for (size_t i = 0; i < m.len; i++) {
		if (m.s[i] == '\n' && (i == 0 || m.s[i - 1] != '\r'))
			buf_appendc(&conv, '\r');
		buf_appendc(&conv, m.s[i]);
	}
	struct msg_tree *t = mt_parse(m.s, m.len, 65536, NULL);
	ck_assert_uint_eq(msg_tree_vsize(t), conv.len);
	struct msg_reader r = msg_reader_mem(m.s, m.len);
	const uint64_t windows[][2] = {
	    {0, UINT64_MAX}, {1, 10}, {65535, 70000}, {3000000, 5}, {conv.len - 3, 100}};
	for (unsigned w = 0; w < 5; w++) {
		struct msg_section sec;
		memset(&sec, 0, sizeof(sec));
		sec.partial = windows[w][1] != UINT64_MAX;
		sec.origin = windows[w][0];
		sec.count = windows[w][1];
		struct msg_body b;
		memset(&b, 0, sizeof(b));
		ck_assert_int_eq(msg_section_resolve(t, &r, &sec, &b), 0);
		struct sink s = {BUF_INIT(0), 0};
		ck_assert_int_eq(msg_body_write(&b, &r, sink_write, &s), 0);
		uint64_t from = sec.partial ? sec.origin : 0;
		uint64_t n = sec.partial ? sec.count : conv.len;
		if (n > conv.len - from)
			n = conv.len - from;
		ck_assert_uint_eq(s.got.len, n);
		ck_assert_uint_eq(msg_body_size(&b), n);
		ck_assert(memcmp(s.got.s, conv.s + from, n) == 0);
		ck_assert_uint_le(s.biggest, 2 * MSG_BODY_CHUNK);
		buf_free(&s.got);
		msg_body_free(&b);
	}
	msg_tree_free(&t);
	buf_free(&m);
	buf_free(&conv);
}
END_TEST

/* ---- hostile input ---- */

/* Feeds generated input in pieces, checking the parser's accounting
 * against the bound its limits promise after every piece. */
struct feeder {
	struct msg_parser *p;
	struct msg_limits lim;
	size_t bound, peak;
	struct buf pending;
};

static void feeder_init(struct feeder *f, const struct msg_limits *lim)
{
	f->lim = lim ? *lim : msg_limits_default();
	f->p = msg_parser_create(&f->lim);
	ck_assert_ptr_nonnull(f->p);
	f->bound = msg_limits_mem_bound(&f->lim);
	f->peak = 0;
	f->pending = (struct buf)BUF_INIT(0);
}

static void feeder_flush(struct feeder *f)
{
	ck_assert_int_eq(msg_parser_feed(f->p, f->pending.s, f->pending.len), 0);
	buf_reset(&f->pending);
	size_t mem = msg_parser_mem(f->p);
	if (mem > f->peak)
		f->peak = mem;
	ck_assert_msg(mem <= f->bound, "parser holds %zu bytes, bound %zu", mem, f->bound);
}

static void feeder_add(struct feeder *f, const char *s, size_t n)
{
	ck_assert(buf_append(&f->pending, s, n));
	if (f->pending.len >= 32768)
		feeder_flush(f);
}

static struct msg_tree *feeder_finish(struct feeder *f)
{
	feeder_flush(f);
	buf_free(&f->pending);
	struct msg_tree *t = msg_parser_finish(&f->p);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(f->p);
	return t;
}

static void assert_renders_wellformed(const struct msg_tree *t)
{
	struct buf env = BUF_INIT(0), body = BUF_INIT(0), bs = BUF_INIT(0);
	render_all(t, &env, &body, &bs);
	assert_imap_wellformed(env.s, env.len);
	assert_imap_wellformed(body.s, body.len);
	assert_imap_wellformed(bs.s, bs.len);
	buf_free(&env);
	buf_free(&body);
	buf_free(&bs);
}

static unsigned max_depth(const struct msg_tree *t)
{
	unsigned d = 0;
	for (unsigned i = 0; i < msg_tree_count(t); i++)
		if (msg_tree_part(t, i)->depth > d)
			d = msg_tree_part(t, i)->depth;
	return d;
}

START_TEST(hostile_deep_multipart)
{
	struct feeder f;
	feeder_init(&f, NULL);
	char line[128];
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(line, sizeof(line),
				 "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
		feeder_add(&f, line, (size_t)n);
	}
	feeder_add(&f, "\nleaf\n", 6);
	for (int i = 99999; i >= 0; i--) {
		int n = snprintf(line, sizeof(line), "--b%d--\n", i);
		feeder_add(&f, line, (size_t)n);
	}
	struct msg_tree *t = feeder_finish(&f);
	ck_assert_uint_le(msg_tree_count(t), MSG_DEFAULT_MAX_PARTS);
	ck_assert_uint_le(max_depth(t), MSG_DEFAULT_MAX_DEPTH);
	assert_renders_wellformed(t);
	msg_tree_free(&t);
}
END_TEST

START_TEST(hostile_deep_rfc822)
{
	struct feeder f;
	feeder_init(&f, NULL);
	const char *h = "Subject: nest\nContent-Type: message/rfc822\n\n";
	for (int i = 0; i < 100000; i++)
		feeder_add(&f, h, strlen(h));
	feeder_add(&f, "Subject: bottom\n\nx\n", 19);
	struct msg_tree *t = feeder_finish(&f);
	ck_assert_uint_le(max_depth(t), MSG_DEFAULT_MAX_DEPTH);
	assert_renders_wellformed(t);
	msg_tree_free(&t);
}
END_TEST

START_TEST(hostile_many_parts)
{
	struct feeder f;
	feeder_init(&f, NULL);
	const char *h = "Content-Type: multipart/mixed; boundary=x\n\n";
	feeder_add(&f, h, strlen(h));
	for (int i = 0; i < 50000; i++)
		feeder_add(&f, "--x\n\np\n", 7);
	struct msg_tree *t = feeder_finish(&f);
	ck_assert_uint_eq(msg_tree_count(t), MSG_DEFAULT_MAX_PARTS);
	assert_renders_wellformed(t);
	msg_tree_free(&t);
}
END_TEST

START_TEST(hostile_huge_header_line)
{
	struct feeder f;
	feeder_init(&f, NULL);
	feeder_add(&f, "Subject: ", 9);
	char chunk[4096];
	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 256; i++) /* 1 MB */
		feeder_add(&f, chunk, sizeof(chunk));
	feeder_add(&f, "\nFrom: a@b\nX: ", 14);
	for (int i = 0; i < 256; i++)
		feeder_add(&f, chunk, sizeof(chunk));
	feeder_add(&f, "\n\nbody\n", 7);
	struct msg_tree *t = feeder_finish(&f);
	struct str v;
	ck_assert_ptr_nonnull(msg_part_field(t, msg_tree_part(t, 0), MSG_F_SUBJECT, &v));
	ck_assert_uint_le(v.len, MSG_DEFAULT_MAX_FIELD);
	ck_assert_ptr_nonnull(msg_part_field(t, msg_tree_part(t, 0), MSG_F_FROM, &v));
	ck_assert_uint_eq(msg_tree_part(t, 0)->body.vsize, 6);
	assert_renders_wellformed(t);
	msg_tree_free(&t);
}
END_TEST

START_TEST(hostile_nuls)
{
	struct feeder f;
	feeder_init(&f, NULL);
	const char h[] = "Subj\0ect: a\0b\nContent-Type: multipart/mixed; boundary=\"\0\"\n\n";
	feeder_add(&f, h, sizeof(h) - 1);
	char zeros[65536];
	memset(zeros, 0, sizeof(zeros));
	for (int i = 0; i < 64; i++) /* 4 MB */
		feeder_add(&f, zeros, sizeof(zeros));
	feeder_add(&f, "\n", 1);
	struct msg_tree *t = feeder_finish(&f);
	/* every bare LF counts twice: three in the header, one at the end */
	ck_assert_uint_eq(msg_tree_vsize(t), sizeof(h) - 1 + 3 + (64u << 16) + 2);
	assert_renders_wellformed(t);
	msg_tree_free(&t);
}
END_TEST

START_TEST(hostile_many_fields)
{
	struct feeder f;
	feeder_init(&f, NULL);
	char line[64];
	for (int i = 0; i < 200000; i++) {
		int n = snprintf(line, sizeof(line), "To: user%d@example.org\n", i);
		feeder_add(&f, line, (size_t)n);
	}
	feeder_add(&f, "\n", 1);
	struct msg_tree *t = feeder_finish(&f);
	struct str v;
	ck_assert_ptr_nonnull(msg_part_field(t, msg_tree_part(t, 0), MSG_F_TO, &v));
	ck_assert_uint_le(v.len, MSG_DEFAULT_MAX_FIELD);
	ck_assert_uint_le(msg_tree_mem(t), msg_limits_mem_bound(NULL));
	assert_renders_wellformed(t);
	msg_tree_free(&t);
}
END_TEST

START_TEST(small_limits_degrade)
{
	struct msg_limits lim = {2, 4, 1024, 4096};
	const char m[] = "Content-Type: multipart/mixed; boundary=a\n\n"
			 "--a\nContent-Type: multipart/mixed; boundary=b\n\n"
			 "--b\nContent-Type: multipart/mixed; boundary=c\n\n--c\n\ndeep\n--c--\n"
			 "--b\n\nsecond\n--b--\n"
			 "--a\n\nthird\n--a\n\nfourth\n--a\n\nfifth\n--a--\n";
	for (size_t chunk = 1; chunk <= sizeof(m); chunk *= 3) {
		struct msg_tree *t = mt_parse(m, sizeof(m) - 1, chunk, &lim);
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_le(msg_tree_count(t), 4);
		ck_assert_uint_le(max_depth(t), 2);
		struct buf bs = BUF_INIT(0);
		ck_assert(msg_bodystructure_write(t, 0, true, &bs));
		/* the multipart at the depth limit is shown as one opaque part */
		ck_assert(strstr(bs.s, "\"application\" \"octet-stream\"") != NULL);
		assert_imap_wellformed(bs.s, bs.len);
		buf_free(&bs);
		msg_tree_free(&t);
	}
}
END_TEST

START_TEST(limits_from_config)
{
	struct config c;
	config_defaults(&c);
	struct msg_limits a = msg_limits_from_config(&c), b = msg_limits_default();
	ck_assert(a.max_depth == b.max_depth && a.max_parts == b.max_parts &&
		  a.max_field == b.max_field && a.max_held == b.max_held);
	struct buf err = BUF_INIT(0);
	ck_assert(config_set_line(&c, "mime_max_parts = 5", "t", 1, &err));
	ck_assert(!config_set_line(&c, "mime_max_depth = 5000", "t", 2, &err));
	ck_assert_uint_eq(msg_limits_from_config(&c).max_parts, 5);
	ck_assert_str_eq(msg_fid_name(MSG_F_REPLY_TO), "Reply-To");
	ck_assert_str_eq(msg_fid_name(MSG_F_COUNT), "");
	buf_free(&err);
}
END_TEST

START_TEST(parts_limit_on_rfc822)
{
	struct msg_limits lim = {10, 2, 1024, 4096};
	const char m[] = "Content-Type: multipart/mixed; boundary=a\n\n"
			 "--a\nContent-Type: message/rfc822\n\nSubject: in\n\nbody\n"
			 "--a\n\nnot a part: over the limit\n--a--\n";
	struct msg_tree *t = mt_parse(m, sizeof(m) - 1, 5, &lim);
	ck_assert_uint_eq(msg_tree_count(t), 2);
	struct buf bs = BUF_INIT(0);
	ck_assert(msg_bodystructure_write(t, 0, false, &bs));
	ck_assert_str_eq(bs.s, "((\"application\" \"octet-stream\" NIL NIL NIL \"7bit\" 19) "
			       "\"mixed\")");
	buf_free(&bs);
	msg_tree_free(&t);
}
END_TEST

/* Spans stay inside the input, children inside their parent's body. */
static void assert_spans_sane(const struct msg_tree *t)
{
	uint64_t size = msg_tree_size(t);
	for (unsigned i = 0; i < msg_tree_count(t); i++) {
		const struct msg_part *p = msg_tree_part(t, i);
		ck_assert_uint_le(p->hdr.off + p->hdr.size, size);
		ck_assert_uint_le(p->body.off + p->body.size, size);
		ck_assert_uint_le(p->hdr.off + p->hdr.size, p->body.off);
		ck_assert_uint_ge(p->hdr.vsize, p->hdr.size);
		ck_assert_uint_ge(p->body.vsize, p->body.size);
		if (p->parent >= 0) {
			const struct msg_part *q = msg_tree_part(t, (unsigned)p->parent);
			ck_assert_uint_ge(p->hdr.off, q->body.off);
			ck_assert_uint_le(p->body.off + p->body.size, q->body.off + q->body.size);
		}
	}
}

/* Every section of every part: the announced size is what is sent. */
static void assert_sections_consistent(const struct msg_tree *t, const char *data, size_t len)
{
	struct msg_reader r = msg_reader_mem(data, len);
	static const enum msg_section_text texts[] = {MSG_SECT_ALL, MSG_SECT_HEADER, MSG_SECT_TEXT,
						      MSG_SECT_MIME, MSG_SECT_HEADER_FIELDS_NOT};
	for (unsigned a = 0; a <= 3; a++) {
		for (unsigned b = 0; b <= 3; b++) {
			for (unsigned k = 0; k < 5; k++) {
				struct msg_section sec;
				memset(&sec, 0, sizeof(sec));
				if (a)
					sec.path[sec.npath++] = a;
				if (a && b)
					sec.path[sec.npath++] = b;
				sec.text = texts[k];
				sec.fields[0] = STR_LIT("Subject");
				sec.nfields = 1;
				struct msg_body body;
				memset(&body, 0, sizeof(body));
				int rc = msg_section_resolve(t, &r, &sec, &body);
				ck_assert(rc == 0 || rc == MSG_ERR_NOPART ||
					  rc == MSG_ERR_BADSECTION);
				if (rc == 0) {
					struct buf out = BUF_INIT(0);
					ck_assert_int_eq(msg_body_append(&body, &r, &out), 0);
					ck_assert_uint_eq(out.len, msg_body_size(&body));
					ck_assert(out.len == 0 ||
						  memchr(out.s, 0, out.len) == NULL);
					buf_free(&out);
				}
				msg_body_free(&body);
			}
		}
	}
}

/* Mutated corpus messages: whatever the damage, parsing in any chunking
 * gives one answer, spans stay sane and every rendering is valid IMAP. */
START_TEST(fuzz_corpus_mutations)
{
	static const char interesting[] = "-\n\r: \"=\0;(<@x";
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char **names;
	unsigned n = mt_corpus_list(&names);
	for (unsigned i = 0; i < n; i++) {
		size_t len;
		char *orig = mt_read_file(path_of(names[i], "eml"), &len);
		if (len == 0) {
			free(orig);
			continue;
		}
		char *data = malloc(len);
		for (int round = 0; round < 25; round++) {
			memcpy(data, orig, len);
			for (int k = 0; k < 1 + round % 8; k++) {
				seed = seed * 6364136223846793005u + 1442695040888963407u;
				size_t at = (size_t)(seed >> 33) % len;
				unsigned pick = (unsigned)(seed >> 20) % (sizeof(interesting) + 8);
				data[at] = pick < sizeof(interesting) - 1 ? interesting[pick]
									  : (char)(seed >> 13);
			}
			struct msg_tree *whole = mt_parse(data, len, 0, NULL);
			size_t chunk = 1 + (size_t)(seed >> 40) % 97;
			struct msg_tree *parts = mt_parse(data, len, chunk, NULL);
			ck_assert_ptr_nonnull(whole);
			ck_assert_ptr_nonnull(parts);
			assert_same_tree(whole, parts, names[i]);
			assert_spans_sane(whole);
			assert_renders_wellformed(whole);
			assert_sections_consistent(whole, data, len);
			msg_tree_free(&whole);
			msg_tree_free(&parts);
		}
		free(data);
		free(orig);
	}
	mt_corpus_free(names, n);
}
END_TEST

START_TEST(output_limit_is_reported)
{
	size_t len;
	char *data = mt_read_file(path_of("015-rfc822-attachment", "eml"), &len);
	struct msg_tree *t = mt_parse(data, len, 0, NULL);
	for (size_t max = 1; max < 600; max += 37) {
		struct buf b = BUF_INIT(max);
		bool ok = msg_bodystructure_write(t, 0, true, &b);
		ck_assert(ok || b.len == 0);
		buf_free(&b);
		b = (struct buf)BUF_INIT(max);
		ok = msg_envelope_write(t, 0, &b);
		ck_assert(ok || b.len == 0);
		buf_free(&b);
	}
	ck_assert(!msg_envelope_write(t, 999, &(struct buf)BUF_INIT(0)));
	msg_tree_free(&t);
	free(data);
}
END_TEST

static int to_buf(void *ctx, const void *p, size_t n)
{
	return buf_append(ctx, p, n) ? 0 : -1;
}

/* Each .binary file holds "SPEC {n}\r\n<n bytes>\r\n" or "SPEC NO\r\n"
 * (Dovecot's UNKNOWN-CTE) entries for BINARY.PEEK[SPEC]. Leaves must
 * decode to the same bytes; multipart and message/rfc822 parts are sent
 * undecoded on purpose (see message/binary.h), so they are skipped. */
START_TEST(corpus_binary)
{
	char **names;
	unsigned n = mt_corpus_list(&names), checked = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t len, blen;
		char *data = mt_read_file(path_of(names[i], "eml"), &len);
		char *bins = mt_read_file(path_of(names[i], "binary"), &blen);
		ck_assert_msg(bins != NULL, "%s.binary missing", names[i]);
		struct msg_tree *t = mt_parse(data, len, 0, NULL);
		struct msg_reader r = msg_reader_mem(data, len);
		size_t pos = 0;
		while (pos < blen) {
			char *sp = memchr(bins + pos, ' ', blen - pos);
			ck_assert_ptr_nonnull(sp);
			struct msg_section sec;
			char spec[64];
			size_t speclen = (size_t)(sp - (bins + pos));
			ck_assert_uint_lt(speclen, sizeof(spec));
			memcpy(spec, bins + pos, speclen);
			spec[speclen] = '\0';
			mt_section_parse(spec, &sec, NULL, 0);
			bool refused = strncmp(sp + 1, "NO\r\n", 4) == 0;
			size_t want = 0;
			const char *exp = NULL;
			if (refused) {
				pos = (size_t)(sp + 5 - bins);
			} else {
				char *end;
				want = strtoull(sp + 2, &end, 10);
				exp = end + 3;
				pos = (size_t)(exp - bins) + want + 2;
			}
			int node = msg_section_find(t, sec.path, sec.npath);
			if (node >= 0 && msg_tree_part(t, (unsigned)node)->kind != MSG_LEAF)
				continue;
			struct buf out = BUF_INIT(0);
			uint64_t size = 0;
			int rc =
			    msg_binary_write(t, &r, sec.path, sec.npath, false, 0, 0, to_buf, &out);
			int rcs = msg_binary_size(t, &r, sec.path, sec.npath, &size);
			ck_assert_int_eq(rc, rcs);
			if (refused) {
				ck_assert_msg(rc == MSG_ERR_UNKNOWN_CTE, "%s BINARY[%s]: rc %d",
					      names[i], spec, rc);
			} else if (rc == MSG_ERR_NOPART) {
				ck_assert_msg(want == 0, "%s BINARY[%s]: no such part", names[i],
					      spec);
			} else {
				ck_assert_msg(rc == 0, "%s BINARY[%s]: rc %d", names[i], spec, rc);
				ck_assert_msg(out.len == want && size == want &&
						  (want == 0 || memcmp(out.s, exp, want) == 0),
					      "%s BINARY[%s]: got %zu bytes, want %zu", names[i],
					      spec, out.len, want);
			}
			checked++;
			buf_free(&out);
		}
		msg_tree_free(&t);
		free(bins);
		free(data);
	}
	ck_assert_uint_ge(checked, 40 * 5);
	mt_corpus_free(names, n);
}
END_TEST

Suite *message_suite(void);
Suite *message_suite(void)
{
	Suite *s = suite_create("message");
	TCase *tc = tcase_create("corpus");
	tcase_add_test(tc, corpus_size);
	tcase_add_test(tc, corpus_renderings);
	tcase_add_test(tc, corpus_streaming);
	tcase_add_test(tc, corpus_sections);
	tcase_add_test(tc, corpus_binary);
	suite_add_tcase(s, tc);
	tc = tcase_create("units");
	tcase_add_test(tc, imapstr_forms);
	tcase_add_test(tc, header_split_streaming);
	tcase_add_test(tc, header_split_truncates);
	tcase_add_test(tc, params_parse);
	tcase_add_test(tc, address_parse);
	tcase_add_test(tc, address_list_is_capped);
	tcase_add_test(tc, section_errors);
	tcase_add_test(tc, section_io_errors);
	tcase_add_test(tc, section_header_fields_windows);
	tcase_add_test(tc, section_header_fields_big_header);
	tcase_add_test(tc, section_big_streaming);
	tcase_add_test(tc, output_limit_is_reported);
	tcase_add_test(tc, limits_from_config);
	suite_add_tcase(s, tc);
	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, hostile_deep_multipart);
	tcase_add_test(tc, hostile_deep_rfc822);
	tcase_add_test(tc, hostile_many_parts);
	tcase_add_test(tc, hostile_huge_header_line);
	tcase_add_test(tc, hostile_nuls);
	tcase_add_test(tc, hostile_many_fields);
	tcase_add_test(tc, small_limits_degrade);
	tcase_add_test(tc, parts_limit_on_rfc822);
	tcase_add_test(tc, fuzz_corpus_mutations);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return suite_run(message_suite());
}
