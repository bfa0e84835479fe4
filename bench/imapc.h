/* imapc: one non-blocking IMAP client connection for the load generator.
 *
 * Plain TCP or implicit TLS (GnuTLS, no certificate check: the benchmark
 * talks to its own self-signed servers). The caller owns the poll loop:
 * imapc_events() says what to wait for, imapc_io() makes progress when poll
 * reports the socket, and imapc_next() hands out complete responses one by
 * one. A response is returned by its first line (CRLF removed, at most
 * IMAPC_HEAD bytes); literals inside it are skipped without being buffered
 * and only counted in lit_bytes, so a FETCH BODY[] of any size costs no
 * memory. Errors put a reason into err and make imapc_io() return false.
 */
#ifndef BENCH_IMAPC_H
#define BENCH_IMAPC_H

#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"

#define IMAPC_HEAD 512

enum imapc_phase { IC_IDLE, IC_CONNECTING, IC_HANDSHAKE, IC_OPEN, IC_FAILED };

struct imapc {
	int fd;
	enum imapc_phase phase;
	bool tls;
	gnutls_session_t gs;
	struct buf in, out;
	uint64_t lit_left;     /* bytes of the current literal not yet seen */
	bool mid_response;     /* a literal ended; the response goes on */
	char head[IMAPC_HEAD]; /* first line of the response being read */
	uint64_t lit_bytes;    /* all literal bytes received so far */
	char err[256];
};

/* Global TLS set-up; call once before any connection. */
bool imapc_tls_init(void);

/* Starts a non-blocking connect to sa; tls selects implicit TLS. */
bool imapc_start(struct imapc *c, const struct sockaddr_in *sa, bool tls);

/* The poll events this connection waits for (0 when not open). */
short imapc_events(const struct imapc *c);

/* Connects, shakes hands, sends queued output and reads what is there. */
bool imapc_io(struct imapc *c);

/* True when TLS holds decrypted bytes that poll cannot see. */
bool imapc_pending(const struct imapc *c);

/* True once the connection (and TLS) is up. */
bool imapc_ready(const struct imapc *c);

/* Pops the next complete response into *head; false when none is complete. */
bool imapc_next(struct imapc *c, const char **head);

/* Queues bytes to send. */
bool imapc_send(struct imapc *c, const void *p, size_t n);

/* Closes and frees; the struct can be started again. */
void imapc_close(struct imapc *c);

#endif
