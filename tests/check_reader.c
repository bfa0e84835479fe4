/* The command reader: framing, literals, limits; whole and byte at a time. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "session/reader.h"
#include "tests/lib/suite.h"

static const struct reader_limits lim = {1024, 4096, 8, 16384};

struct run {
	enum reader_status st[1024];
	size_t n;
	char cmds[8][2048]; /* held commands, literal data inline */
	size_t cmdlen[8];
	size_t ncmd;
	char tags[8][READER_MAX_TAG + 1];
	const char *errs[8];
	const char *codes[8];
	size_t nbad;
	size_t nlits[8];
	struct buf sunk;
	bool stream; /* stream literals instead of holding */
};

static void sink(void *ctx, const char *p, size_t n)
{
	buf_append(&((struct run *)ctx)->sunk, p, n);
}

/* Feeds text to a reader in pieces of chunk bytes (0: all at once). */
static void feed(struct reader *r, struct run *out, const char *text, size_t len, size_t chunk)
{
	size_t off = 0;
	while (off < len) {
		size_t n = chunk ? chunk : len - off;
		if (n > len - off)
			n = len - off;
		size_t pos = 0;
		while (pos < n) {
			size_t used;
			enum reader_status st = reader_feed(r, text + off + pos, n - pos, &used);
			pos += used;
			if (st == READER_MORE)
				continue;
			ck_assert_uint_lt(out->n, 1024);
			out->st[out->n++] = st;
			if (st == READER_LITERAL) {
				if (out->stream)
					reader_literal_stream(r, sink, out);
				else if (reader_literal_hold(r) == READER_BAD) {
					out->st[out->n - 1] = READER_BAD;
					out->errs[out->nbad] = r->err;
					out->codes[out->nbad++] = r->code;
				}
			} else if (st == READER_COMMAND) {
				ck_assert_uint_lt(out->ncmd, 8);
				ck_assert_uint_lt(r->cmd.len, 2048);
				memcpy(out->cmds[out->ncmd], r->cmd.s, r->cmd.len);
				out->cmdlen[out->ncmd] = r->cmd.len;
				out->nlits[out->ncmd] = r->nlits;
				strcpy(out->tags[out->ncmd], reader_tag_ok(r) ? r->tag : "*");
				out->ncmd++;
			} else if (st == READER_BAD) {
				out->errs[out->nbad] = r->err;
				out->codes[out->nbad++] = r->code;
			} else if (st == READER_FATAL) {
				out->errs[out->nbad] = r->err;
				out->codes[out->nbad++] = r->code;
				return;
			}
		}
		off += n;
	}
}

/* Runs text whole and byte at a time; both must agree. */
static void run_both(const char *text, size_t len, struct run *whole, const struct reader_limits *l)
{
	struct reader r1, r2;
	struct run bytes;
	memset(whole, 0, sizeof(*whole));
	memset(&bytes, 0, sizeof(bytes));
	bytes.stream = whole->stream;
	reader_init(&r1, l);
	reader_init(&r2, l);
	feed(&r1, whole, text, len, 0);
	feed(&r2, &bytes, text, len, 1);
	ck_assert_uint_eq(whole->n, bytes.n);
	for (size_t i = 0; i < whole->n; i++)
		ck_assert_int_eq(whole->st[i], bytes.st[i]);
	ck_assert_uint_eq(whole->ncmd, bytes.ncmd);
	for (size_t i = 0; i < whole->ncmd; i++) {
		ck_assert_uint_eq(whole->cmdlen[i], bytes.cmdlen[i]);
		ck_assert(memcmp(whole->cmds[i], bytes.cmds[i], whole->cmdlen[i]) == 0);
	}
	reader_free(&r1);
	reader_free(&r2);
	buf_free(&bytes.sunk);
}

#define RUN(text, out) run_both(text, sizeof(text) - 1, out, &lim)

