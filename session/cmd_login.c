/* LOGIN and AUTHENTICATE (with SASL-IR), and what follows a login. */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/base64.h"
#include "auth/sasl.h"
#include "lib/log.h"
#include "session/commands.h"
#include "session/login.h"
#include "session/mailbox.h"
#include "session/privdrop.h"
#include "session/respond.h"

static void wipe(struct str s)
{
	if (s.s)
		explicit_bzero((char *)s.s, s.len);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A failed login costs a growing delay; after too many, BYE. */
static void login_failed(struct session *s, struct str tag, const char *user, const char *why)
{
	s->auth_failures++;
	log_info("authentication failed: user=<%s> rip=%s reason=%s attempt=%u", user, s->peer, why,
		 s->auth_failures);
	io_flush(&s->io);
	sleep_ms(s->cfg->auth_fail_delay_ms * s->auth_failures);
	respond_tagged(s, tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed.");
	if (s->auth_failures >= s->cfg->auth_max_failures) {
		log_info("disconnected: too many failed logins rip=%s", s->peer);
		respond_untagged(s, "BYE Too many failed login attempts");
		s->state = ST_LOGOUT;
	}
}

/* Becomes the user: groups, gid, uid; refuses root and the login user.
 * Only when started as root. */
static bool become_user(struct session *s)
{
	if (geteuid() != 0)
		return true; /* one service user for every mailbox: nothing to change */
	if (s->user.uid == 0) {
		log_err("login refused: user=<%s> maps to uid 0", s->user.name);
		return false;
	}
	if (s->login_uid != (uid_t)-1 && s->user.uid == s->login_uid) {
		log_err("login refused: user=<%s> has the uid of login_user", s->user.name);
		return false;
	}
	/* System accounts (PAM) get their supplementary groups from the group
	 * database; virtual users (passwd-file, checkpassword) get their gid
	 * alone, as the group database does not know them. */
	bool system = !strcmp(s->cfg->passdb, "pam");
	if (!privdrop_to(system ? s->user.name : NULL, s->user.uid, s->user.gid, -1)) {
		log_err("privilege drop failed for user=<%s>", s->user.name);
		return false;
	}
	return true;
}

void login_ok(struct session *s, struct str tag, const struct auth_user *u, const char *method)
{
	s->user = *u;
	if (!become_user(s)) {
		respond_tagged(s, tag, "NO", "[SERVERBUG] Cannot switch to the user.");
		s->state = ST_LOGOUT;
		return;
	}
	struct buf err = BUF_INIT(1024);
	if (session_open_store(s, &err) < 0) {
		log_err("cannot open the mail store of user=<%s>: %s", u->name, err.s ? err.s : "");
		buf_free(&err);
		respond_tagged(s, tag, "NO", "[UNAVAILABLE] The mailbox store cannot be opened.");
		s->state = ST_LOGOUT;
		return;
	}
	buf_free(&err);
	s->state = ST_AUTH;
	char ctx[512];
	if (snprintf_ok(ctx, sizeof(ctx), "user=<%s> rip=%s", u->name, s->peer))
		log_set_context(ctx);
	log_info("login: method=%s%s", method, s->tls ? " tls" : "");
	struct buf caps = BUF_INIT(4096);
	capability_string(s, &caps);
	respond_tagged(s, tag, "OK", "[CAPABILITY %s] Logged in", caps.s ? caps.s : "");
	buf_free(&caps);
}

void login_printable_user(struct str u, char *out, size_t outlen)
{
	size_t n = u.len < outlen - 1 ? u.len : outlen - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)u.s[i];
		out[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
}

enum cmd_result cmd_login(struct session *s, struct parser *p, struct str tag)
{
	struct str user, pass = {NULL, 0};
	if (!p_sp(p) || !p_astring(p, &user) || !p_sp(p) || !p_astring(p, &pass) || !p_eol(p)) {
		wipe(pass);
		return CMD_BAD;
	}
	if (!session_plaintext_ok(s)) {
		wipe(pass);
		respond_tagged(
		    s, tag, "NO",
		    "[PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS.");
		return CMD_DONE;
	}
	if (s->ps_fd >= 0) {
		authc_login(s, tag, user, pass);
		wipe(pass);
		return CMD_DONE;
	}
	char shown[LOGIN_MAX_USER + 1];
	login_printable_user(user, shown, sizeof(shown));
	struct auth_user u;
	enum auth_result r = AUTH_FAIL;
	if (user.len <= LOGIN_MAX_USER)
		r = passdb_verify(s->cfg, user, pass, &u);
	wipe(pass);
	if (r == AUTH_OK)
		login_ok(s, tag, &u, "LOGIN");
	else if (r == AUTH_TEMPFAIL) {
		log_err("authentication unavailable: user=<%s> rip=%s", shown, s->peer);
		respond_tagged(s, tag, "NO", "[UNAVAILABLE] Authentication is unavailable now.");
	} else
		login_failed(s, tag, shown, "password");
	return CMD_DONE;
}

bool login_sasl_decode(struct str in, struct buf *out)
{
	buf_reset(out);
	if (in.len == 0 || (in.len == 1 && in.s[0] == '='))
		return true;
	size_t n, max = B64_DECODED_MAX(in.len);
	if (!buf_reserve(out, max) || !b64_decode(in, out->s, max, &n))
		return false;
	out->len = n;
	out->s[n] = '\0';
	return true;
}

int login_sasl_round(struct session *s, struct str challenge, bool final, struct buf *in,
		     const char **why)
{
	/* The encoded challenge and the client's line are only needed here. */
	struct buf enc = BUF_INIT(challenge.len * 2 + 8);
	struct buf line = BUF_INIT((size_t)s->cfg->max_line_length + 1);
	int r = LOGIN_ROUND_BAD;
	*why = "[SERVERBUG] Encoding failed.";
	if (!b64_encode(challenge.s ? challenge.s : "", challenge.len, &enc))
		goto out;
	respond_continue(s, enc.s ? enc.s : "");
	int lr = session_read_line(s, &line, s->cfg->max_line_length);
	if (lr == 0) {
		s->state = ST_LOGOUT;
		r = LOGIN_ROUND_CLOSED;
		goto out;
	}
	if (lr < 0)
		*why = "[TOOBIG] Authentication response too long.";
	else if (line.len == 1 && line.s[0] == '*')
		*why = "Authentication cancelled.";
	else if (final && line.len != 0)
		*why = "Expected an empty response.";
	else if (!final && !login_sasl_decode((struct str){line.s ? line.s : "", line.len}, in))
		*why = "Invalid base64 in response.";
	else
		r = LOGIN_ROUND_OK;
out:
	if (line.s)
		explicit_bzero(line.s, line.len);
	buf_free(&line);
	buf_free(&enc);
	return r;
}

static bool plaintext_mech(struct str mech)
{
	return str_caseeq(mech, "PLAIN") || str_caseeq(mech, "LOGIN");
}

enum cmd_result cmd_authenticate(struct session *s, struct parser *p, struct str tag)
{
	struct str mech, ir = {NULL, 0};
	bool have_ir = false;
	if (!p_sp(p) || !p_atom(p, &mech))
		return CMD_BAD;
	if (p_peek(p, ' ')) {
		p_sp(p);
		if (p_peek(p, '=')) {
			p->pos++;
			ir = STR_LIT("=");
		} else if (!p_atom(p, &ir)) {
			return CMD_BAD;
		}
		have_ir = true;
	}
	if (!p_eol(p))
		return CMD_BAD;
	if (plaintext_mech(mech) && !session_plaintext_ok(s)) {
		respond_tagged(
		    s, tag, "NO",
		    "[PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS.");
		return CMD_DONE;
	}
	if (s->ps_fd >= 0) {
		authc_authenticate(s, tag, mech, have_ir, ir);
		return CMD_DONE;
	}
	struct sasl *sa = sasl_new(s->cfg, mech);
	if (!sa) {
		respond_tagged(s, tag, "NO", "[CANNOT] Unsupported authentication mechanism.");
		return CMD_DONE;
	}
	struct buf in = BUF_INIT(s->cfg->max_line_length);
	struct buf out = BUF_INIT(s->cfg->max_line_length);
	bool have_in = false;
	if (have_ir) {
		if (!login_sasl_decode(ir, &in)) {
			respond_tagged(s, tag, "BAD", "Invalid base64 in initial response.");
			goto out;
		}
		have_in = true;
	}
	for (;;) {
		int r = sasl_step(
		    sa, have_in ? (struct str){in.s ? in.s : "", in.len} : (struct str){NULL, 0},
		    &out);
		explicit_bzero(in.s ? in.s : (char *)"", in.s ? in.len : 0);
		if (r == SASL_CONTINUE || (r == SASL_OK && out.len > 0)) {
			/* SCRAM's final server data goes as one more challenge,
			 * answered by an empty line (RFC 9051 6.2.2). */
			bool final = r == SASL_OK;
			const char *why;
			int rr =
			    login_sasl_round(s, (struct str){out.s, out.len}, final, &in, &why);
			if (rr == LOGIN_ROUND_BAD)
				respond_tagged(s, tag, "BAD", "%s", why);
			else if (rr == LOGIN_ROUND_OK && final)
				login_ok(s, tag, sasl_user(sa), "AUTHENTICATE");
			if (rr != LOGIN_ROUND_OK || final)
				break;
			have_in = true;
			continue;
		}
		const struct auth_user *u = sasl_user(sa);
		char shown[LOGIN_MAX_USER + 1];
		login_printable_user(u && u->name[0] ? (struct str){u->name, strlen(u->name)}
						     : STR_LIT("?"),
				     shown, sizeof(shown));
		if (r == SASL_OK)
			login_ok(s, tag, u, "AUTHENTICATE");
		else if (r == SASL_TEMPFAIL)
			respond_tagged(s, tag, "NO",
				       "[UNAVAILABLE] Authentication is unavailable now.");
		else
			login_failed(s, tag, shown, r == SASL_MALFORMED ? "malformed" : "password");
		break;
	}
out:
	sasl_free(&sa);
	buf_free(&in);
	buf_free(&out);
	return CMD_DONE;
}
