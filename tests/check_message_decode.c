/* Tests for message/ decoding and searching: transfer encodings, charsets,
 * encoded words, BINARY, the case-insensitive matcher, header and body
 * search, and Date: parsing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "message/binary.h"
#include "message/date.h"
#include "message/decode.h"
#include "message/parser.h"
#include "message/search.h"
#include "tests/lib/msgtest.h"
#include "tests/lib/suite.h"

/* Decodes in with the given chunk size; returns the output (static). */
static const char *decode(enum msg_cte cte, bool crlf, const char *in, size_t len, size_t chunk,
			  size_t *outlen)
{
	static struct buf out;
	buf_free(&out);
	struct msg_decoder d;
	msg_decoder_init(&d, cte, crlf);
	for (size_t i = 0; i < len; i += chunk) {
		size_t n = len - i < chunk ? len - i : chunk;
		size_t before = out.len;
		ck_assert(msg_decoder_feed(&d, in + i, n, &out));
		ck_assert_uint_le(out.len - before, 2 * n + 16);
	}
	ck_assert(msg_decoder_finish(&d, &out));
	*outlen = out.len;
	return out.s ? out.s : "";
}

static void check_decode(enum msg_cte cte, bool crlf, const char *in, const char *want,
			 size_t wantlen)
{
	size_t len = strlen(in);
	for (size_t chunk = 1; chunk <= len + 1; chunk = chunk * 2 + 1) {
		size_t n;
		const char *got = decode(cte, crlf, in, len, chunk, &n);
		ck_assert_msg(n == wantlen && memcmp(got, want, n) == 0,
			      "decoding [%s] in chunks of %zu gave [%.*s]", in, chunk, (int)n, got);
	}
}

START_TEST(cte_names)
{
	ck_assert_int_eq(msg_cte_parse(NULL, 0), MSG_CTE_IDENTITY);
	ck_assert_int_eq(msg_cte_parse(" 8BIT ", 6), MSG_CTE_IDENTITY);
	ck_assert_int_eq(msg_cte_parse("Binary", 6), MSG_CTE_IDENTITY);
	ck_assert_int_eq(msg_cte_parse("BASE64", 6), MSG_CTE_BASE64);
	ck_assert_int_eq(msg_cte_parse("Quoted-Printable", 16), MSG_CTE_QP);
	ck_assert_int_eq(msg_cte_parse("x-uuencode", 10), MSG_CTE_UNKNOWN);
}
END_TEST

START_TEST(base64_streaming)
{
	check_decode(MSG_CTE_BASE64, false, "SGVsbG8sIHdvcmxkIQ==", "Hello, world!", 13);
	/* line breaks and junk are skipped; a cut quantum at the end still counts */
	check_decode(MSG_CTE_BASE64, false, "SGVs\r\nbG8*\nsIHdv!cmxk", "Hello, world", 12);
	check_decode(MSG_CTE_BASE64, false, "AAEC/w==", "\x00\x01\x02\xff", 4);
	check_decode(MSG_CTE_BASE64, false, "QQ", "A", 1);
	check_decode(MSG_CTE_BASE64, false, "Q", "", 0);
	check_decode(MSG_CTE_BASE64, false, "QQ==QUI=", "AAB", 3);
}
END_TEST

START_TEST(qp_streaming)
{
	check_decode(MSG_CTE_QP, true, "caf=C3=A9 cr=c3=a8me", "caf\xc3\xa9 cr\xc3\xa8me", 12);
	/* soft breaks, with LF, CRLF and blanks after '=' */
	check_decode(MSG_CTE_QP, true, "ab=\ncd=\r\nef=  \ngh", "abcdefgh", 8);
	/* hard breaks become CRLF; blanks ending a line are dropped */
	check_decode(MSG_CTE_QP, true, "a  \nb\t\r\nc", "a\r\nb\r\nc", 7);
	check_decode(MSG_CTE_QP, false, "a  \nb", "a\nb", 3);
	/* bad escapes are kept as they are */
	check_decode(MSG_CTE_QP, true, "=ZZ =4 =", "=ZZ =4 =", 8);
	check_decode(MSG_CTE_QP, true, "x=4", "x=4", 3);
	check_decode(MSG_CTE_QP, true, "x\ry", "x\ry", 3);
	/* blanks inside a line are kept */
	check_decode(MSG_CTE_QP, true, "a \t b", "a \t b", 5);
}
END_TEST

