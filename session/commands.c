#include "commands.h"

#include <string.h>

#include "session/respond.h"

static const struct command commands[] = {
    {"CAPABILITY", ST_ANY, 0, cmd_capability, NULL},
    {"NOOP", ST_ANY, 0, cmd_noop, NULL},
    {"LOGOUT", ST_ANY, 0, cmd_logout, NULL},
    {"ID", ST_ANY, 0, cmd_id, NULL},
    {"ENABLE", ST_AUTHED, 0, cmd_enable, NULL},
    {"LOGIN", ST_NOTAUTH, 0, cmd_login, NULL},
    {"AUTHENTICATE", ST_NOTAUTH, 0, cmd_authenticate, NULL},
    {"STARTTLS", ST_NOTAUTH, 0, cmd_starttls, NULL},
    {"SELECT", ST_AUTHED, 0, cmd_select, NULL},
    {"EXAMINE", ST_AUTHED, 0, cmd_examine, NULL},
    {"CREATE", ST_AUTHED, 0, cmd_create, NULL},
    {"DELETE", ST_AUTHED, 0, cmd_delete, NULL},
    {"RENAME", ST_AUTHED, 0, cmd_rename, NULL},
    {"SUBSCRIBE", ST_AUTHED, 0, cmd_subscribe, NULL},
    {"UNSUBSCRIBE", ST_AUTHED, 0, cmd_unsubscribe, NULL},
    {"LIST", ST_AUTHED, 0, cmd_list, NULL},
    {"LSUB", ST_AUTHED, 0, cmd_lsub, NULL},
    {"NAMESPACE", ST_AUTHED, 0, cmd_namespace, NULL},
    {"STATUS", ST_AUTHED, 0, cmd_status, NULL},
    {"APPEND", ST_AUTHED, 0, cmd_append, append_literal},
    {"IDLE", ST_AUTHED, 0, cmd_idle, NULL},
    {"CLOSE", ST_SELECTED, 0, cmd_close, NULL},
    {"UNSELECT", ST_SELECTED, 0, cmd_unselect, NULL},
    {"CHECK", ST_SELECTED, 0, cmd_check, NULL},
    {"EXPUNGE", ST_SELECTED, CMDF_UID, cmd_expunge, NULL},
    {"FETCH", ST_SELECTED, CMDF_UID | CMDF_SEQ_QUIET, cmd_fetch, NULL},
    {"SEARCH", ST_SELECTED, CMDF_UID | CMDF_SEQ_QUIET, cmd_search, NULL},
    {"STORE", ST_SELECTED, CMDF_UID | CMDF_SEQ_QUIET, cmd_store, NULL},
    {"COPY", ST_SELECTED, CMDF_UID, cmd_copy, NULL},
    {"MOVE", ST_SELECTED, CMDF_UID, cmd_move, NULL},
};

const struct command *command_find(struct str name, bool uid)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (str_caseeq(name, commands[i].name) && (!uid || (commands[i].flags & CMDF_UID)))
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
	s->expunge_ok = false;
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
	if (c->run != cmd_append)
		append_state_free(s);
	s->uid_cmd = uid;
	s->expunge_ok = uid || !(c->flags & CMDF_SEQ_QUIET);
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
