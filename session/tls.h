/* tls: the server side of TLS (GnuTLS), for implicit TLS (port 993) and
 * STARTTLS (port 143).
 *
 * One object serves one connection: the process is started per connection,
 * so tls_server_new() reads the certificate and key files anew each time and
 * a renewed certificate is served from the next connection on.
 *
 * Return conventions: functions returning int give 0 on success and -1 on
 * failure, with a one-line reason appended to err (naming the file or the
 * config key at fault). The caller logs it; this module never writes to
 * stdout or stderr.
 *
 * Configuration (lib/config.h):
 *   tls_cert, tls_key   PEM chain (leaf first) and its private key; the
 *                       default certificate.
 *   tls_sni_dir         optional folder of <name>.pem + <name>.key pairs,
 *                       at most TLS_MAX_SNI_CERTS. All are loaded into the
 *                       same credentials; GnuTLS picks the one whose DNS
 *                       names match the client's SNI, else the default.
 *                       The file name is only a label. An SNI that is not a
 *                       valid host name fails the handshake (GnuTLS).
 *   tls_priority        GnuTLS priority string; default TLS 1.2 and 1.3.
 *   tls_ticket_key      file of TLS_TICKET_KEY_SIZE random bytes: the
 *                       session ticket master key shared by every
 *                       connection, so that a client resumes with any later
 *                       process. Created when missing (0600, written to a
 *                       temporary file and linked into place, so racing
 *                       processes end up with one key). Replaced the same
 *                       way (rename, under flock) once older than
 *                       tls_ticket_rotate seconds; tickets made with the old
 *                       key then lead to a full handshake. A file readable
 *                       by group or others, of the wrong size or a symbolic
 *                       link is refused. If it cannot be replaced, the old
 *                       key stays in use and a warning is logged. The folder
 *                       must be writable by the serving process.
 *                       Empty: session tickets are off and every connection
 *                       does a full handshake (a key private to one process
 *                       could never be redeemed). 0-RTT data is never
 *                       accepted.
 *
 * ALPN: the server offers only "imap". A client that sends no ALPN is
 * served; a client that offers ALPN without "imap" is refused with a
 * no_application_protocol alert, so a TLS connection meant for another
 * protocol (e.g. HTTP) cannot be redirected to this server (ALPACA).
 *
 * STARTTLS: the handshake reads only from in_fd. Any plaintext the caller
 * had buffered after the STARTTLS command must be discarded by the caller,
 * never handed to this module.
 */
#ifndef IMAPD_TLS_H
#define IMAPD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/config.h"

/* The byte transport of session/io.h, repeated here verbatim. */
// clang-format off
#ifndef IMAPD_IO_TRANSPORT_DEFINED
#define IMAPD_IO_TRANSPORT_DEFINED
struct io_transport {
	ssize_t (*read)(void *ctx, void *buf, size_t n);        /* like read(2): >0 bytes, 0 EOF, -1 with errno (EAGAIN/EINTR allowed) */
	ssize_t (*write)(void *ctx, const void *buf, size_t n); /* like write(2); may write less than n */
	size_t (*pending)(void *ctx); /* bytes readable now without touching the fd (already decrypted) */
	void *ctx;
};
#endif
// clang-format on

/* Limits. */
#define TLS_MAX_SNI_CERTS   256	       /* certificate pairs read from tls_sni_dir */
#define TLS_MAX_FILE_SIZE   (1u << 20) /* one PEM file */
#define TLS_TICKET_KEY_SIZE 64	       /* bytes in the tls_ticket_key file */
#define TLS_BYE_TIMEOUT_MS  1000       /* sending close_notify in tls_server_bye() */
#define TLS_INFO_MAX	    256	       /* tls_server_info() length, NUL included */

struct tls_server;

/* Reads the certificates, keys and ticket key named by cfg, checks the
 * priority string and prepares one server session. Nothing is read from or
 * written to the connection yet. On success *out owns the object. */
int tls_server_new(const struct config *cfg, struct tls_server **out, struct buf *err);

/* Runs the handshake on in_fd (client to server) and out_fd (server to
 * client); they may be one socket or two pipe ends, blocking or not.
 * timeout_ms bounds the whole handshake; <= 0 means no limit. Call once.
 * On failure an alert is sent when it can help the client, and the object
 * can only be freed. */
int tls_server_handshake(struct tls_server *t, int in_fd, int out_fd, int timeout_ms,
			 struct buf *err);

/* Fills *out with the byte transport over the established session; valid
 * until tls_server_free(). Semantics beyond struct io_transport:
 *  - read: a client closing without close_notify reads as EOF (0), and so
 *    does every read after EOF; renegotiation attempts and protocol errors
 *    are -1 with EPROTO; failures of in_fd keep their errno.
 *  - write: after -1 with EAGAIN or EINTR the encrypted record is kept;
 *    the next write must offer at least the same bytes again (as any write(2)
 *    loop does) and completes them first; offering fewer is EINVAL. Writing
 *    once the client is gone is EPIPE (never SIGPIPE on a socket).
 *  - pending: decrypted bytes that read() returns without touching in_fd.
 * Blocking follows the fds: on a non-blocking fd read and write can fail
 * with EAGAIN. Before a successful handshake they fail with ENOTCONN. */
void tls_server_transport(struct tls_server *t, struct io_transport *out);

/* True when the client resumed a previous session (ticket). */
bool tls_server_resumed(const struct tls_server *t);

/* One line for the log after a successful handshake, e.g.
 * "TLSv1.3 cipher=AES-256-GCM group=X25519 sni=mail.example.org alpn=imap resumed=no";
 * "" before that. Owned by t. */
const char *tls_server_info(const struct tls_server *t);

/* Server name the client asked for (SNI), "" if none or longer than 255
 * bytes; characters other than letters, digits, '.', '-' and '_' are shown
 * as '?' since the name is the client's choice. Owned by t. */
const char *tls_server_sni(const struct tls_server *t);

/* Sends close_notify (bounded by TLS_BYE_TIMEOUT_MS) without waiting for the
 * client's. Harmless before or after a failed handshake. */
void tls_server_bye(struct tls_server *t);

/* Frees everything and sets *t to NULL; NULL and *t == NULL are fine. The
 * fds are the caller's and stay open. */
void tls_server_free(struct tls_server **t);

#endif
