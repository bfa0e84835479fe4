/* FETCH and UID FETCH.
 *
 * FLAGS, UID, RFC822.SIZE and INTERNALDATE come from the mailbox view and
 * never open a message file. Everything else parses the message once per
 * message (message/) and streams section data straight from the file, so
 * a large BODY[] costs a fixed buffer, not its size.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "maildir/filename.h"
#include "maildir/util.h"
#include "message/binary.h"
#include "message/bodystructure.h"
#include "message/envelope.h"
#include "message/limits.h"
#include "message/parser.h"
#include "message/reader.h"
#include "session/commands.h"
#include "session/fetch.h"
#include "session/mailbox.h"
#include "session/respond.h"

static int io_cb(void *ctx, const void *p, size_t n)
{
	struct session *s = ctx;
	return io_write(&s->io, p, n) ? 0 : -1;
}

static bool put(struct session *s, const struct buf *b)
{
	return io_write(&s->io, b->s ? b->s : "", b->len);
}

/* INTERNALDATE as "dd-Mon-yyyy hh:mm:ss +0000". */
static bool date_time(struct buf *b, int64_t when)
{
	time_t t = (time_t)when;
	struct tm tm;
	char d[40];
	if (!gmtime_r(&t, &tm) || !strftime(d, sizeof(d), "\"%d-%b-%Y %H:%M:%S +0000\"", &tm))
		return buf_appends(b, "\"01-Jan-1970 00:00:00 +0000\"");
	return buf_appends(b, d);
}

struct fetch_ctx {
	struct session *s;
	const struct fetch_list *l;
	struct msg_limits lim;
	bool expunged;	  /* some message was gone */
	bool unknown_cte; /* BINARY of an unknown encoding */
	bool failed;	  /* a read error */
};

/* Writes a section's literal: "{n}\r\n" and the bytes, or "~{n}" for
 * BINARY content with NUL bytes. */
static int send_section(struct fetch_ctx *fx, const struct fetch_item *it, const struct msg_tree *t,
			const struct msg_reader *r, struct buf *line)
{
	struct session *s = fx->s;
	if (it->kind == FI_BINARY || it->kind == FI_BINARY_SIZE) {
		uint64_t size;
		bool nul = false;
		int rc = msg_binary_scan(t, r, it->sec->path, it->sec->npath, &size, &nul);
		if (rc == MSG_ERR_UNKNOWN_CTE) {
			fx->unknown_cte = true;
			return rc;
		}
		if (rc == MSG_ERR_NOPART) {
			buf_appends(line, it->kind == FI_BINARY_SIZE ? "0" : "NIL");
			return 0;
		}
		if (rc < 0)
			return rc;
		if (it->kind == FI_BINARY_SIZE)
			return buf_appendf(line, "%llu", (unsigned long long)size) ? 0 : MSG_ERR_IO;
		uint64_t skip = 0, take = size;
		if (it->sec->partial) {
			skip = it->sec->origin < size ? it->sec->origin : size;
			take = size - skip < it->sec->count ? size - skip : it->sec->count;
		}
		buf_appendf(line, "%s{%llu}\r\n", nul ? "~" : "", (unsigned long long)take);
		if (!put(s, line))
			return MSG_ERR_IO;
		buf_reset(line);
		return msg_binary_write(t, r, it->sec->path, it->sec->npath, it->sec->partial,
					it->sec->origin, it->sec->count, io_cb, s);
	}
	struct msg_section whole;
	const struct msg_section *sec = it->sec;
	if (!sec) {
		/* RFC822, RFC822.HEADER, RFC822.TEXT */
		memset(&whole, 0, sizeof(whole));
		whole.text = it->kind == FI_RFC822_HEADER ? MSG_SECT_HEADER
			     : it->kind == FI_RFC822_TEXT ? MSG_SECT_TEXT
							  : MSG_SECT_ALL;
		sec = &whole;
	}
	struct msg_body body;
	memset(&body, 0, sizeof(body));
	int rc = msg_section_resolve(t, r, sec, &body);
	if (rc == MSG_ERR_NOPART || rc == MSG_ERR_BADSECTION) {
		/* A part that does not exist is an empty string (RFC 9051). */
		msg_body_free(&body);
		buf_appends(line, "\"\"");
		return 0;
	}
	if (rc < 0) {
		msg_body_free(&body);
		return rc;
	}
	buf_appendf(line, "{%llu}\r\n", (unsigned long long)msg_body_size(&body));
	if (!put(s, line)) {
		msg_body_free(&body);
		return MSG_ERR_IO;
	}
	buf_reset(line);
	rc = msg_body_write(&body, r, io_cb, s);
	msg_body_free(&body);
	return rc;
}

