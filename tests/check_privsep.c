/* Unit tests for the privilege separation's trust boundary: the message
 * framing between the pre-login and the privileged process (psmsg), the
 * privileged side's checks of what it is told (authsrv), and the reading
 * of /proc/self/status after a privilege drop (privdrop). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "session/authsrv.h"
#include "session/privdrop.h"
#include "session/psmsg.h"
#include "session/session.h"
#include "tests/lib/suite.h"

static int sp[2];
static struct psmsg msg;

static void open_pair(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
}

static void close_pair(void)
{
	close(sp[0]);
	close(sp[1]);
}

static void put32(char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Sends a raw packet: header (type, len) and body as given. */
static void raw(uint32_t type, uint32_t len, const char *body, size_t n)
{
	static char pkt[PSMSG_MAX_PAYLOAD + 64];
	put32(pkt, type);
	put32(pkt + 4, len);
	memcpy(pkt + 8, body, n);
	ck_assert_int_eq(send(sp[1], pkt, 8 + n, 0), (ssize_t)(8 + n));
}

START_TEST(psmsg_round_trip)
{
	struct str f[4] = {STR_LIT("a1"), STR_LIT("demo"), {"pa\0ss", 5}, STR_LIT("0")};
	ck_assert_int_eq(psmsg_send(sp[1], PS_LOGIN, f, 4), 0);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), 1);
	ck_assert_uint_eq(msg.type, PS_LOGIN);
	ck_assert_uint_eq(msg.nfields, 4);
	ck_assert(str_eq(msg.f[0], "a1") && str_eq(msg.f[1], "demo") && str_eq(msg.f[3], "0"));
	ck_assert(msg.f[2].len == 5 && memcmp(msg.f[2].s, "pa\0ss", 5) == 0);
	ck_assert_int_eq(psmsg_send(sp[1], PS_AUTH_ABORT, NULL, 0), 0);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), 1);
	ck_assert_uint_eq(msg.type, PS_AUTH_ABORT);
	/* The largest payload passes; one byte more is refused by the sender. */
	static char big[PSMSG_MAX_PAYLOAD];
	struct str h[2] = {STR_LIT("plain"), {big, PSMSG_MAX_PAYLOAD - 13}};
	ck_assert_int_eq(psmsg_send(sp[1], PS_HANDOVER, h, 2), 0);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), 1);
	ck_assert_uint_eq(msg.f[1].len, PSMSG_MAX_PAYLOAD - 13);
	h[1].len++;
	ck_assert_int_eq(psmsg_send(sp[1], PS_HANDOVER, h, 2), -1);
	/* The sender keeps to the field count of each type. */
	ck_assert_int_eq(psmsg_send(sp[1], PS_LOGIN, f, 3), -1);
	ck_assert_int_eq(psmsg_send(sp[1], 999, f, 1), -1);
}
END_TEST

START_TEST(psmsg_refuses_bad_framing)
{
	/* Header length not the packet's size, both ways. */
	raw(PS_AUTH_STEP, 10, "\x01\0\0\0x", 5);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), -1);
	raw(PS_AUTH_STEP, 1, "\x01\0\0\0x", 5);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), -1);
	/* A field running past the end. */
	raw(PS_AUTH_STEP, 5, "\x09\0\0\0x", 5);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), -1);
	/* Bytes after the last field. */
	raw(PS_AUTH_STEP, 6, "\x01\0\0\0xy", 6);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), -1);
	/* Too few fields for the type. */
	raw(PS_LOGIN, 5, "\x01\0\0\0x", 5);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), -1);
	/* Unknown type; header alone too short. */
	raw(77, 0, "", 0);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), -1);
	ck_assert_int_eq(send(sp[1], "abc", 3, 0), 3);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), -1);
	/* A packet over the limit is truncated by the kernel and refused. */
	static char big[PSMSG_MAX_PAYLOAD + 16];
	memset(big, 0, sizeof(big));
	raw(PS_AUTH_STEP, PSMSG_MAX_PAYLOAD + 16, big, sizeof(big));
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), -1);
	/* After all that, a good one still reads, then a timeout, then EOF. */
	raw(PS_AUTH_STEP, 5, "\x01\0\0\0x", 5);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), 1);
	ck_assert(str_eq(msg.f[0], "x"));
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 0), -2);
	close(sp[1]);
	sp[1] = -1;
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), 0);
}
END_TEST

/* The privileged side, with a passwd-file of one user demo/demo. */
static char dir[64];
static struct config cfg;
static struct session sess;
static struct authsrv as;

