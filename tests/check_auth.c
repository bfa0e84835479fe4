/* Unit tests for auth/: password schemes, the passwd-file backend and
 * passdb_verify, base64. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/base64.h"
#include "auth/passdb.h"
#include "auth/passwd_file.h"
#include "auth/pwscheme.h"
#include "auth/scram.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"
#include "tests/lib/suite.h"

/* Hashes of "secret", made with libxcrypt. */
#define H_SHA512                                                                                   \
	"$6$vLzOvCZooKK/"                                                                          \
	"S0YX$OSMY3BgKBT2xegAn67nL4pIXFTfZ4emZ0BpBMEkNg4QjbLJPEBHWVu7IAD.r5MIQAL6gxlqEyFHYj36Sq."  \
	"dgj1"
#define H_SHA256   "$5$ZEIOw.7akTTwfVS2$X45NF85K/Ri2tCtfm/NAC1qz7hmPUM0l2LWAYWTV5Z7"
#define H_BCRYPT   "$2b$05$BYfXH6iiezRthLhmzbqUPOkg8NryjUl6jFXz1OYgsqmzDPCnvWjn2"
#define H_BCRYPTY  "$2y$05$ICzsIIomvkrLkU8PXHo3tOGOI6fVo8L6gEzPj1ANFQgl49uEZ7sse"
#define H_YESCRYPT "$y$j9T$hFQkgJa9qHbr/9mUAWvQw1$zOv6UjswJ.JfLxdovk2wnwmauYllKhB1BmuRt0QbiR1"
#define H_MD5	   "$1$zngJWJoV$YW7mbcdtP0IClp/UpTwEt1"

static char tmpdir[64];
static char logpath[128];

