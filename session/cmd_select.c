/* SELECT, EXAMINE, CLOSE, UNSELECT, CHECK. */
#include <string.h>

#include "lib/log.h"
#include "maildir/util.h"
#include "session/commands.h"
#include "session/mailbox.h"
#include "session/respond.h"

static enum cmd_result do_select(struct session *s, struct parser *p, struct str tag, bool readonly)
{
	struct str name;
	if (!p_sp(p) || !p_mailbox(p, &name) || !p_eol(p))
		return CMD_BAD;
	char mbox[MD_PATH_MAX];
	bool had = s->mbox != NULL;
	session_unselect(s);
	if (had)
		respond_untagged(s, "OK [CLOSED] Previous mailbox closed.");
	if (!session_mailbox_in(s, name, mbox, sizeof(mbox))) {
		respond_tagged(s, tag, "NO", "[CANNOT] Invalid mailbox name.");
		return CMD_DONE;
	}
	struct buf err = BUF_INIT(1024);
	int r = md_mailbox_open(s->store, mbox, readonly, &s->mbox, &err);
	if (r < 0) {
		respond_tagged(s, tag, "NO", "[%s] %s",
			       r == MD_ERR_NOTFOUND ? "NONEXISTENT" : "CANNOT",
			       err.s ? err.s : "Cannot open mailbox.");
		buf_free(&err);
		return CMD_DONE;
	}
	buf_free(&err);
	s->state = ST_SELECTED;
	struct md_status st;
	md_mailbox_status(s->mbox, &st);
	bool rev2 = s->enabled & ENABLED_REV2;
	struct buf f = BUF_INIT(8192);
	session_mailbox_flags(s, false, &f);
	respond_untagged(s, "FLAGS %s", f.s);
	buf_reset(&f);
	if (readonly)
		buf_appends(&f, "()");
	else
		session_mailbox_flags(s, true, &f);
	respond_untagged(s, "OK [PERMANENTFLAGS %s] Flags permitted.", f.s);
	buf_free(&f);
	respond_untagged(s, "%u EXISTS", st.messages);
	if (!rev2) {
		respond_untagged(s, "%u RECENT", st.recent);
		if (st.first_unseen)
			respond_untagged(s, "OK [UNSEEN %u] First unseen.", st.first_unseen);
	}
	respond_untagged(s, "OK [UIDVALIDITY %u] UIDs valid", st.uidvalidity);
	respond_untagged(s, "OK [UIDNEXT %u] Predicted next UID", st.uidnext);
	if (rev2) {
		struct buf n = BUF_INIT(MD_PATH_MAX * 2);
		session_mailbox_out(s, mbox, &n);
		respond_untagged(s, "LIST () \"/\" %s", n.s);
		buf_free(&n);
	}
	s->told_exists = st.messages;
	s->told_recent = st.recent;
	respond_tagged(s, tag, "OK", "[%s] %s completed.", readonly ? "READ-ONLY" : "READ-WRITE",
		       readonly ? "Examine" : "Select");
	return CMD_DONE;
}

enum cmd_result cmd_select(struct session *s, struct parser *p, struct str tag)
{
	return do_select(s, p, tag, false);
}

enum cmd_result cmd_examine(struct session *s, struct parser *p, struct str tag)
{
	return do_select(s, p, tag, true);
}

enum cmd_result cmd_close(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	/* CLOSE expunges silently: no EXPUNGE responses (RFC 9051 6.4.1). */
	if (!md_mailbox_readonly(s->mbox)) {
		struct buf err = BUF_INIT(1024);
		if (md_mailbox_expunge(s->mbox, NULL, 0, NULL, &err) < 0)
			log_err("expunge on close failed: %s", err.s ? err.s : "");
		buf_free(&err);
	}
	session_unselect(s);
	respond_tagged(s, tag, "OK", "Close completed.");
	return CMD_DONE;
}

enum cmd_result cmd_unselect(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	session_unselect(s);
	respond_tagged(s, tag, "OK", "Unselect completed.");
	return CMD_DONE;
}

enum cmd_result cmd_check(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	respond_tagged(s, tag, "OK", "Check completed.");
	return CMD_DONE;
}
