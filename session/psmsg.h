/* psmsg: the messages between the pre-login process and the privileged
 * process that started it (session/privsep.h), over a SOCK_SEQPACKET
 * socketpair.
 *
 * A message is one packet: an 8-byte header (type, payload length, both
 * 32-bit in host order) and the payload, at most PSMSG_MAX_PAYLOAD bytes.
 * A payload is a run of fields, each a 32-bit length and that many bytes.
 * The receiver trusts nothing: a packet whose size does not match its
 * header, a payload over the limit, a truncated packet, a field running past
 * the end, bytes left over after the last field the type has, or an
 * unknown type is a protocol error.
 *
 * Pre-login process to privileged process:
 *   LOGIN       tag, user, password, tls ("1"/"0")
 *   AUTH_START  tag, mechanism, initial response (decoded), has-IR ("1"/"0"), tls
 *   AUTH_STEP   client response (decoded)
 *   AUTH_ABORT  (none): the client cancelled or broke the IMAP framing
 *   HANDOVER    mode ("plain"/"tls"), bytes read past the login command
 *               (plain only; with TLS they go through the relay)
 * Privileged process to pre-login process:
 *   R_CONTINUE  challenge (raw)
 *   R_OK        final server data (raw, may be empty); HANDOVER comes next
 *   R_FAIL      "bye" or "" (too many failures: say BYE and stop)
 *   R_TEMPFAIL  (none): the password database is unavailable
 *   R_NOMECH    (none): the mechanism is not offered
 */
#ifndef IMAPD_SESSION_PSMSG_H
#define IMAPD_SESSION_PSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/* Room for a whole input buffer (session/io.h) plus the header fields. */
#define PSMSG_MAX_PAYLOAD 20480
#define PSMSG_MAX_FIELDS  6

enum psmsg_type {
	PS_LOGIN = 1,
	PS_AUTH_START,
	PS_AUTH_STEP,
	PS_AUTH_ABORT,
	PS_HANDOVER,
	PS_R_CONTINUE = 64,
	PS_R_OK,
	PS_R_FAIL,
	PS_R_TEMPFAIL,
	PS_R_NOMECH,
};

struct psmsg {
	uint32_t type;
	size_t nfields;
	struct str f[PSMSG_MAX_FIELDS]; /* point into data */
	char data[PSMSG_MAX_PAYLOAD];
};

/* Sends one message of type with nfields fields. 0, or -1 (errno). */
int psmsg_send(int fd, uint32_t type, const struct str *fields, size_t nfields);

/* Waits up to timeout_ms (-1: forever) for one message and checks its
 * framing and field count against its type. Returns 1 with *m filled,
 * 0 at end of stream, -1 on a protocol or I/O error, -2 on timeout. */
int psmsg_recv(int fd, struct psmsg *m, int timeout_ms);

/* Wipes the message buffer (it may have held a password). */
void psmsg_wipe(struct psmsg *m);

#endif
