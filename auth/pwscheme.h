/* pwscheme: checks a password against a stored hash in Dovecot's notation.
 *
 * Accepted stored forms (scheme names are case-insensitive):
 *   {CRYPT}, {SHA512-CRYPT}, {SHA256-CRYPT}, {BLF-CRYPT}, {MD5-CRYPT}, and a
 *   bare crypt(3) hash starting with '$' ($y$ yescrypt, $6$, $5$, $2b$/$2y$,
 *   $1$): verified by libxcrypt's crypt_r;
 *   {PLAIN}text: the password in clear (for tests and migrations);
 *   {SCRAM-SHA-256}ITER,SALT,STOREDKEY,SERVERKEY: verified by PBKDF2.
 * Results are always compared in constant time.
 */
#ifndef IMAPD_AUTH_PWSCHEME_H
#define IMAPD_AUTH_PWSCHEME_H

#include <stddef.h>

#include "auth/scram.h"
#include "lib/buf.h"

enum pw_result {
	PW_MATCH,
	PW_MISMATCH,
	PW_BAD_HASH, /* unknown scheme or a stored value we cannot use */
	PW_ERROR,    /* out of memory or a crypto library failure */
};

/* Checks pass (NUL-terminated, passlen bytes, no NUL inside) against stored. */
enum pw_result pwscheme_verify(struct str stored, const char *pass, size_t passlen);

/* Spends the same work as checking a default yescrypt hash, then reports
 * nothing: used for unknown users so they cost what a wrong password costs. */
void pwscheme_dummy(const char *pass, size_t passlen);

/* If stored is a {SCRAM-SHA-256} entry, parses it into c and returns true. */
bool pwscheme_scram(struct str stored, struct scram_cred *c);

/* Writes the scheme name of stored (or "CRYPT" for a bare hash) into name,
 * for log lines that must never show the hash itself. */
void pwscheme_name(struct str stored, char *name, size_t namelen);

#endif
