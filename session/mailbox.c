#include "session/mailbox.h"

#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "maildir/filename.h"
#include "maildir/location.h"
#include "maildir/mutf7.h"
#include "session/respond.h"

int session_open_store(struct session *s, struct buf *err)
{
	struct buf root = BUF_INIT(4096);
	const char *tmpl = s->user.mail[0] ? s->user.mail : s->cfg->mail_location;
	/* Dovecot's "maildir:" prefix on a per-user location is accepted as is. */
	if (!strncmp(tmpl, "maildir:", 8))
		tmpl += 8;
	int r = md_location_expand(tmpl, s->user.name, s->user.home, &root, err);
	if (r == 0)
		r = md_store_open(root.s, NULL, &s->store, err);
	buf_free(&root);
	return r;
}

void session_close_store(struct session *s)
{
	session_unselect(s);
	md_store_free(&s->store);
}

void session_unselect(struct session *s)
{
	md_mailbox_free(&s->mbox);
	free(s->saved);
	s->saved = NULL;
	s->nsaved = 0;
	if (s->state == ST_SELECTED)
		s->state = ST_AUTH;
}

static const struct {
	uint8_t bit;
	const char *name;
} sysflags[] = {
    {MD_F_ANSWERED, "\\Answered"}, {MD_F_FLAGGED, "\\Flagged"}, {MD_F_DELETED, "\\Deleted"},
    {MD_F_SEEN, "\\Seen"},	   {MD_F_DRAFT, "\\Draft"},
};

bool session_flags(struct session *s, uint32_t seq, struct buf *out)
{
	const struct md_msg *m = md_mailbox_msg(s->mbox, seq);
	if (!m)
		return false;
	bool ok = buf_appendc(out, '(');
	const char *sep = "";
	for (size_t i = 0; i < sizeof(sysflags) / sizeof(sysflags[0]); i++)
		if (m->flags & sysflags[i].bit) {
			ok = ok && buf_appendf(out, "%s%s", sep, sysflags[i].name);
			sep = " ";
		}
	if ((m->state & MD_MSG_RECENT) && !(s->enabled & ENABLED_REV2)) {
		ok = ok && buf_appendf(out, "%s\\Recent", sep);
		sep = " ";
	}
	for (unsigned k = 0; k < 26; k++) {
		const char *name =
		    (m->keywords & (1u << k)) ? md_mailbox_keyword_name(s->mbox, k) : NULL;
		if (name) {
			ok = ok && buf_appendf(out, "%s%s", sep, name);
			sep = " ";
		}
	}
	return ok && buf_appendc(out, ')');
}

bool session_mailbox_flags(struct session *s, bool permanent, struct buf *out)
{
	bool ok = buf_appends(out, "(\\Answered \\Flagged \\Deleted \\Seen \\Draft");
	for (unsigned k = 0; k < 26; k++) {
		const char *name = md_mailbox_keyword_name(s->mbox, k);
		if (name)
			ok = ok && buf_appendf(out, " %s", name);
	}
	if (permanent)
		ok = ok && buf_appends(out, " \\*");
	return ok && buf_appendc(out, ')');
}

static void report_flags(struct session *s, uint32_t seq)
{
	struct buf f = BUF_INIT(4096);
	if (session_flags(s, seq, &f))
		respond_untagged(s, "%u FETCH (UID %u FLAGS %s)", seq,
				 md_mailbox_msg(s->mbox, seq)->uid, f.s);
	buf_free(&f);
}

void session_report(struct session *s, const struct md_changes *ch)
{
	for (size_t i = 0; i < ch->n_expunged; i++)
		respond_untagged(s, "%u EXPUNGE", ch->expunged_seqs[i]);
	/* Each EXPUNGE lowers the client's count by itself. */
	s->told_exists -=
	    ch->n_expunged < s->told_exists ? (uint32_t)ch->n_expunged : s->told_exists;
	if (ch->keywords_changed) {
		struct buf f = BUF_INIT(8192);
		if (session_mailbox_flags(s, false, &f))
			respond_untagged(s, "FLAGS %s", f.s);
		buf_free(&f);
	}
	uint32_t exists = md_mailbox_count(s->mbox);
	if (ch->n_new > 0 || exists != s->told_exists)
		respond_untagged(s, "%u EXISTS", exists);
	s->told_exists = exists;
	if (!(s->enabled & ENABLED_REV2) && ch->recent != s->told_recent)
		respond_untagged(s, "%u RECENT", ch->recent);
	s->told_recent = ch->recent;
	for (size_t i = 0; i < ch->n_flag_changes; i++) {
		uint32_t seq = md_mailbox_seq(s->mbox, ch->flag_uids[i]);
		if (seq)
			report_flags(s, seq);
	}
}

void session_update(struct session *s)
{
	if (!s->mbox || !s->expunge_ok || !md_mailbox_changed(s->mbox))
		return;
	/* Without expunges allowed a resync would renumber messages under
	 * the client; the next command that allows it reports everything. */
	struct md_changes ch;
	memset(&ch, 0, sizeof(ch));
	struct buf err = BUF_INIT(1024);
	if (md_mailbox_sync(s->mbox, &ch, &err) < 0)
		log_err("mailbox sync failed: %s", err.s ? err.s : "");
	else
		session_report(s, &ch);
	buf_free(&err);
	md_changes_free(&ch);
}

