/* sasl: server side of the SASL mechanisms PLAIN (RFC 4616) and
 * SCRAM-SHA-256 (RFC 5802, RFC 7677; no channel binding, no -PLUS).
 *
 * The caller does the base64 framing of its protocol; this module takes and
 * gives raw bytes. One exchange:
 *
 *   s = sasl_new(cfg, mech);           NULL: mechanism not offered
 *   r = sasl_step(s, initial, &out);   initial = the client's initial
 *                                      response, or {NULL, 0} if it sent none
 *                                      ({ptr, 0} is an empty response)
 *   while (r == SASL_CONTINUE) { send out as a challenge; read the client's
 *                                answer; r = sasl_step(s, answer, &out); }
 *   SASL_OK: sasl_user(s) is the authenticated user. If out is not empty it
 *            is final server data (SCRAM's "v=..."): in IMAP, send it as one
 *            more challenge and expect an empty answer (not passed to
 *            sasl_step) before the tagged OK.
 *   SASL_FAIL: wrong user or password (or an authzid other than the user);
 *   SASL_TEMPFAIL: the password database is broken;
 *   SASL_MALFORMED: the client broke the mechanism's syntax, or called
 *                   sasl_step again after the end.
 *
 * out is reset by every call. A message longer than SASL_MAX_MESSAGE bytes
 * is SASL_MALFORMED. An authzid is accepted only when empty or equal to the
 * user name.
 */
#ifndef IMAPD_AUTH_SASL_H
#define IMAPD_AUTH_SASL_H

#include "auth/passdb.h"
#include "lib/buf.h"
#include "lib/config.h"

#define SASL_MAX_MESSAGE 4096 /* bytes in one client message */

enum sasl_status {
	SASL_CONTINUE,
	SASL_OK,
	SASL_FAIL,
	SASL_TEMPFAIL,
	SASL_MALFORMED,
};

struct sasl;

/* mech is matched case-insensitively. NULL if the mechanism is unknown, not
 * usable with the configured passdb (SCRAM needs passwd-file), or on
 * allocation failure. */
struct sasl *sasl_new(const struct config *cfg, struct str mech);

/* One round; returns an enum sasl_status (see above). */
int sasl_step(struct sasl *s, struct str in, struct buf *out);

/* The user after SASL_OK, NULL before. */
const struct auth_user *sasl_user(const struct sasl *s);

/* Frees s (wiping its secrets) and sets *s to NULL; NULL is fine. */
void sasl_free(struct sasl **s);

/* Space-separated mechanisms usable with cfg, for CAPABILITY AUTH=. */
const char *sasl_mechanisms(const struct config *cfg);

/* For tests with fixed vectors only: sets the server part of the SCRAM
 * nonce (printable, no ',', 1..64 bytes) before the first step. False if s
 * is not SCRAM, has started, or the nonce is not valid. */
bool sasl_set_server_nonce(struct sasl *s, struct str nonce);

#endif
