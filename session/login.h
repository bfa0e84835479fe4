/* login: what LOGIN and AUTHENTICATE (cmd_login.c) share with the
 * privilege-separated login (authclient.c in the pre-login process,
 * authsrv.c and privsep.c in the privileged one).
 */
#ifndef IMAPD_SESSION_LOGIN_H
#define IMAPD_SESSION_LOGIN_H

#include "auth/passdb.h"
#include "session/session.h"

/* The longest user name we accept, in bytes. */
#define LOGIN_MAX_USER 255

/* After a successful login: becomes the user when root (refusing uid 0 and
 * the login user's uid), opens the mail store and answers the tagged OK, or
 * answers NO and ends the session. */
void login_ok(struct session *s, struct str tag, const struct auth_user *u, const char *method);

/* The user name as logged: at most outlen-1 bytes, controls and non-ASCII
 * shown as '?'. */
void login_printable_user(struct str u, char *out, size_t outlen);

/* SASL data is base64; "=" alone is the empty string (RFC 4959). */
bool login_sasl_decode(struct str in, struct buf *out);

/* One AUTHENTICATE round: sends challenge as "+ base64", reads the client's
 * line (at most max_line_length) and decodes it into in. With final the
 * line must be empty (server data sent on success). Returns
 * LOGIN_ROUND_OK, LOGIN_ROUND_CLOSED (the client went away; the session is
 * ending) or LOGIN_ROUND_BAD with the text for a tagged BAD in *why
 * (cancelled with "*", too long, bad base64). The line is wiped. */
enum { LOGIN_ROUND_OK, LOGIN_ROUND_CLOSED, LOGIN_ROUND_BAD };
int login_sasl_round(struct session *s, struct str challenge, bool final, struct buf *in,
		     const char **why);

/* LOGIN and AUTHENTICATE in the pre-login process (authclient.c): the
 * password database is asked through the privileged process. */
void authc_login(struct session *s, struct str tag, struct str user, struct str pass);
void authc_authenticate(struct session *s, struct str tag, struct str mech, bool have_ir,
			struct str ir);

#endif