/* First sequence number whose UID is >= uid (count+1 when none). */
static uint32_t lower_bound(const struct md_mailbox *mb, uint32_t uid)
{
	uint32_t lo = 1, hi = md_mailbox_count(mb) + 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (md_mailbox_msg(mb, mid)->uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int session_resolve_set(struct session *s, const struct seqset *set, bool uid, uint32_t **seqs,
			size_t *n, const char **err)
{
	return session_resolve_set_ex(s, set, uid, false, seqs, n, err);
}

int session_resolve_set_ex(struct session *s, const struct seqset *set, bool uid, bool clamp,
			   uint32_t **seqs, size_t *n, const char **err)
{
	uint32_t count = md_mailbox_count(s->mbox);
	*seqs = NULL;
	*n = 0;
	if (count == 0) {
		/* Sequence numbers do not exist in an empty mailbox, "*" included. */
		if (!uid && !clamp && set->n > 0 && !(set->r[0].lo == 0 && set->r[0].hi == 0)) {
			*err = "No messages in the mailbox";
			return -1;
		}
		return 0;
	}
	uint8_t *mark = calloc(count + 1, 1);
	if (!mark) {
		*err = "Out of memory";
		return -1;
	}
	uint32_t maxuid = md_mailbox_msg(s->mbox, count)->uid;
	for (size_t i = 0; i < set->n; i++) {
		uint32_t lo = set->r[i].lo, hi = set->r[i].hi;
		if (lo == 0 && hi == 0) {
			/* "$": the saved search result, by UID; gone ones drop out. */
			for (size_t k = 0; k < s->nsaved; k++) {
				uint32_t q = md_mailbox_seq(s->mbox, s->saved[k]);
				if (q)
					mark[q] = 1;
			}
			continue;
		}
		if (uid) {
			lo = lo == SEQ_STAR ? maxuid : lo;
			hi = hi == SEQ_STAR ? maxuid : hi;
		} else {
			lo = lo == SEQ_STAR ? count : lo;
			hi = hi == SEQ_STAR ? count : hi;
		}
		if (lo > hi) {
			uint32_t t = lo;
			lo = hi;
			hi = t;
		}
		if (!uid) {
			if (hi > count && !clamp) {
				free(mark);
				*err = "Message sequence number out of range";
				return -1;
			}
			if (lo <= count)
				memset(mark + lo, 1, (hi > count ? count : hi) - lo + 1);
			continue;
		}
		for (uint32_t q = lower_bound(s->mbox, lo);
		     q <= count && md_mailbox_msg(s->mbox, q)->uid <= hi; q++)
			mark[q] = 1;
	}
	size_t k = 0;
	for (uint32_t q = 1; q <= count; q++)
		k += mark[q];
	uint32_t *out = malloc((k ? k : 1) * sizeof(*out));
	if (!out) {
		free(mark);
		*err = "Out of memory";
		return -1;
	}
	k = 0;
	for (uint32_t q = 1; q <= count; q++)
		if (mark[q])
			out[k++] = q;
	free(mark);
	*seqs = out;
	*n = k;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

bool uidset_append(struct buf *out, const uint32_t *uids, size_t n)
{
	uint32_t *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return false;
	memcpy(v, uids, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u32);
	bool ok = true;
	for (size_t i = 0; ok && i < n;) {
		size_t j = i;
		while (j + 1 < n && v[j + 1] <= v[j] + 1)
			j++;
		ok = buf_appendf(out, "%s%u", i ? "," : "", v[i]);
		if (ok && v[j] != v[i])
			ok = buf_appendf(out, ":%u", v[j]);
		i = j + 1;
	}
	free(v);
	return ok;
}

bool session_mailbox_in(struct session *s, struct str name, char *out, size_t outlen)
{
	if (!(s->enabled & ENABLED_REV2))
		return str_copy(out, outlen, name);
	/* IMAP4rev2 names are UTF-8; the store keeps modified UTF-7. */
	struct buf b = BUF_INIT(outlen);
	bool ok = mutf7_from_utf8(name.s ? name.s : "", name.len, &b) == 0 &&
		  str_copy(out, outlen, (struct str){b.s ? b.s : "", b.len});
	buf_free(&b);
	return ok;
}

bool session_mailbox_out(struct session *s, const char *name, struct buf *out)
{
	size_t n = strlen(name);
	if (!(s->enabled & ENABLED_REV2))
		return imap_append_astring(out, name, n);
	struct buf b = BUF_INIT(n * 4 + 16);
	if (mutf7_to_utf8(name, n, &b) < 0 || !b.s) {
		buf_free(&b);
		return imap_append_astring(out, name, n); /* not valid mUTF-7: as stored */
	}
	bool ascii = true;
	for (size_t i = 0; i < b.len; i++)
		ascii = ascii && (unsigned char)b.s[i] < 0x80;
	bool ok;
	if (ascii) {
		ok = imap_append_astring(out, b.s, b.len);
	} else {
		/* UTF-8 may stand in a quoted string in IMAP4rev2 (utf8-quoted);
		 * names hold no control characters, the store refuses them. */
		ok = buf_appendc(out, '"');
		for (size_t i = 0; ok && i < b.len; i++)
			ok = (b.s[i] == '"' || b.s[i] == '\\' ? buf_appendc(out, '\\') : true) &&
			     buf_appendc(out, b.s[i]);
		ok = ok && buf_appendc(out, '"');
	}
	buf_free(&b);
	return ok;
}