static void setup(void)
{
	strlcpy_ok(tmpdir, "/tmp/imapd-auth-XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf_ok(logpath, sizeof(logpath), "%s/log", tmpdir);
	log_open("imapd-test", logpath);
}

static void teardown(void)
{
	log_close();
	char cmd[128];
	snprintf_ok(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Writes text (len bytes) as the passwd-file and points cfg at it. */
static void write_passwd(struct config *cfg, const char *text, size_t len)
{
	config_defaults(cfg);
	ck_assert(snprintf_ok(cfg->passwd_file, sizeof(cfg->passwd_file), "%s/passwd", tmpdir));
	FILE *f = fopen(cfg->passwd_file, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void write_passwd_s(struct config *cfg, const char *text)
{
	write_passwd(cfg, text, strlen(text));
}

static char *read_log(void)
{
	static char text[65536];
	FILE *f = fopen(logpath, "r");
	if (!f)
		return strcpy(text, "");
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static enum auth_result verify(const struct config *cfg, const char *user, const char *pass,
			       struct auth_user *u)
{
	return passdb_verify(cfg, (struct str){user, strlen(user)},
			     (struct str){pass, strlen(pass)}, u);
}

static enum pw_result pw(const char *stored, const char *pass)
{
	return pwscheme_verify((struct str){stored, strlen(stored)}, pass, strlen(pass));
}

START_TEST(scheme_crypt_family)
{
	const char *good[] = {"{CRYPT}" H_SHA512,
			      "{SHA512-CRYPT}" H_SHA512,
			      "{SHA256-CRYPT}" H_SHA256,
			      "{BLF-CRYPT}" H_BCRYPT,
			      "{blf-crypt}" H_BCRYPTY,
			      "{CRYPT}" H_YESCRYPT,
			      H_YESCRYPT,
			      H_SHA512,
			      H_BCRYPTY,
			      "{MD5-CRYPT}" H_MD5};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(pw(good[i], "secret") == PW_MATCH, "%s", good[i]);
		ck_assert_msg(pw(good[i], "Secret") == PW_MISMATCH, "%s", good[i]);
		ck_assert_msg(pw(good[i], "secret ") == PW_MISMATCH, "%s", good[i]);
		ck_assert_msg(pw(good[i], "") == PW_MISMATCH, "%s", good[i]);
	}
}
END_TEST

START_TEST(scheme_plain)
{
	ck_assert_int_eq(pw("{PLAIN}secret", "secret"), PW_MATCH);
	ck_assert_int_eq(pw("{plain}secret", "secret"), PW_MATCH);
	ck_assert_int_eq(pw("{PLAIN}secret", "secre"), PW_MISMATCH);
	ck_assert_int_eq(pw("{PLAIN}secret", "secrets"), PW_MISMATCH);
	ck_assert_int_eq(pw("{PLAIN}sec:ret}", "sec:ret}"), PW_MATCH);
	ck_assert_int_eq(pw("{PLAIN}", ""), PW_BAD_HASH);
}
END_TEST

START_TEST(scheme_scram_round_trip)
{
	struct scram_cred c;
	const uint8_t salt[16] = "0123456789abcdef";
	ck_assert(scram_cred_derive("secret", 6, salt, sizeof(salt), 4096, &c));
	struct buf b = BUF_INIT(0);
	ck_assert(buf_appends(&b, "{SCRAM-SHA-256}"));
	ck_assert(scram_cred_format(&c, &b));
	ck_assert_ptr_nonnull(strstr(b.s, "}4096,MDEyMzQ1Njc4OWFiY2RlZg==,"));
	ck_assert_int_eq(pw(b.s, "secret"), PW_MATCH);
	ck_assert_int_eq(pw(b.s, "secreT"), PW_MISMATCH);
	struct scram_cred d;
	ck_assert(pwscheme_scram((struct str){b.s, b.len}, &d));
	ck_assert_uint_eq(d.iterations, 4096);
	ck_assert(memcmp(d.stored_key, c.stored_key, 32) == 0);
	ck_assert(memcmp(d.server_key, c.server_key, 32) == 0);
	ck_assert(!pwscheme_scram(STR_LIT("{PLAIN}x"), &d));
	buf_free(&b);
}
END_TEST

/* Entries made by other software: Dovecot's own test data, `doveadm pw`,
 * and the RFC 7677 credential as GNU SASL writes it. */
START_TEST(scheme_foreign_entries)
{
	ck_assert_int_eq(pw("{SCRAM-SHA-256}4096,LfNGSFqiFykEZ1xDAYlnKQ==,"
			    "HACNf9CII7cMz3XjRy/Oh3Ae2LHApoDyNw74d3YtFws=,"
			    "AQH0j7Hf8J12g8eNBadvzlNB2am3PxgNwFCFd3RxEaw=",
			    "test"),
			 PW_MATCH);
	ck_assert_int_eq(pw("{SCRAM-SHA-256}4096,kUUWnvu6LCpRsZ2kf2ET8Q==,"
			    "gxa9gYcu7AKRFeHC78hBUcmzLXF1LXd0xJVbLnUT8RY=,"
			    "P1Su/6jHm9awXwS3Y2RGr56KbooOKvcO7Jw6zNTx9k8=",
			    "pass"),
			 PW_MATCH);
	ck_assert_int_eq(pw("{SCRAM-SHA-256}4096,kUUWnvu6LCpRsZ2kf2ET8Q==,"
			    "gxa9gYcu7AKRFeHC78hBUcmzLXF1LXd0xJVbLnUT8RY=,"
			    "P1Su/6jHm9awXwS3Y2RGr56KbooOKvcO7Jw6zNTx9k8=",
			    "test"),
			 PW_MISMATCH);
	ck_assert_int_eq(
	    pw("{BLF-CRYPT}$2y$05$11ipvo5dR6CwkzwmhwM26OXgzXwhV2PyPuLV.Qi31ILcRcThQpEiW", "test"),
	    PW_MATCH);
	uint8_t salt[16];
	size_t salt_len;
	ck_assert(b64_decode(STR_LIT("W22ZaJ0SNY7soEsUEjb6gQ=="), salt, sizeof(salt), &salt_len));
	struct scram_cred c;
	ck_assert(scram_cred_derive("pencil", 6, salt, salt_len, 4096, &c));
	struct buf b = BUF_INIT(0);
	ck_assert(scram_cred_format(&c, &b));
	ck_assert_str_eq(b.s, "4096,W22ZaJ0SNY7soEsUEjb6gQ==,"
			      "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=,"
			      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
	buf_free(&b);
}
END_TEST

START_TEST(scheme_bad_hashes)
{
	const char *bad[] = {
	    "{FOO}secret",
	    "{SHA512-CRYPT}",
	    "{CRYPT}*",
	    "{CRYPT}!locked",
	    "secret",
	    "",
	    "{PLAIN",
	    "$9$nonsense",
	    "{SCRAM-SHA-256}",
	    "{SCRAM-SHA-256}4096,MDEyMzQ1Njc4OWFiY2RlZg==,AAAA,AAAA",
	    /* iterations below the minimum and above the maximum */
	    "{SCRAM-SHA-256}1,MDEyMzQ1Njc4OWFiY2RlZg==,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    "{SCRAM-SHA-256}99999999,MDEyMzQ1Njc4OWFiY2RlZg==,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    /* five fields */
	    "{SCRAM-SHA-256}4096,MDEyMzQ1Njc4OWFiY2RlZg==,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,x",
	    /* bad base64 in the salt */
	    "{SCRAM-SHA-256}4096,MDEy!zQ1Njc4OWFiY2RlZg==,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    "{SCRAM-SHA-256}-4096,MDEyMzQ1Njc4OWFiY2RlZg==,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pw(bad[i], "secret") == PW_BAD_HASH, "%s", bad[i]);
	char name[40];
	pwscheme_name(STR_LIT("{SHA512-CRYPT}$6$abc"), name, sizeof(name));
	ck_assert_str_eq(name, "SHA512-CRYPT");
	pwscheme_name(STR_LIT("$y$abc"), name, sizeof(name));
	ck_assert_str_eq(name, "CRYPT");
	pwscheme_name(STR_LIT("{A\nB}x"), name, sizeof(name));
	ck_assert_str_eq(name, "A?B");
}
END_TEST

static const char good_file[] =
    "# users\n"
    "\n"
    "alice:{PLAIN}secret:1000:1001::/home/alice::userdb_mail=maildir:~/Mail\n"
    "bob:{SHA512-CRYPT}" H_SHA512 ":1002:1002::/home/bob\n"
    "carol:" H_YESCRYPT ":1003:1003:Carol C:/home/carol:/bin/sh:mail=/var/mail/carol\n"
    "dave:{BLF-CRYPT}" H_BCRYPT ":1004:1004\n";

START_TEST(passwd_file_accepts)
{
	struct config cfg;
	struct auth_user u;
	write_passwd_s(&cfg, good_file);
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_OK);
	ck_assert_str_eq(u.name, "alice");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 1001);
	ck_assert_str_eq(u.home, "/home/alice");
	ck_assert_str_eq(u.mail, "maildir:~/Mail");
	ck_assert_int_eq(verify(&cfg, "bob", "secret", &u), AUTH_OK);
	ck_assert_str_eq(u.mail, "");
	ck_assert_int_eq(verify(&cfg, "carol", "secret", &u), AUTH_OK);
	ck_assert_str_eq(u.home, "/home/carol");
	ck_assert_str_eq(u.mail, "/var/mail/carol");
	ck_assert_int_eq(verify(&cfg, "dave", "secret", &u), AUTH_OK);
	ck_assert_str_eq(u.home, "");
}
END_TEST

START_TEST(passwd_file_rejects_same_for_unknown_user)
{
	struct config cfg;
	struct auth_user u;
	write_passwd_s(&cfg, good_file);
	enum auth_result wrong = verify(&cfg, "carol", "wrong", &u);
	ck_assert_int_eq(wrong, AUTH_FAIL);
	ck_assert_str_eq(u.name, ""); /* cleared on failure */
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_int_eq(verify(&cfg, "mallory", "secret", &u), wrong);
	ck_assert_str_eq(u.name, "");
	ck_assert_int_eq(verify(&cfg, "Alice", "secret", &u), wrong); /* case matters */
	ck_assert_int_eq(verify(&cfg, "alic", "secret", &u), wrong);
	ck_assert_int_eq(verify(&cfg, "alice ", "secret", &u), wrong);
	/* a comment line is no user */
	ck_assert_int_eq(verify(&cfg, "# users", "secret", &u), wrong);
}
END_TEST

START_TEST(passwd_file_missing_is_tempfail)
{
	struct config cfg;
	struct auth_user u;
	config_defaults(&cfg);
	ck_assert(snprintf_ok(cfg.passwd_file, sizeof(cfg.passwd_file), "%s/none", tmpdir));
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_TEMPFAIL);
	ck_assert(snprintf_ok(cfg.passwd_file, sizeof(cfg.passwd_file), "%s", tmpdir));
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_TEMPFAIL);
	/* not a regular file: would never end */
	ck_assert(strlcpy_ok(cfg.passwd_file, "/dev/zero", sizeof(cfg.passwd_file)));
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_TEMPFAIL);
	ck_assert_ptr_nonnull(strstr(read_log(), "/dev/zero: not a regular file"));
	strcpy(cfg.passdb, "ldap"); /* cannot come from the config file; must not crash */
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_TEMPFAIL);
}
END_TEST