START_TEST(simple_and_pipelined)
{
	struct run o;
	RUN("a1 NOOP\r\na2 CAPABILITY\nA3 LOGOUT\r\n", &o);
	ck_assert_uint_eq(o.ncmd, 3);
	ck_assert_str_eq(o.cmds[0], "a1 NOOP");
	ck_assert_str_eq(o.cmds[1], "a2 CAPABILITY"); /* bare LF accepted */
	ck_assert_str_eq(o.tags[2], "A3");
}
END_TEST

START_TEST(sync_literal)
{
	struct run o;
	RUN("a LOGIN {5}\r\nalice {6}\r\nsecret\r\n", &o);
	ck_assert_uint_eq(o.n, 3);
	ck_assert_int_eq(o.st[0], READER_LITERAL);
	ck_assert_int_eq(o.st[1], READER_LITERAL);
	ck_assert_int_eq(o.st[2], READER_COMMAND);
	ck_assert_uint_eq(o.cmdlen[0], strlen("a LOGIN {5}alice {6}secret"));
	ck_assert(memcmp(o.cmds[0], "a LOGIN {5}alice {6}secret", o.cmdlen[0]) == 0);
	ck_assert_uint_eq(o.nlits[0], 2);
}
END_TEST

START_TEST(literal_positions)
{
	struct reader r;
	reader_init(&r, &lim);
	const char *t = "x APPEND box ~{3}\r\n\0\r\n {0+}\r\n\r\n";
	size_t len = 31, used, off = 0;
	int lits = 0;
	for (;;) {
		enum reader_status st = reader_feed(&r, t + off, len - off, &used);
		off += used;
		if (st == READER_LITERAL) {
			lits++;
			if (lits == 1) {
				ck_assert(r.lit_binary);
				ck_assert(r.lit_sync);
				ck_assert_uint_eq(r.lit_size, 3);
			} else {
				ck_assert(!r.lit_sync);
				ck_assert_uint_eq(r.lit_size, 0);
			}
			ck_assert_int_eq(reader_literal_hold(&r), READER_MORE);
			continue;
		}
		ck_assert_int_eq(st, READER_COMMAND);
		break;
	}
	ck_assert_uint_eq(off, len);
	ck_assert_uint_eq(r.nlits, 2);
	ck_assert_uint_eq(r.lits[0].marker, strlen("x APPEND box "));
	ck_assert(r.lits[0].binary);
	ck_assert_uint_eq(r.lits[0].off, strlen("x APPEND box ~{3}"));
	ck_assert(memcmp(r.cmd.s + r.lits[0].off, "\0\r\n", 3) == 0);
	ck_assert(r.lits[1].nonsync);
	ck_assert_uint_eq(r.lits[1].len, 0);
	reader_free(&r);
}
END_TEST

START_TEST(streamed_literal)
{
	struct run o;
	memset(&o, 0, sizeof(o));
	o.stream = true;
	struct reader r;
	reader_init(&r, &lim);
	static const char t[] = "a APPEND INBOX {11}\r\nhello\r\nworld\r\n";
	feed(&r, &o, t, sizeof(t) - 1, 1);
	ck_assert_uint_eq(o.ncmd, 1);
	ck_assert_uint_eq(o.sunk.len, 11);
	ck_assert(memcmp(o.sunk.s, "hello\r\nworl", 11) == 0);
	/* The streamed data is not held: only the marker and the rest of the line. */
	ck_assert_str_eq(o.cmds[0], "a APPEND INBOX {11}d");
	ck_assert(r.lits[0].streamed);
	buf_free(&o.sunk);
	reader_free(&r);
}
END_TEST

START_TEST(quoted_brace_is_not_literal)
{
	struct run o;
	RUN("a X \"abc {5}\r\nb NOOP\r\n", &o);
	ck_assert_uint_eq(o.ncmd, 2);
	ck_assert_uint_eq(o.nlits[0], 0);
	RUN("a X \"q\\\"{5}\" {2}\r\nzz\r\n", &o);
	ck_assert_uint_eq(o.ncmd, 1);
	ck_assert_uint_eq(o.nlits[0], 1);
}
END_TEST