static void fetch_one(struct fetch_ctx *fx, uint32_t seq)
{
	struct session *s = fx->s;
	const struct fetch_list *l = fx->l;
	struct buf line = BUF_INIT(1 << 24);
	struct buf err = BUF_INIT(1024);
	struct msg_tree *tree = NULL;
	int fd = -1;
	bool flags_sent = false, uid_sent = false;

	if (md_mailbox_meta(s->mbox, seq, &err) < 0) {
		fx->expunged = true;
		goto out;
	}
	if (fetch_needs_file(l)) {
		fd = md_mailbox_open_file(s->mbox, seq, &err);
		if (fd < 0) {
			if (fd == MD_ERR_EXPUNGED)
				fx->expunged = true;
			else {
				fx->failed = true;
				log_err("cannot open message: %s", err.s ? err.s : "");
			}
			goto out;
		}
		tree = msg_tree_parse_fd(fd, &fx->lim);
		if (!tree) {
			fx->failed = true;
			goto out;
		}
	}
	/* Implicit \Seen first, so the FLAGS we send are the new ones. */
	bool seen_changed = false;
	const struct md_msg *m = md_mailbox_msg(s->mbox, seq);
	if (fetch_sets_seen(l) && !md_mailbox_readonly(s->mbox) && !(m->flags & MD_F_SEEN)) {
		if (md_mailbox_store(s->mbox, seq, MD_STORE_ADD, MD_F_SEEN, 0, &err) == 0)
			seen_changed = true;
		m = md_mailbox_msg(s->mbox, seq);
	}
	struct msg_reader rd = msg_reader_fd(fd);
	buf_appendf(&line, "* %u FETCH (", seq);
	const char *sep = "";
	if (s->uid_cmd) {
		buf_appendf(&line, "UID %u", m->uid);
		sep = " ";
		uid_sent = true;
	}
	for (unsigned i = 0; i < l->n; i++) {
		const struct fetch_item *it = &l->item[i];
		switch (it->kind) {
		case FI_UID:
			if (uid_sent)
				continue;
			buf_appendf(&line, "%sUID %u", sep, m->uid);
			uid_sent = true;
			break;
		case FI_FLAGS:
			if (flags_sent)
				continue;
			buf_appendf(&line, "%sFLAGS ", sep);
			session_flags(s, seq, &line);
			flags_sent = true;
			break;
		case FI_INTERNALDATE:
			buf_appendf(&line, "%sINTERNALDATE ", sep);
			date_time(&line, m->internal_date);
			break;
		case FI_RFC822_SIZE:
			buf_appendf(&line, "%sRFC822.SIZE %llu", sep,
				    (unsigned long long)(tree ? msg_tree_vsize(tree) : m->vsize));
			break;
		case FI_ENVELOPE:
			buf_appendf(&line, "%sENVELOPE ", sep);
			msg_envelope_write(tree, 0, &line);
			break;
		case FI_BODY:
		case FI_BODYSTRUCTURE:
			buf_appendf(&line, "%s%s ", sep,
				    it->kind == FI_BODY ? "BODY" : "BODYSTRUCTURE");
			msg_bodystructure_write(tree, 0, it->kind == FI_BODYSTRUCTURE, &line);
			break;
		default: {
			buf_appends(&line, sep);
			if (it->kind == FI_RFC822)
				buf_appends(&line, "RFC822");
			else if (it->kind == FI_RFC822_HEADER)
				buf_appends(&line, "RFC822.HEADER");
			else if (it->kind == FI_RFC822_TEXT)
				buf_appends(&line, "RFC822.TEXT");
			else
				fetch_item_name(it, &line);
			buf_appendc(&line, ' ');
			int rc = send_section(fx, it, tree, &rd, &line);
			if (rc == MSG_ERR_UNKNOWN_CTE) {
				/* Nothing of this message was sent yet but its head. */
				buf_appends(&line, "NIL");
			} else if (rc < 0) {
				fx->failed = true;
				/* Part of a literal may be out: the stream cannot go on. */
				s->io.failed = true;
				log_err("fetch failed while sending a message");
				goto out;
			}
		}
		}
		sep = " ";
	}
	if (seen_changed && !flags_sent) {
		buf_appendf(&line, "%sFLAGS ", sep);
		session_flags(s, seq, &line);
	}
	buf_appends(&line, ")\r\n");
	put(s, &line);
out:
	if (tree)
		msg_tree_free(&tree);
	if (fd >= 0)
		close(fd);
	buf_free(&line);
	buf_free(&err);
}

enum cmd_result cmd_fetch(struct session *s, struct parser *p, struct str tag)
{
	struct seqset set = {0};
	struct fetch_list l;
	memset(&l, 0, sizeof(l));
	uint32_t *seqs = NULL;
	size_t n = 0;
	const char *why = NULL;
	if (!p_sp(p) || !p_seqset(p, &set) || !p_sp(p) || !fetch_parse(p, &l) || !p_eol(p))
		goto bad;
	if (session_resolve_set(s, &set, s->uid_cmd, &seqs, &n, &why) < 0) {
		p_fail(p, why);
		goto bad;
	}
	struct fetch_ctx fx = {s, &l, msg_limits_from_config(s->cfg), false, false, false};
	for (size_t i = 0; i < n && !s->io.failed; i++)
		fetch_one(&fx, seqs[i]);
	if (fx.unknown_cte)
		respond_tagged(s, tag, "NO", "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding.");
	else if (fx.failed)
		respond_tagged(s, tag, "NO", "[SERVERBUG] Some messages could not be read.");
	else if (fx.expunged)
		respond_tagged(s, tag, "NO", "[EXPUNGEISSUED] Some messages were expunged.");
	else
		respond_tagged(s, tag, "OK", "Fetch completed.");
	seqset_free(&set);
	fetch_list_free(&l);
	free(seqs);
	return CMD_DONE;
bad:
	seqset_free(&set);
	fetch_list_free(&l);
	free(seqs);
	return CMD_BAD;
}
