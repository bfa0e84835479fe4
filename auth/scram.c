#include "scram.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "lib/base64.h"
#include "auth/secret.h"

bool scram_hmac(const void *key, size_t keylen, const void *msg, size_t msglen,
		uint8_t out[SCRAM_KEY_LEN])
{
	return gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, keylen, msg, msglen, out) == 0;
}

bool scram_hash(const void *msg, size_t msglen, uint8_t out[SCRAM_KEY_LEN])
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, msg, msglen, out) == 0;
}

bool scram_cred_derive(const void *pass, size_t passlen, const uint8_t *salt, size_t salt_len,
		       unsigned iterations, struct scram_cred *c)
{
	if (salt_len > sizeof(c->salt) || iterations == 0)
		return false;
	uint8_t salted[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN];
	gnutls_datum_t key = {(unsigned char *)pass, (unsigned)passlen};
	gnutls_datum_t s = {(unsigned char *)salt, (unsigned)salt_len};
	bool ok =
	    gnutls_pbkdf2(GNUTLS_MAC_SHA256, &key, &s, iterations, salted, sizeof(salted)) == 0 &&
	    scram_hmac(salted, sizeof(salted), "Client Key", 10, client_key) &&
	    scram_hash(client_key, sizeof(client_key), c->stored_key) &&
	    scram_hmac(salted, sizeof(salted), "Server Key", 10, c->server_key);
	explicit_bzero(salted, sizeof(salted));
	explicit_bzero(client_key, sizeof(client_key));
	if (!ok)
		return false;
	memmove(c->salt, salt, salt_len);
	c->salt_len = salt_len;
	c->iterations = iterations;
	return true;
}

/* Splits off the next comma-separated field of *s. */
static bool next_field(struct str *s, struct str *field)
{
	if (!s->s)
		return false;
	const char *comma = memchr(s->s, ',', s->len);
	if (!comma) {
		*field = *s;
		*s = (struct str){NULL, 0};
		return true;
	}
	*field = (struct str){s->s, (size_t)(comma - s->s)};
	s->len -= field->len + 1;
	s->s = comma + 1;
	return true;
}

bool scram_cred_parse(struct str s, struct scram_cred *c)
{
	struct str it, salt, stored, server;
	if (!next_field(&s, &it) || !next_field(&s, &salt) || !next_field(&s, &stored) ||
	    !next_field(&s, &server) || s.s)
		return false;
	if (it.len == 0 || it.len > 9)
		return false;
	unsigned n = 0;
	for (size_t i = 0; i < it.len; i++) {
		if (it.s[i] < '0' || it.s[i] > '9')
			return false;
		n = n * 10 + (unsigned)(it.s[i] - '0');
	}
	if (n < SCRAM_MIN_ITERATIONS || n > SCRAM_MAX_ITERATIONS)
		return false;
	size_t len;
	if (!b64_decode(salt, c->salt, sizeof(c->salt), &c->salt_len) || c->salt_len == 0)
		return false;
	if (!b64_decode(stored, c->stored_key, sizeof(c->stored_key), &len) || len != SCRAM_KEY_LEN)
		return false;
	if (!b64_decode(server, c->server_key, sizeof(c->server_key), &len) || len != SCRAM_KEY_LEN)
		return false;
	c->iterations = n;
	return true;
}

bool scram_cred_format(const struct scram_cred *c, struct buf *out)
{
	size_t start = out->len;
	bool ok = buf_appendf(out, "%u,", c->iterations) && b64_encode(c->salt, c->salt_len, out) &&
		  buf_appendc(out, ',') && b64_encode(c->stored_key, sizeof(c->stored_key), out) &&
		  buf_appendc(out, ',') && b64_encode(c->server_key, sizeof(c->server_key), out);
	if (!ok)
		buf_truncate(out, start);
	return ok;
}

bool scram_cred_check_password(const struct scram_cred *c, const void *pass, size_t passlen)
{
	struct scram_cred d;
	bool ok = scram_cred_derive(pass, passlen, c->salt, c->salt_len, c->iterations, &d) &&
		  secret_equal(d.stored_key, c->stored_key, sizeof(d.stored_key));
	explicit_bzero(&d, sizeof(d));
	return ok;
}
