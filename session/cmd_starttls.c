/* STARTTLS (RFC 9051 6.2.1) and the start of implicit TLS. */
#include <string.h>

#include "lib/log.h"
#include "session/commands.h"
#include "session/respond.h"
#include "session/tls.h"

bool session_tls_configured(const struct session *s)
{
	return s->cfg->tls_cert[0] != '\0';
}

/* Loads the credentials (anew for every connection, so a renewed
 * certificate is served at once), unless the pre-login process got them
 * before its sandbox was closed. 0, or -1 with err. */
static int tls_prepare(struct session *s, struct buf *err)
{
	if (s->tls_srv)
		return 0; /* loaded before the privileges were dropped */
	return tls_server_new(s->cfg, &s->tls_srv, err);
}

static int tls_handshake(struct session *s, struct buf *err)
{
	int ms = (int)s->cfg->timeout_preauth * 1000;
	if (tls_server_handshake(s->tls_srv, s->io.in_fd, s->io.out_fd, ms, err) < 0)
		return -1;
	struct io_transport t;
	tls_server_transport(s->tls_srv, &t);
	io_set_transport(&s->io, &t);
	s->tls = true;
	log_info("tls: %s", tls_server_info(s->tls_srv));
	return 0;
}

int session_start_implicit_tls(struct session *s)
{
	struct buf err = BUF_INIT(1024);
	int r = tls_prepare(s, &err);
	if (r == 0)
		r = tls_handshake(s, &err);
	if (r < 0)
		log_err("TLS failed: %s", err.s ? err.s : "");
	buf_free(&err);
	return r;
}

enum cmd_result cmd_starttls(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	if (s->tls) {
		respond_tagged(s, tag, "BAD", "TLS is already active.");
		return CMD_DONE;
	}
	if (!session_tls_configured(s)) {
		respond_tagged(s, tag, "NO", "[UNAVAILABLE] TLS is not configured.");
		return CMD_DONE;
	}
	struct buf err = BUF_INIT(1024);
	if (tls_prepare(s, &err) < 0) {
		log_err("TLS unavailable: %s", err.s ? err.s : "");
		respond_tagged(s, tag, "NO", "[UNAVAILABLE] TLS is not available now.");
		buf_free(&err);
		return CMD_DONE;
	}
	respond_tagged(s, tag, "OK", "Begin TLS negotiation now.");
	io_flush(&s->io);
	/* Anything the client sent after STARTTLS was sent in the clear and
	 * could have been injected: it is never read as a command. */
	io_drop_input(&s->io);
	if (tls_handshake(s, &err) < 0) {
		log_info("disconnected: TLS handshake failed: %s", err.s ? err.s : "");
		s->state = ST_LOGOUT;
	}
	buf_free(&err);
	return CMD_DONE;
}
