/* Unit tests for the PAM passdb backend. They need root: they create a
 * system user (useradd, chpasswd) and PAM service files in /etc/pam.d,
 * and remove both afterwards. Not root: the tests are skipped, saying so. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/passdb.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"
#include "tests/lib/suite.h"

#define TEST_USER  "imapdpamtest"
#define TEST_PASS  "Pam test 123!"
#define TEST_HOME  "/nonexistent/imapdpamtest"
#define SVC_UNIX   "imapd-test"
#define SVC_DENY   "imapd-test-deny"
#define SVC_PERMIT "imapd-test-permit"

static struct config cfg;
static char logpath[] = "/tmp/imapd-pam-log";

static void write_service(const char *name, const char *text)
{
	char path[128];
	ck_assert(snprintf_ok(path, sizeof(path), "/etc/pam.d/%s", name));
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void cleanup(void)
{
	(void)system("userdel " TEST_USER " >/dev/null 2>&1");
	unlink("/etc/pam.d/" SVC_UNIX);
	unlink("/etc/pam.d/" SVC_DENY);
	unlink("/etc/pam.d/" SVC_PERMIT);
	unlink(logpath);
}

/* Once for the test case, in the parent process. */
static void setup_once(void)
{
	cleanup();
	ck_assert_int_eq(system("useradd -M -N -d " TEST_HOME " -s /usr/sbin/nologin " TEST_USER),
			 0);
	ck_assert_int_eq(system("echo '" TEST_USER ":" TEST_PASS "' | chpasswd"), 0);
	write_service(SVC_UNIX, "auth required pam_unix.so nodelay\n"
				"account required pam_unix.so\n");
	write_service(SVC_DENY, "auth required pam_deny.so\naccount required pam_deny.so\n");
	write_service(SVC_PERMIT, "auth required pam_permit.so\n"
				  "account required pam_permit.so\n");
}

static void setup(void)
{
	log_open("imapd-test", logpath);
	config_defaults(&cfg);
	ck_assert(strlcpy_ok(cfg.passdb, "pam", sizeof(cfg.passdb)));
	ck_assert(strlcpy_ok(cfg.pam_service, SVC_UNIX, sizeof(cfg.pam_service)));
}

static void teardown(void)
{
	log_close();
}

static enum auth_result verify(const char *user, const char *pass, struct auth_user *u)
{
	return passdb_verify(&cfg, (struct str){user, strlen(user)},
			     (struct str){pass, strlen(pass)}, u);
}

START_TEST(pam_ok)
{
	struct auth_user u;
	ck_assert_int_eq(verify(TEST_USER, TEST_PASS, &u), AUTH_OK);
	ck_assert_str_eq(u.name, TEST_USER);
	ck_assert_str_eq(u.home, TEST_HOME);
	ck_assert_uint_gt(u.uid, 0);
	ck_assert_uint_gt(u.gid, 0);
	ck_assert_str_eq(u.mail, "");
}
END_TEST

START_TEST(pam_bad)
{
	struct auth_user u;
	ck_assert_int_eq(verify(TEST_USER, "Pam test 123", &u), AUTH_FAIL);
	ck_assert_str_eq(u.name, "");
	ck_assert_int_eq(verify(TEST_USER, TEST_PASS " ", &u), AUTH_FAIL);
	ck_assert_int_eq(verify("imapdnosuchuser", TEST_PASS, &u), AUTH_FAIL);
	ck_assert(strlcpy_ok(cfg.pam_service, SVC_DENY, sizeof(cfg.pam_service)));
	ck_assert_int_eq(verify(TEST_USER, TEST_PASS, &u), AUTH_FAIL);
}
END_TEST

START_TEST(pam_refuses_root_and_unmapped_users)
{
	struct auth_user u;
	/* pam_permit accepts anyone; the system user database still decides. */
	ck_assert(strlcpy_ok(cfg.pam_service, SVC_PERMIT, sizeof(cfg.pam_service)));
	ck_assert_int_eq(verify("root", "anything", &u), AUTH_FAIL);
	ck_assert_int_eq(verify("imapdnosuchuser", "anything", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(TEST_USER, "anything", &u), AUTH_OK);
	FILE *f = fopen(logpath, "r");
	ck_assert_ptr_nonnull(f);
	char text[8192];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "user root maps to uid 0"));
	ck_assert_ptr_nonnull(strstr(text, "imapdnosuchuser authenticated but is no system user"));
	ck_assert_ptr_null(strstr(text, "anything"));
}
END_TEST

START_TEST(pam_skipped_not_root)
{
	printf("check_pam: not running as root; PAM tests skipped "
	       "(they create a system user and /etc/pam.d files)\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pam");
	TCase *tc = tcase_create("pam");
	if (geteuid() != 0) {
		tcase_add_test(tc, pam_skipped_not_root);
	} else {
		tcase_add_unchecked_fixture(tc, setup_once, cleanup);
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_test(tc, pam_ok);
		tcase_add_test(tc, pam_bad);
		tcase_add_test(tc, pam_refuses_root_and_unmapped_users);
	}
	suite_add_tcase(s, tc);
	return suite_run(s);
}
