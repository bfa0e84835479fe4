/* check_bench: unit tests of the load client's response reader and statistics.
 *
 * Feeds bytes straight into an imapc input buffer, in one piece and split at
 * every offset, and checks which complete responses imapc_next() hands out,
 * that literals are skipped and counted, and that stats_quantile() picks the
 * expected order statistics.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bench/imapc.h"
#include "bench/stats.h"

static void feed(struct imapc *c, const char *s, size_t n)
{
	ck_assert(buf_append(&c->in, s, n));
}

static void init(struct imapc *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->in = (struct buf)BUF_INIT(0);
	c->out = (struct buf)BUF_INIT(0);
}

START_TEST(plain_lines)
{
	struct imapc c;
	init(&c);
	const char *h;
	feed(&c, "* OK ready\r\na1 OK done\r\na2 NO", 29);
	ck_assert(imapc_next(&c, &h));
	ck_assert_str_eq(h, "* OK ready");
	ck_assert(imapc_next(&c, &h));
	ck_assert_str_eq(h, "a1 OK done");
	ck_assert(!imapc_next(&c, &h));
	feed(&c, " nope\r\n", 7);
	ck_assert(imapc_next(&c, &h));
	ck_assert_str_eq(h, "a2 NO nope");
	buf_free(&c.in);
}
END_TEST

/* A FETCH with two literals whose data looks like protocol lines. */
static const char fetch[] = "* 1 FETCH (BODY[] {11}\r\n"
			    "a1 OK {3}\r\n"
			    " UID 7 X {0}\r\n"
			    ")\r\n"
			    "* 2 EXISTS\r\n"
			    "a1 OK FETCH done\r\n";

static void check_fetch(size_t split)
{
	struct imapc c;
	init(&c);
	const char *h;
	const char *want[] = {"* 1 FETCH (BODY[] {11}", "* 2 EXISTS", "a1 OK FETCH done"};
	size_t got = 0, n = sizeof(fetch) - 1;
	feed(&c, fetch, split);
	while (imapc_next(&c, &h)) {
		ck_assert_uint_lt(got, 3);
		ck_assert_str_eq(h, want[got++]);
	}
	feed(&c, fetch + split, n - split);
	while (imapc_next(&c, &h)) {
		ck_assert_uint_lt(got, 3);
		ck_assert_str_eq(h, want[got++]);
	}
	ck_assert_uint_eq(got, 3);
	ck_assert_uint_eq(c.lit_bytes, 11);
	ck_assert_uint_eq(c.in.len, 0);
	buf_free(&c.in);
}

START_TEST(literals_at_every_split)
{
	for (size_t i = 0; i < sizeof(fetch); i++)
		check_fetch(i);
}
END_TEST

START_TEST(long_line_head_is_cut)
{
	struct imapc c;
	init(&c);
	const char *h;
	size_t n = IMAPC_HEAD * 3;
	char *line = malloc(n + 2);
	ck_assert_ptr_nonnull(line);
	memset(line, 'x', n);
	memcpy(line + n, "\r\n", 2);
	feed(&c, line, n + 2);
	ck_assert(imapc_next(&c, &h));
	ck_assert_uint_eq(strlen(h), IMAPC_HEAD - 1);
	free(line);
	buf_free(&c.in);
}
END_TEST

START_TEST(not_a_literal)
{
	struct imapc c;
	init(&c);
	const char *h;
	feed(&c, "* OK {x}\r\n* OK }\r\n* OK {}\r\n", 27);
	for (int i = 0; i < 3; i++)
		ck_assert(imapc_next(&c, &h));
	ck_assert_uint_eq(c.lit_bytes, 0);
	buf_free(&c.in);
}
END_TEST

START_TEST(quantiles)
{
	double v[100];
	for (int i = 0; i < 100; i++)
		v[i] = 100 - i; /* 100 .. 1, unsorted */
	ck_assert_double_eq_tol(stats_quantile(v, 100, 0.5), 50.5, 1e-9);
	ck_assert_double_eq_tol(stats_quantile(v, 100, 0.99), 99.01, 1e-9);
	ck_assert_double_eq_tol(stats_quantile(v, 100, 1.0), 100, 1e-9);
	double one = 7;
	ck_assert_double_eq_tol(stats_quantile(&one, 1, 0.99), 7, 1e-9);
	ck_assert_double_eq_tol(stats_quantile(NULL, 0, 0.5), 0, 1e-9);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bench");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, plain_lines);
	tcase_add_test(tc, literals_at_every_split);
	tcase_add_test(tc, long_line_head_is_cut);
	tcase_add_test(tc, not_a_literal);
	tcase_add_test(tc, quantiles);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
