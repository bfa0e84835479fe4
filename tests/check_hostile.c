/* Hostile clients against a real imapd over a socketpair: huge lines and
 * literals, deep nesting, NUL bytes, pipelining without reading, a client
 * that never reads, trickling bytes before login, repeated failed logins.
 * Each case checks the answers and that the server's peak memory (VmHWM,
 * read from /proc while it still runs) stays within HOSTILE_BOUND_KB of an
 * idle session's; the README's "Limits" section documents the bound. Under
 * IMAPD_WRAPPER (valgrind) the memory is the wrapper's and is not checked.
 * Also, at unit level: sequence sets and invalid modified UTF-7. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maildir/mutf7.h"
#include "maildir/name.h"
#include "session/parser.h"
#include "session/reader.h"
#include "tests/lib/spawn.h"
#include "tests/lib/suite.h"

/* Peak RSS above an idle session's, with default limits (README "Limits"). */
#define HOSTILE_BOUND_KB (8 * 1024)
#define IO_TIMEOUT_MS	 30000

struct srv {
	char dir[64];
	char cfg[128];
	struct spawned sp;
	char in[1 << 16];
	size_t len;
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Reads one line without CRLF; -1 at EOF, -2 after timeout_ms. */
static int srv_line(struct srv *v, char *out, size_t max, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(v->in, '\n', v->len);
		if (nl || v->len == sizeof(v->in)) {
			size_t n = nl ? (size_t)(nl - v->in) : v->len;
			size_t k = n > 0 && v->in[n - 1] == '\r' ? n - 1 : n;
			if (k >= max)
				k = max - 1;
			memcpy(out, v->in, k);
			out[k] = '\0';
			size_t drop = nl ? n + 1 : n;
			memmove(v->in, v->in + drop, v->len - drop);
			v->len -= drop;
			return (int)k;
		}
		struct pollfd p = {v->sp.fd, POLLIN, 0};
		if (poll(&p, 1, timeout_ms) == 0)
			return -2;
		ssize_t r = read(v->sp.fd, v->in + v->len, sizeof(v->in) - v->len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			return -1;
		v->len += (size_t)r;
	}
}

static void srv_expect(struct srv *v, const char *prefix)
{
	char line[4096];
	int r = srv_line(v, line, sizeof(line), IO_TIMEOUT_MS);
	ck_assert_msg(r >= 0, "expected \"%s\", got %s", prefix, r == -1 ? "EOF" : "timeout");
	ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0, "expected \"%s\", got \"%s\"",
		      prefix, line);
}

static void srv_expect_eof(struct srv *v)
{
	char line[4096];
	int r = srv_line(v, line, sizeof(line), IO_TIMEOUT_MS);
	ck_assert_msg(r == -1, "expected EOF, got %s", r == -2 ? "timeout" : line);
}