START_TEST(passwd_file_malformed_lines)
{
	struct config cfg;
	struct auth_user u;
	write_passwd_s(&cfg, "nocolon\n"					    /* 1 */
			     ":{PLAIN}topsecret1:1000:1000\n"			    /* 2 */
			     "bob::1000:1000\n"					    /* 3 */
			     "carol:{PLAIN}topsecret3:10x0:1000\n"		    /* 4 */
			     "dave:{PLAIN}topsecret4:1000:1000::rel/home\n"	    /* 5 */
			     "erin:{PLAIN}topsecret5:4294967295:1000\n"		    /* 6 */
			     "frank:{PLAIN}topsecret6:1000:-1\n"		    /* 7 */
			     "gina:{PLAIN}topsecret7:1000:1000::/h::userdb_uid=x\n" /* 8 */
			     "alice:{PLAIN}secret:1000:1000\n");		    /* 9 */
	const char *users[] = {"nocolon", "bob", "carol", "dave", "erin", "frank", "gina"};
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		char pass[32];
		snprintf_ok(pass, sizeof(pass), "topsecret%zu", i);
		ck_assert_msg(verify(&cfg, users[i], pass, &u) == AUTH_FAIL, "%s", users[i]);
	}
	ck_assert_int_eq(verify(&cfg, "carol", "topsecret3", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_OK);
	const char *log = read_log();
	for (int line = 1; line <= 8; line++) {
		char want[64];
		snprintf_ok(want, sizeof(want), "passwd:%d: ", line);
		ck_assert_msg(strstr(log, want), "line %d not logged:\n%s", line, log);
	}
	ck_assert_ptr_null(strstr(log, "passwd:9: "));
	ck_assert_msg(!strstr(log, "topsecret"), "log shows a password:\n%s", log);
	ck_assert_ptr_nonnull(strstr(log, "passwd:4: bad uid"));
	ck_assert_ptr_nonnull(strstr(log, "passwd:5: home is not an absolute path"));
}
END_TEST

