/* relay: after a login over TLS, the pre-login process stays on as the
 * TLS end of the connection. It moves bytes between the client (TLS over
 * cin/cout) and the session process (plaintext over the stream socket
 * sock) until either side ends:
 *  - the session closes sock: what it sent is delivered, close_notify is
 *    sent, and relay_run returns;
 *  - the client closes or the TLS layer fails: sock is closed, so the
 *    session reads end of stream and exits;
 *  - the client stops reading for RELAY_STALL_MS while output waits: the
 *    relay gives up as the session's own writes would.
 * After RELAY_IDLE_MS without traffic it returns its freed heap, its empty
 * buffers and dead stack to the kernel (memtrim.h), so that an idle TLS
 * session costs little.
 * pre/npre are plaintext bytes already decrypted from the client but not
 * yet read by anyone (commands pipelined after the login); they go to the
 * session first. Every fd is made non-blocking. Returns 0 when the session
 * ended the connection, 1 when the client or an error did.
 */
#ifndef IMAPD_SESSION_RELAY_H
#define IMAPD_SESSION_RELAY_H

#include <stddef.h>

#include "session/io.h"

#define RELAY_STALL_MS 60000
/* Quiet this long, the relay gives back the memory its last records used. */
#define RELAY_IDLE_MS 1000

int relay_run(const struct io_transport *tls, int cin, int cout, int sock, const char *pre,
	      size_t npre);

#endif
