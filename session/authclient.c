/* authclient: LOGIN and AUTHENTICATE in the pre-login process.
 *
 * The password database is not reachable from here: the credentials and
 * every SASL message go to the privileged process (psmsg.h), which checks
 * them, counts failures, sleeps the failure delay, writes the
 * "authentication failed" log lines and answers. This side does the IMAP
 * framing (base64, continuation requests, the tagged NO and BYE). After a
 * success it hands the connection over (HANDOVER) and ends its session
 * loop: the privileged process answers the tagged OK as the user.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/base64.h"
#include "auth/sasl.h"
#include "lib/log.h"
#include "session/login.h"
#include "session/psmsg.h"
#include "session/respond.h"

/* The parent is gone or spoke nonsense: nothing more can be done. */
static void lost(struct session *s)
{
	log_err("the privileged process did not answer the login");
	respond_untagged(s, "BYE Internal error");
	s->state = ST_LOGOUT;
}

static struct str clamp(struct str v, size_t max)
{
	/* One byte over the limit keeps "too long" visible to the checker. */
	if (v.len > max + 1)
		v.len = max + 1;
	return v;
}

static struct str tls_flag(const struct session *s)
{
	return s->tls ? STR_LIT("1") : STR_LIT("0");
}

static bool ask(struct session *s, uint32_t type, const struct str *f, size_t n, struct psmsg *m)
{
	io_flush(&s->io);
	bool ok = psmsg_send(s->ps_fd, type, f, n) == 0 && psmsg_recv(s->ps_fd, m, -1) == 1;
	if (!ok)
		lost(s);
	return ok;
}

/* The connection goes to the privileged process, which answers the tag. */
static void handover(struct session *s)
{
	io_flush(&s->io);
	struct str f[2] = {STR_LIT("plain"), {io_data(&s->io), io_avail(&s->io)}};
	if (s->tls) {
		/* Decrypted input stays here: the relay passes it on first. */
		f[0] = STR_LIT("tls");
		f[1] = (struct str){"", 0};
	}
	if (psmsg_send(s->ps_fd, PS_HANDOVER, f, 2) < 0) {
		lost(s);
		return;
	}
	s->handover = s->tls ? HANDOVER_TLS : HANDOVER_PLAIN;
	s->state = ST_LOGOUT;
}

/* Answers a result that ends the exchange; false if m is not one. */
static bool finish(struct session *s, struct str tag, const struct psmsg *m)
{
	switch (m->type) {
	case PS_R_FAIL:
		respond_tagged(s, tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed.");
		if (str_eq(m->f[0], "bye")) {
			respond_untagged(s, "BYE Too many failed login attempts");
			s->state = ST_LOGOUT;
		}
		return true;
	case PS_R_TEMPFAIL:
		respond_tagged(s, tag, "NO", "[UNAVAILABLE] Authentication is unavailable now.");
		return true;
	case PS_R_NOMECH:
		respond_tagged(s, tag, "NO", "[CANNOT] Unsupported authentication mechanism.");
		return true;
	}
	return false;
}

void authc_login(struct session *s, struct str tag, struct str user, struct str pass)
{
	struct psmsg *m = calloc(1, sizeof(*m));
	if (!m) {
		lost(s);
		return;
	}
	struct str f[4] = {tag, clamp(user, LOGIN_MAX_USER), clamp(pass, AUTH_PASS_MAX),
			   tls_flag(s)};
	if (!ask(s, PS_LOGIN, f, 4, m))
		return;
	if (m->type == PS_R_OK)
		handover(s);
	else if (!finish(s, tag, m))
		lost(s);
	psmsg_wipe(m);
	free(m);
}

static void abort_exchange(struct session *s, struct str tag, const char *why)
{
	respond_tagged(s, tag, "BAD", "%s", why);
	if (psmsg_send(s->ps_fd, PS_AUTH_ABORT, NULL, 0) < 0)
		lost(s);
}

void authc_authenticate(struct session *s, struct str tag, struct str mech, bool have_ir,
			struct str ir)
{
	struct psmsg *m = calloc(1, sizeof(*m));
	if (!m) {
		lost(s);
		return;
	}
	struct buf in = BUF_INIT(s->cfg->max_line_length);
	if (have_ir && !login_sasl_decode(ir, &in)) {
		respond_tagged(s, tag, "BAD", "Invalid base64 in initial response.");
		goto out;
	}
	struct str f[5] = {tag, clamp(mech, 64),
			   clamp((struct str){in.s ? in.s : "", in.len}, SASL_MAX_MESSAGE),
			   have_ir ? STR_LIT("1") : STR_LIT("0"), tls_flag(s)};
	if (!ask(s, PS_AUTH_START, f, 5, m))
		goto out;
	for (;;) {
		if (m->type == PS_R_OK && m->f[0].len == 0) {
			handover(s);
			break;
		}
		if (m->type != PS_R_CONTINUE && m->type != PS_R_OK) {
			if (!finish(s, tag, m))
				lost(s);
			break;
		}
		bool final = m->type == PS_R_OK;
		const char *why;
		int rr = login_sasl_round(s, m->f[0], final, &in, &why);
		if (rr == LOGIN_ROUND_CLOSED)
			break;
		if (rr == LOGIN_ROUND_BAD) {
			abort_exchange(s, tag, why);
			break;
		}
		if (final) {
			handover(s);
			break;
		}
		struct str step = clamp((struct str){in.s ? in.s : "", in.len}, SASL_MAX_MESSAGE);
		bool asked = ask(s, PS_AUTH_STEP, &step, 1, m);
		explicit_bzero(in.s ? in.s : (char *)"", in.len);
		if (!asked)
			break;
	}
out:
	psmsg_wipe(m);
	free(m);
	if (in.s)
		explicit_bzero(in.s, in.len);
	buf_free(&in);
}
