/* passwd_file: Dovecot's passwd-file format, one user per line:
 *
 *   user:password:uid:gid:gecos:home:shell:extra fields
 *
 * Only user and password are required; missing trailing fields are empty.
 * password is "{SCHEME}hash" or a bare crypt hash (see pwscheme.h).
 * uid and gid are decimal; empty means the uid/gid imapd runs as.
 * home is empty or an absolute path. gecos and shell are ignored.
 * extra fields (the rest of the line) are space-separated key=value pairs:
 *   mail=LOCATION or userdb_mail=LOCATION  per-user mail location (as written)
 *   userdb_home=DIR, userdb_uid=N, userdb_gid=N  override the fields above
 *   nologin                                  the user may not log in
 * Other keys are ignored. Blank lines and lines starting with '#' are
 * skipped. A malformed line, or one longer than PASSWD_FILE_MAX_LINE bytes,
 * is skipped and logged by file and line number, never with its password
 * field. The first line for a user name wins.
 *
 * An unknown user costs one yescrypt hash at libxcrypt's default cost (see
 * pwscheme_dummy): files hashed with yescrypt, the `imapd --hash` default,
 * give no timing hint; other schemes cost more or less than that.
 */
#ifndef IMAPD_AUTH_PASSWD_FILE_H
#define IMAPD_AUTH_PASSWD_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/passdb.h"

#define PASSWD_FILE_MAX_LINE 16384	 /* bytes in one line, newline excluded */
#define PASSWD_FILE_MAX_PASS 1024	 /* bytes in the password field */
#define PASSWD_FILE_MAX_SIZE (64u << 20) /* bytes in the file; more is AUTH_TEMPFAIL */

struct passwd_entry {
	struct auth_user user;
	char password[PASSWD_FILE_MAX_PASS + 1];
	bool nologin;
};

/* Reads path and looks for user (already validated). AUTH_OK fills *e;
 * AUTH_FAIL: no such user; AUTH_TEMPFAIL: the file cannot be read, is not
 * a regular file, or is larger than PASSWD_FILE_MAX_SIZE.
 * The whole file is always read, so lookups cost the same wherever the user
 * is. If digest is not NULL it receives SHA-256 over the file's bytes: a
 * value an attacker cannot predict, used to derive fake SCRAM salts. */
enum auth_result passwd_file_lookup(const char *path, struct str user, struct passwd_entry *e,
				    uint8_t digest[32]);

/* passdb_verify for this backend; pass is NUL-terminated and valid. */
enum auth_result passwd_file_verify(const struct config *cfg, struct str user, const char *pass,
				    size_t passlen, struct auth_user *out);

#endif
