/* commands: the command table and the handlers' shared interface.
 *
 * A handler parses its own arguments with the parser, acts and answers.
 * It returns CMD_DONE when it has answered, or CMD_BAD to have the
 * dispatcher answer "<tag> BAD <p->err>" in one place.
 */
#ifndef IMAPD_COMMANDS_H
#define IMAPD_COMMANDS_H

#include "session/session.h"

enum cmd_result { CMD_DONE, CMD_BAD };

#define CMDF_UID       1u /* also valid after the UID prefix */
#define CMDF_SEQ_QUIET 2u /* by sequence number, no EXPUNGE may be sent (RFC 9051 7.5.1) */

struct command {
	const char *name;
	unsigned states; /* enum session_state bits where it is valid */
	unsigned flags;	 /* CMDF_* */
	enum cmd_result (*run)(struct session *s, struct parser *p, struct str tag);
	/* For commands that stream a literal (APPEND): called when one is
	 * announced, with the parser at the start of the command so far. It
	 * must call one of reader_literal_*(). NULL: the literal is held. */
	void (*literal)(struct session *s, struct parser *p, struct str tag);
};

/* Finds a command by name (any case); uid selects the UID-prefixed form. */
const struct command *command_find(struct str name, bool uid);
/* Runs the command held by the reader. */
void command_dispatch(struct session *s);
/* Decides what to do with a literal the reader has just announced. */
void command_literal(struct session *s);

/* Handlers, one group per file. */
enum cmd_result cmd_capability(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_noop(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_logout(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_id(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_enable(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_login(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_authenticate(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_starttls(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_select(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_examine(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_close(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_unselect(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_check(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_create(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_delete(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_rename(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_subscribe(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_unsubscribe(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_status(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_list(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_lsub(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_namespace(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_append(struct session *s, struct parser *p, struct str tag);
void append_literal(struct session *s, struct parser *p, struct str tag);
/* Aborts a half-received APPEND (its tmp/ files are removed). */
void append_state_free(struct session *s);
enum cmd_result cmd_fetch(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_search(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_store(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_expunge(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_copy(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_move(struct session *s, struct parser *p, struct str tag);
enum cmd_result cmd_idle(struct session *s, struct parser *p, struct str tag);

/* STATUS items shared with LIST-STATUS: "(" item *(SP item) ")" into bits. */
bool status_parse_items(struct parser *p, unsigned *items);
/* Writes "* STATUS name (...)". 0, or an MD_ERR_* code with err. */
int status_respond(struct session *s, const char *mbox, unsigned items, struct buf *err);

/* The CAPABILITY list for the session's current state, without "* CAPABILITY ". */
bool capability_string(const struct session *s, struct buf *out);

#endif
