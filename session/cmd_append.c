/* APPEND and MULTIAPPEND (RFC 3502), streamed into the Maildir.
 *
 * Each message literal goes straight from the socket into a tmp/ file as
 * it arrives: when the reader announces a literal, append_literal() parses
 * the command so far, checks the target and size, and hands the literal to
 * a sink. When the whole command is in, cmd_append() parses it again for
 * flags and dates and commits every message, or aborts them all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "maildir/deliver.h"
#include "maildir/util.h"
#include "session/commands.h"
#include "session/flags.h"
#include "session/mailbox.h"
#include "session/respond.h"

/* Messages one MULTIAPPEND may carry: each holds an open tmp/ file and a
 * write buffer (MD_APPEND_BUFFER) until the command ends. */
#define APPEND_MAX_MESSAGES 64

struct append_state {
	struct md_append *msg[APPEND_MAX_MESSAGES];
	size_t n;
	bool failed;
	int failed_errno;
	struct buf err;
};

void append_state_free(struct session *s)
{
	struct append_state *a = s->append;
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		if (a->msg[i])
			md_append_abort(&a->msg[i]);
	buf_free(&a->err);
	free(a);
	s->append = NULL;
}

static void sink(void *ctx, const char *p, size_t n)
{
	struct append_state *a = ctx;
	if (a->failed || a->n == 0)
		return;
	if (md_append_write(a->msg[a->n - 1], p, n, &a->err) < 0) {
		a->failed = true;
		a->failed_errno = errno;
	}
}

/* "[SP flag-list] [SP date-time] SP" before a message literal. */
static bool message_head(struct parser *p)
{
	struct flag_list fl;
	time_t t;
	if (!p_sp(p))
		return false;
	if (p_peek(p, '(') && (!p_flag_list(p, &fl, false) || !p_sp(p)))
		return false;
	if (p_peek(p, '"') && (!p_datetime(p, &t, NULL) || !p_sp(p)))
		return false;
	return true;
}

/* Response code for a failed store: a full disk or quota is the user's to
 * fix (RFC 9208 OVERQUOTA), anything else is the server's. */
static const char *store_code(int e)
{
	return e == ENOSPC || e == EDQUOT ? "OVERQUOTA" : "SERVERBUG";
}

static void reject(struct session *s, struct str tag, const char *status, const char *text)
{
	respond_tagged(s, tag, status, "%s", text);
	reader_literal_reject(&s->rd);
	append_state_free(s);
}

void append_literal(struct session *s, struct parser *p, struct str tag)
{
	struct reader *r = &s->rd;
	size_t marker = r->lits[r->nlits].marker;
	struct str name;
	if (!p_sp(p))
		goto bad;
	if (p->pos == marker) {
		/* The mailbox name itself is this literal: hold it. */
		if (reader_literal_hold(r) == READER_BAD) {
			respond_tagged(s, tag, "BAD", "[%s] %s", r->code, r->err);
			return;
		}
		if (r->lit_sync)
			respond_continue(s, "Ready for literal data");
		return;
	}
	if (!p_mailbox(p, &name))
		goto bad;
	/* Skip the messages already received. */
	size_t seen = 0;
	for (;;) {
		if (!message_head(p))
			goto bad;
		if (p->pos == marker)
			break;
		struct str data;
		bool bin;
		if (!p_literal_any(p, &data, &bin, NULL))
			goto bad;
		seen++;
	}
	if (!s->append) {
		s->append = calloc(1, sizeof(*s->append));
		if (!s->append) {
			reject(s, tag, "NO", "[SERVERBUG] Out of memory.");
			return;
		}
		s->append->err.max = 1024;
	}
	struct append_state *a = s->append;
	if (seen != a->n) {
		reject(s, tag, "BAD", "Error in IMAP command APPEND: unexpected literal");
		return;
	}
	if (a->n == APPEND_MAX_MESSAGES) {
		reject(s, tag, "NO", "[LIMIT] Too many messages in one APPEND.");
		return;
	}
	if (r->lit_size > s->cfg->max_append_size) {
		reject(s, tag, "NO", "[TOOBIG] Message too large.");
		return;
	}
	char mbox[MD_PATH_MAX];
	if (!session_mailbox_in(s, name, mbox, sizeof(mbox))) {
		reject(s, tag, "NO", "[CANNOT] Invalid mailbox name.");
		return;
	}
	buf_reset(&a->err);
	errno = 0;
	int rc = md_append_begin(s->store, mbox, s->cfg->max_append_size, &a->msg[a->n], &a->err);
	if (rc < 0) {
		int e = errno;
		char text[1200];
		snprintf_ok(text, sizeof(text), "[%s] %s",
			    rc == MD_ERR_NOTFOUND	  ? "TRYCREATE"
			    : e == ENAMETOOLONG || e == 0 ? "CANNOT"
							  : store_code(e),
			    a->err.s ? a->err.s : "Cannot append.");
		reject(s, tag, "NO", text);
		return;
	}
	a->n++;
	reader_literal_stream(r, sink, a);
	if (r->lit_sync)
		respond_continue(s, "Ready for literal data");
	return;
bad:
	respond_tagged(s, tag, "BAD", "Error in IMAP command APPEND: %s",
		       p->err ? p->err : "invalid arguments");
	reader_literal_reject(r);
	append_state_free(s);
}

