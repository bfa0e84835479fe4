/* Unit tests for auth/hash: passwd-file lines for `imapd --hash`. */
#include <check.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/hash.h"
#include "auth/passdb.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"
#include "tests/lib/suite.h"

static char tmpdir[64];
static struct config cfg;

static void setup(void)
{
	strlcpy_ok(tmpdir, "/tmp/imapd-hash-XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	char logpath[128];
	snprintf_ok(logpath, sizeof(logpath), "%s/log", tmpdir);
	log_open("imapd-test", logpath);
	config_defaults(&cfg);
	ck_assert(snprintf_ok(cfg.passwd_file, sizeof(cfg.passwd_file), "%s/passwd", tmpdir));
}

static void teardown(void)
{
	log_close();
	char cmd[128];
	snprintf_ok(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_passwd(const char *line)
{
	FILE *f = fopen(cfg.passwd_file, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fprintf(f, "%s\n", line), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static enum auth_result verify(const char *user, const char *pass)
{
	struct auth_user u;
	return passdb_verify(&cfg, (struct str){user, strlen(user)},
			     (struct str){pass, strlen(pass)}, &u);
}

START_TEST(hash_round_trips)
{
	const char *schemes[] = {NULL,		 "CRYPT",     "yescrypt",     "SHA512-CRYPT",
				 "SHA256-CRYPT", "BLF-CRYPT", "SCRAM-SHA-256"};
	const char *want[] = {"{CRYPT}$y$",	     "{CRYPT}$y$",	  "{CRYPT}$y$",
			      "{SHA512-CRYPT}$6$",   "{SHA256-CRYPT}$5$", "{BLF-CRYPT}$2y$12$",
			      "{SCRAM-SHA-256}4096,"};
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		struct buf b = BUF_INIT(0);
		ck_assert_int_eq(
		    hash_line(STR_LIT("u@example.org"), STR_LIT("pass: word"), schemes[i], &b),
		    HASH_OK);
		ck_assert_msg(strncmp(b.s, "u@example.org:", 14) == 0, "%s", b.s);
		ck_assert_msg(strncmp(b.s + 14, want[i], strlen(want[i])) == 0, "%s", b.s);
		ck_assert_ptr_null(strstr(b.s, "pass: word"));
		ck_assert(buf_appends(&b, ":1000:1000::/home/u"));
		write_passwd(b.s);
		ck_assert_msg(verify("u@example.org", "pass: word") == AUTH_OK, "%s", b.s);
		ck_assert_msg(verify("u@example.org", "pass: Word") == AUTH_FAIL, "%s", b.s);
		buf_free(&b);
	}
}
END_TEST

START_TEST(hash_salts_differ)
{
	struct buf a = BUF_INIT(0), b = BUF_INIT(0);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT("pw"), "SCRAM-SHA-256", &a), HASH_OK);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT("pw"), "SCRAM-SHA-256", &b), HASH_OK);
	ck_assert_str_ne(a.s, b.s);
	buf_reset(&a);
	buf_reset(&b);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT("pw"), NULL, &a), HASH_OK);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT("pw"), NULL, &b), HASH_OK);
	ck_assert_str_ne(a.s, b.s);
	buf_free(&a);
	buf_free(&b);
}
END_TEST

START_TEST(hash_scram_line_serves_scram)
{
	struct buf b = BUF_INIT(0);
	ck_assert_int_eq(hash_line(STR_LIT("s"), STR_LIT("pw"), "scram-sha-256", &b), HASH_OK);
	ck_assert(buf_appends(&b, ":1000:1000"));
	write_passwd(b.s);
	struct scram_cred c;
	struct auth_user u;
	ck_assert_int_eq(passdb_scram_lookup(&cfg, STR_LIT("s"), &c, &u), AUTH_OK);
	ck_assert(scram_cred_check_password(&c, "pw", 2));
	buf_free(&b);
}
END_TEST