static void srv_send(struct srv *v, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(v->sp.fd, p, n);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pf = {v->sp.fd, POLLOUT, 0};
			ck_assert_msg(poll(&pf, 1, IO_TIMEOUT_MS) > 0,
				      "the server stopped reading");
			continue;
		}
		ck_assert_msg(w > 0, "write to the server failed: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

static void srv_sends(struct srv *v, const char *s)
{
	srv_send(v, s, strlen(s));
}

/* Starts imapd with the test defaults plus extra config lines. */
static void srv_start(struct srv *v, const char *extra)
{
	memset(v, 0, sizeof(*v));
	strcpy(v->dir, "/tmp/imapd-hostile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(v->dir));
	chmod(v->dir, 0755);
	uid_t uid = geteuid() == 0 ? 65534 : geteuid();
	gid_t gid = geteuid() == 0 ? 65534 : getegid();
	char path[256], text[2048];
	snprintf(path, sizeof(path), "%s/home", v->dir);
	mkdir(path, 0700);
	ck_assert_int_eq(chown(path, uid, gid), 0);
	snprintf(path, sizeof(path), "%s/passwd", v->dir);
	snprintf(text, sizeof(text), "demo:{PLAIN}demo:%u:%u::%s/home::\n", (unsigned)uid,
		 (unsigned)gid, v->dir);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/log", v->dir);
	write_file(path, "");
	ck_assert_int_eq(chown(path, uid, gid), 0);
	snprintf(v->cfg, sizeof(v->cfg), "%s/imapd.conf", v->dir);
	snprintf(text, sizeof(text),
		 "passwd_file = %s/passwd\nmail_location = %%h/Maildir\nlog_path = %s/log\n"
		 "auth_fail_delay_ms = 0\n%s",
		 v->dir, v->dir, extra ? extra : "");
	write_file(v->cfg, text);
	snprintf(path, sizeof(path), "%s/stderr", v->dir);
	ck_assert(spawn_imapd(v->cfg, path, &v->sp));
	fcntl(v->sp.fd, F_SETFL, fcntl(v->sp.fd, F_GETFL) | O_NONBLOCK);
	srv_expect(v, "* OK ");
}

static bool srv_log_has(struct srv *v, const char *text)
{
	char path[256], line[4096];
	snprintf(path, sizeof(path), "%s/log", v->dir);
	FILE *f = fopen(path, "r");
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* Closes our end, waits for imapd to exit by itself and checks how. */
static void srv_end(struct srv *v)
{
	close(v->sp.fd);
	int st;
	bool exited = spawn_reap(v->sp.pid, spawn_wrapped() ? 120000 : 10000, &st, NULL);
	ck_assert_msg(exited, "imapd did not exit after the client closed");
	ck_assert_msg(WIFEXITED(st), "imapd died of signal %d", WTERMSIG(st));
	ck_assert_msg(WEXITSTATUS(st) != SPAWN_WRAPPER_ERROR, "the wrapper found memory errors");
	char path[256], cmd[300];
	snprintf(path, sizeof(path), "%s/stderr", v->dir);
	struct stat sb;
	ck_assert_msg(stat(path, &sb) == 0 && sb.st_size == 0, "imapd wrote to stderr (%s)", path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", v->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* VmHWM of the running server in kB, or -1. */
static long srv_hwm_kb(struct srv *v)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)v->sp.pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static long idle_kb = -1;

/* The peak of a session that only said NOOP and LOGOUT. */
static long idle_session_kb(void)
{
	if (idle_kb >= 0)
		return idle_kb;
	struct srv v;
	srv_start(&v, NULL);
	srv_sends(&v, "a NOOP\r\n");
	srv_expect(&v, "a OK");
	idle_kb = srv_hwm_kb(&v);
	srv_sends(&v, "b LOGOUT\r\n");
	srv_expect(&v, "* BYE");
	srv_expect(&v, "b OK");
	srv_end(&v);
	ck_assert_int_gt(idle_kb, 0);
	return idle_kb;
}

/* Asserts the server, still running, peaked within the bound. */
static void check_memory(struct srv *v, const char *what)
{
	if (spawn_wrapped())
		return;
	long base = idle_session_kb();
	long kb = srv_hwm_kb(v);
	ck_assert_msg(kb > 0, "%s: cannot read VmHWM: is imapd still running?", what);
	if (getenv("HOSTILE_VERBOSE"))
		printf("%s: peak %ld kB, idle session %ld kB\n", what, kb, base);
	ck_assert_msg(kb - base <= HOSTILE_BOUND_KB, "%s: peak %ld kB, idle session %ld kB", what,
		      kb, base);
}

static void send_repeated(struct srv *v, char c, size_t n)
{
	static char chunk[65536];
	memset(chunk, c, sizeof(chunk));
	while (n > 0) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
		srv_send(v, chunk, k);
		n -= k;
	}
}

static void logout(struct srv *v)
{
	srv_sends(v, "z LOGOUT\r\n");
	srv_expect(v, "* BYE");
	srv_expect(v, "z OK");
	srv_expect_eof(v);
	srv_end(v);
}

START_TEST(line_of_10mb)
{
	struct srv v;
	srv_start(&v, NULL);
	srv_sends(&v, "a NOOP ");
	send_repeated(&v, 'x', (size_t)10 << 20);
	srv_sends(&v, "\r\n");
	srv_expect(&v, "a BAD [TOOBIG] Command line too long");
	check_memory(&v, "10 MB line");
	srv_sends(&v, "b NOOP\r\n");
	srv_expect(&v, "b OK");
	/* The same as an AUTHENTICATE response, read by another path. */
	srv_sends(&v, "c AUTHENTICATE PLAIN\r\n");
	srv_expect(&v, "+ ");
	send_repeated(&v, 'A', (size_t)10 << 20);
	srv_sends(&v, "\r\n");
	srv_expect(&v, "c BAD [TOOBIG] Authentication response too long.");
	check_memory(&v, "10 MB AUTHENTICATE response");
	srv_sends(&v, "d NOOP\r\n");
	srv_expect(&v, "d OK");
	logout(&v);
}
END_TEST

START_TEST(many_literals)
{
	struct srv v;
	srv_start(&v, NULL);
	srv_sends(&v, "a ID (");
	for (int i = 0; i < 10000; i++)
		srv_sends(&v, "{0+}\r\n ");
	srv_sends(&v, ")\r\n");
	srv_expect(&v, "a BAD [LIMIT] Too many literals in one command");
	check_memory(&v, "10000 literals in one command");
	srv_sends(&v, "b NOOP\r\n");
	srv_expect(&v, "b OK");
	logout(&v);
}
END_TEST

START_TEST(literal_of_4gb_sync)
{
	struct srv v;
	srv_start(&v, NULL);
	srv_sends(&v, "a LOGIN {4294967295}\r\n");
	srv_expect(&v, "a BAD [TOOBIG] Literal too large");
	srv_sends(&v, "b LOGIN demo {4294967295}\r\n");
	srv_expect(&v, "b BAD [TOOBIG] Literal too large");
	/* The client sends the data anyway: it is read as commands and refused. */
	send_repeated(&v, 'x', (size_t)1 << 20);
	srv_sends(&v, "\r\nc NOOP\r\n");
	srv_expect(&v, "* BAD [TOOBIG] Command line too long");
	srv_expect(&v, "c OK");
	check_memory(&v, "4 GB synchronizing literal");
	logout(&v);
}
END_TEST

START_TEST(literal_of_4gb_nonsync)
{
	struct srv v;
	srv_start(&v, NULL);
	srv_sends(&v, "a LOGIN {4294967295+}\r\n");
	srv_expect(&v, "a BAD [TOOBIG] Literal too large");
	/* Its bytes are skipped as they come, never held. */
	send_repeated(&v, 'x', (size_t)32 << 20);
	check_memory(&v, "4 GB non-synchronizing literal");
	srv_end(&v);
	struct srv w;
	srv_start(&w, NULL);
	srv_sends(&w, "a LOGIN {4294967296+}\r\n");
	srv_expect(&w, "* BYE [TOOBIG] Literal size out of range");
	srv_expect_eof(&w);
	srv_end(&w);
}
END_TEST

START_TEST(nesting_of_100000)
{
	struct srv v;
	srv_start(&v, NULL);
	srv_sends(&v, "a ID ");
	send_repeated(&v, '(', 100000);
	send_repeated(&v, ')', 100000);
	srv_sends(&v, "\r\n");
	srv_expect(&v, "a BAD [LIMIT] Parentheses nested too deeply");
	check_memory(&v, "100000 nested parentheses");
	/* Within max_line_length too. */
	struct srv w;
	srv_start(&w, "max_line_length = 1048576\n");
	srv_sends(&w, "a ID ");
	send_repeated(&w, '(', 100000);
	srv_sends(&w, "\r\nb NOOP\r\n");
	srv_expect(&w, "a BAD [LIMIT] Parentheses nested too deeply");
	srv_expect(&w, "b OK");
	check_memory(&w, "100000 nested parentheses, long lines allowed");
	logout(&w);
	logout(&v);
}
END_TEST

START_TEST(nul_bytes)
{
	static const struct {
		const char *cmd;
		size_t len;
		const char *reply;
	} cases[] = {
#define C(s, r) {s, sizeof(s) - 1, r}
	    C("a\0 NOOP\r\n", "* BAD"),
	    C("b NOOP\0\r\n", "b BAD"),
	    C("c NO\0OP\r\n", "c BAD"),
	    C("d LOGIN de\0mo demo\r\n", "d BAD"),
	    C("e LOGIN \"de\0mo\" demo\r\n", "e BAD"),
	    C("f ID (\"a\0\" NIL)\r\n", "f BAD"),
	    C("\0\0\0\r\n", "* BAD"),
	    C("g LOGIN {5+}\r\nde\0mo demo\r\n", "g BAD"),
	    C("h AUTHENTICATE PL\0AIN\r\n", "h BAD"),
#undef C
	};
	struct srv v;
	srv_start(&v, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		srv_send(&v, cases[i].cmd, cases[i].len);
		srv_expect(&v, cases[i].reply);
	}
	/* A synchronizing literal with a NUL: refused after its data. */
	srv_sends(&v, "i LOGIN {5}\r\n");
	srv_expect(&v, "+ ");
	srv_send(&v, "de\0mo demo\r\n", 12);
	srv_expect(&v, "i BAD");
	/* Nothing was logged in and the session is still in step. */
	srv_sends(&v, "j ENABLE X\r\n");
	srv_expect(&v, "j BAD");
	srv_sends(&v, "k LOGIN demo demo\r\n");
	srv_expect(&v, "k OK");
	check_memory(&v, "NUL bytes");
	logout(&v);
}
END_TEST

/* 10,000 commands sent before any reply is read: the server answers all of
 * them in order, stopping its reading while its replies are not read. */
static void pipeline(const char *config);

START_TEST(pipelined_10000)
{
	pipeline(NULL);
}
END_TEST

/* The same with the smallest output buffer allowed: replies are sent as
 * they are made, not queued until the buffer overflows. */
START_TEST(pipelined_10000_small_output_buffer)
{
	pipeline("max_output_buffer = 65536\n");
}
END_TEST

static void pipeline(const char *config)
{
	enum { N = 10000 };
	struct srv v;
	srv_start(&v, config);
	static char out[N * 32];
	size_t olen = 0, sent = 0;
	for (int i = 0; i < N; i++)
		olen += (size_t)sprintf(out + olen, "p%05d CAPABILITY\r\n", i);
	/* Send all that can be sent without reading anything. */
	for (;;) {
		ssize_t w = write(v.sp.fd, out + sent, olen - sent);
		if (w > 0) {
			sent += (size_t)w;
			if (sent == olen)
				break;
			continue;
		}
		ck_assert_msg(w < 0 && (errno == EAGAIN || errno == EINTR), "write failed");
		struct pollfd pf = {v.sp.fd, POLLOUT, 0};
		if (poll(&pf, 1, 1000) == 0)
			break; /* the server no longer reads: its replies wait for us */
	}
	check_memory(&v, "10000 pipelined commands, none read");
	/* Now read every reply, sending the rest as the server takes it. */
	int next = 0;
	char line[4096];
	while (next < N) {
		struct pollfd pf = {v.sp.fd, (short)(POLLIN | (sent < olen ? POLLOUT : 0)), 0};
		ck_assert_msg(poll(&pf, 1, IO_TIMEOUT_MS) > 0, "stalled at reply %d", next);
		if ((pf.revents & POLLOUT) && sent < olen) {
			ssize_t w = write(v.sp.fd, out + sent, olen - sent);
			if (w > 0)
				sent += (size_t)w;
		}
		if (!(pf.revents & (POLLIN | POLLHUP)))
			continue;
		/* Take the lines that are complete; srv_line reads more if none. */
		int r;
		while ((r = srv_line(&v, line, sizeof(line), 0)) >= 0) {
			if (line[0] == '*')
				continue;
			char want[32];
			snprintf(want, sizeof(want), "p%05d OK ", next);
			ck_assert_msg(strncmp(line, want, strlen(want)) == 0,
				      "expected \"%s\", got \"%s\"", want, line);
			next++;
		}
		ck_assert_msg(r == -2, "the server closed after %d replies", next);
	}
	check_memory(&v, "10000 pipelined commands, all answered");
	logout(&v);
}

/* A client that sends commands and never reads: the server stops reading
 * when its replies cannot be sent, and gives up after timeout_write. */
START_TEST(never_reads)
{
	struct srv v;
	srv_start(&v, "timeout_write = 3\n");
	static char cmds[1 << 16];
	size_t n = 0;
	while (n + 32 < sizeof(cmds))
		n += (size_t)sprintf(cmds + n, "q CAPABILITY\r\n");
	size_t total = 0;
	bool stalled = false, gone = false;
	while (!stalled && !gone && total < ((size_t)64 << 20)) {
		ssize_t w = write(v.sp.fd, cmds, n);
		if (w > 0) {
			total += (size_t)w;
			continue;
		}
		/* Gone already: it can only have given up on writing. */
		gone = w < 0 && (errno == EPIPE || errno == ECONNRESET);
		ck_assert_msg(gone || (w < 0 && (errno == EAGAIN || errno == EINTR)),
			      "write failed: %s", strerror(errno));
		struct pollfd pf = {v.sp.fd, POLLOUT, 0};
		stalled = !gone && poll(&pf, 1, 500) == 0;
	}
	ck_assert_msg(stalled || gone, "the server read %zu bytes while its replies were not read",
		      total);
	if (!gone)
		check_memory(&v, "client that never reads");
	int st;
	ck_assert_msg(spawn_reap(v.sp.pid, spawn_wrapped() ? 120000 : 30000, &st, NULL),
		      "imapd did not give up on a client that does not read");
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) != SPAWN_WRAPPER_ERROR,
		      "imapd ended badly (status %d)", st);
	ck_assert(srv_log_has(&v, "disconnected: the client stopped reading"));
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", v.dir);
	ck_assert_int_eq(system(cmd), 0);
	close(v.sp.fd);
}
END_TEST

/* One byte a second before login: the pre-login deadline still holds. */
START_TEST(trickle_before_login)
{
	struct srv v;
	srv_start(&v, "timeout_preauth = 2\n");
	static const char text[] = "a LOGIN demo demo and so on, very slowly";
	char line[4096];
	int r = -2;
	for (size_t i = 0; i < sizeof(text) - 1 && r == -2; i++) {
		if (write(v.sp.fd, text + i, 1) != 1)
			break; /* closed already */
		if (i == 0)
			check_memory(&v, "one byte a second");
		r = srv_line(&v, line, sizeof(line), 1000);
	}
	ck_assert_msg(r >= 0, "no BYE before the whole text was trickled");
	ck_assert_str_eq(line, "* BYE Autologout; idle for too long");
	srv_expect_eof(&v);
	srv_end(&v);
}
END_TEST

START_TEST(failed_logins)
{
	struct srv v;
	srv_start(&v, NULL); /* auth_max_failures = 3 by default */
	srv_sends(&v, "a LOGIN demo wrong\r\n");
	srv_expect(&v, "a NO [AUTHENTICATIONFAILED]");
	/* AUTHENTICATE failures count the same: "\0demo\0nope". */
	srv_sends(&v, "b AUTHENTICATE PLAIN AGRlbW8Abm9wZQ==\r\n");
	srv_expect(&v, "b NO [AUTHENTICATIONFAILED]");
	check_memory(&v, "failed logins");
	srv_sends(&v, "c LOGIN demo wrong\r\nd LOGIN demo demo\r\n");
	srv_expect(&v, "c NO [AUTHENTICATIONFAILED]");
	srv_expect(&v, "* BYE Too many failed login attempts");
	srv_expect_eof(&v);
	srv_end(&v);
}
END_TEST

/* Unit level until a command parses sequence sets: 100,000 parts, and
 * the widest range, which must stay one range. */
START_TEST(sequence_sets)
{
	enum { PARTS = 100000 };
	struct reader_limits lim = {1 << 20, 65536, 64, 2 << 20};
	struct reader r;
	reader_init(&r, &lim);
	struct buf cmd = BUF_INIT(0);
	ck_assert(buf_appends(&cmd, "a FETCH "));
	for (int i = 0; i < PARTS; i++)
		ck_assert(buf_appendf(&cmd, "%s%d", i ? "," : "", 2 * i + 1));
	ck_assert(buf_appends(&cmd, " FLAGS\r\n"));
	size_t used;
	ck_assert_int_eq(reader_feed(&r, cmd.s, cmd.len, &used), READER_COMMAND);
	struct parser p;
	parser_init(&p, &r);
	struct str tag, name, flags;
	struct seqset set = {0};
	ck_assert(p_tag(&p, &tag) && p_sp(&p) && p_atom(&p, &name) && p_sp(&p));
	ck_assert(p_seqset(&p, &set));
	ck_assert_uint_eq(set.n, PARTS);
	ck_assert_uint_le(set.cap, 2 * PARTS);
	ck_assert_uint_eq(set.r[PARTS - 1].lo, 2 * PARTS - 1);
	ck_assert(p_sp(&p) && p_atom(&p, &flags) && p_eol(&p));
	seqset_free(&set);

	/* With the default line limit such a command is refused as it comes. */
	struct reader_limits def = {65536, 65536, 64, 1 << 20};
	struct reader d;
	reader_init(&d, &def);
	ck_assert_int_eq(reader_feed(&d, cmd.s, cmd.len, &used), READER_BAD);
	ck_assert_str_eq(d.code, "TOOBIG");
	reader_free(&d);

	static const struct {
		const char *s;
		bool ok;
		uint32_t lo, hi;
	} one[] = {
	    {"1:4294967295", true, 1, 4294967295u},
	    {"4294967295:1", true, 4294967295u, 1},
	    {"1:*", true, 1, SEQ_STAR},
	    {"1:4294967296", false, 0, 0},
	    {"0:5", false, 0, 0},
	    {"1:0", false, 0, 0},
	    {"99999999999999999999999", false, 0, 0},
	    {"1,", false, 0, 0},
	    {":5", false, 0, 0},
	};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		char text[64];
		snprintf(text, sizeof(text), "a FETCH %s\r\n", one[i].s);
		ck_assert_int_eq(reader_feed(&r, text, strlen(text), &used), READER_COMMAND);
		parser_init(&p, &r);
		ck_assert(p_tag(&p, &tag) && p_sp(&p) && p_atom(&p, &name) && p_sp(&p));
		bool ok = p_seqset(&p, &set) && p_eol(&p);
		ck_assert_msg(ok == one[i].ok, "%s", one[i].s);
		if (ok) {
			ck_assert_uint_eq(set.n, 1);
			ck_assert_uint_eq(set.r[0].lo, one[i].lo);
			ck_assert_uint_eq(set.r[0].hi, one[i].hi);
		}
		seqset_free(&set);
	}
	buf_free(&cmd);
	reader_free(&r);
}
END_TEST

