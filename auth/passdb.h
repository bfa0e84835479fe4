/* passdb: checks a user name and password against the configured password
 * database (config key passdb: "passwd-file", "pam" or "checkpassword") and
 * says who the user is.
 *
 * Rules common to every backend:
 *  - A user name is 1..AUTH_USER_MAX bytes with no control character
 *    (< 0x20, 0x7f) and no ':'. Names are matched exactly (case matters).
 *  - A password is 1..AUTH_PASS_MAX bytes with no NUL.
 *  - Anything else is AUTH_FAIL without consulting the backend.
 *  - A user that resolves to uid 0 or gid 0 is refused (AUTH_FAIL, logged as
 *    an error): a mail session never runs as root, and the client learns
 *    nothing about why.
 *  - An unknown user and a wrong password give the same result, and cost
 *    the same as far as the backend allows.
 *  - Nothing is cached: every call reads the backend afresh.
 *  - Passwords are never logged and copies are wiped after use.
 */
#ifndef IMAPD_AUTH_PASSDB_H
#define IMAPD_AUTH_PASSDB_H

#include <stdbool.h>
#include <sys/types.h>

#include "auth/scram.h"
#include "lib/buf.h"
#include "lib/config.h"

#define AUTH_USER_MAX 255 /* bytes in a user name; fits auth_user.name */
#define AUTH_PASS_MAX 511 /* bytes in a password: the most crypt(3) takes */

struct auth_user {
	char name[256];
	uid_t uid;
	gid_t gid;
	/* Paths fit CONFIG_PATH_MAX, as in imapd.conf; a user whose home or
	 * mail location is longer cannot log in (the backend logs why). */
	char home[CONFIG_PATH_MAX]; /* "" if the backend has none */
	char mail[CONFIG_PATH_MAX]; /* per-user mail location override, "" if none */
};

enum auth_result {
	AUTH_OK,
	AUTH_FAIL,     /* wrong user or password: identical for both */
	AUTH_TEMPFAIL, /* backend broken or unreachable */
};

/* Checks user and pass; on AUTH_OK fills *out (cleared otherwise). */
enum auth_result passdb_verify(const struct config *cfg, struct str user, struct str pass,
			       struct auth_user *out);

/* Looks up the SCRAM-SHA-256 credential of user for the SCRAM mechanism
 * (passwd-file only). AUTH_OK fills *cred and *out. AUTH_FAIL (unknown user,
 * no SCRAM entry, or refused user) still fills *cred with a fake credential
 * whose salt is stable for that name, so that the exchange can run to its
 * failing end without telling whether the user exists. AUTH_TEMPFAIL: the
 * backend cannot be read. */
enum auth_result passdb_scram_lookup(const struct config *cfg, struct str user,
				     struct scram_cred *cred, struct auth_user *out);

/* True if name obeys the user name rules above. */
bool passdb_user_valid(struct str name);

/* True if the backend can give SCRAM credentials (SCRAM can be offered). */
bool passdb_has_scram(const struct config *cfg);

#endif
