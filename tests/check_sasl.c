/* Unit tests for auth/sasl: PLAIN and SCRAM-SHA-256. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/base64.h"
#include "auth/sasl.h"
#include "auth/scram.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"

static char tmpdir[64];
static struct config cfg;

/* Writes the passwd-file; the RFC 7677 user "user" (password "pencil") has a
 * SCRAM entry with the RFC's salt and iteration count. */
static void setup(void)
{
	strlcpy_ok(tmpdir, "/tmp/imapd-sasl-XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	char logpath[128];
	snprintf_ok(logpath, sizeof(logpath), "%s/log", tmpdir);
	log_open("imapd-test", logpath);
	config_defaults(&cfg);
	ck_assert(snprintf_ok(cfg.passwd_file, sizeof(cfg.passwd_file), "%s/passwd", tmpdir));

	uint8_t salt[32];
	size_t salt_len;
	ck_assert(b64_decode(STR_LIT("W22ZaJ0SNY7soEsUEjb6gQ=="), salt, sizeof(salt), &salt_len));
	struct scram_cred c;
	ck_assert(scram_cred_derive("pencil", 6, salt, salt_len, 4096, &c));
	struct buf b = BUF_INIT(0);
	ck_assert(buf_appends(&b, "user:{SCRAM-SHA-256}"));
	ck_assert(scram_cred_format(&c, &b));
	ck_assert(buf_appends(&b, ":1000:1000::/home/user::mail=/m/user\n"
				  "alice:{PLAIN}secret:1001:1001::/home/alice\n"
				  "a,b=c:{SCRAM-SHA-256}"));
	ck_assert(scram_cred_format(&c, &b));
	ck_assert(buf_appends(&b, ":1002:1002\n"
				  "root:{SCRAM-SHA-256}"));
	ck_assert(scram_cred_format(&c, &b));
	ck_assert(buf_appends(&b, ":0:0\n"));
	FILE *f = fopen(cfg.passwd_file, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b.s, 1, b.len, f), b.len);
	ck_assert_int_eq(fclose(f), 0);
	buf_free(&b);
}

