/* The grammar: every element of the command syntax, good and bad. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/parser.h"
#include "tests/lib/suite.h"

static const struct reader_limits lim = {65536, 8192, 16, 131072};
static struct reader rd;

/* Frames text (literals held) and starts a parser on it. */
static struct parser P(const char *text, size_t len) {
	reader_free(&rd);
	reader_init(&rd, &lim);
	size_t off = 0, used;
	for (;;) {
		enum reader_status st = reader_feed(&rd, text + off, len - off, &used);
		off += used;
		if (st == READER_LITERAL) {
			ck_assert_int_eq(reader_literal_hold(&rd), READER_MORE);
			continue;
		}
		ck_assert_int_eq(st, READER_COMMAND);
		break;
	}
	struct parser p;
	parser_init(&p, &rd);
	return p;
}
#define PS(lit) P(lit "\r\n", sizeof(lit "\r\n") - 1)

static bool
eq(struct str s, const char *want, size_t n)
{
	return s.len == n && memcmp(s.s, want, n) == 0;
}
#define EQ(s, lit) eq(s, lit, sizeof(lit) - 1)

START_TEST(atoms_and_astrings)
{
	struct parser p = PS("a1 LOGIN user]x \"pa\\\"ss\\\\\" NIL");
	struct str t, a;
	ck_assert(p_tag(&p, &t) && EQ(t, "a1"));
	ck_assert(p_sp(&p) && p_atom(&p, &a) && EQ(a, "LOGIN"));
	ck_assert(p_sp(&p) && p_astring(&p, &a) && EQ(a, "user]x"));
	ck_assert(p_sp(&p) && p_astring(&p, &a) && EQ(a, "pa\"ss\\"));
	ck_assert(p_sp(&p) && p_keyword(&p, "nil"));
	ck_assert(p_eol(&p));
	ck_assert_ptr_null(p.err);

	p = PS("x]y");
	ck_assert(p_atom(&p, &a) && EQ(a, "x")); /* ']' is not an ATOM-CHAR */
	ck_assert(!p_eol(&p));
	p = PS("a+b");
	ck_assert(p_tag(&p, &t) && EQ(t, "a"));
	p = PS("(x");
	ck_assert(!p_astring(&p, &a));
	ck_assert_ptr_nonnull(p.err);
}
END_TEST

START_TEST(quoted_strings)
{
	struct str s;
	struct parser p = PS("\"\"");
	ck_assert(p_quoted(&p, &s) && s.len == 0);
	p = PS("\"bad \\n escape\"");
	ck_assert(!p_quoted(&p, &s));
	ck_assert_str_eq(p.err, "Invalid escape in quoted string");
	ck_assert_uint_eq(p.pos, 0);
	p = PS("\"unterminated");
	ck_assert(!p_quoted(&p, &s));
	ck_assert_str_eq(p.err, "Unterminated quoted string");
	p = PS("\"caf\xc3\xa9\"");
	ck_assert(p_quoted(&p, &s) && EQ(s, "caf\xc3\xa9"));
	/* A NUL byte is never part of a quoted string. */
	p = P("\"a\0b\"\r\n", 7);
	ck_assert(!p_quoted(&p, &s));
}
END_TEST

START_TEST(literals)
{
	struct str s;
	bool bin;
	struct parser p = PS("{5}\r\nab\"cd {0+}\r\n");
	ck_assert(p_astring(&p, &s) && EQ(s, "ab\"cd"));
	ck_assert(p_sp(&p) && p_string(&p, &s) && s.len == 0);
	ck_assert(p_eol(&p));
	/* A literal may hold CRLF and anything but NUL. */
	p = PS("{4}\r\n\r\n\r\n");
	ck_assert(p_string(&p, &s) && EQ(s, "\r\n\r\n"));
	p = P("{3}\r\na\0b\r\n", 10);
	ck_assert(!p_string(&p, &s));
	ck_assert_str_eq(p.err, "NUL byte in literal");
	/* literal8 is recognised, but only where binary data is allowed. */
	p = P("~{3}\r\na\0b\r\n", 11);
	ck_assert(!p_astring(&p, &s));
	ck_assert_str_eq(p.err, "Binary literal not allowed here");
	p = P("~{3}\r\na\0b\r\n", 11);
	ck_assert(p_literal_any(&p, &s, &bin, NULL) && bin && eq(s, "a\0b", 3));
	/* Literal data that looks like syntax is still data. */
	p = PS("{3}\r\n{1}");
	ck_assert(p_string(&p, &s) && EQ(s, "{1}") && p_eol(&p));
	/* Braces that do not announce a literal are not a string. */
	p = PS("{3}x");
	ck_assert(!p_string(&p, &s));
}
END_TEST

