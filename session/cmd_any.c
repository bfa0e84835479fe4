/* Commands valid in any state: CAPABILITY, NOOP, LOGOUT, ID; and ENABLE. */
#include <string.h>

#include "lib/log.h"
#include "session/commands.h"
#include "session/respond.h"

enum cmd_result cmd_capability(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	struct buf caps = BUF_INIT(4096);
	if (!capability_string(s, &caps)) {
		buf_free(&caps);
		respond_tagged(s, tag, "NO", "[SERVERBUG] Capability list too long");
		return CMD_DONE;
	}
	respond_untagged(s, "CAPABILITY %s", caps.s);
	respond_tagged(s, tag, "OK", "Capability completed.");
	buf_free(&caps);
	return CMD_DONE;
}

enum cmd_result cmd_noop(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	respond_tagged(s, tag, "OK", "NOOP completed.");
	return CMD_DONE;
}

enum cmd_result cmd_logout(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	respond_untagged(s, "BYE Logging out");
	respond_tagged(s, tag, "OK", "Logout completed.");
	s->state = ST_LOGOUT;
	return CMD_DONE;
}

/* RFC 2971 limits: 30 pairs, fields of 30 octets, values of 1024. */
#define ID_MAX_PAIRS 30
#define ID_MAX_FIELD 30
#define ID_MAX_VALUE 1024

enum cmd_result cmd_id(struct session *s, struct parser *p, struct str tag)
{
	struct buf logline = BUF_INIT(2048);
	if (!p_sp(p))
		goto bad;
	if (!p_keyword(p, "NIL")) {
		if (!p_char(p, '('))
			goto bad;
		for (unsigned n = 0; !p_peek(p, ')'); n++) {
			struct str field, value;
			bool nil;
			if (n == ID_MAX_PAIRS) {
				p_fail(p, "Too many ID fields");
				goto bad;
			}
			if ((n > 0 && !p_sp(p)) || !p_string(p, &field) || !p_sp(p) ||
			    !p_nstring(p, &value, &nil))
				goto bad;
			if (field.len > ID_MAX_FIELD || value.len > ID_MAX_VALUE) {
				p_fail(p, "ID field or value too long");
				goto bad;
			}
			buf_appendf(&logline, "%s%.*s=%.*s", n ? ", " : "", (int)field.len, field.s,
				    nil ? 3 : (int)value.len, nil ? "NIL" : value.s);
		}
		if (!p_char(p, ')'))
			goto bad;
	}
	if (!p_eol(p))
		goto bad;
	if (logline.len)
		log_info("client id: %s", logline.s);
	buf_free(&logline);
	respond_untagged(s, "ID (\"name\" \"imapd\" \"version\" \"" IMAPD_VERSION "\")");
	respond_tagged(s, tag, "OK", "ID completed.");
	return CMD_DONE;
bad:
	buf_free(&logline);
	return CMD_BAD;
}

/* Extensions a client may ENABLE (RFC 5161); each sets a bit in the session. */
static const struct {
	const char *name;
	unsigned bit;
} enables[] = {
    {"IMAP4rev2", ENABLED_REV2},
    {NULL, 0},
};

enum cmd_result cmd_enable(struct session *s, struct parser *p, struct str tag)
{
	struct buf done = BUF_INIT(1024);
	if (!p_sp(p))
		goto bad;
	do {
		struct str ext;
		if (!p_atom(p, &ext))
			goto bad;
		/* Unknown extensions are ignored, as RFC 5161 requires. */
		for (size_t i = 0; enables[i].name; i++)
			if (str_caseeq(ext, enables[i].name) && !(s->enabled & enables[i].bit)) {
				s->enabled |= enables[i].bit;
				buf_appendf(&done, " %s", enables[i].name);
			}
	} while (p_peek(p, ' ') && p_sp(p));
	if (!p_eol(p))
		goto bad;
	respond_untagged(s, "ENABLED%s", done.len ? done.s : "");
	respond_tagged(s, tag, "OK", "Enabled.");
	buf_free(&done);
	return CMD_DONE;
bad:
	buf_free(&done);
	return CMD_BAD;
}
