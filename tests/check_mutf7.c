/* Tests for maildir/mutf7: modified UTF-7 (RFC 3501 5.1.3). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "maildir/mutf7.h"
#include "tests/lib/suite.h"

static void enc(const char *utf8, const char *want)
{
	struct buf b = BUF_INIT(0);
	ck_assert_int_eq(mutf7_from_utf8(utf8, strlen(utf8), &b), 0);
	ck_assert_str_eq(b.s ? b.s : "", want);
	ck_assert(mutf7_valid(b.s ? b.s : "", b.len));
	struct buf back = BUF_INIT(0);
	ck_assert_int_eq(mutf7_to_utf8(b.s ? b.s : "", b.len, &back), 0);
	ck_assert_str_eq(back.s ? back.s : "", utf8);
	buf_free(&b);
	buf_free(&back);
}

START_TEST(known_pairs)
{
	enc("", "");
	enc("INBOX", "INBOX");
	enc("&", "&-");
	enc("a&b", "a&-b");
	enc("Caf\xc3\xa9", "Caf&AOk-");
	enc("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	    "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	enc("\xf0\x9f\x98\x80", "&2D3eAA-"); /* U+1F600, a surrogate pair */
	enc("\xc3\xa9&\xc3\xa9", "&AOk-&-&AOk-");
	enc("\t", "&AAk-"); /* controls are encoded; name rules refuse them later */
}
END_TEST

static void bad(const char *m)
{
	struct buf b = BUF_INIT(0);
	ck_assert_msg(!mutf7_valid(m, strlen(m)), "accepted %s", m);
	ck_assert_int_eq(mutf7_to_utf8(m, strlen(m), &b), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}

START_TEST(rejects_invalid)
{
	bad("&");	    /* unterminated */
	bad("&AOk");	    /* unterminated run */
	bad("&AOk-&AOk-");  /* adjacent runs */
	bad("&AGE-");	    /* encodes printable ASCII 'a' */
	bad("&AC4-");	    /* encodes '.', printable */
	bad("&AOl-");	    /* non-zero padding bits */
	bad("&AO-");	    /* not a whole UTF-16 unit */
	bad("&2D0-");	    /* lone high surrogate */
	bad("&3gA-");	    /* lone low surrogate */
	bad("&AAA-");	    /* U+0000 */
	bad("&A=k-");	    /* not base64 */
	bad("Caf\xc3\xa9"); /* raw 8-bit */
	bad("a\tb");	    /* raw control */
	bad("a\x7f");
	ck_assert(!mutf7_valid("a\0b", 3));
}
END_TEST

START_TEST(rejects_bad_utf8)
{
	static const char *const v[] = {
	    "\xc3", "\xc0\x80", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\x80"};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct buf b = BUF_INIT(0);
		ck_assert_msg(mutf7_from_utf8(v[i], strlen(v[i]), &b) < 0, "accepted #%zu", i);
		ck_assert_uint_eq(b.len, 0);
		buf_free(&b);
	}
	struct buf b = BUF_INIT(0);
	ck_assert_int_eq(mutf7_from_utf8("a\0b", 3, &b), -1); /* NUL */
	buf_free(&b);
}
END_TEST

/* Every string of up to 4 symbols from an alphabet that covers run
 * boundaries: each valid one must decode and re-encode to itself, which
 * proves one spelling per name. */
START_TEST(exhaustive_short_inputs)
{
	static const char alpha[] = "&-AOkaZ,+.9";
	size_t k = sizeof(alpha) - 1;
	char s[8];
	unsigned valid = 0;
	for (size_t len = 0; len <= 4; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= k;
		for (size_t idx = 0; idx < total; idx++) {
			size_t x = idx;
			for (size_t i = 0; i < len; i++, x /= k)
				s[i] = alpha[x % k];
			struct buf u = BUF_INIT(0), back = BUF_INIT(0);
			bool ok = mutf7_valid(s, len);
			ck_assert_int_eq(mutf7_to_utf8(s, len, &u), ok ? 0 : -1);
			if (ok) {
				valid++;
				ck_assert_int_eq(mutf7_from_utf8(u.s ? u.s : "", u.len, &back), 0);
				ck_assert_uint_eq(back.len, len);
				ck_assert(memcmp(back.s ? back.s : "", s, len) == 0);
			}
			buf_free(&u);
			buf_free(&back);
		}
	}
	ck_assert_uint_gt(valid, 100);
}
END_TEST

/* Every BMP character and some astral ones survive a round trip. */
START_TEST(all_code_points_round_trip)
{
	for (uint32_t cp = 1; cp < 0x110000; cp += (cp < 0x10000 ? 1 : 0x3ff)) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		char u[5];
		size_t n;
		if (cp < 0x80)
			u[0] = (char)cp, n = 1;
		else if (cp < 0x800)
			u[0] = (char)(0xc0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
		else if (cp < 0x10000)
			u[0] = (char)(0xe0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
			u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
		else
			u[0] = (char)(0xf0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
			u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)),
			n = 4;
		struct buf m = BUF_INIT(0), back = BUF_INIT(0);
		ck_assert_int_eq(mutf7_from_utf8(u, n, &m), 0);
		ck_assert(mutf7_valid(m.s, m.len));
		ck_assert_int_eq(mutf7_to_utf8(m.s, m.len, &back), 0);
		ck_assert_uint_eq(back.len, n);
		ck_assert(memcmp(back.s, u, n) == 0);
		buf_free(&m);
		buf_free(&back);
	}
}
END_TEST

START_TEST(output_limit_leaves_buffer)
{
	struct buf b = BUF_INIT(6);
	ck_assert(buf_appends(&b, "ab"));
	ck_assert_int_eq(mutf7_from_utf8("\xc3\xa9\xc3\xa9", 4, &b), -1); /* needs 8 bytes */
	ck_assert_str_eq(b.s, "ab");
	ck_assert_int_eq(mutf7_to_utf8("xyz12", 5, &b), -1);
	ck_assert_str_eq(b.s, "ab");
	buf_free(&b);
}
END_TEST

START_TEST(huge_input)
{
	size_t n = 1 << 20;
	char *s = malloc(n);
	for (size_t i = 0; i < n; i += 2)
		s[i] = (char)0xc3, s[i + 1] = (char)0xa9;
	struct buf b = BUF_INIT(1 << 16); /* smaller than the output */
	ck_assert_int_eq(mutf7_from_utf8(s, n, &b), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mutf7");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, known_pairs);
	tcase_add_test(tc, rejects_invalid);
	tcase_add_test(tc, rejects_bad_utf8);
	tcase_add_test(tc, exhaustive_short_inputs);
	tcase_add_test(tc, all_code_points_round_trip);
	tcase_add_test(tc, output_limit_leaves_buffer);
	tcase_add_test(tc, huge_input);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
