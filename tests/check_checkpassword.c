/* Unit tests for the checkpassword passdb backend and its reply program.
 * The checker is tests/checkpassword-test; the reply program is this test
 * binary itself, run with --checkpassword-reply as imapd would be. */
#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/checkpassword.h"
#include "auth/passdb.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"
#include "tests/lib/suite.h"

static char tmpdir[64];
static char logpath[128];
static struct config cfg;

static void find_checker(char *path, size_t len)
{
	if (realpath("tests/checkpassword-test", path))
		return;
	/* from build/tests/check_checkpassword up to the source tree */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	ck_assert(snprintf_ok(path, len, "%s/../../tests/checkpassword-test", dirname(self)));
}

static void setup(void)
{
	strlcpy_ok(tmpdir, "/tmp/imapd-cp-XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf_ok(logpath, sizeof(logpath), "%s/log", tmpdir);
	log_open("imapd-test", logpath);
	config_defaults(&cfg);
	ck_assert(strlcpy_ok(cfg.passdb, "checkpassword", sizeof(cfg.passdb)));
	find_checker(cfg.checkpassword, sizeof(cfg.checkpassword));
	ck_assert_int_eq(access(cfg.checkpassword, X_OK), 0);
	cfg.checkpassword_timeout = 2;
}

static void teardown(void)
{
	log_close();
	char cmd[128];
	snprintf_ok(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *read_log(void)
{
	static char text[16384];
	FILE *f = fopen(logpath, "r");
	if (!f)
		return "";
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static enum auth_result verify(const char *user, const char *pass, struct auth_user *u)
{
	return passdb_verify(&cfg, (struct str){user, strlen(user)},
			     (struct str){pass, strlen(pass)}, u);
}

START_TEST(checkpassword_ok)
{
	struct auth_user u;
	ck_assert_int_eq(verify("alice", "pass word", &u), AUTH_OK);
	ck_assert_str_eq(u.name, "alice");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 1000);
	ck_assert_str_eq(u.home, "/home/alice");
	ck_assert_str_eq(u.mail, "maildir:~/Mail");
	/* the checker may give the canonical name */
	ck_assert_int_eq(verify("renamed", "pass word", &u), AUTH_OK);
	ck_assert_str_eq(u.name, "alice2");
	ck_assert_str_eq(u.home, "");
}
END_TEST

START_TEST(checkpassword_bad)
{
	struct auth_user u;
	ck_assert_int_eq(verify("alice", "pass words", &u), AUTH_FAIL);
	ck_assert_str_eq(u.name, "");
	ck_assert_int_eq(verify("nobody", "pass word", &u), AUTH_FAIL);
	/* exit 1 counts even if something it started still holds the reply pipe */
	ck_assert_int_eq(verify("holder", "pass word", &u), AUTH_FAIL);
}
END_TEST

START_TEST(checkpassword_temporary)
{
	struct auth_user u;
	ck_assert_int_eq(verify("temp", "x", &u), AUTH_TEMPFAIL);
	ck_assert_int_eq(verify("misuse", "x", &u), AUTH_TEMPFAIL);
	ck_assert_int_eq(verify("crash", "x", &u), AUTH_TEMPFAIL);
	ck_assert_ptr_nonnull(strstr(read_log(), "exit status 111"));
	ck_assert_ptr_nonnull(strstr(read_log(), "exit status 2"));
	ck_assert_ptr_nonnull(strstr(read_log(), "killed by signal 9"));
}
END_TEST

START_TEST(checkpassword_bad_replies)
{
	struct auth_user u;
	ck_assert_int_eq(verify("silent", "x", &u), AUTH_TEMPFAIL);
	ck_assert_int_eq(verify("garbage", "x", &u), AUTH_TEMPFAIL);
	ck_assert_int_eq(verify("badhome", "pass word", &u), AUTH_TEMPFAIL);
	ck_assert_int_eq(verify("flood", "x", &u), AUTH_TEMPFAIL);
	ck_assert_ptr_nonnull(strstr(read_log(), "reply too long"));
	ck_assert_ptr_null(strstr(read_log(), "pass word"));
}
END_TEST

START_TEST(checkpassword_timeout)
{
	struct auth_user u;
	cfg.checkpassword_timeout = 1;
	ck_assert_int_eq(verify("sleepy", "x", &u), AUTH_TEMPFAIL);
	ck_assert_ptr_nonnull(strstr(read_log(), "timed out"));
}
END_TEST

START_TEST(checkpassword_child_hygiene)
{
	struct auth_user u;
	/* The server's own environment and open files stay with the server. */
	ck_assert_int_eq(setenv("IMAPD_TEST_LEAK", "1", 1), 0);
	FILE *f = tmpfile(); /* an fd above 4 the child must not see */
	ck_assert_ptr_nonnull(f);
	ck_assert_int_gt(fileno(f), 4);
	ck_assert_int_eq(verify("hygiene", "pass word", &u), AUTH_OK);
	fclose(f);
}
END_TEST

START_TEST(checkpassword_uid_0_refused)
{
	struct auth_user u;
	/* No userdb_uid from the checker: the reply reports its real uid. */
	enum auth_result r = verify("rootish", "pass word", &u);
	if (getuid() == 0) {
		ck_assert_int_eq(r, AUTH_FAIL);
		ck_assert_ptr_nonnull(strstr(read_log(), "refusing uid/gid 0"));
	} else {
		ck_assert_int_eq(r, AUTH_OK);
		ck_assert_uint_eq(u.uid, getuid());
		ck_assert_str_eq(u.home, "/root");
	}
}
END_TEST

START_TEST(checkpassword_misconfigured)
{
	struct auth_user u;
	cfg.checkpassword[0] = '\0';
	ck_assert_int_eq(verify("alice", "pass word", &u), AUTH_TEMPFAIL);
	ck_assert(
	    strlcpy_ok(cfg.checkpassword, "tests/checkpassword-test", sizeof(cfg.checkpassword)));
	ck_assert_int_eq(verify("alice", "pass word", &u), AUTH_TEMPFAIL);
	ck_assert_ptr_nonnull(strstr(read_log(), "absolute path"));
	ck_assert(snprintf_ok(cfg.checkpassword, sizeof(cfg.checkpassword), "%s/none", tmpdir));
	ck_assert_int_eq(verify("alice", "pass word", &u), AUTH_TEMPFAIL);
	find_checker(cfg.checkpassword, sizeof(cfg.checkpassword));
	ck_assert(snprintf_ok(cfg.checkpassword_reply, sizeof(cfg.checkpassword_reply), "%s/none",
			      tmpdir));
	ck_assert_int_eq(verify("alice", "pass word", &u), AUTH_TEMPFAIL);
}
END_TEST

/* Runs the reply program in a child with env set up by the caller's
 * setenv calls; returns its exit status and what it wrote to fd 4. */
static int run_reply(char *out, size_t outlen)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], 4) < 0)
			_exit(99);
		_exit(checkpassword_reply_main());
	}
	close(p[1]);
	size_t n = 0;
	ssize_t got;
	while (n + 1 < outlen && (got = read(p[0], out + n, outlen - 1 - n)) > 0)
		n += (size_t)got;
	out[n] = '\0';
	close(p[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(reply_program)
{
	char out[512], want[512];
	clearenv();
	setenv("USER", "bob", 1);
	setenv("HOME", "/home/bob", 1);
	ck_assert_int_eq(run_reply(out, sizeof(out)), 0);
	snprintf_ok(want, sizeof(want), "user=bob\thome=/home/bob\tuid=%u\tgid=%u\tmail=\n",
		    (unsigned)getuid(), (unsigned)getgid());
	ck_assert_str_eq(out, want);
	setenv("userdb_uid", "1234", 1);
	setenv("userdb_gid", "99", 1);
	setenv("userdb_home", "/srv/bob", 1);
	setenv("userdb_mail", "maildir:/m/bob", 1);
	ck_assert_int_eq(run_reply(out, sizeof(out)), 0);
	ck_assert_str_eq(out, "user=bob\thome=/srv/bob\tuid=1234\tgid=99\tmail=maildir:/m/bob\n");
	/* misuse: bad values are refused, nothing is written */
	setenv("userdb_uid", "12x", 1);
	ck_assert_int_eq(run_reply(out, sizeof(out)), 2);
	ck_assert_str_eq(out, "");
	setenv("userdb_uid", "1234", 1);
	setenv("userdb_mail", "a\tb", 1);
	ck_assert_int_eq(run_reply(out, sizeof(out)), 2);
	unsetenv("userdb_mail");
	setenv("USER", "a:b", 1);
	ck_assert_int_eq(run_reply(out, sizeof(out)), 2);
	unsetenv("USER");
	ck_assert_int_eq(run_reply(out, sizeof(out)), 2);
}
END_TEST

START_TEST(reply_program_without_fd4)
{
	clearenv();
	setenv("USER", "bob", 1);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(4);
		_exit(checkpassword_reply_main());
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 111);
}
END_TEST

int main(int argc, char **argv)
{
	/* This binary is also the reply program the checker runs. */
	if (argc > 1 && strcmp(argv[1], CHECKPASSWORD_REPLY_ARG) == 0)
		return checkpassword_reply_main();
	Suite *s = suite_create("checkpassword");
	TCase *tc = tcase_create("checkpassword");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, checkpassword_ok);
	tcase_add_test(tc, checkpassword_bad);
	tcase_add_test(tc, checkpassword_temporary);
	tcase_add_test(tc, checkpassword_bad_replies);
	tcase_add_test(tc, checkpassword_timeout);
	tcase_add_test(tc, checkpassword_child_hygiene);
	tcase_add_test(tc, checkpassword_uid_0_refused);
	tcase_add_test(tc, checkpassword_misconfigured);
	tcase_add_test(tc, reply_program);
	tcase_add_test(tc, reply_program_without_fd4);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
