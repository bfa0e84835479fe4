/* scram: SCRAM-SHA-256 key derivation (RFC 5802, RFC 7677) and the
 * Dovecot-compatible stored form "{SCRAM-SHA-256}ITER,SALT,STOREDKEY,SERVERKEY"
 * (the part after the scheme prefix; salt and keys in base64).
 *
 * Passwords are used as given (no SASLprep), like Dovecot.
 */
#ifndef IMAPD_AUTH_SCRAM_H
#define IMAPD_AUTH_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define SCRAM_KEY_LEN		 32	 /* SHA-256 output */
#define SCRAM_SALT_MAX		 64	 /* longest salt accepted from a stored entry */
#define SCRAM_SALT_LEN		 16	 /* salt length we generate (as Dovecot) */
#define SCRAM_MIN_ITERATIONS	 4096	 /* RFC 7677 minimum */
#define SCRAM_MAX_ITERATIONS	 1000000 /* bounds the work one login can cause */
#define SCRAM_DEFAULT_ITERATIONS 4096	 /* what we generate (as Dovecot) */

struct scram_cred {
	unsigned iterations;
	uint8_t salt[SCRAM_SALT_MAX];
	size_t salt_len;
	uint8_t stored_key[SCRAM_KEY_LEN];
	uint8_t server_key[SCRAM_KEY_LEN];
};

/* Parses the stored form (without "{SCRAM-SHA-256}"). False if malformed or
 * if the iteration count is outside the limits above. */
bool scram_cred_parse(struct str s, struct scram_cred *c);

/* Derives the credential for pass with the given salt and iteration count.
 * False on a crypto library failure. */
bool scram_cred_derive(const void *pass, size_t passlen, const uint8_t *salt, size_t salt_len,
		       unsigned iterations, struct scram_cred *c);

/* Appends the stored form (without the prefix). */
bool scram_cred_format(const struct scram_cred *c, struct buf *out);

/* True if pass derives to c's stored key (compared in constant time). */
bool scram_cred_check_password(const struct scram_cred *c, const void *pass, size_t passlen);

/* HMAC-SHA-256 and SHA-256 into 32-byte outputs; false on library failure. */
bool scram_hmac(const void *key, size_t keylen, const void *msg, size_t msglen,
		uint8_t out[SCRAM_KEY_LEN]);
bool scram_hash(const void *msg, size_t msglen, uint8_t out[SCRAM_KEY_LEN]);

#endif