START_TEST(hash_refuses_bad_input)
{
	struct buf b = BUF_INIT(0);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT("pw"), "MD5", &b), HASH_BAD_SCHEME);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT("pw"), "PLAIN", &b), HASH_BAD_SCHEME);
	ck_assert_int_eq(hash_line(STR_LIT("u:x"), STR_LIT("pw"), NULL, &b), HASH_BAD_INPUT);
	ck_assert_int_eq(hash_line(STR_LIT(""), STR_LIT("pw"), NULL, &b), HASH_BAD_INPUT);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT(""), NULL, &b), HASH_BAD_INPUT);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT("p\0w"), NULL, &b), HASH_BAD_INPUT);
	ck_assert_uint_eq(b.len, 0);
	struct buf small = BUF_INIT(10);
	ck_assert_int_eq(hash_line(STR_LIT("u"), STR_LIT("pw"), NULL, &small), HASH_ERROR);
	ck_assert_uint_eq(small.len, 0);
	buf_free(&small);
	buf_free(&b);
}
END_TEST

/* Runs hash_main in a child with input on stdin; collects stdout. */
static int run_main(const char *input, size_t inlen, char *out, size_t outlen, int argc,
		    char **argv)
{
	char in_path[128], out_path[128];
	snprintf_ok(in_path, sizeof(in_path), "%s/in", tmpdir);
	snprintf_ok(out_path, sizeof(out_path), "%s/out", tmpdir);
	FILE *f = fopen(in_path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(input, 1, inlen, f), inlen);
	fclose(f);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (!freopen(in_path, "r", stdin) || !freopen(out_path, "w", stdout) ||
		    !freopen("/dev/null", "w", stderr))
			_exit(99);
		_exit(hash_main(argc, argv));
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	f = fopen(out_path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	fclose(f);
	return WEXITSTATUS(status);
}

#define RUN(in, out, ...)                                                                          \
	run_main((in), sizeof(in) - 1, (out), sizeof(out),                                         \
		 (int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)), (char *[]){__VA_ARGS__})

START_TEST(hash_main_reads_stdin)
{
	char out[512];
	ck_assert_int_eq(RUN("pass word\n", out, "--hash", "alice"), 0);
	ck_assert(strncmp(out, "alice:{CRYPT}$y$", 16) == 0);
	ck_assert(out[strlen(out) - 1] == '\n');
	out[strlen(out) - 1] = '\0';
	write_passwd(out);
	/* no uid given: the server's own, which passdb refuses when it is root */
	ck_assert_int_eq(verify("alice", "pass word"), getuid() ? AUTH_OK : AUTH_FAIL);

	ck_assert_int_eq(RUN("pass word\r\n", out, "imapd", "--hash", "--scheme", "SCRAM-SHA-256",
			     "--uid", "1000", "--gid", "1001", "--home", "/home/alice", "alice"),
			 0);
	ck_assert(strncmp(out, "alice:{SCRAM-SHA-256}4096,", 26) == 0);
	ck_assert_ptr_nonnull(strstr(out, ":1000:1001::/home/alice\n"));
	write_passwd(out);
	ck_assert_int_eq(verify("alice", "pass word"), AUTH_OK);
	/* no newline at the end of input is fine */
	ck_assert_int_eq(RUN("pw", out, "--hash", "--uid", "5", "bob"), 0);
	ck_assert_ptr_nonnull(strstr(out, ":5:::\n"));
}
END_TEST

