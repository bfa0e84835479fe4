#include "reader.h"

#include <stddef.h>
#include <string.h>

enum {
	R_LINE,	     /* reading a command line into cmd */
	R_DECIDE,    /* a literal was announced; waiting for the caller */
	R_LIT_HOLD,  /* copying literal bytes into cmd */
	R_LIT_SINK,  /* passing literal bytes to the sink */
	R_SKIP_LINE, /* discarding a line after an error */
	R_SKIP_LIT,  /* discarding a literal after an error */
};

/* The literal table is left as it is: an entry is set when its literal is
 * announced, and the table's pages cost no memory until a command needs
 * them. Everything after it is cleared. */
_Static_assert(offsetof(struct reader, lits) < offsetof(struct reader, nlits),
	       "the literal table comes before the cleared fields");

void reader_init(struct reader *r, const struct reader_limits *lim)
{
	memset(&r->nlits, 0, sizeof(*r) - offsetof(struct reader, nlits));
	r->lim = *lim;
	r->cmd = (struct buf)BUF_INIT((size_t)lim->max_command + 1);
	reader_reset(r);
}

void reader_free(struct reader *r)
{
	buf_free(&r->cmd);
}

void reader_reset(struct reader *r)
{
	if (r->cmd.cap > READER_KEEP_CAPACITY)
		buf_free(&r->cmd);
	buf_reset(&r->cmd);
	r->nlits = 0;
	r->state = R_LINE;
	r->line_start = 0;
	r->in_quote = r->esc = false;
	r->depth = 0;
	r->left = 0;
	r->sink = NULL;
	r->sink_ctx = NULL;
	r->tag_len = 0;
	r->tag[0] = '\0';
	r->tag_done = r->tag_bad = false;
	r->quiet = false;
	r->tail_len = 0;
	r->err = NULL;
	r->code = NULL;
	r->done = false;
}

bool reader_tag_ok(const struct reader *r)
{
	return r->tag_done && !r->tag_bad && r->tag_len > 0;
}

/* tag = 1*<any ASTRING-CHAR except "+"> */
static bool tag_char(unsigned char c)
{
	if (c <= 0x1f || c >= 0x7f)
		return false;
	return !strchr("(){ %*\"\\+", c);
}

static void capture_tag(struct reader *r, unsigned char c)
{
	if (r->tag_done)
		return;
	if (c == ' ' || c == '\r' || c == '\n') {
		r->tag_done = true;
		return;
	}
	if (!tag_char(c) || r->tag_len >= READER_MAX_TAG) {
		r->tag_bad = true;
		return;
	}
	r->tag[r->tag_len++] = (char)c;
	r->tag[r->tag_len] = '\0';
}

static void fail(struct reader *r, const char *code, const char *err)
{
	if (!r->err) {
		r->err = err;
		r->code = code;
	}
}

/* Switches to discarding the rest of the line; the tail of what is held is
 * kept so a literal announced at its end is still recognised. */
static void start_skip(struct reader *r, const char *code, const char *err)
{
	fail(r, code, err);
	size_t n = r->cmd.len - r->line_start;
	if (n > sizeof(r->tail))
		n = sizeof(r->tail);
	memcpy(r->tail, r->cmd.s + r->cmd.len - n, n);
	r->tail_len = n;
	r->state = R_SKIP_LINE;
}

/* Looks for "{n}", "{n+}" or "~{n}" at the end of s[0..len).
 * Returns 0 for none, 1 for a literal (size, nonsync, binary, start set),
 * -1 for a literal whose size does not fit. */