static void teardown(void)
{
	log_close();
	char cmd[128];
	snprintf_ok(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* One PLAIN exchange with an initial response of len bytes. */
static int plain(const char *msg, size_t len)
{
	struct sasl *s = sasl_new(&cfg, STR_LIT("PLAIN"));
	ck_assert_ptr_nonnull(s);
	struct buf out = BUF_INIT(0);
	int r = sasl_step(s, (struct str){msg, len}, &out);
	ck_assert_uint_eq(out.len, 0);
	if (r == SASL_OK)
		ck_assert_ptr_nonnull(sasl_user(s));
	else
		ck_assert_ptr_null(sasl_user(s));
	/* nothing may follow the end of an exchange */
	ck_assert_int_eq(sasl_step(s, STR_LIT("x"), &out), SASL_MALFORMED);
	sasl_free(&s);
	ck_assert_ptr_null(s);
	buf_free(&out);
	return r;
}

#define PLAIN(lit) plain((lit), sizeof(lit) - 1)

START_TEST(plain_ok)
{
	struct sasl *s = sasl_new(&cfg, STR_LIT("plain"));
	ck_assert_ptr_nonnull(s);
	struct buf out = BUF_INIT(0);
	ck_assert_ptr_null(sasl_user(s));
	ck_assert_int_eq(sasl_step(s, STR_LIT("\0alice\0secret"), &out), SASL_OK);
	const struct auth_user *u = sasl_user(s);
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->name, "alice");
	ck_assert_uint_eq(u->uid, 1001);
	ck_assert_str_eq(u->home, "/home/alice");
	sasl_free(&s);
	buf_free(&out);
	ck_assert_int_eq(PLAIN("alice\0alice\0secret"), SASL_OK);
}
END_TEST

START_TEST(plain_without_initial_response)
{
	struct sasl *s = sasl_new(&cfg, STR_LIT("PLAIN"));
	struct buf out = BUF_INIT(0);
	ck_assert_int_eq(sasl_step(s, (struct str){NULL, 0}, &out), SASL_CONTINUE);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_int_eq(sasl_step(s, STR_LIT("\0alice\0secret"), &out), SASL_OK);
	sasl_free(&s);
	/* a second missing response is a protocol error */
	s = sasl_new(&cfg, STR_LIT("PLAIN"));
	ck_assert_int_eq(sasl_step(s, (struct str){NULL, 0}, &out), SASL_CONTINUE);
	ck_assert_int_eq(sasl_step(s, (struct str){NULL, 0}, &out), SASL_MALFORMED);
	sasl_free(&s);
	buf_free(&out);
}
END_TEST

START_TEST(plain_rejects)
{
	ck_assert_int_eq(PLAIN("\0alice\0wrong"), SASL_FAIL);
	ck_assert_int_eq(PLAIN("\0nobody\0secret"), SASL_FAIL);
	ck_assert_int_eq(PLAIN("bob\0alice\0secret"), SASL_FAIL); /* authzid mismatch */
	ck_assert_int_eq(PLAIN("alicE\0alice\0secret"), SASL_FAIL);
	ck_assert_int_eq(PLAIN("\0root\0pencil"), SASL_FAIL); /* uid 0 */
	ck_assert_int_eq(PLAIN("\0user\0pencil"), SASL_OK);   /* SCRAM entry, PLAIN login */
}
END_TEST

START_TEST(plain_malformed)
{
	ck_assert_int_eq(PLAIN(""), SASL_MALFORMED);
	ck_assert_int_eq(PLAIN("alice"), SASL_MALFORMED);
	ck_assert_int_eq(PLAIN("\0alice"), SASL_MALFORMED);
	ck_assert_int_eq(PLAIN("alice\0secret"), SASL_MALFORMED);
	ck_assert_int_eq(PLAIN("\0\0secret"), SASL_MALFORMED);
	ck_assert_int_eq(PLAIN("\0alice\0"), SASL_MALFORMED);
	ck_assert_int_eq(PLAIN("\0alice\0sec\0ret"), SASL_MALFORMED);
	ck_assert_int_eq(PLAIN("\0\0"), SASL_MALFORMED);
	ck_assert_int_eq(PLAIN("\0alice\0secret\0"), SASL_MALFORMED);
	char big[SASL_MAX_MESSAGE + 2];
	memset(big, 'a', sizeof(big));
	big[0] = '\0';
	big[6] = '\0';
	ck_assert_int_eq(plain(big, sizeof(big)), SASL_MALFORMED);
}
END_TEST

START_TEST(plain_tempfail)
{
	strcpy(cfg.passwd_file, "/nonexistent/passwd");
	ck_assert_int_eq(PLAIN("\0alice\0secret"), SASL_TEMPFAIL);
}
END_TEST

START_TEST(mechanism_list)
{
	ck_assert_ptr_null(sasl_new(&cfg, STR_LIT("LOGIN")));
	ck_assert_ptr_null(sasl_new(&cfg, STR_LIT("SCRAM-SHA-256-PLUS")));
	ck_assert_ptr_null(sasl_new(&cfg, STR_LIT("PLAINX")));
	ck_assert_ptr_null(sasl_new(&cfg, STR_LIT("")));
	ck_assert_str_eq(sasl_mechanisms(&cfg), "PLAIN SCRAM-SHA-256");
	struct sasl *s = sasl_new(&cfg, STR_LIT("scram-sha-256"));
	ck_assert_ptr_nonnull(s);
	sasl_free(&s);
	sasl_free(&s); /* NULL is fine */
	strcpy(cfg.passdb, "pam");
	ck_assert_str_eq(sasl_mechanisms(&cfg), "PLAIN");
	ck_assert_ptr_null(sasl_new(&cfg, STR_LIT("SCRAM-SHA-256")));
	s = sasl_new(&cfg, STR_LIT("PLAIN"));
	ck_assert_ptr_nonnull(s);
	ck_assert(!sasl_set_server_nonce(s, STR_LIT("abc")));
	sasl_free(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sasl");
	TCase *tc = tcase_create("plain");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plain_ok);
	tcase_add_test(tc, plain_without_initial_response);
	tcase_add_test(tc, plain_rejects);
	tcase_add_test(tc, plain_malformed);
	tcase_add_test(tc, plain_tempfail);
	tcase_add_test(tc, mechanism_list);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