/* A home longer than CONFIG_PATH_MAX - 1 bytes refuses that user alone. */
START_TEST(passwd_file_home_too_long)
{
	struct config cfg;
	struct auth_user u;
	char home[CONFIG_PATH_MAX + 1], text[2 * CONFIG_PATH_MAX + 128];
	memset(home, 'h', sizeof(home));
	home[0] = '/';
	home[CONFIG_PATH_MAX - 1] = '\0'; /* fits exactly */
	int n = snprintf(text, sizeof(text), "fits:{PLAIN}secret:1000:1000::%s\n", home);
	home[CONFIG_PATH_MAX - 1] = 'h';
	home[CONFIG_PATH_MAX] = '\0'; /* one byte too many */
	snprintf(text + n, sizeof(text) - (size_t)n, "long:{PLAIN}secret:1000:1000::%s\n", home);
	write_passwd_s(&cfg, text);
	ck_assert_int_eq(verify(&cfg, "fits", "secret", &u), AUTH_OK);
	ck_assert_uint_eq(strlen(u.home), CONFIG_PATH_MAX - 1);
	ck_assert_int_eq(verify(&cfg, "long", "secret", &u), AUTH_FAIL);
	ck_assert_ptr_nonnull(strstr(read_log(), "passwd:2: home too long"));
}
END_TEST

