/* STORE, EXPUNGE, COPY and MOVE, by sequence number or UID. */
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "maildir/util.h"
#include "session/commands.h"
#include "session/flags.h"
#include "session/mailbox.h"
#include "session/respond.h"

/* Parses a sequence set and resolves it; answers BAD itself on failure. */
static bool message_set(struct session *s, struct parser *p, uint32_t **seqs, size_t *n)
{
	struct seqset set = {0};
	const char *why = NULL;
	bool ok = p_seqset(p, &set);
	if (ok && session_resolve_set(s, &set, s->uid_cmd, seqs, n, &why) < 0)
		ok = p_fail(p, why);
	seqset_free(&set);
	return ok;
}

enum cmd_result cmd_store(struct session *s, struct parser *p, struct str tag)
{
	uint32_t *seqs = NULL;
	size_t n = 0;
	struct str item;
	struct flag_list fl;
	if (!p_sp(p) || !message_set(s, p, &seqs, &n) || !p_sp(p) || !p_atom(p, &item))
		goto bad;
	enum md_store_op op = MD_STORE_SET;
	const char *it = item.s;
	size_t len = item.len;
	if (len && (it[0] == '+' || it[0] == '-')) {
		op = it[0] == '+' ? MD_STORE_ADD : MD_STORE_REMOVE;
		it++;
		len--;
	}
	bool silent = false;
	struct str rest = {it, len};
	if (str_caseeq(rest, "FLAGS.SILENT"))
		silent = true;
	else if (!str_caseeq(rest, "FLAGS")) {
		p_fail(p, "Expected FLAGS, +FLAGS or -FLAGS");
		goto bad;
	}
	if (!p_sp(p) || !p_flag_list(p, &fl, true) || !p_eol(p))
		goto bad;
	if (md_mailbox_readonly(s->mbox)) {
		free(seqs);
		respond_tagged(s, tag, "NO", "[READ-ONLY] The mailbox is read-only.");
		return CMD_DONE;
	}
	struct buf err = BUF_INIT(1024);
	uint32_t kw = 0;
	for (size_t i = 0; i < fl.nkw; i++) {
		int k = md_mailbox_keyword(s->mbox, fl.kw[i], op != MD_STORE_REMOVE, &err);
		if (k >= 0)
			kw |= 1u << k;
		else if (op != MD_STORE_REMOVE) {
			respond_tagged(s, tag, "NO", "[LIMIT] %s",
				       err.s ? err.s : "Too many keywords.");
			buf_free(&err);
			free(seqs);
			return CMD_DONE;
		}
	}
	if (fl.nkw && op != MD_STORE_REMOVE) {
		/* A new keyword changes the mailbox's FLAGS. */
		struct buf f = BUF_INIT(8192);
		if (session_mailbox_flags(s, false, &f))
			respond_untagged(s, "FLAGS %s", f.s);
		buf_free(&f);
	}
	bool expunged = false;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&err);
		int r = md_mailbox_store(s->mbox, seqs[i], op, fl.flags, kw, &err);
		if (r == MD_ERR_EXPUNGED) {
			expunged = true;
			continue;
		}
		if (r < 0) {
			respond_tagged(s, tag, "NO", "[SERVERBUG] %s",
				       err.s ? err.s : "Store failed.");
			buf_free(&err);
			free(seqs);
			return CMD_DONE;
		}
		if (!silent) {
			struct buf f = BUF_INIT(8192);
			session_flags(s, seqs[i], &f);
			if (s->uid_cmd)
				respond_untagged(s, "%u FETCH (UID %u FLAGS %s)", seqs[i],
						 md_mailbox_msg(s->mbox, seqs[i])->uid, f.s);
			else
				respond_untagged(s, "%u FETCH (FLAGS %s)", seqs[i], f.s);
			buf_free(&f);
		}
	}
	buf_free(&err);
	free(seqs);
	if (expunged)
		respond_tagged(s, tag, "NO",
			       "[EXPUNGEISSUED] Some messages were expunged by another session.");
	else
		respond_tagged(s, tag, "OK", "Store completed.");
	return CMD_DONE;
bad:
	free(seqs);
	return CMD_BAD;
}

