/* Unit tests for auth/sasl: PLAIN and SCRAM-SHA-256. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "lib/base64.h"
#include "auth/sasl_mech.h"
#include "auth/sasl.h"
#include "auth/scram.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"
#include "tests/lib/suite.h"

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
	strcpy(cfg.auth_mechanisms, "PLAIN SCRAM-SHA-256");

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
	ck_assert(buf_appends(&b, ":0:0\n"
				  "locked:{SCRAM-SHA-256}"));
	ck_assert(scram_cred_format(&c, &b));
	ck_assert(buf_appends(&b, ":1003:1003::/home/locked::nologin\n"));
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
	/* SCRAM only when the admin lists it: the default offers PLAIN. */
	strcpy(cfg.auth_mechanisms, "PLAIN");
	ck_assert_str_eq(sasl_mechanisms(&cfg), "PLAIN");
	ck_assert_ptr_null(sasl_new(&cfg, STR_LIT("SCRAM-SHA-256")));
	strcpy(cfg.auth_mechanisms, "SCRAM-SHA-256");
	ck_assert_str_eq(sasl_mechanisms(&cfg), "SCRAM-SHA-256");
	ck_assert_ptr_null(sasl_new(&cfg, STR_LIT("PLAIN")));
	strcpy(cfg.auth_mechanisms, "PLAIN SCRAM-SHA-256");
	strcpy(cfg.passdb, "pam");
	ck_assert_str_eq(sasl_mechanisms(&cfg), "PLAIN");
	ck_assert_ptr_null(sasl_new(&cfg, STR_LIT("SCRAM-SHA-256")));
	s = sasl_new(&cfg, STR_LIT("PLAIN"));
	ck_assert_ptr_nonnull(s);
	ck_assert(!sasl_set_server_nonce(s, STR_LIT("abc")));
	sasl_free(&s);
}
END_TEST

/* RFC 7677 section 3. */
#define V_CFIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define V_SNONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define V_NONCE	 "rOprNGfwEbeRWgbNEkqO" V_SNONCE
#define V_SFIRST "r=" V_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define V_PROOF	 "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define V_CFINAL "c=biws,r=" V_NONCE "," V_PROOF
#define V_SFINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

static struct sasl *scram_vector_start(struct buf *out)
{
	struct sasl *s = sasl_new(&cfg, STR_LIT("SCRAM-SHA-256"));
	ck_assert_ptr_nonnull(s);
	ck_assert(sasl_set_server_nonce(s, STR_LIT(V_SNONCE)));
	ck_assert_int_eq(sasl_step(s, STR_LIT(V_CFIRST), out), SASL_CONTINUE);
	ck_assert_str_eq(out->s, V_SFIRST);
	ck_assert_ptr_null(sasl_user(s));
	return s;
}

START_TEST(scram_rfc7677_vector)
{
	struct buf out = BUF_INIT(0);
	struct sasl *s = scram_vector_start(&out);
	ck_assert(!sasl_set_server_nonce(s, STR_LIT("late"))); /* only before the start */
	ck_assert_int_eq(sasl_step(s, STR_LIT(V_CFINAL), &out), SASL_OK);
	ck_assert_str_eq(out.s, V_SFINAL);
	const struct auth_user *u = sasl_user(s);
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->name, "user");
	ck_assert_uint_eq(u->uid, 1000);
	ck_assert_str_eq(u->home, "/home/user");
	ck_assert_str_eq(u->mail, "/m/user");
	ck_assert_int_eq(sasl_step(s, STR_LIT(""), &out), SASL_MALFORMED);
	ck_assert_ptr_null(sasl_user(s));
	sasl_free(&s);
	buf_free(&out);
}
END_TEST

START_TEST(scram_without_initial_response)
{
	struct buf out = BUF_INIT(0);
	struct sasl *s = sasl_new(&cfg, STR_LIT("SCRAM-SHA-256"));
	ck_assert(sasl_set_server_nonce(s, STR_LIT(V_SNONCE)));
	ck_assert_int_eq(sasl_step(s, (struct str){NULL, 0}, &out), SASL_CONTINUE);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_int_eq(sasl_step(s, STR_LIT(V_CFIRST), &out), SASL_CONTINUE);
	ck_assert_str_eq(out.s, V_SFIRST);
	ck_assert_int_eq(sasl_step(s, STR_LIT(V_CFINAL), &out), SASL_OK);
	ck_assert_str_eq(out.s, V_SFINAL);
	sasl_free(&s);
	buf_free(&out);
}
END_TEST

