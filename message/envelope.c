#include "envelope.h"

#include "header.h"
#include "imapstr.h"

struct addr_out {
	struct buf *out;
	bool ok;
	unsigned n;
};

static bool addr_cb(void *ctx, const struct msg_addr *a)
{
	struct addr_out *ao = ctx;
	struct buf *o = ao->out;
	/* Dovecot writes the list without spaces between addresses. */
	if (ao->n++ == 0)
		ao->ok = ao->ok && buf_appendc(o, '(');
	ao->ok = ao->ok && buf_appendc(o, '(') && imap_append_human(o, a->name.s, a->name.len) &&
		 buf_appendc(o, ' ') && imap_append_nstring(o, a->route.s, a->route.len) &&
		 buf_appendc(o, ' ') && imap_append_nstring(o, a->mailbox.s, a->mailbox.len) &&
		 buf_appendc(o, ' ') && imap_append_nstring(o, a->host.s, a->host.len) &&
		 buf_appendc(o, ')');
	return ao->ok;
}

/* Writes the list of field id; 0 addresses: false with nothing written. */
static bool addr_try(const struct msg_tree *t, const struct msg_part *p, enum msg_fid id,
		     struct buf *out, bool *failed)
{
	struct str v;
	if (!msg_part_field(t, p, id, &v))
		return false;
	size_t mark = out->len;
	struct addr_out ao = {out, true, 0};
	int n = msg_addr_parse(v.s, v.len, addr_cb, &ao);
	if (n < 0 || !ao.ok || (ao.n > 0 && !buf_appendc(out, ')'))) {
		buf_truncate(out, mark);
		*failed = true;
		return false;
	}
	return ao.n > 0;
}

/* Sender and Reply-To with no address (absent, empty, only a comment)
 * are From, as Dovecot shows them. */
static bool addr_list(const struct msg_tree *t, const struct msg_part *p, enum msg_fid id,
		      enum msg_fid fallback, struct buf *out)
{
	bool failed = false;
	if (addr_try(t, p, id, out, &failed))
		return true;
	if (!failed && id != fallback && addr_try(t, p, fallback, out, &failed))
		return true;
	return !failed && buf_appends(out, "NIL");
}

static bool nstr(const struct msg_tree *t, const struct msg_part *p, enum msg_fid id,
		 struct buf *out)
{
	struct str v;
	if (!msg_part_field(t, p, id, &v))
		return buf_appends(out, "NIL");
	return imap_append_nstring_nolf(out, v.s, v.len);
}

bool msg_envelope_write(const struct msg_tree *t, unsigned node, struct buf *out)
{
	const struct msg_part *p = msg_tree_part(t, node);
	if (!p)
		return false;
	size_t mark = out->len;
	struct str subj;
	bool ok = buf_appendc(out, '(') && nstr(t, p, MSG_F_DATE, out) && buf_appendc(out, ' ');
	if (ok && msg_part_field(t, p, MSG_F_SUBJECT, &subj))
		ok = imap_append_human(out, subj.s, subj.len);
	else if (ok)
		ok = buf_appends(out, "NIL");
	ok = ok && buf_appendc(out, ' ') && addr_list(t, p, MSG_F_FROM, MSG_F_FROM, out) &&
	     buf_appendc(out, ' ') && addr_list(t, p, MSG_F_SENDER, MSG_F_FROM, out) &&
	     buf_appendc(out, ' ') && addr_list(t, p, MSG_F_REPLY_TO, MSG_F_FROM, out) &&
	     buf_appendc(out, ' ') && addr_list(t, p, MSG_F_TO, MSG_F_TO, out) &&
	     buf_appendc(out, ' ') && addr_list(t, p, MSG_F_CC, MSG_F_CC, out) &&
	     buf_appendc(out, ' ') && addr_list(t, p, MSG_F_BCC, MSG_F_BCC, out) &&
	     buf_appendc(out, ' ') && nstr(t, p, MSG_F_IN_REPLY_TO, out) && buf_appendc(out, ' ') &&
	     nstr(t, p, MSG_F_MESSAGE_ID, out) && buf_appendc(out, ')');
	if (!ok)
		buf_truncate(out, mark);
	return ok;
}
