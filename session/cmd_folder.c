/* CREATE (with USE), DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS. */
#include <string.h>

#include "maildir/folder.h"
#include "maildir/name.h"
#include "maildir/subscriptions.h"
#include "maildir/util.h"
#include "session/commands.h"
#include "session/mailbox.h"
#include "session/respond.h"

/* Reads a mailbox argument into a NUL-terminated name; answers NO itself
 * for a name that cannot be one. */
static bool name_arg(struct session *s, struct str tag, struct str in, char *out, size_t len)
{
	if (!session_mailbox_in(s, in, out, len)) {
		respond_tagged(s, tag, "NO", "[CANNOT] Invalid mailbox name.");
		return false;
	}
	return true;
}

static const char *code_for(int r)
{
	switch (r) {
	case MD_ERR_NOTFOUND:
		return "NONEXISTENT";
	case MD_ERR_EXISTS:
		return "ALREADYEXISTS";
	default:
		return "CANNOT";
	}
}

static void answer(struct session *s, struct str tag, int r, struct buf *err, const char *done)
{
	if (r == 0)
		respond_tagged(s, tag, "OK", "%s", done);
	else
		respond_tagged(s, tag, "NO", "[%s] %s", code_for(r),
			       err->s && err->len ? err->s : "Operation failed.");
}

enum cmd_result cmd_create(struct session *s, struct parser *p, struct str tag)
{
	struct str name;
	unsigned use = 0;
	if (!p_sp(p) || !p_mailbox(p, &name))
		return CMD_BAD;
	/* CREATE-SPECIAL-USE (RFC 6154): CREATE name (USE (\Sent ...)) */
	if (p_peek(p, ' ')) {
		if (!p_sp(p) || !p_char(p, '(') || !p_keyword(p, "USE") || !p_sp(p) ||
		    !p_char(p, '('))
			return p_fail(p, "Expected (USE (...))"), CMD_BAD;
		do {
			struct str attr;
			char a[32];
			if (!p_flag(p, &attr, false))
				return CMD_BAD;
			unsigned bit = str_copy(a, sizeof(a), attr) ? md_special_use_parse(a) : 0;
			if (!bit) {
				respond_tagged(s, tag, "NO",
					       "[USEATTR] Unsupported special-use attribute.");
				return CMD_DONE;
			}
			use |= bit;
		} while (p_peek(p, ' ') && p_sp(p));
		if (!p_char(p, ')') || !p_char(p, ')'))
			return CMD_BAD;
	}
	if (!p_eol(p))
		return CMD_BAD;
	char mbox[MD_PATH_MAX];
	if (!name_arg(s, tag, name, mbox, sizeof(mbox)))
		return CMD_DONE;
	/* A trailing delimiter only says the name will have children. */
	size_t n = strlen(mbox);
	if (n > 1 && mbox[n - 1] == '/')
		mbox[n - 1] = '\0';
	if (md_name_is_inbox(mbox, strlen(mbox))) {
		respond_tagged(s, tag, "NO", "[ALREADYEXISTS] INBOX always exists.");
		return CMD_DONE;
	}
	struct buf err = BUF_INIT(1024);
	answer(s, tag, md_folder_create(s->store, mbox, use, &err), &err, "Create completed.");
	buf_free(&err);
	return CMD_DONE;
}

enum cmd_result cmd_delete(struct session *s, struct parser *p, struct str tag)
{
	struct str name;
	if (!p_sp(p) || !p_mailbox(p, &name) || !p_eol(p))
		return CMD_BAD;
	char mbox[MD_PATH_MAX];
	if (!name_arg(s, tag, name, mbox, sizeof(mbox)))
		return CMD_DONE;
	if (md_name_is_inbox(mbox, strlen(mbox))) {
		respond_tagged(s, tag, "NO", "[CANNOT] INBOX cannot be deleted.");
		return CMD_DONE;
	}
	if (s->mbox && !strcmp(md_mailbox_name(s->mbox), mbox)) {
		respond_tagged(s, tag, "NO", "[INUSE] Cannot delete the selected mailbox.");
		return CMD_DONE;
	}
	struct buf err = BUF_INIT(1024);
	answer(s, tag, md_folder_delete(s->store, mbox, &err), &err, "Delete completed.");
	buf_free(&err);
	return CMD_DONE;
}

enum cmd_result cmd_rename(struct session *s, struct parser *p, struct str tag)
{
	struct str from, to;
	if (!p_sp(p) || !p_mailbox(p, &from) || !p_sp(p) || !p_mailbox(p, &to) || !p_eol(p))
		return CMD_BAD;
	char a[MD_PATH_MAX], b[MD_PATH_MAX];
	if (!name_arg(s, tag, from, a, sizeof(a)) || !name_arg(s, tag, to, b, sizeof(b)))
		return CMD_DONE;
	if (md_name_is_inbox(b, strlen(b))) {
		respond_tagged(s, tag, "NO", "[ALREADYEXISTS] INBOX always exists.");
		return CMD_DONE;
	}
	struct buf err = BUF_INIT(1024);
	answer(s, tag, md_folder_rename(s->store, a, b, &err), &err, "Rename completed.");
	buf_free(&err);
	return CMD_DONE;
}