START_TEST(nstring_and_numbers)
{
	struct str s;
	bool nil;
	uint32_t n;
	uint64_t n64;
	struct parser p = PS("NIL \"x\" 0 4294967295 4294967296 18446744073709551615 01");
	ck_assert(p_nstring(&p, &s, &nil) && nil && s.s == NULL);
	ck_assert(p_sp(&p) && p_nstring(&p, &s, &nil) && !nil && EQ(s, "x"));
	ck_assert(p_sp(&p) && p_number(&p, &n) && n == 0);
	ck_assert(p_sp(&p) && p_number(&p, &n) && n == 4294967295u);
	ck_assert(p_sp(&p) && !p_number(&p, &n));
	ck_assert_str_eq(p.err, "Number too large");
	ck_assert(p_number64(&p, &n64) && n64 == 4294967296ull);
	ck_assert(p_sp(&p) && p_number64(&p, &n64) && n64 == UINT64_MAX);
	p.err = NULL;
	ck_assert(p_sp(&p) && !p_nz_number(&p, &n));
	p = PS("0");
	ck_assert(!p_nz_number(&p, &n));
	p = PS("18446744073709551616");
	ck_assert(!p_number64(&p, &n64));
}
END_TEST

static void seq_ok(const char *text, size_t nr, const uint32_t *want)
{
	struct parser p = P(text, strlen(text));
	struct seqset s = {0};
	ck_assert_msg(p_seqset(&p, &s), "%s: %s", text, p.err);
	ck_assert_msg(p.pos == strlen(text) - 2, "%s stopped early", text);
	ck_assert_uint_eq(s.n, nr);
	for (size_t i = 0; i < nr; i++) {
		ck_assert_uint_eq(s.r[i].lo, want[2 * i]);
		ck_assert_uint_eq(s.r[i].hi, want[2 * i + 1]);
	}
	seqset_free(&s);
}

static void seq_bad(const char *text)
{
	struct parser p = P(text, strlen(text));
	struct seqset s = {0};
	bool ok = p_seqset(&p, &s) && p_eol(&p);
	ck_assert_msg(!ok, "%s accepted", text);
	seqset_free(&s);
}

START_TEST(sequence_sets)
{
	seq_ok("1\r\n", 1, (uint32_t[]){1, 1});
	seq_ok("1:*\r\n", 1, (uint32_t[]){1, SEQ_STAR});
	seq_ok("*:3\r\n", 1, (uint32_t[]){SEQ_STAR, 3});
	seq_ok("5:2,7,9:10\r\n", 3, (uint32_t[]){5, 2, 7, 7, 9, 10});
	seq_ok("$\r\n", 1, (uint32_t[]){0, 0});
	seq_ok("1,$\r\n", 2, (uint32_t[]){1, 1, 0, 0});
	seq_ok("1:4294967295\r\n", 1, (uint32_t[]){1, 4294967295u});
	seq_bad("0\r\n");
	seq_bad("1:\r\n");
	seq_bad(",1\r\n");
	seq_bad("1,,2\r\n");
	seq_bad("1:2:3\r\n");
	seq_bad("4294967296\r\n");
	seq_bad("01\r\n");
	seq_bad("a\r\n");
}
END_TEST

START_TEST(large_sequence_set)
{
	struct buf t = BUF_INIT(0);
	for (int i = 1; i <= 5000; i++)
		buf_appendf(&t, "%s%d", i > 1 ? "," : "", i * 2);
	buf_appends(&t, "\r\n");
	struct parser p = P(t.s, t.len);
	struct seqset s = {0};
	ck_assert(p_seqset(&p, &s) && p_eol(&p));
	ck_assert_uint_eq(s.n, 5000);
	ck_assert_uint_eq(s.r[4999].lo, 10000);
	seqset_free(&s);
	buf_free(&t);
}
END_TEST

