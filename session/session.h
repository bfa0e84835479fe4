/* session: one client connection, from greeting to logout.
 *
 * There is exactly one session per process; everything about the
 * connection lives here and is passed explicitly.
 */
#ifndef IMAPD_SESSION_H
#define IMAPD_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "auth/passdb.h"
#include "lib/config.h"
#include "maildir/mailbox.h"
#include "maildir/store.h"
#include "session/io.h"
#include "session/parser.h"
#include "session/reader.h"

#define IMAPD_VERSION "0.1"

/* States as bits, so a command can list where it is valid. */
enum session_state {
	ST_NOTAUTH = 1,
	ST_AUTH = 2,
	ST_SELECTED = 4,
	ST_LOGOUT = 8,
};
#define ST_ANY	  (ST_NOTAUTH | ST_AUTH | ST_SELECTED)
#define ST_AUTHED (ST_AUTH | ST_SELECTED)

struct session {
	const struct config *cfg;
	struct io io;
	struct reader rd;
	enum session_state state;
	struct auth_user user;
	char peer[64];	   /* remote address for logs, "local" for a pipe */
	bool peer_local;   /* loopback or a local socket */
	bool implicit_tls; /* started with --tls */
	bool tls;	   /* the transport is TLS now */
	unsigned auth_failures;
	bool uid_cmd;	  /* the command being run had the UID prefix */
	unsigned enabled; /* ENABLEd extensions, bits */
	time_t preauth_deadline;
	const char *self_path; /* our own executable, for helpers we run */

	/* After login: the user's Maildir, and the selected mailbox. */
	struct md_store *store;
	struct md_mailbox *mbox;
	/* The running command may be told about expunges (not during a
	 * FETCH, STORE or SEARCH by sequence number: RFC 9051 7.5.1). */
	bool expunge_ok;
	/* The last \Recent count and message count reported to the client. */
	uint32_t told_exists, told_recent;
	/* The last SEARCH ... RETURN (SAVE) result as UIDs, for "$" (RFC 5182). */
	uint32_t *saved;
	size_t nsaved;
	/* TLS, once started (implicit or STARTTLS). */
	struct tls_server *tls_srv;
	/* Messages of an APPEND being received (cmd_append.c). */
	struct append_state *append;
	/* Privilege separation (session/privsep.h): in the pre-login process,
	 * the socket to the privileged process (-1 when not separated), and how
	 * the connection was handed over after a login; in the session process,
	 * the login user's uid, which no mailbox may share ((uid_t)-1: none). */
	int ps_fd;
	enum { HANDOVER_NONE, HANDOVER_PLAIN, HANDOVER_TLS } handover;
	uid_t login_uid;
};

/* ENABLEd extensions. */
#define ENABLED_REV2 1u

/* Sets up the session on fds in/out; *s must be all zero bytes. */
void session_init(struct session *s, const struct config *cfg, int in_fd, int out_fd);
/* A session of its own: in fresh zero pages (mmap), so that the ones it
 * never writes, such as most of its input buffer, cost no memory; calloc
 * would clear them all. NULL if out of memory. */
struct session *session_new(const struct config *cfg, int in_fd, int out_fd);
/* session_free, then gives the pages back. */
void session_delete(struct session *s);
/* Greets, serves commands until logout or disconnect; returns the exit code. */
int session_run(struct session *s);
/* Serves commands without a greeting (a session taken over after login). */
int session_serve(struct session *s);
void session_free(struct session *s);

/* Reads one raw line (AUTHENTICATE responses, IDLE's DONE) without its
 * CRLF into out, at most max bytes. Returns 1, 0 at end of stream or
 * timeout, -1 if the line was too long (the rest of it is discarded). */
int session_read_line(struct session *s, struct buf *out, size_t max);

/* True when TLS certificates are configured. */
bool session_tls_configured(const struct session *s);
/* Does the TLS handshake of implicit TLS (--tls). 0, or -1 (logged). */
int session_start_implicit_tls(struct session *s);

/* True when plaintext passwords may be sent on this connection. */
bool session_plaintext_ok(const struct session *s);

#endif