START_TEST(passwd_file_hostile_bytes)
{
	struct config cfg;
	struct auth_user u;
	/* A NUL in a line, a control character in a name, CRLF, no final newline. */
	static const char text[] = "bob:{PLAIN}sec\0ret:1000:1000\n"
				   "c\x01rol:{PLAIN}secret:1000:1000\n"
				   "dave:{PLAIN}secret:1000:1000\r\n"
				   "alice:{PLAIN}secret:1000:1000";
	write_passwd(&cfg, text, sizeof(text) - 1);
	ck_assert_int_eq(verify(&cfg, "bob", "sec", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "dave", "secret", &u), AUTH_OK);
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_OK);
	const char *log = read_log();
	ck_assert_ptr_nonnull(strstr(log, "passwd:1: NUL byte"));
	ck_assert_ptr_nonnull(strstr(log, "passwd:2: bad user name"));
}
END_TEST

/* A line of exactly len bytes for user "long" with password "secret",
 * padded in the ignored gecos field. */
static void long_line(struct buf *b, size_t len)
{
	const char *head = "long:{PLAIN}secret:1000:1000:";
	const char *tail = ":/home/long";
	ck_assert(buf_appends(b, head));
	size_t pad = len - strlen(head) - strlen(tail);
	for (size_t i = 0; i < pad; i++)
		ck_assert(buf_appendc(b, 'g'));
	ck_assert(buf_appends(b, tail));
	ck_assert(buf_appendc(b, '\n'));
}

START_TEST(passwd_file_long_lines)
{
	struct config cfg;
	struct auth_user u;
	struct buf b = BUF_INIT(0);
	long_line(&b, PASSWD_FILE_MAX_LINE);
	ck_assert(buf_appends(&b, "alice:{PLAIN}secret:1000:1000\n"));
	write_passwd(&cfg, b.s, b.len);
	ck_assert_int_eq(verify(&cfg, "long", "secret", &u), AUTH_OK);
	ck_assert_str_eq(u.home, "/home/long");
	buf_reset(&b);
	long_line(&b, PASSWD_FILE_MAX_LINE + 1);
	ck_assert(buf_appends(&b, "alice:{PLAIN}secret:1000:1000\n"));
	long_line(&b, 100000);
	ck_assert(buf_appends(&b, "bob:{PLAIN}secret:1000:1000\n"));
	write_passwd(&cfg, b.s, b.len);
	ck_assert_int_eq(verify(&cfg, "long", "secret", &u), AUTH_FAIL);
	/* the lines after an overlong one are still read */
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_OK);
	ck_assert_int_eq(verify(&cfg, "bob", "secret", &u), AUTH_OK);
	ck_assert_ptr_nonnull(strstr(read_log(), "passwd:1: line too long"));
	ck_assert_ptr_nonnull(strstr(read_log(), "passwd:3: line too long"));
	buf_free(&b);
}
END_TEST