START_TEST(dates)
{
	time_t t;
	int zone;
	struct parser p = PS("1-Feb-2024 \"29-feb-2024\" 30-Feb-2024 1-Foo-2024 1-Feb-24");
	ck_assert(p_date(&p, &t) && t == 1706745600);
	ck_assert(p_sp(&p) && p_date(&p, &t) && t == 1709164800);
	ck_assert(p_sp(&p) && !p_date(&p, &t));
	ck_assert_str_eq(p.err, "Invalid date");

	p = PS("\"17-Jul-1996 02:44:25 -0700\" \" 7-Jul-1996 02:44:25 +0000\"");
	ck_assert(p_datetime(&p, &t, &zone));
	ck_assert_int_eq(zone, -420);
	ck_assert_int_eq(t, 837596665);
	ck_assert(p_sp(&p) && p_datetime(&p, &t, &zone) && zone == 0);
	ck_assert_int_eq(t, 836707465);
	const char *bad[] = {"\"7-Jul-1996 02:44:25 +0000\"", "\"17-Jul-1996 24:00:00 +0000\"",
			     "\"17-Jul-1996 02:44:25 0000\"", "\"17-Jul-1996 02:44:25 +0000",
			     "17-Jul-1996 02:44:25 +0000",    "\"31-Apr-1996 02:44:25 +0000\""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[80];
		snprintf(line, sizeof(line), "%s\r\n", bad[i]);
		p = P(line, strlen(line));
		ck_assert_msg(!p_datetime(&p, &t, &zone), "%s accepted", bad[i]);
		ck_assert_uint_eq(p.pos, 0);
	}
}
END_TEST

START_TEST(mailboxes_and_flags)
{
	struct str s;
	struct parser p = PS("inBox \"Sent Items\" {5}\r\niNbOx");
	ck_assert(p_mailbox(&p, &s) && EQ(s, "INBOX"));
	ck_assert(p_sp(&p) && p_mailbox(&p, &s) && EQ(s, "Sent Items"));
	ck_assert(p_sp(&p) && p_mailbox(&p, &s) && EQ(s, "INBOX"));
	p = PS("a/%/b* \"*\"");
	ck_assert(p_list_mailbox(&p, &s) && EQ(s, "a/%/b*"));
	ck_assert(p_sp(&p) && p_list_mailbox(&p, &s) && EQ(s, "*"));
	p = PS("\\Seen $Forwarded \\* \\");
	ck_assert(p_flag(&p, &s, false) && EQ(s, "\\Seen"));
	ck_assert(p_sp(&p) && p_flag(&p, &s, false) && EQ(s, "$Forwarded"));
	ck_assert(p_sp(&p) && !p_flag(&p, &s, false));
	ck_assert(p_flag(&p, &s, true) && EQ(s, "\\*"));
	ck_assert(p_sp(&p) && !p_flag(&p, &s, true));
}
END_TEST

START_TEST(lists)
{
	struct str s;
	struct parser p = PS("(a (b \"c\") ())");
	ck_assert(p_char(&p, '(') && p_atom(&p, &s) && EQ(s, "a") && p_sp(&p));
	ck_assert(p_char(&p, '(') && p_atom(&p, &s) && p_sp(&p) && p_string(&p, &s));
	ck_assert(p_char(&p, ')') && p_sp(&p) && p_char(&p, '(') && p_char(&p, ')'));
	ck_assert(p_char(&p, ')') && p_eol(&p));
	p = PS("(a");
	ck_assert(p_char(&p, '(') && p_atom(&p, &s) && !p_char(&p, ')'));
	ck_assert_str_eq(p.err, "Expected \")\"");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parser");
	TCase *tc = tcase_create("parser");
	tcase_add_test(tc, atoms_and_astrings);
	tcase_add_test(tc, quoted_strings);
	tcase_add_test(tc, literals);
	tcase_add_test(tc, nstring_and_numbers);
	tcase_add_test(tc, sequence_sets);
	tcase_add_test(tc, large_sequence_set);
	tcase_add_test(tc, dates);
	tcase_add_test(tc, mailboxes_and_flags);
	tcase_add_test(tc, lists);
	suite_add_tcase(s, tc);
	int rc = suite_run(s);
	reader_free(&rd);
	return rc;
}