static int literal_at_end(const char *s, size_t len, uint64_t *size, bool *nonsync, bool *binary,
			  size_t *start)
{
	if (len < 3 || s[len - 1] != '}')
		return 0;
	size_t i = len - 1;
	*nonsync = false;
	if (s[i - 1] == '+') {
		*nonsync = true;
		i--;
	}
	size_t end = i;
	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (i == end || i == 0 || s[i - 1] != '{')
		return 0;
	if (end - i > 10)
		return -1;
	uint64_t v = 0;
	for (size_t k = i; k < end; k++) {
		v = v * 10 + (unsigned)(s[k] - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*size = v;
	*start = i - 1;
	*binary = false;
	if (*start > 0 && s[*start - 1] == '~') {
		*binary = true;
		(*start)--;
	}
	return 1;
}

static void tail_push(struct reader *r, char c)
{
	if (r->tail_len == sizeof(r->tail)) {
		memmove(r->tail, r->tail + 1, sizeof(r->tail) - 1);
		r->tail_len--;
	}
	r->tail[r->tail_len++] = c;
}

/* End of a discarded line: skip a following non-synchronizing literal too,
 * otherwise the command is over. */
static enum reader_status end_skip_line(struct reader *r)
{
	size_t n = r->tail_len;
	if (n > 0 && r->tail[n - 1] == '\r')
		n--;
	uint64_t size;
	bool nonsync, binary;
	size_t start;
	int lit = literal_at_end(r->tail, n, &size, &nonsync, &binary, &start);
	if (lit < 0 && nonsync) {
		r->err = "Literal size out of range";
		r->code = "TOOBIG";
		return READER_FATAL;
	}
	if (lit > 0 && nonsync) {
		r->left = size;
		r->state = R_SKIP_LIT;
		r->tail_len = 0;
		return READER_MORE;
	}
	if (r->quiet) {
		reader_reset(r);
		return READER_MORE;
	}
	r->done = true;
	return READER_BAD;
}

static enum reader_status end_line(struct reader *r)
{
	size_t len = r->cmd.len - r->line_start;
	const char *line = r->cmd.s ? r->cmd.s + r->line_start : "";
	if (len > 0 && line[len - 1] == '\r') {
		len--;
		buf_truncate(&r->cmd, r->line_start + len);
	}
	uint64_t size = 0;
	bool nonsync = false, binary = false;
	size_t start = 0;
	int lit = r->in_quote ? 0 : literal_at_end(line, len, &size, &nonsync, &binary, &start);
	if (lit < 0) {
		r->err = "Literal size out of range";
		r->code = "TOOBIG";
		r->done = true;
		return nonsync ? READER_FATAL : READER_BAD;
	}
	if (lit == 0) {
		r->done = true;
		return READER_COMMAND;
	}
	if (r->nlits == READER_MAX_LITERALS) {
		fail(r, "LIMIT", "Too many literals in one command");
		if (nonsync) {
			r->left = size;
			r->state = R_SKIP_LIT;
			return READER_MORE;
		}
		r->done = true;
		return READER_BAD;
	}
	struct literal *l = &r->lits[r->nlits];
	memset(l, 0, sizeof(*l));
	l->marker = r->line_start + start;
	l->off = r->cmd.len;
	l->len = size;
	l->binary = binary;
	l->nonsync = nonsync;
	r->lit_size = size;
	r->lit_sync = !nonsync;
	r->lit_binary = binary;
	r->state = R_DECIDE;
	return READER_LITERAL;
}

static void literal_done(struct reader *r)
{
	r->nlits++;
	r->state = R_LINE;
	r->line_start = r->cmd.len;
	r->in_quote = r->esc = false;
}

enum reader_status reader_literal_hold(struct reader *r)
{
	struct literal *l = &r->lits[r->nlits];
	if (r->lit_size > r->lim.max_literal || r->cmd.len + r->lit_size > r->lim.max_command) {
		fail(r, "TOOBIG", "Literal too large");
		r->done = r->lit_sync;
		if (!r->lit_sync) {
			/* Its bytes are on their way: skip them, answer only once. */
			r->quiet = true;
			r->left = r->lit_size;
			r->state = R_SKIP_LIT;
		}
		return READER_BAD;
	}
	if (!buf_reserve(&r->cmd, (size_t)r->lit_size)) {
		fail(r, "TOOBIG", "Literal too large");
		r->done = true;
		return READER_BAD;
	}
	l->streamed = false;
	r->left = r->lit_size;
	r->state = R_LIT_HOLD;
	if (r->left == 0)
		literal_done(r);
	return READER_MORE;
}

void reader_literal_stream(struct reader *r, reader_sink sink, void *ctx)
{
	r->lits[r->nlits].streamed = true;
	r->sink = sink;
	r->sink_ctx = ctx;
	r->left = r->lit_size;
	r->state = R_LIT_SINK;
	if (r->left == 0)
		literal_done(r);
}

void reader_literal_reject(struct reader *r)
{
	if (r->lit_sync) {
		reader_reset(r);
		return;
	}
	r->quiet = true;
	r->left = r->lit_size;
	r->state = R_SKIP_LIT;
}

enum reader_status reader_feed(struct reader *r, const char *data, size_t len, size_t *used)
{
	size_t i = 0;
	enum reader_status st = READER_MORE;
	if (r->done)
		reader_reset(r);
	while (i < len && st == READER_MORE) {
		switch (r->state) {
		case R_LINE: {
			unsigned char c = (unsigned char)data[i++];
			capture_tag(r, c);
			if (!buf_appendc(&r->cmd, (char)c)) {
				start_skip(r, "TOOBIG", "Command too large");
				tail_push(r, (char)c);
				if (c == '\n')
					st = end_skip_line(r);
				break;
			}
			if (c == '\n') {
				buf_truncate(&r->cmd, r->cmd.len - 1);
				st = end_line(r);
				break;
			}
			if (r->cmd.len - r->line_start > r->lim.max_line) {
				start_skip(r, "TOOBIG", "Command line too long");
				break;
			}
			if (r->cmd.len > r->lim.max_command) {
				start_skip(r, "TOOBIG", "Command too large");
				break;
			}
			if (r->in_quote) {
				if (r->esc)
					r->esc = false;
				else if (c == '\\')
					r->esc = true;
				else if (c == '"')
					r->in_quote = false;
			} else if (c == '"') {
				r->in_quote = true;
			} else if (c == '(') {
				if (++r->depth > r->lim.max_depth)
					start_skip(r, "LIMIT", "Parentheses nested too deeply");
			} else if (c == ')' && r->depth > 0) {
				r->depth--;
			}
			break;
		}
		case R_DECIDE:
			/* The caller must choose first; holding is the safe default. */
			st = reader_literal_hold(r);
			break;
		case R_LIT_HOLD:
		case R_LIT_SINK:
		case R_SKIP_LIT: {
			size_t n = len - i;
			if (n > r->left)
				n = (size_t)r->left;
			if (r->state == R_LIT_HOLD)
				buf_append(&r->cmd, data + i, n); /* reserved in advance */
			else if (r->state == R_LIT_SINK)
				r->sink(r->sink_ctx, data + i, n);
			i += n;
			r->left -= n;
			if (r->left > 0)
				break;
			if (r->state == R_SKIP_LIT) {
				r->state = R_SKIP_LINE;
				r->tail_len = 0;
			} else {
				literal_done(r);
			}
			break;
		}
		case R_SKIP_LINE: {
			unsigned char c = (unsigned char)data[i++];
			capture_tag(r, c);
			if (c == '\n')
				st = end_skip_line(r);
			else
				tail_push(r, (char)c);
			break;
		}
		}
	}
	*used = i;
	return st;
}