START_TEST(passwd_file_too_large)
{
	struct config cfg;
	struct auth_user u;
	write_passwd_s(&cfg, "alice:{PLAIN}secret:1000:1000\n");
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_OK);
	/* grown past the limit (with zero bytes): no partial answer then */
	ck_assert_int_eq(truncate(cfg.passwd_file, (off_t)PASSWD_FILE_MAX_SIZE + 1), 0);
	ck_assert_int_eq(verify(&cfg, "alice", "secret", &u), AUTH_TEMPFAIL);
	ck_assert_ptr_nonnull(strstr(read_log(), "larger than"));
}
END_TEST

START_TEST(passwd_file_extra_fields)
{
	struct config cfg;
	struct auth_user u;
	write_passwd_s(&cfg,
		       "a:{PLAIN}pw:1000:1000::/home/a::  foo=bar  mail=maildir:/m/a:x  quota=1G\n"
		       "b:{PLAIN}pw:1000:1000::/home/b::userdb_home=/srv/b userdb_uid=2000 "
		       "userdb_gid=2001\n"
		       "c:{PLAIN}pw:1000:1000::/home/c::nologin reason=gone\n"
		       "d:{PLAIN}pw:1000:1000::/home/d::userdb_home=relative\n"
		       "e:{PLAIN}pw:1000:1000::/home/e::userdb_uid=0\n"
		       "f:{PLAIN}pw:1000:1000::/home/f::mail=\n");
	ck_assert_int_eq(verify(&cfg, "a", "pw", &u), AUTH_OK);
	ck_assert_str_eq(u.mail, "maildir:/m/a:x");
	ck_assert_int_eq(verify(&cfg, "b", "pw", &u), AUTH_OK);
	ck_assert_str_eq(u.home, "/srv/b");
	ck_assert_uint_eq(u.uid, 2000);
	ck_assert_uint_eq(u.gid, 2001);
	ck_assert_int_eq(verify(&cfg, "c", "pw", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "d", "pw", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "e", "pw", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "f", "pw", &u), AUTH_OK);
	ck_assert_str_eq(u.mail, "");
	ck_assert_ptr_nonnull(strstr(read_log(), "passwd:4: bad userdb_home"));
}
END_TEST

START_TEST(passwd_file_refuses_uid_0)
{
	struct config cfg;
	struct auth_user u;
	write_passwd_s(&cfg, "root:{PLAIN}pw:0:0::/root\n"
			     "wheel:{PLAIN}pw:1000:0::/home/wheel\n"
			     "self:{PLAIN}pw\n");
	ck_assert_int_eq(verify(&cfg, "root", "pw", &u), AUTH_FAIL);
	ck_assert_str_eq(u.name, "");
	ck_assert_int_eq(verify(&cfg, "wheel", "pw", &u), AUTH_FAIL);
	ck_assert_ptr_nonnull(strstr(read_log(), "user root maps to uid 0 gid 0"));
	/* empty uid/gid: the ids imapd runs as, refused when that is root */
	enum auth_result r = verify(&cfg, "self", "pw", &u);
	if (getuid() == 0 || getgid() == 0) {
		ck_assert_int_eq(r, AUTH_FAIL);
	} else {
		ck_assert_int_eq(r, AUTH_OK);
		ck_assert_uint_eq(u.uid, getuid());
		ck_assert_uint_eq(u.gid, getgid());
	}
}
END_TEST