START_TEST(hash_main_errors)
{
	char out[512];
	ck_assert_int_eq(RUN("pw\n", out, "--hash"), 2);
	ck_assert_int_eq(RUN("pw\n", out, "--hash", "a", "b"), 2);
	ck_assert_int_eq(RUN("pw\n", out, "--hash", "--scheme", "MD5", "a"), 2);
	ck_assert_int_eq(RUN("pw\n", out, "--hash", "--scheme"), 2);
	ck_assert_int_eq(RUN("pw\n", out, "--hash", "--uid", "0", "a"), 2);
	ck_assert_int_eq(RUN("pw\n", out, "--hash", "--gid", "x", "a"), 2);
	ck_assert_int_eq(RUN("pw\n", out, "--hash", "--home", "rel", "a"), 2);
	ck_assert_int_eq(RUN("pw\n", out, "--hash", "--bogus", "a"), 2);
	ck_assert_int_eq(RUN("pw\n", out, "--hash", "a:b"), 2);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(RUN("\n", out, "--hash", "a"), 1);
	ck_assert_int_eq(RUN("", out, "--hash", "a"), 1);
	ck_assert_int_eq(RUN("p\0w\n", out, "--hash", "a"), 1);
	ck_assert_str_eq(out, "");
	char big[AUTH_PASS_MAX + 3];
	memset(big, 'p', sizeof(big));
	big[AUTH_PASS_MAX + 1] = '\n';
	char *argv[] = {"--hash", "a"};
	ck_assert_int_eq(run_main(big, AUTH_PASS_MAX + 2, out, sizeof(out), 2, argv), 1);
	ck_assert_int_eq(run_main(big, AUTH_PASS_MAX, out, sizeof(out), 2, argv), 0);
}
END_TEST

/* Reads from the terminal master until want shows up (appending to seen). */
static void expect(int fd, struct buf *seen, const char *want)
{
	while (!seen->s || !strstr(seen->s, want)) {
		struct pollfd p = {fd, POLLIN, 0};
		ck_assert_msg(poll(&p, 1, 10000) == 1, "no \"%s\" in \"%s\"", want,
			      seen->s ? seen->s : "");
		char chunk[256];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		ck_assert_msg(n > 0, "terminal closed before \"%s\"", want);
		ck_assert(buf_append(seen, chunk, (size_t)n));
	}
}

/* Runs hash_main on a terminal, typing the two given passwords. */
static int run_on_tty(const char *first, const char *second, struct buf *seen, char *out,
		      size_t outlen)
{
	char out_path[128];
	snprintf_ok(out_path, sizeof(out_path), "%s/out", tmpdir);
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (!freopen(out_path, "w", stdout))
			_exit(99);
		char *argv[] = {"--hash", "alice"};
		_exit(hash_main(2, argv));
	}
	expect(master, seen, "Password: ");
	ck_assert_int_gt(write(master, first, strlen(first)), 0);
	expect(master, seen, "Retype password: ");
	ck_assert_int_gt(write(master, second, strlen(second)), 0);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* collect what is left (an error message) */
	struct pollfd p = {master, POLLIN, 0};
	char chunk[256];
	ssize_t n;
	while (poll(&p, 1, 0) == 1 && (n = read(master, chunk, sizeof(chunk))) > 0)
		ck_assert(buf_append(seen, chunk, (size_t)n));
	close(master);
	FILE *f = fopen(out_path, "r");
	ck_assert_ptr_nonnull(f);
	size_t got = fread(out, 1, outlen - 1, f);
	out[got] = '\0';
	fclose(f);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(hash_main_terminal_no_echo)
{
	struct buf seen = BUF_INIT(0);
	char out[512];
	ck_assert_int_eq(run_on_tty("tty secret\n", "tty secret\n", &seen, out, sizeof(out)), 0);
	ck_assert_msg(!strstr(seen.s, "tty secret"), "password echoed: %s", seen.s);
	ck_assert(strncmp(out, "alice:{CRYPT}$y$", 16) == 0);
	out[strcspn(out, "\n")] = '\0';
	buf_reset(&seen);
	char line[600];
	ck_assert(snprintf_ok(line, sizeof(line), "%s:1000:1000", out));
	write_passwd(line);
	ck_assert_int_eq(verify("alice", "tty secret"), AUTH_OK);

	ck_assert_int_eq(run_on_tty("tty secret\n", "tty secreT\n", &seen, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(seen.s, "passwords do not match"));
	ck_assert_str_eq(out, "");
	buf_free(&seen);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hash");
	TCase *tc = tcase_create("hash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hash_round_trips);
	tcase_add_test(tc, hash_salts_differ);
	tcase_add_test(tc, hash_scram_line_serves_scram);
	tcase_add_test(tc, hash_refuses_bad_input);
	tcase_add_test(tc, hash_main_reads_stdin);
	tcase_add_test(tc, hash_main_errors);
	tcase_add_test(tc, hash_main_terminal_no_echo);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
