/* authsrv: the privileged process's side of the login (see authclient.c).
 *
 * It takes the messages of the pre-login process (psmsg.h), trusting none
 * of them: every field is checked (tag syntax and length, user and
 * password bounds, flags), a message out of order is a protocol violation,
 * and the plaintext-password rule is applied again. It asks the password
 * database (passdb_verify) or runs the SASL state machine (sasl.h) itself,
 * and keeps the failure policy: each failure is logged as
 *   authentication failed: user=<NAME> rip=ADDR reason=WHY attempt=N
 * then costs auth_fail_delay_ms * N before the answer, and after
 * auth_max_failures the answer says BYE and nothing more is accepted.
 *
 * authsrv_handle() returns AUTHSRV_MORE to wait for the next message,
 * AUTHSRV_HANDOVER once a login succeeded and the pre-login process handed
 * the connection over (the message is in *m: mode and leftover bytes, not
 * yet checked), or AUTHSRV_VIOLATION (logged).
 */
#ifndef IMAPD_SESSION_AUTHSRV_H
#define IMAPD_SESSION_AUTHSRV_H

#include <stdbool.h>

#include "auth/passdb.h"
#include "session/psmsg.h"
#include "session/reader.h"
#include "session/session.h"

struct sasl;

struct authsrv {
	struct session *s; /* the session to be: config, peer; tls is set from the claim */
	unsigned failures;
	bool bye;	   /* too many failures: nothing more is accepted */
	struct sasl *sasl; /* an AUTHENTICATE exchange in progress */
	bool authed;	   /* the password or SASL exchange succeeded */
	struct auth_user user;
	char tag[READER_MAX_TAG + 1];
	const char *method;
	bool tls;	   /* the pre-login process said the connection is TLS */
	unsigned slept_ms; /* failure delays so far, for the caller's deadline */
};

enum authsrv_status { AUTHSRV_MORE, AUTHSRV_HANDOVER, AUTHSRV_VIOLATION };

void authsrv_init(struct authsrv *a, struct session *s);
enum authsrv_status authsrv_handle(struct authsrv *a, int fd, const struct psmsg *m);
void authsrv_free(struct authsrv *a);

#endif