static void auth_setup(void)
{
	open_pair();
	strcpy(dir, "/tmp/imapd-privsep-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128], line[256];
	snprintf(path, sizeof(path), "%s/passwd", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "demo:{PLAIN}demo:1000:1000::%s::\n", dir);
	fclose(f);
	config_defaults(&cfg);
	snprintf(line, sizeof(line), "passwd_file = %s", path);
	struct buf err = BUF_INIT(256);
	ck_assert(config_set_line(&cfg, line, "test", 1, &err));
	ck_assert(config_set_line(&cfg, "auth_fail_delay_ms = 0", "test", 2, &err));
	ck_assert(config_set_line(&cfg, "auth_max_failures = 2", "test", 3, &err));
	buf_free(&err);
	snprintf(path, sizeof(path), "%s/log", dir);
	log_open("imapd", path);
	/* The session's own fds are never used here. */
	int fds[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	memset(&sess, 0, sizeof(sess));
	session_init(&sess, &cfg, fds[0], fds[0]);
	authsrv_init(&as, &sess);
}

static void auth_teardown(void)
{
	authsrv_free(&as);
	session_free(&sess);
	log_close();
	close_pair();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Feeds one message as the pre-login process would send it. */
static enum authsrv_status feed(uint32_t type, const struct str *f, size_t n)
{
	ck_assert_int_eq(psmsg_send(sp[1], type, f, n), 0);
	ck_assert_int_eq(psmsg_recv(sp[0], &msg, 1000), 1);
	return authsrv_handle(&as, sp[0], &msg);
}

static uint32_t answer(void)
{
	ck_assert_int_eq(psmsg_recv(sp[1], &msg, 1000), 1);
	return msg.type;
}

static bool log_has(const char *text)
{
	char path[128], buf[8192];
	snprintf(path, sizeof(path), "%s/log", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

START_TEST(authsrv_login_and_handover)
{
	struct str f[4] = {STR_LIT("a1"), STR_LIT("demo"), STR_LIT("demo"), STR_LIT("0")};
	ck_assert_int_eq(feed(PS_LOGIN, f, 4), AUTHSRV_MORE);
	ck_assert_uint_eq(answer(), PS_R_OK);
	ck_assert_str_eq(as.tag, "a1");
	ck_assert_str_eq(as.user.name, "demo");
	ck_assert_uint_eq(as.user.uid, 1000);
	/* A second login now is out of order; the hand-over is expected. */
	struct str h[2] = {STR_LIT("plain"), STR_LIT("b NOOP\r\n")};
	ck_assert_int_eq(feed(PS_HANDOVER, h, 2), AUTHSRV_HANDOVER);
}
END_TEST

START_TEST(authsrv_failures_and_bye)
{
	struct str f[4] = {STR_LIT("a1"), STR_LIT("demo"), STR_LIT("nope"), STR_LIT("0")};
	ck_assert_int_eq(feed(PS_LOGIN, f, 4), AUTHSRV_MORE);
	ck_assert_uint_eq(answer(), PS_R_FAIL);
	ck_assert(str_eq(msg.f[0], ""));
	ck_assert(
	    log_has("authentication failed: user=<demo> rip=local reason=password attempt=1"));
	ck_assert_int_eq(feed(PS_LOGIN, f, 4), AUTHSRV_MORE);
	ck_assert_uint_eq(answer(), PS_R_FAIL);
	ck_assert(str_eq(msg.f[0], "bye"));
	ck_assert(log_has("attempt=2"));
	ck_assert(log_has("disconnected: too many failed logins rip=local"));
	/* The limit is kept here, whatever the pre-login process does next. */
	f[2] = STR_LIT("demo");
	ck_assert_int_eq(feed(PS_LOGIN, f, 4), AUTHSRV_VIOLATION);
}
END_TEST

START_TEST(authsrv_refuses_what_it_cannot_trust)
{
	struct str f[4] = {STR_LIT("a 1"), STR_LIT("demo"), STR_LIT("demo"), STR_LIT("0")};
	ck_assert_int_eq(feed(PS_LOGIN, f, 4), AUTHSRV_VIOLATION); /* tag with a space */
	f[0] = STR_LIT("a1");
	f[3] = STR_LIT("yes");
	ck_assert_int_eq(feed(PS_LOGIN, f, 4), AUTHSRV_VIOLATION); /* not a flag */
	struct str h[2] = {STR_LIT("plain"), STR_LIT("")};
	ck_assert_int_eq(feed(PS_HANDOVER, h, 2), AUTHSRV_VIOLATION); /* before a login */
	struct str step = STR_LIT("x");
	ck_assert_int_eq(feed(PS_AUTH_STEP, &step, 1), AUTHSRV_VIOLATION); /* no exchange */
	ck_assert_int_eq(feed(PS_AUTH_ABORT, NULL, 0), AUTHSRV_VIOLATION);
	ck_assert_int_eq(feed(PS_R_OK, &step, 1), AUTHSRV_VIOLATION); /* an answer type */
	/* Plaintext passwords over a non-TLS remote connection are refused
	 * here too, whatever the pre-login process decided. */
	strcpy(sess.peer, "192.0.2.1");
	sess.peer_local = false;
	f[3] = STR_LIT("0");
	ck_assert_int_eq(feed(PS_LOGIN, f, 4), AUTHSRV_VIOLATION);
	struct str a[5] = {STR_LIT("a2"), STR_LIT("PLAIN"), STR_LIT(""), STR_LIT("0"),
			   STR_LIT("0")};
	ck_assert_int_eq(feed(PS_AUTH_START, a, 5), AUTHSRV_VIOLATION);
	/* An initial response without the has-IR flag. */
	a[1] = STR_LIT("SCRAM-SHA-256");
	a[2] = STR_LIT("n,,n=demo,r=abc");
	ck_assert_int_eq(feed(PS_AUTH_START, a, 5), AUTHSRV_VIOLATION);
}
END_TEST

START_TEST(authsrv_sasl_relay)
{
	struct str a[5] = {STR_LIT("a1"), STR_LIT("X-NONE"), STR_LIT(""), STR_LIT("0"),
			   STR_LIT("0")};
	ck_assert_int_eq(feed(PS_AUTH_START, a, 5), AUTHSRV_MORE);
	ck_assert_uint_eq(answer(), PS_R_NOMECH);
	a[1] = STR_LIT("PLAIN");
	ck_assert_int_eq(feed(PS_AUTH_START, a, 5), AUTHSRV_MORE);
	ck_assert_uint_eq(answer(), PS_R_CONTINUE);
	/* A new exchange while one runs is out of order; cancel it first. */
	ck_assert_int_eq(feed(PS_AUTH_ABORT, NULL, 0), AUTHSRV_MORE);
	ck_assert_int_eq(feed(PS_AUTH_START, a, 5), AUTHSRV_MORE);
	ck_assert_uint_eq(answer(), PS_R_CONTINUE);
	struct str resp = {"\0demo\0demo", 10};
	ck_assert_int_eq(feed(PS_AUTH_STEP, &resp, 1), AUTHSRV_MORE);
	ck_assert_uint_eq(answer(), PS_R_OK);
	ck_assert_str_eq(as.method, "AUTHENTICATE");
	ck_assert_str_eq(as.user.name, "demo");
}
END_TEST

static const char status_ok[] = "Name:\timapd\n"
				"Uid:\t995\t995\t995\t995\n"
				"Gid:\t994\t994\t994\t994\n"
				"FDSize:\t64\n"
				"Groups:\t994 \n"
				"NoNewPrivs:\t1\n";

START_TEST(privdrop_reads_status)
{
	gid_t g[2] = {994, 20};
	ck_assert(privdrop_status_ok(status_ok, 995, 994, g, 1));
	ck_assert(!privdrop_status_ok(status_ok, 996, 994, g, 1));
	ck_assert(!privdrop_status_ok(status_ok, 995, 994, g, 2)); /* group 20 missing */
	ck_assert(!privdrop_status_ok("Uid:\t995\t995\t0\t995\nGid:\t994\t994\t994\t994\n"
				      "Groups:\t994\n",
				      995, 994, g, 1)); /* saved uid still root */
	ck_assert(!privdrop_status_ok("Uid:\t995\t995\t995\t995\nGid:\t994\t994\t994\t994\n"
				      "Groups:\t0\n",
				      995, 994, (gid_t[]){0}, 1)); /* group 0 */
	ck_assert(!privdrop_status_ok("Uid:\t995\t995\t995\nGid:\t994\t994\t994\t994\n"
				      "Groups:\t994\n",
				      995, 994, g, 1)); /* three ids */
	ck_assert(!privdrop_status_ok("Gid:\t994\t994\t994\t994\nGroups:\t994\n", 995, 994, g, 1));
	ck_assert(
	    privdrop_status_ok("Uid:\t7\t7\t7\t7\nGid:\t8\t8\t8\t8\nGroups:\t\n", 7, 8, g, 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("privsep");
	TCase *tc = tcase_create("psmsg");
	tcase_add_checked_fixture(tc, open_pair, close_pair);
	tcase_add_test(tc, psmsg_round_trip);
	tcase_add_test(tc, psmsg_refuses_bad_framing);
	suite_add_tcase(s, tc);
	tc = tcase_create("authsrv");
	tcase_add_checked_fixture(tc, auth_setup, auth_teardown);
	tcase_add_test(tc, authsrv_login_and_handover);
	tcase_add_test(tc, authsrv_failures_and_bye);
	tcase_add_test(tc, authsrv_refuses_what_it_cannot_trust);
	tcase_add_test(tc, authsrv_sasl_relay);
	suite_add_tcase(s, tc);
	tc = tcase_create("privdrop");
	tcase_add_test(tc, privdrop_reads_status);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