START_TEST(qp_long_blank_run_is_bounded)
{
	struct buf in = BUF_INIT(0);
	for (int i = 0; i < 100000; i++)
		buf_appendc(&in, ' ');
	buf_appends(&in, "x\n");
	size_t n;
	decode(MSG_CTE_QP, true, in.s, in.len, 4096, &n);
	ck_assert_uint_eq(n, 100000 + 3);
	buf_free(&in);
}
END_TEST

START_TEST(identity_crlf)
{
	check_decode(MSG_CTE_IDENTITY, true, "a\nb\r\nc\n", "a\r\nb\r\nc\r\n", 9);
	size_t n;
	struct msg_decoder d;
	struct buf out = BUF_INIT(0);
	msg_decoder_init(&d, MSG_CTE_IDENTITY, false);
	ck_assert(msg_decoder_feed(&d, "a\0b", 3, &out));
	ck_assert(memcmp(out.s,
			 "a\x80"
			 "b",
			 3) == 0);
	buf_reset(&out);
	d.keep_nul = true;
	ck_assert(msg_decoder_feed(&d, "a\0b", 3, &out));
	ck_assert(memcmp(out.s, "a\0b", 3) == 0);
	buf_free(&out);
	(void)n;
}
END_TEST

static const char *conv_chunked(const char *cs, const char *in, size_t len, size_t chunk)
{
	static struct buf out;
	buf_free(&out);
	struct msg_conv *c = msg_conv_create(cs, strlen(cs));
	ck_assert_ptr_nonnull(c);
	for (size_t i = 0; i < len; i += chunk) {
		size_t n = len - i < chunk ? len - i : chunk;
		ck_assert(msg_conv_feed(c, in + i, n, &out));
	}
	ck_assert(msg_conv_finish(c, &out));
	msg_conv_free(&c);
	ck_assert_ptr_null(c);
	return out.s ? out.s : "";
}

START_TEST(charset_conversion)
{
	for (size_t chunk = 1; chunk < 8; chunk++) {
		ck_assert_str_eq(conv_chunked("ISO-8859-1", "caf\xe9", 4, chunk), "caf\xc3\xa9");
		ck_assert_str_eq(conv_chunked("utf-8", "caf\xc3\xa9", 5, chunk), "caf\xc3\xa9");
		/* Shift_JIS "nihon", two-byte characters split by the chunks */
		ck_assert_str_eq(conv_chunked("Shift_JIS", "\x93\xfa\x96\x7b", 4, chunk),
				 "\xe6\x97\xa5\xe6\x9c\xac");
		ck_assert_str_eq(conv_chunked("UTF-16BE", "\x00h\x00i", 4, chunk), "hi");
		/* invalid bytes become U+FFFD; a cut character at the end too */
		ck_assert_str_eq(conv_chunked("utf-8",
					      "a\xff"
					      "b\xc3",
					      4, chunk),
				 "a\xef\xbf\xbd"
				 "b\xef\xbf\xbd");
		ck_assert_str_eq(conv_chunked("us-ascii", "\xe2\x82\xac", 3, chunk),
				 "\xe2\x82\xac");
	}
	struct msg_conv *c = msg_conv_create("x-no-such-charset", 17);
	ck_assert(!msg_conv_known(c));
	msg_conv_free(&c);
	c = msg_conv_create("windows-1252", 12);
	ck_assert(msg_conv_known(c));
	msg_conv_free(&c);
	ck_assert_str_eq(conv_chunked("x-no-such-charset", "ok\xc3\xa9", 4, 1), "ok\xc3\xa9");
}
END_TEST

static const char *hdr(const char *in)
{
	static struct buf out;
	buf_free(&out);
	ck_assert(msg_decode_header(in, strlen(in), &out));
	return out.s ? out.s : "";
}