START_TEST(passdb_name_and_password_rules)
{
	struct config cfg;
	struct auth_user u;
	char name[AUTH_USER_MAX + 2];
	memset(name, 'n', sizeof(name));
	name[AUTH_USER_MAX] = '\0';
	struct buf b = BUF_INIT(0);
	ck_assert(buf_appendf(&b, "%s:{PLAIN}pw:1000:1000\nx:{PLAIN}pw:1000:1000\n", name));
	write_passwd(&cfg, b.s, b.len);
	buf_free(&b);
	ck_assert_int_eq(verify(&cfg, name, "pw", &u), AUTH_OK);
	ck_assert_str_eq(u.name, name);
	name[AUTH_USER_MAX] = 'n';
	name[AUTH_USER_MAX + 1] = '\0';
	ck_assert_int_eq(verify(&cfg, name, "pw", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "", "pw", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "x:", "pw", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "x\n", "pw", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "x\x7f", "pw", &u), AUTH_FAIL);
	ck_assert_int_eq(passdb_verify(&cfg, STR_LIT("x\0"), STR_LIT("pw"), &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "x", "pw", &u), AUTH_OK);
	ck_assert_int_eq(verify(&cfg, "x", "", &u), AUTH_FAIL);
	ck_assert_int_eq(passdb_verify(&cfg, STR_LIT("x"), STR_LIT("pw\0"), &u), AUTH_FAIL);
	char big[AUTH_PASS_MAX + 2];
	memset(big, 'p', sizeof(big));
	big[AUTH_PASS_MAX + 1] = '\0';
	ck_assert_int_eq(verify(&cfg, "x", big, &u), AUTH_FAIL);
	ck_assert(passdb_user_valid(STR_LIT("user@example.org")));
	ck_assert(passdb_user_valid(STR_LIT("j\xc3\xbcrgen")));
	ck_assert(!passdb_user_valid(STR_LIT("a\tb")));
}
END_TEST

START_TEST(passdb_first_entry_wins)
{
	struct config cfg;
	struct auth_user u;
	write_passwd_s(&cfg, "x:{PLAIN}one:1000:1000\nx:{PLAIN}two:2000:2000\n");
	ck_assert_int_eq(verify(&cfg, "x", "one", &u), AUTH_OK);
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_int_eq(verify(&cfg, "x", "two", &u), AUTH_FAIL);
}
END_TEST

START_TEST(passdb_rereads_file)
{
	struct config cfg;
	struct auth_user u;
	write_passwd_s(&cfg, "x:{PLAIN}one:1000:1000\n");
	ck_assert_int_eq(verify(&cfg, "x", "one", &u), AUTH_OK);
	write_passwd_s(&cfg, "x:{PLAIN}two:1000:1000\n");
	ck_assert_int_eq(verify(&cfg, "x", "one", &u), AUTH_FAIL);
	ck_assert_int_eq(verify(&cfg, "x", "two", &u), AUTH_OK);
}
END_TEST

START_TEST(passdb_scram_lookup_fakes)
{
	struct config cfg;
	struct auth_user u;
	struct scram_cred c, c2, real;
	const uint8_t salt[16] = "0123456789abcdef";
	ck_assert(scram_cred_derive("pw", 2, salt, sizeof(salt), 4096, &real));
	struct buf b = BUF_INIT(0);
	ck_assert(buf_appends(&b, "s:{SCRAM-SHA-256}"));
	ck_assert(scram_cred_format(&real, &b));
	ck_assert(buf_appends(&b, ":1000:1000::/home/s\np:{PLAIN}pw:1000:1000\n"));
	write_passwd(&cfg, b.s, b.len);
	ck_assert_int_eq(verify(&cfg, "s", "pw", &u), AUTH_OK); /* LOGIN works too */
	ck_assert_int_eq(passdb_scram_lookup(&cfg, STR_LIT("s"), &c, &u), AUTH_OK);
	ck_assert_str_eq(u.home, "/home/s");
	ck_assert(memcmp(c.stored_key, real.stored_key, 32) == 0);
	/* unknown user and a user without SCRAM secret: a stable fake salt */
	ck_assert_int_eq(passdb_scram_lookup(&cfg, STR_LIT("nobody"), &c, &u), AUTH_FAIL);
	ck_assert_str_eq(u.name, "");
	ck_assert_int_eq(passdb_scram_lookup(&cfg, STR_LIT("nobody"), &c2, &u), AUTH_FAIL);
	ck_assert_uint_eq(c.salt_len, SCRAM_SALT_LEN);
	ck_assert_uint_eq(c.iterations, SCRAM_DEFAULT_ITERATIONS);
	ck_assert(memcmp(c.salt, c2.salt, c.salt_len) == 0);
	ck_assert_int_eq(passdb_scram_lookup(&cfg, STR_LIT("p"), &c2, &u), AUTH_FAIL);
	ck_assert(memcmp(c.salt, c2.salt, c.salt_len) != 0);
	buf_free(&b);
	strcpy(cfg.passwd_file, "/nonexistent/passwd");
	ck_assert_int_eq(passdb_scram_lookup(&cfg, STR_LIT("s"), &c, &u), AUTH_TEMPFAIL);
}
END_TEST