enum cmd_result cmd_expunge(struct session *s, struct parser *p, struct str tag)
{
	uint32_t *seqs = NULL, *uids = NULL;
	size_t n = 0;
	if (s->uid_cmd && (!p_sp(p) || !message_set(s, p, &seqs, &n)))
		goto bad;
	if (!p_eol(p))
		goto bad;
	if (md_mailbox_readonly(s->mbox)) {
		free(seqs);
		respond_tagged(s, tag, "NO", "[READ-ONLY] The mailbox is read-only.");
		return CMD_DONE;
	}
	if (s->uid_cmd) {
		uids = malloc((n ? n : 1) * sizeof(*uids));
		if (!uids)
			goto bad;
		for (size_t i = 0; i < n; i++)
			uids[i] = md_mailbox_msg(s->mbox, seqs[i])->uid;
	}
	struct md_changes ch;
	memset(&ch, 0, sizeof(ch));
	struct buf err = BUF_INIT(1024);
	int r = (s->uid_cmd && n == 0) ? 0 : md_mailbox_expunge(s->mbox, uids, n, &ch, &err);
	if (r < 0) {
		respond_tagged(s, tag, "NO", "[SERVERBUG] %s", err.s ? err.s : "Expunge failed.");
	} else {
		session_report(s, &ch);
		respond_tagged(s, tag, "OK", "Expunge completed.");
	}
	md_changes_free(&ch);
	buf_free(&err);
	free(seqs);
	free(uids);
	return CMD_DONE;
bad:
	free(seqs);
	free(uids);
	return CMD_BAD;
}

static enum cmd_result copy_or_move(struct session *s, struct parser *p, struct str tag, bool move)
{
	uint32_t *seqs = NULL, *dest = NULL, *src = NULL;
	size_t n = 0;
	struct str name;
	if (!p_sp(p) || !message_set(s, p, &seqs, &n) || !p_sp(p) || !p_mailbox(p, &name) ||
	    !p_eol(p)) {
		free(seqs);
		return CMD_BAD;
	}
	const char *what = move ? "Move" : "Copy";
	char mbox[MD_PATH_MAX];
	if (!session_mailbox_in(s, name, mbox, sizeof(mbox))) {
		free(seqs);
		respond_tagged(s, tag, "NO", "[CANNOT] Invalid mailbox name.");
		return CMD_DONE;
	}
	if (move && md_mailbox_readonly(s->mbox)) {
		free(seqs);
		respond_tagged(s, tag, "NO", "[READ-ONLY] The mailbox is read-only.");
		return CMD_DONE;
	}
	if (n == 0) {
		free(seqs);
		respond_tagged(s, tag, "OK", "%s completed.", what);
		return CMD_DONE;
	}
	dest = calloc(n, sizeof(*dest));
	src = calloc(n, sizeof(*src));
	struct buf err = BUF_INIT(1024);
	uint32_t uidvalidity = 0;
	int r = -1;
	if (dest && src) {
		for (size_t i = 0; i < n; i++)
			src[i] = md_mailbox_msg(s->mbox, seqs[i])->uid;
		r = md_mailbox_copy(s->mbox, seqs, n, mbox, move, dest, &uidvalidity, &err);
	}
	if (r < 0) {
		respond_tagged(s, tag, "NO", "[%s] %s",
			       r == MD_ERR_NOTFOUND ? "TRYCREATE" : "SERVERBUG",
			       err.s && err.len ? err.s : "Cannot copy.");
		goto out;
	}
	/* Only the messages that were still there have a new UID. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (dest[i]) {
			src[k] = src[i];
			dest[k++] = dest[i];
		}
	struct buf code = BUF_INIT(1 << 20);
	if (k > 0) {
		buf_appendf(&code, "[COPYUID %u ", uidvalidity);
		uidset_append(&code, src, k);
		buf_appendc(&code, ' ');
		uidset_append(&code, dest, k);
		buf_appends(&code, "] ");
	}
	if (move) {
		/* RFC 6851: COPYUID comes untagged, then the expunges. */
		if (k > 0)
			respond_untagged(s, "OK %sMoved.", code.s);
		struct md_changes ch;
		memset(&ch, 0, sizeof(ch));
		buf_reset(&err);
		if (md_mailbox_sync(s->mbox, &ch, &err) == 0)
			session_report(s, &ch);
		md_changes_free(&ch);
		respond_tagged(s, tag, "OK", "Move completed.");
	} else {
		respond_tagged(s, tag, "OK", "%s%s completed.", code.s ? code.s : "", what);
	}
	buf_free(&code);
out:
	buf_free(&err);
	free(seqs);
	free(dest);
	free(src);
	return CMD_DONE;
}

enum cmd_result cmd_copy(struct session *s, struct parser *p, struct str tag)
{
	return copy_or_move(s, p, tag, false);
}

enum cmd_result cmd_move(struct session *s, struct parser *p, struct str tag)
{
	return copy_or_move(s, p, tag, true);
}