static enum cmd_result subscribe(struct session *s, struct parser *p, struct str tag, bool on)
{
	struct str name;
	if (!p_sp(p) || !p_mailbox(p, &name) || !p_eol(p))
		return CMD_BAD;
	char mbox[MD_PATH_MAX];
	if (!name_arg(s, tag, name, mbox, sizeof(mbox)))
		return CMD_DONE;
	struct buf err = BUF_INIT(1024);
	answer(s, tag, md_subs_set(s->store, mbox, on, &err), &err,
	       on ? "Subscribe completed." : "Unsubscribe completed.");
	buf_free(&err);
	return CMD_DONE;
}

enum cmd_result cmd_subscribe(struct session *s, struct parser *p, struct str tag)
{
	return subscribe(s, p, tag, true);
}

enum cmd_result cmd_unsubscribe(struct session *s, struct parser *p, struct str tag)
{
	return subscribe(s, p, tag, false);
}

/* STATUS items, as bits. */
#define SI_MESSAGES    1u
#define SI_RECENT      2u
#define SI_UIDNEXT     4u
#define SI_UIDVALIDITY 8u
#define SI_UNSEEN      16u
#define SI_SIZE	       32u
#define SI_DELETED     64u

static const struct {
	const char *name;
	unsigned bit;
} status_items[] = {
    {"MESSAGES", SI_MESSAGES},	     {"RECENT", SI_RECENT}, {"UIDNEXT", SI_UIDNEXT},
    {"UIDVALIDITY", SI_UIDVALIDITY}, {"UNSEEN", SI_UNSEEN}, {"SIZE", SI_SIZE},
    {"DELETED", SI_DELETED},
};

bool status_parse_items(struct parser *p, unsigned *items)
{
	*items = 0;
	if (!p_char(p, '('))
		return false;
	do {
		struct str a;
		if (!p_atom(p, &a))
			return false;
		size_t i;
		for (i = 0; i < sizeof(status_items) / sizeof(status_items[0]); i++)
			if (str_caseeq(a, status_items[i].name))
				break;
		if (i == sizeof(status_items) / sizeof(status_items[0]))
			return p_fail(p, "Unknown STATUS item");
		*items |= status_items[i].bit;
	} while (p_peek(p, ' ') && p_sp(p));
	return p_char(p, ')');
}

/* Writes "* STATUS name (...)"; the counts come from the view when the
 * mailbox is the selected one. Returns the md_status result. */
int status_respond(struct session *s, const char *mbox, unsigned items, struct buf *err)
{
	struct md_status st;
	memset(&st, 0, sizeof(st));
	int r;
	if (s->mbox && !strcmp(md_mailbox_name(s->mbox), mbox)) {
		md_mailbox_status(s->mbox, &st);
		r = 0;
	} else {
		r = md_status(s->store, mbox, &st, err);
	}
	if (r < 0)
		return r;
	struct buf out = BUF_INIT(MD_PATH_MAX * 2);
	session_mailbox_out(s, mbox, &out);
	buf_appends(&out, " (");
	const char *sep = "";
	for (size_t i = 0; i < sizeof(status_items) / sizeof(status_items[0]); i++) {
		if (!(items & status_items[i].bit))
			continue;
		unsigned long long v = 0;
		switch (status_items[i].bit) {
		case SI_MESSAGES:
			v = st.messages;
			break;
		case SI_RECENT:
			v = st.recent;
			break;
		case SI_UIDNEXT:
			v = st.uidnext;
			break;
		case SI_UIDVALIDITY:
			v = st.uidvalidity;
			break;
		case SI_UNSEEN:
			v = st.unseen;
			break;
		case SI_SIZE:
			v = st.size;
			break;
		case SI_DELETED:
			v = st.deleted;
			break;
		}
		buf_appendf(&out, "%s%s %llu", sep, status_items[i].name, v);
		sep = " ";
	}
	buf_appendc(&out, ')');
	respond_untagged(s, "STATUS %s", out.s);
	buf_free(&out);
	return 0;
}

enum cmd_result cmd_status(struct session *s, struct parser *p, struct str tag)
{
	struct str name;
	unsigned items;
	if (!p_sp(p) || !p_mailbox(p, &name) || !p_sp(p) || !status_parse_items(p, &items) ||
	    !p_eol(p))
		return CMD_BAD;
	char mbox[MD_PATH_MAX];
	if (!name_arg(s, tag, name, mbox, sizeof(mbox)))
		return CMD_DONE;
	struct buf err = BUF_INIT(1024);
	int r = status_respond(s, mbox, items, &err);
	answer(s, tag, r, &err, "Status completed.");
	buf_free(&err);
	return CMD_DONE;
}