START_TEST(line_too_long_resyncs)
{
	struct buf t = BUF_INIT(0);
	buf_appends(&t, "a1 NOOP ");
	for (int i = 0; i < 5000; i++)
		buf_appendc(&t, 'x');
	buf_appends(&t, "\r\na2 NOOP\r\n");
	struct run o;
	run_both(t.s, t.len, &o, &lim);
	ck_assert_uint_eq(o.nbad, 1);
	ck_assert_str_eq(o.codes[0], "TOOBIG");
	ck_assert_uint_eq(o.ncmd, 1);
	ck_assert_str_eq(o.cmds[0], "a2 NOOP");
	buf_free(&t);
}
END_TEST

START_TEST(huge_line_memory_bounded)
{
	struct reader r;
	reader_init(&r, &lim);
	char chunk[65536];
	memset(chunk, 'y', sizeof(chunk));
	size_t used;
	ck_assert_int_eq(reader_feed(&r, "t ", 2, &used), READER_MORE);
	for (int i = 0; i < 160; i++) { /* 10 MB */
		ck_assert_int_eq(reader_feed(&r, chunk, sizeof(chunk), &used), READER_MORE);
		ck_assert_uint_eq(used, sizeof(chunk));
		ck_assert_uint_le(r.cmd.cap, 4096);
	}
	ck_assert_int_eq(reader_feed(&r, "\r\n", 2, &used), READER_BAD);
	ck_assert_str_eq(r.tag, "t");
	ck_assert(reader_tag_ok(&r));
	reader_free(&r);
}
END_TEST

START_TEST(literal_too_big)
{
	struct run o;
	/* Synchronizing: refused before any data; the next command is fine. */
	RUN("a1 LOGIN {5000}\r\na2 NOOP\r\n", &o);
	ck_assert_uint_eq(o.nbad, 1);
	ck_assert_str_eq(o.codes[0], "TOOBIG");
	ck_assert_uint_eq(o.ncmd, 1);
	ck_assert_str_eq(o.cmds[0], "a2 NOOP");
}
END_TEST

START_TEST(nonsync_literal_too_big_is_skipped)
{
	struct buf t = BUF_INIT(0);
	buf_appends(&t, "a1 LOGIN {5000+}\r\n");
	for (int i = 0; i < 5000; i++)
		buf_appendc(&t, i % 7 == 0 ? '\n' : 'z');
	buf_appends(&t, " {3+}\r\nabc\r\na2 NOOP\r\n");
	struct run o;
	run_both(t.s, t.len, &o, &lim);
	ck_assert_uint_eq(o.nbad, 1); /* one BAD for the whole command */
	ck_assert_uint_eq(o.ncmd, 1);
	ck_assert_str_eq(o.cmds[0], "a2 NOOP");
	buf_free(&t);
}
END_TEST

START_TEST(literal_size_overflow)
{
	struct run o;
	RUN("a1 LOGIN {99999999999}\r\na2 NOOP\r\n", &o);
	ck_assert_uint_eq(o.nbad, 1);
	ck_assert_uint_eq(o.ncmd, 1);
	RUN("a1 LOGIN {4294967296+}\r\na2 NOOP\r\n", &o);
	ck_assert_int_eq(o.st[0], READER_FATAL);
	ck_assert_uint_eq(o.ncmd, 0);
}
END_TEST

START_TEST(nesting_limit)
{
	struct run o;
	RUN("a1 X ((((((((((x))))))))))\r\na2 X ((((((((x))))))))\r\n", &o);
	ck_assert_uint_eq(o.nbad, 1);
	ck_assert_str_eq(o.codes[0], "LIMIT");
	ck_assert_uint_eq(o.ncmd, 1);
	ck_assert(strncmp(o.cmds[0], "a2 ", 3) == 0);
	/* Parentheses inside quotes do not count. */
	RUN("a3 X \"((((((((((((\"\r\n", &o);
	ck_assert_uint_eq(o.nbad, 0);
	ck_assert_uint_eq(o.ncmd, 1);
}
END_TEST

