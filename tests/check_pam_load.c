/* The PAM backend when libpam cannot be loaded: the backend is built here
 * with PAM_LIBRARY naming a library that does not exist, and must refuse
 * cleanly (AUTH_TEMPFAIL, a logged reason) rather than crash. The
 * linker takes pam_verify from this file, so passdb.c calls this copy. */
#define PAM_LIBRARY "libimapd-no-such-pam.so.0"
#include "auth/pam.c"
#include "tests/lib/suite.h"

#include <check.h>
#include <stdio.h>

static char logpath[] = "/tmp/imapd-pam-load-log";

static char *slurp(const char *path)
{
	static char text[4096];
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

START_TEST(missing_library_is_reported)
{
	struct buf err = BUF_INIT(0);
	ck_assert(!pam_available(&err));
	ck_assert_ptr_nonnull(strstr(err.s, PAM_LIBRARY));
	buf_free(&err);
}
END_TEST

START_TEST(missing_library_is_a_temporary_failure)
{
	unlink(logpath);
	log_open("imapd-test", logpath);
	struct config cfg;
	config_defaults(&cfg);
	ck_assert(config_set_line(&cfg, "passdb = pam", "t", 1, &(struct buf)BUF_INIT(0)));
	struct auth_user u;
	memset(&u, 0xa5, sizeof(u));
	ck_assert_int_eq(passdb_verify(&cfg, STR_LIT("root"), STR_LIT("secret"), &u),
			 AUTH_TEMPFAIL);
	log_close();
	const char *log = slurp(logpath);
	ck_assert_msg(strstr(log, "cannot load " PAM_LIBRARY) != NULL, "log: %s", log);
	ck_assert_msg(strstr(log, "secret") == NULL, "the password was logged: %s", log);
	unlink(logpath);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pam_load");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, missing_library_is_reported);
	tcase_add_test(tc, missing_library_is_a_temporary_failure);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
