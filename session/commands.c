#include "commands.h"

#include <string.h>

#include "session/respond.h"

static const struct command commands[] = {
    {"CAPABILITY", ST_ANY, false, cmd_capability, NULL},
    {"NOOP", ST_ANY, false, cmd_noop, NULL},
    {"LOGOUT", ST_ANY, false, cmd_logout, NULL},
    {"ID", ST_ANY, false, cmd_id, NULL},
    {"ENABLE", ST_AUTHED, false, cmd_enable, NULL},
    {"LOGIN", ST_NOTAUTH, false, cmd_login, NULL},
    {"AUTHENTICATE", ST_NOTAUTH, false, cmd_authenticate, NULL},
};

const struct command *command_find(struct str name, bool uid)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (str_caseeq(name, commands[i].name) && (!uid || commands[i].uid))
			return &commands[i];
	return NULL;
}

/* Reads "tag SP [UID SP] name"; false if that much is not there. */
static bool command_head(struct session *s, struct parser *p, struct str *tag, struct str *name,
			 bool *uid)
{
	*uid = false;
	if (!p_tag(p, tag) || !p_sp(p) || !p_atom(p, name))
		return false;
	if (str_caseeq(*name, "UID")) {
		*uid = true;
		if (!p_sp(p) || !p_atom(p, name))
			return false;
	}
	return true;
}

static struct str reader_tag(const struct session *s)
{
	if (reader_tag_ok(&s->rd))
		return (struct str){s->rd.tag, strlen(s->rd.tag)};
	return STR_LIT("*");
}

void command_dispatch(struct session *s)
{
	struct parser p;
	struct str tag, name;
	bool uid;
	parser_init(&p, &s->rd);
	if (!command_head(s, &p, &tag, &name, &uid)) {
		respond_tagged(s, reader_tag(s), "BAD", "Error in IMAP command: %s",
			       p.err ? p.err : "missing command");
		return;
	}
	const struct command *c = command_find(name, uid);
	if (!c) {
		respond_tagged(s, tag, "BAD", "Unknown command");
		return;
	}
	if (!(c->states & s->state)) {
		respond_tagged(s, tag, "BAD", "%s%s not valid in this state", uid ? "UID " : "",
			       c->name);
		return;
	}
	s->uid_cmd = uid;
	if (c->run(s, &p, tag) == CMD_BAD)
		respond_tagged(s, tag, "BAD", "Error in IMAP command %s: %s", c->name,
			       p.err ? p.err : "invalid arguments");
}

void command_literal(struct session *s)
{
	struct parser p;
	struct str tag, name;
	bool uid;
	parser_init(&p, &s->rd);
	if (command_head(s, &p, &tag, &name, &uid)) {
		const struct command *c = command_find(name, uid);
		if (c && c->literal && (c->states & s->state)) {
			c->literal(s, &p, tag);
			return;
		}
	}
	if (reader_literal_hold(&s->rd) == READER_BAD) {
		respond_tagged(s, reader_tag(s), "BAD", "[%s] %s",
			       s->rd.code ? s->rd.code : "CLIENTBUG", s->rd.err);
		return;
	}
	if (s->rd.lit_sync)
		respond_continue(s, "Ready for literal data");
}