START_TEST(deep_nesting_memory_bounded)
{
	struct reader_limits big = {1u << 20, 4096, 64, 1u << 21};
	struct reader r;
	reader_init(&r, &big);
	struct buf t = BUF_INIT(0);
	buf_appends(&t, "a ");
	for (int i = 0; i < 100000; i++)
		buf_appendc(&t, '(');
	buf_appends(&t, "\r\nb NOOP\r\n");
	size_t used, off = 0;
	enum reader_status st = reader_feed(&r, t.s, t.len, &used);
	off += used;
	ck_assert_int_eq(st, READER_BAD);
	ck_assert_uint_le(r.cmd.cap, 4096);
	st = reader_feed(&r, t.s + off, t.len - off, &used);
	ck_assert_int_eq(st, READER_COMMAND);
	ck_assert_str_eq(r.cmd.s, "b NOOP");
	buf_free(&t);
	reader_free(&r);
}
END_TEST

START_TEST(command_size_limit)
{
	struct reader_limits l = {1024, 4096, 8, 6000};
	struct buf t = BUF_INIT(0);
	buf_appends(&t, "a X {4000}\r\n");
	for (int i = 0; i < 4000; i++)
		buf_appendc(&t, 'q');
	buf_appends(&t, " {4000}\r\na2 NOOP\r\n");
	struct run o;
	run_both(t.s, t.len, &o, &l);
	ck_assert_uint_eq(o.nbad, 1);
	ck_assert_str_eq(o.codes[0], "TOOBIG");
	ck_assert_uint_eq(o.ncmd, 1);
	ck_assert_str_eq(o.cmds[0], "a2 NOOP");
	buf_free(&t);
}
END_TEST

START_TEST(too_many_literals)
{
	struct reader_limits l = {1024, 4096, 8, 1u << 20};
	struct buf t = BUF_INIT(0);
	buf_appends(&t, "a X");
	for (int i = 0; i <= READER_MAX_LITERALS; i++)
		buf_appends(&t, " {1+}\r\nx");
	buf_appends(&t, "\r\nb NOOP\r\n");
	struct run o;
	run_both(t.s, t.len, &o, &l);
	ck_assert_uint_eq(o.nbad, 1);
	ck_assert_str_eq(o.codes[0], "LIMIT");
	ck_assert_uint_eq(o.ncmd, 1);
	ck_assert_str_eq(o.cmds[0], "b NOOP");
	buf_free(&t);
}
END_TEST

START_TEST(bad_tags)
{
	struct reader r;
	reader_init(&r, &lim);
	size_t used;
	ck_assert_int_eq(reader_feed(&r, "a+b NOOP\r\n", 10, &used), READER_COMMAND);
	ck_assert(!reader_tag_ok(&r));
	ck_assert_int_eq(reader_feed(&r, "\r\n", 2, &used), READER_COMMAND);
	ck_assert(!reader_tag_ok(&r));
	ck_assert_int_eq(reader_feed(&r, "ok NOOP\r\n", 9, &used), READER_COMMAND);
	ck_assert(reader_tag_ok(&r));
	reader_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("reader");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, simple_and_pipelined);
	tcase_add_test(tc, sync_literal);
	tcase_add_test(tc, literal_positions);
	tcase_add_test(tc, streamed_literal);
	tcase_add_test(tc, quoted_brace_is_not_literal);
	tcase_add_test(tc, line_too_long_resyncs);
	tcase_add_test(tc, huge_line_memory_bounded);
	tcase_add_test(tc, literal_too_big);
	tcase_add_test(tc, nonsync_literal_too_big_is_skipped);
	tcase_add_test(tc, literal_size_overflow);
	tcase_add_test(tc, nesting_limit);
	tcase_add_test(tc, deep_nesting_memory_bounded);
	tcase_add_test(tc, command_size_limit);
	tcase_add_test(tc, too_many_literals);
	tcase_add_test(tc, bad_tags);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
