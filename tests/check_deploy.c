/* Deployment: each tests/deploy/NAME.sh is one test, run with the imapd
 * under test in IMAPD_BIN (see tests/run-all). They start real launchers
 * (systemd-socket-activate, xinetd, tcpserver) on 127.0.0.1, run systemd-analyze on the
 * units, install into a DESTDIR, check the man pages against the config
 * table and run fail2ban-regex over a real log. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/lib/suite.h"

/* Runs the script, returns its exit status; its output goes into out. */
static int run_script(const char *name, char *out, size_t outlen)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "sh tests/deploy/%s.sh 2>&1", name);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t len = 0;
	char chunk[4096];
	size_t n;
	out[0] = '\0';
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		/* Keep the end: that is where a failure is told. */
		if (n >= outlen - 1) {
			memcpy(out, chunk + n - (outlen - 1), outlen - 1);
			len = outlen - 1;
		} else {
			if (len + n > outlen - 1) {
				size_t drop = len + n - (outlen - 1);
				memmove(out, out + drop, len - drop);
				len -= drop;
			}
			memcpy(out + len, chunk, n);
			len += n;
		}
		out[len] = '\0';
	}
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void script_ok(const char *name)
{
	static char out[4096];
	int rc = run_script(name, out, sizeof(out));
	ck_assert_msg(rc == 0, "tests/deploy/%s.sh exited %d:\n%s", name, rc, out);
}

START_TEST(units_verify_and_security)
{
	script_ok("units");
}
END_TEST

START_TEST(install_destdir)
{
	script_ok("install");
}
END_TEST

START_TEST(man_pages_and_config_table)
{
	script_ok("docs");
}
END_TEST

START_TEST(check_config)
{
	script_ok("check-config");
}
END_TEST

START_TEST(systemd_socket_activate)
{
	script_ok("socket-activate");
}
END_TEST

START_TEST(xinetd)
{
	script_ok("xinetd");
}
END_TEST

START_TEST(tcpserver)
{
	script_ok("tcpserver");
}
END_TEST

START_TEST(privileges)
{
	script_ok("privileges");
}
END_TEST

START_TEST(tls_key_as_credential)
{
	script_ok("tls-credentials");
}
END_TEST

START_TEST(fail2ban_filter)
{
	script_ok("fail2ban");
}
END_TEST

START_TEST(shellcheck_clean)
{
	static char out[4096];
	FILE *p = popen("shellcheck -x -s sh tests/deploy/*.sh 2>&1", "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "shellcheck:\n%s", out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("deploy");
	TCase *tc = tcase_create("deploy");
	tcase_set_timeout(tc, 120); /* real launchers and clients, on a shared machine */
	tcase_add_test(tc, units_verify_and_security);
	tcase_add_test(tc, install_destdir);
	tcase_add_test(tc, man_pages_and_config_table);
	tcase_add_test(tc, check_config);
	tcase_add_test(tc, systemd_socket_activate);
	tcase_add_test(tc, xinetd);
	tcase_add_test(tc, tcpserver);
	tcase_add_test(tc, privileges);
	tcase_add_test(tc, tls_key_as_credential);
	tcase_add_test(tc, fail2ban_filter);
	tcase_add_test(tc, shellcheck_clean);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
