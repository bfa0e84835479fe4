/* hash: makes passwd-file lines, for `imapd --hash`.
 *
 * Schemes (case-insensitive): CRYPT (yescrypt, the default; alias
 * YESCRYPT), SHA512-CRYPT, SHA256-CRYPT, BLF-CRYPT (bcrypt, cost
 * HASH_BCRYPT_COST) and SCRAM-SHA-256 (SCRAM_DEFAULT_ITERATIONS, a random
 * SCRAM_SALT_LEN-byte salt), which serves both LOGIN/PLAIN and the
 * SCRAM-SHA-256 mechanism. Other crypt schemes use libxcrypt's default cost.
 */
#ifndef IMAPD_AUTH_HASH_H
#define IMAPD_AUTH_HASH_H

#include "lib/buf.h"

#define HASH_BCRYPT_COST    12
#define HASH_DEFAULT_SCHEME "CRYPT"

enum hash_status {
	HASH_OK,
	HASH_BAD_SCHEME, /* unknown scheme name */
	HASH_BAD_INPUT,	 /* user or password breaks the passdb rules */
	HASH_ERROR,	 /* random source, crypt or memory failure */
};

/* Appends "user:{SCHEME}hash" (no newline) to out. scheme NULL means
 * HASH_DEFAULT_SCHEME. Returns an enum hash_status; out is unchanged on
 * failure. */
int hash_line(struct str user, struct str pass, const char *scheme, struct buf *out);

/* The command line tool:
 *   imapd --hash [--scheme SCHEME] [--uid N --gid N] [--home DIR] USER
 * argv[0] is skipped (program name or "--hash"), and a "--hash" among the
 * options is ignored, so the entry point may pass its argv either way.
 * Reads the password from the terminal without echo (asked twice) or, when
 * stdin is not a terminal, as one line from stdin. Prints the line
 * ("user:{SCHEME}hash" plus ":uid:gid::home" when any of those is given) to
 * stdout; messages go to stderr. Returns the exit status: 0 ok, 1 failure,
 * 2 usage error. */
int hash_main(int argc, char **argv);

#endif
