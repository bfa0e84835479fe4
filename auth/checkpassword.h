/* checkpassword: the "checkpassword" passdb backend (qmail's interface).
 *
 * The program named by the config key checkpassword (an absolute path) is
 * run with fd 3
 * carrying "user\0password\0timestamp\0" and with arguments naming a reply
 * program: checkpassword_reply (default: the running imapd) followed by
 * "--checkpassword-reply". A checker that accepts the password runs the
 * reply program with uid, gid, HOME and USER set for the user; the reply
 * writes them to fd 4 (see checkpassword_reply_main). Exit status of the
 * checker: 0 ok, 1 bad user or password, 2 misuse, 111 temporary failure;
 * anything but 0 and 1 is AUTH_TEMPFAIL.
 *
 * The child gets /dev/null on fds 0-2 (under inetd they are the client's
 * socket), no other open fds, its own process group, and the environment
 * PATH=CHECKPASSWORD_PATH only. It is killed (with its group) after
 * checkpassword_timeout seconds, and the reply is at most
 * CHECKPASSWORD_MAX_REPLY bytes. The caller must not reap children behind
 * our back: no SIGCHLD handler that calls wait, and SIGCHLD not ignored.
 */
#ifndef IMAPD_AUTH_CHECKPASSWORD_H
#define IMAPD_AUTH_CHECKPASSWORD_H

#include <stddef.h>

#include "auth/passdb.h"

#define CHECKPASSWORD_MAX_REPLY 16384
#define CHECKPASSWORD_PATH	"/usr/local/bin:/usr/bin:/bin"
#define CHECKPASSWORD_REPLY_ARG "--checkpassword-reply"

/* passdb_verify for this backend; user and pass are already validated. */
enum auth_result checkpassword_verify(const struct config *cfg, struct str user, const char *pass,
				      size_t passlen, struct auth_user *out);

/* The reply program: `imapd --checkpassword-reply`. Writes
 * "user=U\thome=H\tuid=N\tgid=N\tmail=M\n" to fd 4, taken from the
 * environment (USER, HOME; userdb_uid, userdb_gid, userdb_home and
 * userdb_mail override, as with Dovecot) and from getuid()/getgid().
 * Returns the process exit status: 0 written, 2 misuse (missing or bad
 * values), 111 cannot write. */
int checkpassword_reply_main(void);

#endif
