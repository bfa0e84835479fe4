#include "authsrv.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "auth/sasl.h"
#include "lib/log.h"
#include "session/login.h"

void authsrv_init(struct authsrv *a, struct session *s)
{
	memset(a, 0, sizeof(*a));
	a->s = s;
}

void authsrv_free(struct authsrv *a)
{
	sasl_free(&a->sasl);
	explicit_bzero(&a->user, sizeof(a->user));
}

static enum authsrv_status violation(const char *what)
{
	log_err("pre-login process broke the protocol: %s", what);
	return AUTHSRV_VIOLATION;
}

/* A tag as the reader accepts it: astring characters except '+'. */
static bool tag_valid(struct str t)
{
	if (t.len == 0 || t.len > READER_MAX_TAG)
		return false;
	for (size_t i = 0; i < t.len; i++) {
		unsigned char c = (unsigned char)t.s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\+", c))
			return false;
	}
	return true;
}

static bool flag(struct str f, bool *out)
{
	if (f.len != 1 || (f.s[0] != '0' && f.s[0] != '1'))
		return false;
	*out = f.s[0] == '1';
	return true;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool reply(int fd, uint32_t type, const struct str *f, size_t n)
{
	return psmsg_send(fd, type, f, n) == 0;
}

static enum authsrv_status sent(bool ok)
{
	return ok ? AUTHSRV_MORE : violation("cannot answer");
}

/* The same lines, delay and limit as an unseparated session (cmd_login.c). */
static enum authsrv_status failed(struct authsrv *a, int fd, const char *user, const char *why)
{
	a->failures++;
	log_info("authentication failed: user=<%s> rip=%s reason=%s attempt=%u", user, a->s->peer,
		 why, a->failures);
	unsigned ms = a->s->cfg->auth_fail_delay_ms * a->failures;
	sleep_ms(ms);
	a->slept_ms += ms;
	a->bye = a->failures >= a->s->cfg->auth_max_failures;
	if (a->bye)
		log_info("disconnected: too many failed logins rip=%s", a->s->peer);
	struct str f = a->bye ? STR_LIT("bye") : STR_LIT("");
	return sent(reply(fd, PS_R_FAIL, &f, 1));
}

/* The tag and TLS claim every login message starts with. */
static bool begin(struct authsrv *a, struct str tag, struct str tls)
{
	if (!tag_valid(tag) || !flag(tls, &a->tls) || !str_copy(a->tag, sizeof(a->tag), tag))
		return false;
	a->s->tls = a->tls;
	return true;
}

static enum authsrv_status do_login(struct authsrv *a, int fd, const struct psmsg *m)
{
	if (!begin(a, m->f[0], m->f[3]))
		return violation("bad LOGIN fields");
	if (!session_plaintext_ok(a->s))
		return violation("LOGIN where plaintext is not allowed");
	struct str user = m->f[1], pass = m->f[2];
	char shown[LOGIN_MAX_USER + 1];
	login_printable_user(user, shown, sizeof(shown));
	enum auth_result r = AUTH_FAIL;
	if (user.len <= LOGIN_MAX_USER)
		r = passdb_verify(a->s->cfg, user, pass, &a->user);
	if (r == AUTH_OK) {
		a->authed = true;
		a->method = "LOGIN";
		struct str none = {"", 0};
		return sent(reply(fd, PS_R_OK, &none, 1));
	}
	if (r == AUTH_TEMPFAIL) {
		log_err("authentication unavailable: user=<%s> rip=%s", shown, a->s->peer);
		return sent(reply(fd, PS_R_TEMPFAIL, NULL, 0));
	}
	return failed(a, fd, shown, "password");
}

/* Answers the result of one SASL step. */
static enum authsrv_status sasl_result(struct authsrv *a, int fd, int r, struct buf *out)
{
	struct str data = {out->s ? out->s : "", out->len};
	switch (r) {
	case SASL_CONTINUE:
		return sent(reply(fd, PS_R_CONTINUE, &data, 1));
	case SASL_OK:
		a->authed = true;
		a->method = "AUTHENTICATE";
		a->user = *sasl_user(a->sasl);
		return sent(reply(fd, PS_R_OK, &data, 1));
	case SASL_TEMPFAIL:
		sasl_free(&a->sasl);
		return sent(reply(fd, PS_R_TEMPFAIL, NULL, 0));
	default:
		sasl_free(&a->sasl);
		return failed(a, fd, "?", r == SASL_MALFORMED ? "malformed" : "password");
	}
}

static bool plaintext_mech(struct str mech)
{
	return str_caseeq(mech, "PLAIN") || str_caseeq(mech, "LOGIN");
}

static enum authsrv_status do_auth_start(struct authsrv *a, int fd, const struct psmsg *m)
{
	bool have_ir;
	struct str mech = m->f[1];
	if (!begin(a, m->f[0], m->f[4]) || !flag(m->f[3], &have_ir) || mech.len == 0 ||
	    mech.len > 64 || (!have_ir && m->f[2].len))
		return violation("bad AUTHENTICATE fields");
	if (plaintext_mech(mech) && !session_plaintext_ok(a->s))
		return violation("AUTHENTICATE PLAIN where plaintext is not allowed");
	a->sasl = sasl_new(a->s->cfg, mech);
	if (!a->sasl)
		return sent(reply(fd, PS_R_NOMECH, NULL, 0));
	struct buf out = BUF_INIT(2 * SASL_MAX_MESSAGE);
	struct str in = have_ir ? (struct str){m->f[2].len ? m->f[2].s : "", m->f[2].len}
				: (struct str){NULL, 0};
	int r = sasl_step(a->sasl, in, &out);
	enum authsrv_status st = sasl_result(a, fd, r, &out);
	buf_free(&out);
	return st;
}

static enum authsrv_status do_auth_step(struct authsrv *a, int fd, const struct psmsg *m)
{
	struct buf out = BUF_INIT(2 * SASL_MAX_MESSAGE);
	struct str in = {m->f[0].len ? m->f[0].s : "", m->f[0].len};
	int r = sasl_step(a->sasl, in, &out);
	enum authsrv_status st = sasl_result(a, fd, r, &out);
	buf_free(&out);
	return st;
}

enum authsrv_status authsrv_handle(struct authsrv *a, int fd, const struct psmsg *m)
{
	if (a->bye)
		return violation("message after too many failures");
	bool in_sasl = a->sasl != NULL;
	switch (m->type) {
	case PS_LOGIN:
		if (in_sasl || a->authed)
			break;
		return do_login(a, fd, m);
	case PS_AUTH_START:
		if (in_sasl || a->authed)
			break;
		return do_auth_start(a, fd, m);
	case PS_AUTH_STEP:
		if (!in_sasl || a->authed)
			break;
		return do_auth_step(a, fd, m);
	case PS_AUTH_ABORT:
		if (!in_sasl)
			break;
		/* The client did not confirm or cancelled: the exchange is void. */
		sasl_free(&a->sasl);
		a->authed = false;
		explicit_bzero(&a->user, sizeof(a->user));
		return AUTHSRV_MORE;
	case PS_HANDOVER:
		if (!a->authed)
			break;
		return AUTHSRV_HANDOVER;
	}
	return violation("message out of order");
}
