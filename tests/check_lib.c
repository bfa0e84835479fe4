/* Unit tests for lib/: buffers and the config file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/config.h"
#include "tests/lib/suite.h"

START_TEST(buf_append_and_limit)
{
	struct buf b = BUF_INIT(8);
	ck_assert(buf_appends(&b, "abc"));
	ck_assert(buf_append(&b, "\0de", 3));
	ck_assert_uint_eq(b.len, 6);
	ck_assert(memcmp(b.s, "abc\0de", 6) == 0);
	ck_assert(!buf_appends(&b, "xyz")); /* would pass max */
	ck_assert_uint_eq(b.len, 6);
	ck_assert(buf_appends(&b, "xy"));
	ck_assert_uint_eq(b.len, 8);
	ck_assert(!buf_appendc(&b, 'z'));
	buf_consume(&b, 3);
	ck_assert_uint_eq(b.len, 5);
	ck_assert(memcmp(b.s, "\0dexy", 5) == 0);
	buf_free(&b);
	ck_assert_ptr_null(b.s);
}
END_TEST

START_TEST(buf_printf_checked)
{
	struct buf b = BUF_INIT(10);
	ck_assert(buf_appendf(&b, "%d-%s", 42, "ab"));
	ck_assert_str_eq(b.s, "42-ab");
	ck_assert(!buf_appendf(&b, "%s", "too long!"));
	ck_assert_str_eq(b.s, "42-ab");
	buf_free(&b);
}
END_TEST

START_TEST(str_helpers)
{
	char d[4];
	ck_assert(str_copy(d, sizeof(d), STR_LIT("abc")));
	ck_assert(!str_copy(d, sizeof(d), STR_LIT("abcd")));
	ck_assert(!str_copy(d, sizeof(d), (struct str){"a\0b", 3}));
	ck_assert(str_caseeq(STR_LIT("InBoX"), "INBOX"));
	ck_assert(!str_eq(STR_LIT("InBoX"), "INBOX"));
	ck_assert(!strlcpy_ok(d, "abcd", sizeof(d)));
	ck_assert(strlcpy_ok(d, "ab", sizeof(d)));
	ck_assert(strlcat_ok(d, "c", sizeof(d)));
	ck_assert(!strlcat_ok(d, "d", sizeof(d)));
	ck_assert(!snprintf_ok(d, sizeof(d), "%d", 12345));
}
END_TEST

static char *write_tmp(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/imapd-cfg-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(config_good_file)
{
	struct config c;
	config_defaults(&c);
	ck_assert_uint_eq(c.max_line_length, 65536);
	char *p = write_tmp("# comment\n\nmax_line_length = 2048  \n"
			    "plaintext_auth=yes\nmail_location = /var/vmail/%d/%n\n"
			    "treat_loopback_as_remote = yes\n");
	struct buf err = BUF_INIT(0);
	ck_assert_msg(config_load(&c, p, &err), "%s", err.s);
	ck_assert_uint_eq(c.max_line_length, 2048);
	ck_assert_int_eq(c.plaintext_auth, PLAINTEXT_ALWAYS);
	ck_assert_str_eq(c.mail_location, "/var/vmail/%d/%n");
	ck_assert(c.treat_loopback_as_remote);
	struct buf out = BUF_INIT(0);
	ck_assert(config_dump(&c, &out));
	ck_assert_ptr_nonnull(strstr(out.s, "max_line_length = 2048\n"));
	unlink(p);
	buf_free(&err);
	buf_free(&out);
}
END_TEST

static void expect_error(const char *text, const char *msg)
{
	struct config c;
	config_defaults(&c);
	char *p = write_tmp(text);
	struct buf err = BUF_INIT(0);
	ck_assert(!config_load(&c, p, &err));
	ck_assert_msg(strstr(err.s, msg) != NULL, "got '%s', want '%s'", err.s, msg);
	ck_assert_msg(strstr(err.s, p) != NULL, "error does not name the file: %s", err.s);
	unlink(p);
	buf_free(&err);
}

START_TEST(config_errors_name_line)
{
	expect_error("max_line_length = 4096\nbogus = 1\n", ":2: unknown key \"bogus\"");
	expect_error("max_line_length = 12x\n", ":1: max_line_length: expected a whole number");
	expect_error("\nmax_line_length = 1\n", ":2: max_line_length: out of range");
	expect_error("plaintext_auth = maybe\n", ":1: plaintext_auth: not one of");
	expect_error("treat_loopback_as_remote = perhaps\n", ":1: treat_loopback_as_remote");
	expect_error("just words\n", ":1: expected \"key = value\"");
	expect_error("passdb = ldap\n", ":1: passdb");
	expect_error("auth_mechanisms = PLAIN LOGIN\n", ":1: auth_mechanisms");
	expect_error("auth_mechanisms =\n", ":1: auth_mechanisms");
	expect_error("max_line_length = 99999999999999999999999\n", ":1: max_line_length");
}
END_TEST

/* A path fills CONFIG_PATH_MAX - 1 bytes at most; one more is an error. */
START_TEST(config_path_limit)
{
	char line[CONFIG_PATH_MAX + 32];
	char path[CONFIG_PATH_MAX + 1];
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[CONFIG_PATH_MAX - 1] = '\0';
	snprintf(line, sizeof(line), "log_path = %s\n", path);
	struct config c;
	config_defaults(&c);
	struct buf err = BUF_INIT(0);
	ck_assert(config_set_line(&c, line, "t", 1, &err));
	ck_assert_uint_eq(strlen(c.log_path), CONFIG_PATH_MAX - 1);
	path[CONFIG_PATH_MAX - 1] = 'a';
	path[CONFIG_PATH_MAX] = '\0';
	snprintf(line, sizeof(line), "log_path = %s\n", path);
	expect_error(line, ":1: log_path: value too long");
	buf_free(&err);
}
END_TEST

START_TEST(config_missing_file)
{
	struct config c;
	config_defaults(&c);
	struct buf err = BUF_INIT(0);
	ck_assert(!config_load(&c, "/nonexistent/imapd.conf", &err));
	ck_assert_ptr_nonnull(strstr(err.s, "/nonexistent/imapd.conf"));
	buf_free(&err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, buf_append_and_limit);
	tcase_add_test(tc, buf_printf_checked);
	tcase_add_test(tc, str_helpers);
	tcase_add_test(tc, config_good_file);
	tcase_add_test(tc, config_errors_name_line);
	tcase_add_test(tc, config_path_limit);
	tcase_add_test(tc, config_missing_file);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