static bool dec(const char *in, const char *want, size_t wantlen)
{
	uint8_t out[64];
	size_t n;
	if (!b64_decode((struct str){in, strlen(in)}, out, sizeof(out), &n))
		return false;
	return n == wantlen && memcmp(out, want, n) == 0;
}

START_TEST(base64_vectors)
{
	const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (int i = 0; i < 7; i++) {
		struct buf b = BUF_INIT(0);
		ck_assert(b64_encode(plain[i], strlen(plain[i]), &b));
		ck_assert_str_eq(b.s, enc[i]);
		ck_assert(dec(enc[i], plain[i], strlen(plain[i])));
		buf_free(&b);
	}
	ck_assert(dec("AP8=", "\0\xff", 2));
	struct buf small = BUF_INIT(3);
	ck_assert(!b64_encode("foo", 3, &small));
	ck_assert_uint_eq(small.len, 0);
	buf_free(&small);
}
END_TEST

START_TEST(base64_hostile)
{
	const char *bad[] = {"Zg=",  "Zg",   "Z===", "====", "Zg==Zg==", "Zm9v\n", " Zm9v",
			     "Zh==", "Zm9=", "Zm!v", "Zg=a", "=Zm9",	 "Zm9vY",  "Zm\0v"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t out[64];
		size_t n;
		ck_assert_msg(
		    !b64_decode((struct str){bad[i], strlen(bad[i])}, out, sizeof(out), &n),
		    "accepted %s", bad[i]);
	}
	uint8_t out[2];
	size_t n;
	ck_assert(!b64_decode(STR_LIT("Zm9v"), out, sizeof(out), &n)); /* no room */
	ck_assert(!b64_decode(STR_LIT("Zm\0v"), out, sizeof(out), &n));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("passdb");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, scheme_crypt_family);
	tcase_add_test(tc, scheme_plain);
	tcase_add_test(tc, scheme_scram_round_trip);
	tcase_add_test(tc, scheme_foreign_entries);
	tcase_add_test(tc, scheme_bad_hashes);
	tcase_add_test(tc, passwd_file_accepts);
	tcase_add_test(tc, passwd_file_rejects_same_for_unknown_user);
	tcase_add_test(tc, passwd_file_missing_is_tempfail);
	tcase_add_test(tc, passwd_file_malformed_lines);
	tcase_add_test(tc, passwd_file_home_too_long);
	tcase_add_test(tc, passwd_file_hostile_bytes);
	tcase_add_test(tc, passwd_file_long_lines);
	tcase_add_test(tc, passwd_file_too_large);
	tcase_add_test(tc, passwd_file_extra_fields);
	tcase_add_test(tc, passwd_file_refuses_uid_0);
	tcase_add_test(tc, passdb_name_and_password_rules);
	tcase_add_test(tc, passdb_first_entry_wins);
	tcase_add_test(tc, passdb_rereads_file);
	tcase_add_test(tc, passdb_scram_lookup_fakes);
	tcase_add_test(tc, base64_vectors);
	tcase_add_test(tc, base64_hostile);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
