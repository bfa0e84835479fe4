/* Tests for message/: the streaming parser, ENVELOPE, BODY[STRUCTURE] and
 * sections, against the corpus (answers checked with a reference Dovecot)
 * and against hostile input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "message/bodystructure.h"
#include "message/envelope.h"
#include "message/header.h"
#include "message/imapstr.h"
#include "message/parser.h"
#include "message/section.h"
#include "tests/lib/msgtest.h"

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
				ck_assert_msg(out.len == want && memcmp(out.s, exp, want) == 0,
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

Suite *message_suite(void);
Suite *message_suite(void)
{
	Suite *s = suite_create("message");
	TCase *tc = tcase_create("corpus");
	tcase_add_test(tc, corpus_size);
	tcase_add_test(tc, corpus_renderings);
	tcase_add_test(tc, corpus_streaming);
	tcase_add_test(tc, corpus_sections);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(message_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
