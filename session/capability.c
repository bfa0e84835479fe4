/* The one place that says what this server can do, per state. */
#include "auth/sasl.h"
#include "session/commands.h"

#include <string.h>

bool capability_string(const struct session *s, struct buf *out)
{
	bool ok = buf_appends(out, "IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE ID SASL-IR");
	if (s->state == ST_NOTAUTH) {
		if (!s->tls && session_tls_configured(s))
			ok = ok && buf_appends(out, " STARTTLS");
		/* Mechanisms that send the password are offered only where
		 * plaintext is allowed; LOGINDISABLED says so for LOGIN. */
		bool plain_ok = session_plaintext_ok(s);
		if (!plain_ok)
			ok = ok && buf_appends(out, " LOGINDISABLED");
		const char *mechs = sasl_mechanisms(s->cfg);
		while (ok && mechs && *mechs) {
			size_t n = strcspn(mechs, " ");
			bool plain = n == 5 && !strncmp(mechs, "PLAIN", 5);
			if (plain_ok || !plain)
				ok = buf_appends(out, " AUTH=") && buf_append(out, mechs, n);
			mechs += n;
			while (*mechs == ' ')
				mechs++;
		}
	}
	if (s->state & ST_AUTHED)
		ok = ok &&
		     buf_appends(out, " UIDPLUS MOVE UNSELECT NAMESPACE CHILDREN SPECIAL-USE"
				      " CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS MULTIAPPEND"
				      " STATUS=SIZE ESEARCH SEARCHRES BINARY IDLE") &&
		     buf_appendf(out, " APPENDLIMIT=%u", s->cfg->max_append_size);
	return ok;
}