/* Unit level until mailbox commands exist: invalid modified UTF-7 is
 * refused by the codec and by folder names, whatever its size. */
START_TEST(invalid_mutf7)
{
	static const char *const bad[] = {
	    "&",	      /* unterminated */
	    "&AGE",	      /* unterminated run */
	    "&AOk-&AOk-",     /* adjacent runs */
	    "&-&AOk-&AOk-",   /* the same after an escaped & */
	    "&AEE-",	      /* printable ASCII encoded */
	    "&AAA-",	      /* U+0000 */
	    "&2D3-",	      /* lone high surrogate */
	    "&3gA-",	      /* lone low surrogate */
	    "&2D3eAA",	      /* pair, unterminated */
	    "&AGEA-",	      /* leftover bits not zero */
	    "&AGE=-",	      /* not base64 */
	    "&AGE/-",	      /* '/' instead of ',' */
	    "a\x80\x62",      /* raw 8-bit */
	    "caf\xc3\xa9",    /* raw UTF-8 */
	    "a\tb",	      /* control */
	    "&AMI-",	      /* U+00C2, fine, but ... */
	    "&AIU-",	      /* ... U+0085 (C1 control) is not a name */
	    "&AMIAhQ-x&-&--", /* "&-" then a stray "-" is fine text; C1 inside is not */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]);
		bool valid = mutf7_valid(bad[i], len);
		bool codec_ok = i == 15 || i == 16 || i == sizeof(bad) / sizeof(bad[0]) - 1;
		ck_assert_msg(valid == codec_ok, "%s: valid=%d", bad[i], valid);
		if (i == 15)
			ck_assert_int_eq(md_name_check(bad[i], len, NULL), 0);
		else
			ck_assert_msg(md_name_check(bad[i], len, NULL) == -1, "%s accepted",
				      bad[i]);
	}
	/* A name of 1 MB: refused at the length limit; the codec's output
	 * stops at the buffer's limit and leaves nothing behind. */
	struct buf utf8 = BUF_INIT(0), m = BUF_INIT(0), out = BUF_INIT(4096);
	for (int i = 0; i < 300000; i++)
		ck_assert(buf_appends(&utf8, "\xc3\xa9"));
	ck_assert_int_eq(mutf7_from_utf8(utf8.s, utf8.len, &m), 0);
	ck_assert_uint_gt(m.len, (size_t)700000);
	ck_assert_int_eq(md_name_check(m.s, m.len, NULL), -1);
	ck_assert_int_eq(mutf7_to_utf8(m.s, m.len, &out), -1);
	ck_assert_uint_eq(out.len, 0);
	buf_free(&utf8);
	buf_free(&m);
	buf_free(&out);
}
END_TEST

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("clients");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, line_of_10mb);
	tcase_add_test(tc, literal_of_4gb_sync);
	tcase_add_test(tc, many_literals);
	tcase_add_test(tc, literal_of_4gb_nonsync);
	tcase_add_test(tc, nesting_of_100000);
	tcase_add_test(tc, nul_bytes);
	tcase_add_test(tc, pipelined_10000);
	tcase_add_test(tc, pipelined_10000_small_output_buffer);
	tcase_add_test(tc, never_reads);
	tcase_add_test(tc, trickle_before_login);
	tcase_add_test(tc, failed_logins);
	tcase_add_test(tc, sequence_sets);
	tcase_add_test(tc, invalid_mutf7);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