enum cmd_result cmd_append(struct session *s, struct parser *p, struct str tag)
{
	struct append_state *a = s->append;
	struct str name;
	uint32_t uids[APPEND_MAX_MESSAGES];
	uint32_t uidvalidity = 0;
	size_t i = 0;
	if (!p_sp(p) || !p_mailbox(p, &name))
		goto bad;
	if (!a || a->n == 0) {
		/* No literal was streamed: the message is missing. */
		p_fail(p, "Missing message literal");
		goto bad;
	}
	if (a->failed) {
		const char *code = store_code(a->failed_errno);
		log_err("append failed: %s", a->err.s ? a->err.s : "");
		respond_tagged(s, tag, "NO", "[%s] %s", code,
			       code[0] == 'O' ? "Not enough disk space."
					      : "Cannot store the message.");
		append_state_free(s);
		return CMD_DONE;
	}
	/* Parse everything before committing anything: all or nothing. */
	struct {
		struct flag_list fl;
		int64_t date;
	} *meta = calloc(a->n, sizeof(*meta));
	if (!meta) {
		respond_tagged(s, tag, "NO", "[SERVERBUG] Out of memory.");
		append_state_free(s);
		return CMD_DONE;
	}
	for (i = 0; i < a->n; i++) {
		time_t t;
		struct str data;
		bool bin;
		meta[i].date = -1;
		if (!p_sp(p))
			break;
		if (p_peek(p, '(') && (!p_flag_list(p, &meta[i].fl, false) || !p_sp(p)))
			break;
		if (p_peek(p, '"')) {
			if (!p_datetime(p, &t, NULL) || !p_sp(p))
				break;
			meta[i].date = (int64_t)t;
		}
		if (!p_literal_any(p, &data, &bin, NULL))
			break;
	}
	if (i < a->n || !p_eol(p)) {
		free(meta);
		goto bad;
	}
	struct buf err = BUF_INIT(1024);
	size_t done = 0;
	int e = 0;
	for (i = 0; i < a->n; i++) {
		const char *kw[FLAGS_MAX_KEYWORDS];
		for (size_t k = 0; k < meta[i].fl.nkw; k++)
			kw[k] = meta[i].fl.kw[k];
		if (md_append_commit(&a->msg[i], meta[i].fl.flags, kw, meta[i].fl.nkw, meta[i].date,
				     &uids[i], &uidvalidity, &err) < 0) {
			e = errno;
			break;
		}
		done++;
	}
	free(meta);
	if (done < a->n) {
		log_err("append commit failed: %s", err.s ? err.s : "");
		respond_tagged(s, tag, "NO", "[%s] %s", store_code(e),
			       err.s ? err.s : "Cannot store.");
	} else {
		struct buf set = BUF_INIT(65536);
		uidset_append(&set, uids, done);
		respond_tagged(s, tag, "OK", "[APPENDUID %u %s] Append completed.", uidvalidity,
			       set.s ? set.s : "");
		buf_free(&set);
	}
	buf_free(&err);
	append_state_free(s);
	return CMD_DONE;
bad:
	append_state_free(s);
	return CMD_BAD;
}