START_TEST(encoded_words)
{
	/* RFC 2047 section 8 examples */
	ck_assert_str_eq(hdr("=?ISO-8859-1?Q?a?="), "a");
	ck_assert_str_eq(hdr("=?ISO-8859-1?Q?a?= b"), "a b");
	ck_assert_str_eq(hdr("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
	ck_assert_str_eq(hdr("(=?ISO-8859-1?Q?a?=\n    =?ISO-8859-1?Q?b?=)"), "(ab)");
	ck_assert_str_eq(hdr("=?ISO-8859-1?Q?a_b?="), "a b");
	ck_assert_str_eq(hdr("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?="), "a b");
	ck_assert_str_eq(hdr("=?US-ASCII?Q?Keith_Moore?="), "Keith Moore");
	ck_assert_str_eq(hdr("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "Andr\xc3\xa9 Pirard");
	ck_assert_str_eq(hdr("=?utf-8?B?SMOpbGxv?="), "H\xc3\xa9llo");
	ck_assert_str_eq(hdr("=?utf-8*en?q?hi?="), "hi"); /* RFC 2231 language */
	/* not encoded words: kept */
	ck_assert_str_eq(hdr("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
	ck_assert_str_eq(hdr("=?utf-8?q?a b?="), "=?utf-8?q?a b?=");
	ck_assert_str_eq(hdr("a =? b"), "a =? b");
	ck_assert_str_eq(hdr("fold\n ed"), "fold ed");
	ck_assert_str_eq(hdr("raw \xff byte"), "raw \xef\xbf\xbd byte");
}
END_TEST

START_TEST(param_values)
{
	struct buf out = BUF_INIT(0);
	ck_assert(
	    msg_decode_param(STR_LIT("filename*"), STR_LIT("utf-8''%E2%82%AC%20rates.txt"), &out));
	ck_assert_str_eq(out.s, "\xe2\x82\xac rates.txt");
	buf_reset(&out);
	ck_assert(msg_decode_param(STR_LIT("title*"), STR_LIT("iso-8859-1'en'%E9t%e9"), &out));
	ck_assert_str_eq(out.s, "\xc3\xa9t\xc3\xa9");
	buf_reset(&out);
	ck_assert(msg_decode_param(STR_LIT("name"), STR_LIT("=?utf-8?q?r=C3=A9sum=C3=A9?="), &out));
	ck_assert_str_eq(out.s, "r\xc3\xa9sum\xc3\xa9");
	buf_reset(&out);
	ck_assert(msg_decode_param(STR_LIT("name*"), STR_LIT("no%quotes"), &out));
	ck_assert_str_eq(out.s, "no%quotes");
	buf_free(&out);
}
END_TEST

/* ---- matcher ---- */

static bool find(const char *needle, const char *hay, size_t chunk)
{
	struct msg_matcher *m = msg_matcher_create(needle, strlen(needle));
	ck_assert_ptr_nonnull(m);
	size_t len = strlen(hay);
	bool found = msg_matcher_matched(m);
	for (size_t i = 0; i < len && !found; i += chunk)
		found = msg_matcher_feed(m, hay + i, len - i < chunk ? len - i : chunk);
	msg_matcher_free(&m);
	ck_assert_ptr_null(m);
	return found;
}

static bool find_all_chunks(const char *needle, const char *hay)
{
	bool r = find(needle, hay, strlen(hay) + 1);
	for (size_t c = 1; c < 5; c++)
		ck_assert_msg(find(needle, hay, c) == r, "[%s] in [%s], chunk %zu", needle, hay, c);
	return r;
}

START_TEST(matcher_folds_case)
{
	ck_assert(find_all_chunks("hello", "Say HeLLo there"));
	ck_assert(!find_all_chunks("hello", "Say Hell o"));
	ck_assert(find_all_chunks("aab", "aaab"));
	ck_assert(find_all_chunks("abab", "abaabab"));
	ck_assert(find_all_chunks("", "anything"));
	ck_assert(find_all_chunks("", ""));
	/* Latin-1, Latin Extended-A, Greek, Cyrillic */
	ck_assert(find_all_chunks("caf\xc3\xa9", "CAF\xc3\x89 au lait"));
	ck_assert(find_all_chunks("\xc3\x85"
				  "ngstr\xc3\xb6m",
				  "\xc3\xa5NGSTR\xc3\x96M"));
	ck_assert(find_all_chunks("\xc5\x81\xc3\xb3\x64\xc5\xba", "w \xc5\x82\xc3\x93"
								  "D\xc5\xb9"));
	ck_assert(find_all_chunks("\xce\xb1\xce\xb2", "\xce\x91\xce\x92"));
	ck_assert(find_all_chunks("\xd0\xbc\xd0\xb8\xd1\x80", "\xd0\x9c\xd0\x98\xd0\xa0"));
	/* no false folding: é is not e */
	ck_assert(!find_all_chunks("cafe", "caf\xc3\xa9"));
	/* invalid bytes never match ordinary text */
	ck_assert(!find_all_chunks("a", "\xff\xfe"));
}
END_TEST

START_TEST(matcher_limits)
{
	struct buf n = BUF_INIT(0);
	for (int i = 0; i <= MSG_SEARCH_MAX_NEEDLE; i++)
		buf_appendc(&n, 'x');
	ck_assert_ptr_null(msg_matcher_create(n.s, n.len));
	ck_assert_ptr_nonnull(n.s);
	struct msg_matcher *m = msg_matcher_create(n.s, n.len - 1);
	ck_assert_ptr_nonnull(m);
	ck_assert(!msg_matcher_feed(m, "xx", 2));
	msg_matcher_free(&m);
	/* reset forgets partial progress */
	m = msg_matcher_create("abc", 3);
	ck_assert(!msg_matcher_feed(m, "ab", 2));
	msg_matcher_reset(m);
	ck_assert(!msg_matcher_feed(m, "c", 1));
	ck_assert(msg_matcher_feed(m, "xabc", 4));
	ck_assert(msg_matcher_matched(m));
	msg_matcher_reset(m);
	ck_assert(!msg_matcher_matched(m));
	msg_matcher_free(&m);
	buf_free(&n);
	ck_assert_uint_eq(msg_fold('Q'), 'q');
	ck_assert_uint_eq(msg_fold(0xD7), 0xD7); /* multiplication sign */
	ck_assert_uint_eq(msg_fold(0x178), 0xFF);
	ck_assert_uint_eq(msg_fold(0x3A3), 0x3C3);
}
END_TEST

/* ---- searching corpus messages ---- */

struct loaded {
	char *data;
	size_t len;
	struct msg_tree *t;
	struct msg_reader r;
};

static void load(const char *name, struct loaded *l)
{
	char path[4096];
	ck_assert(snprintf_ok(path, sizeof(path), "%s/%s.eml", mt_corpus_dir(), name));
	l->data = mt_read_file(path, &l->len);
	ck_assert_ptr_nonnull(l->data);
	l->t = mt_parse(l->data, l->len, 0, NULL);
	ck_assert_ptr_nonnull(l->t);
	l->r = msg_reader_mem(l->data, l->len);
}

static void unload(struct loaded *l)
{
	msg_tree_free(&l->t);
	free(l->data);
}

enum where { IN_HEADER, IN_BODY, IN_TEXT };

static bool search(struct loaded *l, enum where w, const char *field, const char *needle)
{
	struct msg_matcher *m = msg_matcher_create(needle, strlen(needle));
	ck_assert_ptr_nonnull(m);
	bool found = false;
	int rc = w == IN_HEADER ? msg_search_header(l->t, &l->r, 0, field, m, &found)
		 : w == IN_BODY ? msg_search_body(l->t, &l->r, m, &found)
				: msg_search_text(l->t, &l->r, m, &found);
	ck_assert_int_eq(rc, 0);
	msg_matcher_free(&m);
	return found;
}

START_TEST(search_headers)
{
	struct loaded l;
	load("011-encoded-words", &l);
	/* two encoded words in two charsets, joined */
	ck_assert(search(&l, IN_HEADER, "subject", "you can read this you understand"));
	ck_assert(search(&l, IN_HEADER, "FROM", "andr\xc3\xa9 pirard"));
	ck_assert(search(&l, IN_HEADER, "to", "keith moore"));
	ck_assert(!search(&l, IN_HEADER, "to", "andr\xc3\xa9"));
	ck_assert(!search(&l, IN_HEADER, "cc", ""));  /* no such field */
	ck_assert(search(&l, IN_HEADER, "date", "")); /* the field exists */
	unload(&l);
	load("012-utf8-headers", &l);
	ck_assert(search(&l, IN_HEADER, "subject",
			 "GR\xc3\x9c\xc3\x9f"
			 "E AUS K\xc3\x96LN"));
	unload(&l);
	load("008-folded-headers", &l);
	ck_assert(search(&l, IN_HEADER, "Subject", "subject is folded"));
	ck_assert(search(&l, IN_HEADER, "to", "three@example"));
	unload(&l);
}
END_TEST

START_TEST(search_bodies)
{
	struct loaded l;
	load("013-multipart-alternative", &l);
	ck_assert(search(&l, IN_BODY, NULL, "CAF\xc3\x89 CR\xc3\x88ME")); /* QP, UTF-8 */
	ck_assert(search(&l, IN_BODY, NULL, "<b>caf\xc3\xa9</b>"));	  /* base64 */
	ck_assert(!search(&l, IN_BODY, NULL, "alternative"));		  /* header only */
	ck_assert(search(&l, IN_TEXT, NULL, "alternative"));
	ck_assert(!search(&l, IN_BODY, NULL, "multi-part message")); /* preamble */
	unload(&l);
	load("042-base64-qp-parts", &l);
	ck_assert(search(&l, IN_BODY, NULL, "soft break and \xc3\xa9t\xc3\xa9 = equals"));
	ck_assert(search(&l, IN_BODY, NULL, "h\xc3\xa9llo W\xc3\x96RLD"));
	ck_assert(!search(&l, IN_BODY, NULL, "begin 644")); /* not a text part */
	unload(&l);
	load("025-8bit-body", &l);
	ck_assert(search(&l, IN_BODY, NULL,
			 "CAF\xc3\x89 NA\xc3\x8f"
			 "VE"));
	unload(&l);
	load("015-rfc822-attachment", &l);
	ck_assert(search(&l, IN_BODY, NULL, "inner text"));
	ck_assert(!search(&l, IN_BODY, NULL, "iVBORw0KGgo"));
	/* headers of parts and embedded messages: TEXT only */
	ck_assert(!search(&l, IN_BODY, NULL, "image/png"));
	ck_assert(search(&l, IN_TEXT, NULL, "image/png"));
	ck_assert(!search(&l, IN_BODY, NULL, "someone@example"));
	ck_assert(search(&l, IN_TEXT, NULL, "someone@example"));
	unload(&l);
}
END_TEST

START_TEST(search_big_body_streams)
{
	/* 8 MB of base64 text: the needle is at the very end */
	struct buf m = BUF_INIT(0);
	buf_appends(&m, "Content-Transfer-Encoding: base64\n\n");
	for (int i = 0; i < 200000; i++)
		buf_appends(&m, "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=\n");
	buf_appends(&m, "RklOQUwgV09SRFM=\n");
	struct msg_tree *t = mt_parse(m.s, m.len, 0, NULL);
	struct msg_reader r = msg_reader_mem(m.s, m.len);
	struct msg_matcher *mm = msg_matcher_create("final words", 11);
	bool found = false;
	ck_assert_int_eq(msg_search_body(t, &r, mm, &found), 0);
	ck_assert(found);
	msg_matcher_free(&mm);
	mm = msg_matcher_create("zabc", 4); /* spans two base64 lines, never joined */
	ck_assert_int_eq(msg_search_body(t, &r, mm, &found), 0);
	ck_assert(found);
	msg_matcher_free(&mm);
	msg_tree_free(&t);
	buf_free(&m);
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

START_TEST(search_io_error)
{
	struct loaded l;
	load("013-multipart-alternative", &l);
	struct msg_reader bad = {failing_pread, NULL, -1, NULL, 0};
	struct msg_matcher *m = msg_matcher_create("x", 1);
	bool found = true;
	ck_assert_int_eq(msg_search_body(l.t, &bad, m, &found), MSG_ERR_IO);
	ck_assert_int_eq(msg_search_header(l.t, &bad, 0, "subject", m, &found), MSG_ERR_IO);
	ck_assert(!found);
	msg_matcher_free(&m);
	unload(&l);
}
END_TEST

static bool count_field(void *ctx, const struct msg_field *f)
{
	(void)f;
	++*(unsigned *)ctx;
	return true;
}

START_TEST(header_lookup)
{
	struct loaded l;
	load("034-duplicate-headers", &l);
	unsigned n = 0;
	ck_assert_int_eq(msg_header_each(l.t, &l.r, 0, "subject", count_field, &n), 0);
	ck_assert_uint_eq(n, 2);
	n = 0;
	ck_assert_int_eq(msg_header_each(l.t, &l.r, 0, NULL, count_field, &n), 0);
	ck_assert_uint_eq(n, 6);
	unload(&l);
}
END_TEST

/* ---- dates ---- */

static time_t date(const char *s, int *tz)
{
	time_t t;
	ck_assert_msg(msg_date_parse(s, strlen(s), &t, tz) == 0, "[%s]", s);
	return t;
}

START_TEST(dates)
{
	int tz;
	ck_assert_int_eq(date("Fri, 21 Nov 1997 09:55:06 -0600", &tz), 880127706);
	ck_assert_int_eq(tz, -360);
	ck_assert_int_eq(date("21 Nov 97 09:55:06 GMT", &tz), 880106106);
	ck_assert_int_eq(date("Fri, 21 Nov 1997 09:55 +0000", &tz), 880106100);
	ck_assert_int_eq(date("  Thu,\n 13\n Feb\n 1969\n 23:32\n -0330 (Newfoundland Time)", &tz),
			 -27723480); /* 1969-02-14 03:02 UTC */
	ck_assert_int_eq(tz, -210);
	ck_assert_int_eq(date("5 Jan 99 08:00 EST", &tz), 915541200);
	ck_assert_int_eq(tz, -300);
	ck_assert_int_eq(date("1 jan 2000 00:00:00 z", &tz), 946684800);
	ck_assert_int_eq(date("1 Jan 100 00:00:00 +0000", &tz), 946684800); /* 3-digit year */
	ck_assert_int_eq(date("1 Jan 49 00:00:00 +0000", &tz), 2493072000);
	ck_assert_int_eq(date("Sat, 1 Jan 2000 00:00:00", &tz), 946684800); /* no zone */
	ck_assert_int_eq(date("29 Feb 2024 12:00:00 +0100", &tz), 1709204400);
	ck_assert_int_eq(date("1-Jan-2000 00:00:00 +0000", &tz), 946684800);
	time_t t;
	const char *bad[] = {"",
			     "yesterday",
			     "32 Jan 2000 00:00 +0000",
			     "1 Foo 2000 00:00",
			     "1 Jan 2000",
			     "1 Jan 2000 25:00",
			     "1 Jan 2000 10:60",
			     "1 Jan 2000 10:00 +99",
			     "1 Jan 7 10:00"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(msg_date_parse(bad[i], strlen(bad[i]), &t, &tz) == -1, "[%s]",
			      bad[i]);
	struct loaded l;
	load("001-simple-lf", &l);
	ck_assert_int_eq(msg_part_date(l.t, 0, &t, &tz), 0);
	ck_assert_int_eq(t, 1672653600);
	unload(&l);
	load("035-empty-header-values", &l);
	ck_assert_int_eq(msg_part_date(l.t, 0, &t, &tz), -1);
	unload(&l);
}
END_TEST

/* ---- BINARY ---- */

static int collect(void *ctx, const void *p, size_t n)
{
	return buf_append(ctx, p, n) ? 0 : -1;
}

static int binary(struct loaded *l, const unsigned *path, unsigned npath, bool partial,
		  uint64_t origin, uint64_t count, struct buf *out)
{
	buf_reset(out);
	return msg_binary_write(l->t, &l->r, path, npath, partial, origin, count, collect, out);
}

START_TEST(binary_sections)
{
	struct loaded l;
	load("042-base64-qp-parts", &l);
	struct buf out = BUF_INIT(0);
	uint64_t size;
	bool nul;
	const unsigned p1[] = {1}, p2[] = {2}, p3[] = {3}, p9[] = {9};
	ck_assert_int_eq(binary(&l, p1, 1, false, 0, 0, &out), 0);
	ck_assert_str_eq(out.s, "Soft break and \xe9t\xe9 = equals");
	ck_assert_int_eq(msg_binary_size(l.t, &l.r, p1, 1, &size), 0);
	ck_assert_uint_eq(size, out.len);
	ck_assert_int_eq(binary(&l, p2, 1, false, 0, 0, &out), 0);
	ck_assert_str_eq(out.s, "H\xc3\xa9llo w\xc3\xb6rld\n");
	ck_assert_int_eq(msg_binary_scan(l.t, &l.r, p2, 1, &size, &nul), 0);
	ck_assert_uint_eq(size, out.len);
	ck_assert(!nul);
	/* partial windows of the decoded bytes */
	ck_assert_int_eq(binary(&l, p2, 1, true, 1, 2, &out), 0);
	ck_assert_str_eq(out.s, "\xc3\xa9");
	ck_assert_int_eq(binary(&l, p2, 1, true, 100, 2, &out), 0);
	ck_assert_uint_eq(out.len, 0);
	/* unknown encoding and no such part */
	ck_assert_int_eq(binary(&l, p3, 1, false, 0, 0, &out), MSG_ERR_UNKNOWN_CTE);
	ck_assert_int_eq(msg_binary_size(l.t, &l.r, p3, 1, &size), MSG_ERR_UNKNOWN_CTE);
	ck_assert_int_eq(binary(&l, p9, 1, false, 0, 0, &out), MSG_ERR_NOPART);
	/* the whole message, as sent */
	ck_assert_int_eq(binary(&l, NULL, 0, false, 0, 0, &out), 0);
	ck_assert_int_eq(msg_binary_size(l.t, &l.r, NULL, 0, &size), 0);
	ck_assert_uint_eq(size, msg_tree_vsize(l.t));
	ck_assert_uint_eq(out.len, size);
	unload(&l);

	/* NUL bytes survive decoding and are reported */
	const char m[] = "Content-Transfer-Encoding: base64\n\nAAEAAgA=\n";
	struct msg_tree *t = mt_parse(m, sizeof(m) - 1, 1, NULL);
	struct loaded n = {NULL, 0, t, msg_reader_mem(m, sizeof(m) - 1)};
	ck_assert_int_eq(binary(&n, p1, 1, false, 0, 0, &out), 0);
	ck_assert_uint_eq(out.len, 5);
	ck_assert(memcmp(out.s, "\0\1\0\2\0", 5) == 0);
	ck_assert_int_eq(msg_binary_scan(t, &n.r, p1, 1, &size, &nul), 0);
	ck_assert(nul);
	ck_assert_uint_eq(size, 5);
	struct msg_reader bad = {failing_pread, NULL, -1, NULL, 0};
	ck_assert_int_eq(msg_binary_size(t, &bad, p1, 1, &size), MSG_ERR_IO);
	msg_tree_free(&t);
	buf_free(&out);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("message-decode");
	TCase *tc = tcase_create("decode");
	tcase_add_test(tc, cte_names);
	tcase_add_test(tc, base64_streaming);
	tcase_add_test(tc, qp_streaming);
	tcase_add_test(tc, qp_long_blank_run_is_bounded);
	tcase_add_test(tc, identity_crlf);
	tcase_add_test(tc, charset_conversion);
	tcase_add_test(tc, encoded_words);
	tcase_add_test(tc, param_values);
	suite_add_tcase(s, tc);
	tc = tcase_create("search");
	tcase_add_test(tc, matcher_folds_case);
	tcase_add_test(tc, matcher_limits);
	tcase_add_test(tc, search_headers);
	tcase_add_test(tc, search_bodies);
	tcase_add_test(tc, search_big_body_streams);
	tcase_add_test(tc, search_io_error);
	tcase_add_test(tc, header_lookup);
	suite_add_tcase(s, tc);
	tc = tcase_create("dates-binary");
	tcase_add_test(tc, dates);
	tcase_add_test(tc, binary_sections);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return suite_run(decode_suite());
}