/* Runs the vector with a different client-final message. */
static int vector_final(const char *final)
{
	struct buf out = BUF_INIT(0);
	struct sasl *s = scram_vector_start(&out);
	int r = sasl_step(s, (struct str){final, strlen(final)}, &out);
	if (r != SASL_OK)
		ck_assert_uint_eq(out.len, 0);
	ck_assert_ptr_null(sasl_user(s));
	sasl_free(&s);
	buf_free(&out);
	return r;
}

START_TEST(scram_bad_proof_and_nonce)
{
	/* proof with one bit flipped */
	ck_assert_int_eq(
	    vector_final("c=biws,r=" V_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVU="),
	    SASL_FAIL);
	/* wrong nonces: another server part, only the client part, an extra byte */
	ck_assert_int_eq(vector_final("c=biws,r=rOprNGfwEbeRWgbNEkqOxxx," V_PROOF), SASL_FAIL);
	ck_assert_int_eq(vector_final("c=biws,r=rOprNGfwEbeRWgbNEkqO," V_PROOF), SASL_FAIL);
	ck_assert_int_eq(vector_final("c=biws,r=" V_NONCE "x," V_PROOF), SASL_FAIL);
	/* channel binding data that is not our gs2 header ("y,," instead of "n,,") */
	ck_assert_int_eq(vector_final("c=eSws,r=" V_NONCE "," V_PROOF), SASL_FAIL);
}
END_TEST

START_TEST(scram_malformed_final)
{
	const char *bad[] = {
	    "",
	    "c=biws",
	    "c=biws,r=" V_NONCE,
	    "c=biws,r=" V_NONCE ",",
	    "c=biws,r=" V_NONCE ",p=",
	    "c=biws,r=" V_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",
	    "c=biws,r=" V_NONCE ",p=dHzb", /* short proof */
	    "c=biws,r=" V_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQdHzb",
	    "c=biws,r=" V_NONCE ",q=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
	    "r=" V_NONCE ",c=biws," V_PROOF, /* order matters */
	    "c=bi!s,r=" V_NONCE "," V_PROOF,
	    "c=biws,," V_PROOF,
	    "c=biws,r=" V_NONCE ",1=x," V_PROOF,
	    "c=biws,r=" V_NONCE ",," V_PROOF,
	    "c=biws,x," V_PROOF,
	    V_PROOF,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(vector_final(bad[i]) == SASL_MALFORMED, "%s", bad[i]);
	/* an unknown extension is allowed and covered by the proof */
	ck_assert_int_eq(vector_final("c=biws,r=" V_NONCE ",x=1," V_PROOF), SASL_FAIL);
	/* NUL bytes */
	struct buf out = BUF_INIT(0);
	struct sasl *s = scram_vector_start(&out);
	ck_assert_int_eq(sasl_step(s, STR_LIT("c=biws\0,r=" V_NONCE "," V_PROOF), &out),
			 SASL_MALFORMED);
	sasl_free(&s);
	buf_free(&out);
}
END_TEST

static int first(const char *msg, size_t len, struct buf *out)
{
	struct sasl *s = sasl_new(&cfg, STR_LIT("SCRAM-SHA-256"));
	ck_assert_ptr_nonnull(s);
	int r = sasl_step(s, (struct str){msg, len}, out);
	if (r != SASL_CONTINUE)
		ck_assert_uint_eq(out->len, 0);
	sasl_free(&s);
	return r;
}

#define FIRST(lit, out) first((lit), sizeof(lit) - 1, (out))

START_TEST(scram_malformed_first)
{
	struct buf out = BUF_INIT(0);
	const char *bad[] = {
	    "",
	    "n",
	    "n,",
	    "n,,",
	    "x,,n=user,r=abc",
	    "p=tls-unique,,n=user,r=abc", /* channel binding is not offered */
	    "p,,n=user,r=abc",
	    "nn,,n=user,r=abc",
	    "n,b=user,n=user,r=abc",
	    "n,,m=ext,n=user,r=abc",
	    "n,,n=user",
	    "n,,n=user,",
	    "n,,n=user,r=",
	    "n,,r=abc,n=user",
	    "n,,n=,r=abc",
	    "n,,n=us=er,r=abc",
	    "n,,n=us=2,r=abc",
	    "n,,n=us=3d,r=abc",
	    "n,,n=user,r=a b",
	    "n,,n=user,r=abc\x7f",
	    "n,,n=user,r=abc,",
	    "n,,n=user,r=abc,1=2",
	    "n,,n=us\x01r,r=abc",
	    "n,,n=us:er,r=abc",
	    "n,,user,r=abc",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(first(bad[i], strlen(bad[i]), &out) == SASL_MALFORMED, "%s", bad[i]);
	ck_assert_int_eq(FIRST("n,,n=user,r=ab\0c", &out), SASL_MALFORMED);
	/* a 65-byte client nonce is over the limit, 64 is fine */
	char msg[200];
	snprintf_ok(msg, sizeof(msg), "n,,n=user,r=%065d", 0);
	ck_assert_int_eq(first(msg, strlen(msg), &out), SASL_MALFORMED);
	snprintf_ok(msg, sizeof(msg), "n,,n=user,r=%064d", 0);
	ck_assert_int_eq(first(msg, strlen(msg), &out), SASL_CONTINUE);
	/* accepted forms */
	ck_assert_int_eq(FIRST("y,,n=user,r=abc", &out), SASL_CONTINUE);
	ck_assert_int_eq(FIRST("n,a=user,n=user,r=abc", &out), SASL_CONTINUE);
	ck_assert_int_eq(FIRST("n,,n=user,r=abc,x=ext", &out), SASL_CONTINUE);
	ck_assert_int_eq(FIRST("n,a=alice,n=user,r=abc", &out), SASL_FAIL);
	buf_free(&out);
}
END_TEST

/* The client side, for exchanges other than the RFC vector. */
static void client_proof(const char *pass, const char *server_first, const char *auth_msg,
			 char *proof_b64, size_t prooflen)
{
	const char *sp = strstr(server_first, ",s="), *ip = strstr(server_first, ",i=");
	ck_assert(sp && ip);
	uint8_t salt[64], salted[32], ck[32], sk[32], sig[32];
	size_t salt_len;
	ck_assert(
	    b64_decode((struct str){sp + 3, (size_t)(ip - sp - 3)}, salt, sizeof(salt), &salt_len));
	gnutls_datum_t key = {(unsigned char *)pass, (unsigned)strlen(pass)};
	gnutls_datum_t sd = {salt, (unsigned)salt_len};
	ck_assert_int_eq(
	    gnutls_pbkdf2(GNUTLS_MAC_SHA256, &key, &sd, (unsigned)atoi(ip + 3), salted, 32), 0);
	ck_assert(scram_hmac(salted, 32, "Client Key", 10, ck));
	ck_assert(scram_hash(ck, 32, sk));
	ck_assert(scram_hmac(sk, 32, auth_msg, strlen(auth_msg), sig));
	for (int i = 0; i < 32; i++)
		ck[i] ^= sig[i];
	struct buf b = BUF_INIT(0);
	ck_assert(b64_encode(ck, 32, &b));
	ck_assert(strlcpy_ok(proof_b64, b.s, prooflen));
	buf_free(&b);
}

/* A full exchange with a random server nonce; returns the final status. */
static int scram_login(const char *gs2, const char *c_b64, const char *name, const char *pass,
		       const struct auth_user **user, struct sasl **sp)
{
	struct buf out = BUF_INIT(0);
	struct sasl *s = sasl_new(&cfg, STR_LIT("SCRAM-SHA-256"));
	char bare[300], cfirst[600], cfinal_wo[600], auth_msg[2000], proof[64], cfinal[700];
	ck_assert(snprintf_ok(bare, sizeof(bare), "n=%s,r=fyko+d2lbbFgONRv9qkxdawL", name));
	ck_assert(snprintf_ok(cfirst, sizeof(cfirst), "%s%s", gs2, bare));
	int r = sasl_step(s, (struct str){cfirst, strlen(cfirst)}, &out);
	if (r != SASL_CONTINUE)
		goto done;
	ck_assert(strncmp(out.s, "r=fyko+d2lbbFgONRv9qkxdawL", 26) == 0);
	ck_assert_uint_gt(strcspn(out.s, ","), 26); /* a server part follows */
	char nonce[200];
	ck_assert(
	    snprintf_ok(nonce, sizeof(nonce), "%.*s", (int)strcspn(out.s + 2, ","), out.s + 2));
	ck_assert(snprintf_ok(cfinal_wo, sizeof(cfinal_wo), "c=%s,r=%s", c_b64, nonce));
	ck_assert(snprintf_ok(auth_msg, sizeof(auth_msg), "%s,%s,%s", bare, out.s, cfinal_wo));
	client_proof(pass, out.s, auth_msg, proof, sizeof(proof));
	ck_assert(snprintf_ok(cfinal, sizeof(cfinal), "%s,p=%s", cfinal_wo, proof));
	r = sasl_step(s, (struct str){cfinal, strlen(cfinal)}, &out);
	if (r == SASL_OK)
		ck_assert(strncmp(out.s, "v=", 2) == 0);
done:
	*user = sasl_user(s);
	*sp = s;
	buf_free(&out);
	return r;
}

START_TEST(scram_escaped_name_and_y_flag)
{
	const struct auth_user *u;
	struct sasl *s;
	ck_assert_int_eq(scram_login("n,,", "biws", "a=2Cb=3Dc", "pencil", &u, &s), SASL_OK);
	ck_assert_str_eq(u->name, "a,b=c");
	sasl_free(&s);
	ck_assert_int_eq(scram_login("y,,", "eSws", "user", "pencil", &u, &s), SASL_OK);
	sasl_free(&s);
	ck_assert_int_eq(scram_login("n,a=user,", "bixhPXVzZXIs", "user", "pencil", &u, &s),
			 SASL_OK);
	sasl_free(&s);
	/* c= must repeat the header actually sent */
	ck_assert_int_eq(scram_login("n,a=user,", "biws", "user", "pencil", &u, &s), SASL_FAIL);
	sasl_free(&s);
	ck_assert_int_eq(scram_login("n,,", "biws", "user", "pencil!", &u, &s), SASL_FAIL);
	ck_assert_ptr_null(u);
	sasl_free(&s);
}
END_TEST

START_TEST(scram_unknown_user_looks_alike)
{
	const struct auth_user *u;
	struct sasl *s;
	struct buf a = BUF_INIT(0), b = BUF_INIT(0);
	/* the exchange runs to the end and fails there, like a wrong password */
	ck_assert_int_eq(scram_login("n,,", "biws", "nobody", "pencil", &u, &s), SASL_FAIL);
	ck_assert_ptr_null(u);
	sasl_free(&s);
	/* PLAIN-only users and refused users fail the same way */
	ck_assert_int_eq(scram_login("n,,", "biws", "alice", "secret", &u, &s), SASL_FAIL);
	sasl_free(&s);
	ck_assert_int_eq(scram_login("n,,", "biws", "root", "pencil", &u, &s), SASL_FAIL);
	sasl_free(&s);
	ck_assert_int_eq(scram_login("n,,", "biws", "locked", "pencil", &u, &s), SASL_FAIL);
	ck_assert_ptr_null(u);
	sasl_free(&s);
	/* same salt and iteration count for the same unknown name each time */
	ck_assert_int_eq(FIRST("n,,n=nobody,r=abc", &a), SASL_CONTINUE);
	ck_assert_int_eq(FIRST("n,,n=nobody,r=abc", &b), SASL_CONTINUE);
	ck_assert_str_eq(strstr(a.s, ",s="), strstr(b.s, ",s="));
	ck_assert_ptr_nonnull(strstr(a.s, ",i=4096"));
	/* but the server nonce changes */
	ck_assert_str_ne(a.s, b.s);
	buf_free(&a);
	buf_free(&b);
}
END_TEST

START_TEST(scram_tempfail)
{
	struct buf out = BUF_INIT(0);
	strcpy(cfg.passwd_file, "/nonexistent/passwd");
	ck_assert_int_eq(FIRST(V_CFIRST, &out), SASL_TEMPFAIL);
	buf_free(&out);
}
END_TEST

START_TEST(scram_nonce_injection_rules)
{
	struct sasl *s = sasl_new(&cfg, STR_LIT("SCRAM-SHA-256"));
	ck_assert(!sasl_set_server_nonce(s, STR_LIT("")));
	ck_assert(!sasl_set_server_nonce(s, STR_LIT("a,b")));
	ck_assert(!sasl_set_server_nonce(s, STR_LIT("a b")));
	char big[SCRAM_NONCE_MAX + 1];
	memset(big, 'n', sizeof(big));
	ck_assert(!sasl_set_server_nonce(s, (struct str){big, sizeof(big)}));
	ck_assert(sasl_set_server_nonce(s, (struct str){big, sizeof(big) - 1}));
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
	tc = tcase_create("scram");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, scram_rfc7677_vector);
	tcase_add_test(tc, scram_without_initial_response);
	tcase_add_test(tc, scram_bad_proof_and_nonce);
	tcase_add_test(tc, scram_malformed_final);
	tcase_add_test(tc, scram_malformed_first);
	tcase_add_test(tc, scram_escaped_name_and_y_flag);
	tcase_add_test(tc, scram_unknown_user_looks_alike);
	tcase_add_test(tc, scram_tempfail);
	tcase_add_test(tc, scram_nonce_injection_rules);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
