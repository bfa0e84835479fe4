#include "parser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "header.h"

struct msg_tree {
	struct msg_part *parts;
	unsigned n, cap;
	struct buf held; /* kept field values */
	uint64_t size, vsize;
	struct msg_limits lim;
};

/* A position in the input, in raw and client terms. */
struct pos {
	uint64_t off, v, lf;
};

enum state { ST_HEADER, ST_BODY, ST_MULTI, ST_EPILOGUE, ST_MESSAGE };

struct level {
	int32_t node;
	uint8_t state;
	uint8_t blen;	   /* active boundary length, 0 for none */
	bool digest;	   /* multipart/digest: parts default to message/rfc822 */
	struct pos hs, bs; /* where the node's header and body start */
	char boundary[MSG_MAX_BOUNDARY];
};

/* Enough of a line to recognise any boundary and its closing "--". */
#define HOLD_MAX (2 + MSG_MAX_BOUNDARY + 2)

struct msg_parser {
	struct msg_tree *t;
	struct level *stack;
	unsigned depth; /* entries in stack */
	unsigned nbound;
	struct msg_hdr *hdr; /* splitter of the header being read */
	struct pos cur;	     /* next byte */
	struct pos line;     /* start of the current line */
	unsigned prev_nl;    /* bytes of the newline before this line: 0, 1 or 2 */
	bool in_line;	     /* some bytes of the current line were seen */
	bool decided;	     /* the current line is known not to be a boundary */
	bool last_cr;	     /* the last byte seen was CR */
	bool on_bline;	     /* the current line is a boundary: its bytes go nowhere */
	bool prev_bline;     /* so was the line before */
	int new_part;	     /* level that starts a part after this line, or -1 */
	char hold[HOLD_MAX];
	size_t held;
	bool failed;
};

static const char *const fid_names[MSG_F_COUNT] = {"Content-Type",
						   "Content-Transfer-Encoding",
						   "Content-ID",
						   "Content-Description",
						   "Content-Disposition",
						   "Content-Language",
						   "Content-Location",
						   "Content-MD5",
						   "Date",
						   "Subject",
						   "From",
						   "Sender",
						   "Reply-To",
						   "To",
						   "Cc",
						   "Bcc",
						   "In-Reply-To",
						   "Message-ID"};

const char *msg_fid_name(enum msg_fid id)
{
	return (unsigned)id < MSG_F_COUNT ? fid_names[id] : "";
}

/* Sets a span from start (in raw/client terms, line counts relative) to end. */
static void span_set(struct msg_span *s, struct pos start, struct pos end)
{
	if (end.off < start.off)
		end = start;
	s->off = start.off;
	s->size = end.off - start.off;
	s->vsize = end.v - start.v;
	s->lines = end.lf - start.lf;
}

static int32_t node_new(struct msg_parser *p, int32_t parent, struct pos at)
{
	struct msg_tree *t = p->t;
	if (t->n >= t->lim.max_parts)
		return -1;
	if (t->n == t->cap) {
		unsigned cap = t->cap ? t->cap * 2 : 8;
		if (cap > t->lim.max_parts)
			cap = t->lim.max_parts;
		struct msg_part *np = realloc(t->parts, cap * sizeof(*np));
		if (!np) {
			p->failed = true;
			return -1;
		}
		t->parts = np;
		t->cap = cap;
	}
	int32_t idx = (int32_t)t->n++;
	struct msg_part *m = &t->parts[idx];
	memset(m, 0, sizeof(*m));
	m->parent = parent;
	m->child = m->next = -1;
	m->kind = MSG_LEAF;
	m->hdr.off = m->body.off = at.off;
	if (parent >= 0) {
		struct msg_part *par = &t->parts[parent];
		m->depth = (uint16_t)(par->depth + 1);
		m->is_message = par->kind == MSG_RFC822;
		if (par->child < 0) {
			par->child = idx;
		} else {
			int32_t c = par->child;
			while (t->parts[c].next >= 0)
				c = t->parts[c].next;
			t->parts[c].next = idx;
		}
	} else {
		m->is_message = true;
	}
	return idx;
}

static bool field_cb(void *ctx, const struct msg_field *f)
{
	struct msg_parser *p = ctx;
	struct msg_tree *t = p->t;
	struct msg_part *m = &t->parts[p->stack[p->depth - 1].node];
	unsigned last = m->is_message ? MSG_F_COUNT : MSG_F_DATE;
	for (unsigned id = 0; id < last; id++) {
		if (!str_caseeq(f->name, fid_names[id]))
			continue;
		/* As Dovecot: repeated address fields add up, others: the last wins. */
		bool join = (m->present & (1u << id)) && id >= MSG_F_FROM && id <= MSG_F_BCC;
		size_t n = f->value.len, old = join ? m->flen[id] : 0;
		if (n + old + 1 > t->held.max - t->held.len || n + old + 1 > t->lim.max_field)
			return true; /* out of room: this occurrence is dropped */
		if (join && m->foff[id] + old == t->held.len) {
			/* the value is the last one held: grow it in place */
			if (buf_appendc(&t->held, ',') && buf_append(&t->held, f->value.s, n))
				m->flen[id] = (uint32_t)(t->held.len - m->foff[id]);
			return true;
		}
		/* Reserve first: the old value is copied from the same buffer. */
		if (!buf_reserve(&t->held, old + 1 + n))
			return true;
		uint32_t at = (uint32_t)t->held.len;
		if (join && !(buf_append(&t->held, t->held.s + m->foff[id], old) &&
			      buf_appendc(&t->held, ',')))
			return true;
		if (!buf_append(&t->held, f->value.s, n))
			return true;
		m->present |= 1u << id;
		m->foff[id] = at;
		m->flen[id] = (uint32_t)(t->held.len - at);
		return true;
	}
	return true;
}

static bool push(struct msg_parser *p, int32_t node, enum state st, struct pos at)
{
	if (p->depth >= p->t->lim.max_depth + 2u)
		return false;
	struct level *l = &p->stack[p->depth++];
	l->node = node;
	l->state = (uint8_t)st;
	l->blen = 0;
	l->digest = false;
	l->hs = l->bs = at;
	if (st == ST_HEADER) {
		msg_hdr_free(&p->hdr);
		p->hdr = msg_hdr_create(p->t->lim.max_field, field_cb, p);
		if (!p->hdr)
			p->failed = true;
	}
	return true;
}

/* Closes the header of node at `at` when it had no empty line. */
static void close_header(struct msg_parser *p, struct level *l, struct pos at)
{
	struct msg_part *m = &p->t->parts[l->node];
	if (p->hdr)
		msg_hdr_finish(p->hdr);
	msg_hdr_free(&p->hdr);
	span_set(&m->hdr, l->hs, at);
	m->body.off = at.off;
	l->bs = at;
	l->state = ST_BODY;
}

static void add_empty_child(struct msg_parser *p, int32_t node, struct pos at)
{
	int32_t c = node_new(p, node, at);
	if (c >= 0) {
		struct msg_part *m = &p->t->parts[c];
		m->in_digest = false;
		span_set(&m->hdr, at, at);
		span_set(&m->body, at, at);
	}
}

/* Closes the innermost open node at `at` (clamped to its body start). */
static void pop(struct msg_parser *p, struct pos at)
{
	struct level *l = &p->stack[p->depth - 1];
	struct msg_part *m = &p->t->parts[l->node];
	struct pos hend = at.off < l->hs.off ? l->hs : at;
	if (l->state == ST_HEADER) {
		close_header(p, l, hend);
	} else if (at.off < l->bs.off) {
		/* The empty line ending the header was the line end before the
		 * boundary, which the boundary takes (as Dovecot counts). */
		span_set(&m->hdr, l->hs, hend);
		m->body.off = hend.off;
		l->bs = hend;
	}
	struct pos bs = l->bs;
	struct pos end = at.off < bs.off ? bs : at;
	span_set(&m->body, bs, end);
	if (m->kind == MSG_MULTIPART && m->child < 0)
		add_empty_child(p, l->node, end);
	if (l->blen)
		p->nbound--;
	p->depth--;
}

static bool ieq(const char *a, size_t alen, const char *lit)
{
	return alen == strlen(lit) && strncasecmp(a, lit, alen) == 0;
}

/* The header of the top node ended at p->cur: decide what its body is. */
static void header_done(struct msg_parser *p)
{
	struct level *l = &p->stack[p->depth - 1];
	int32_t node = l->node;
	struct msg_part *m = &p->t->parts[node];
	msg_hdr_free(&p->hdr);
	span_set(&m->hdr, l->hs, p->cur);
	m->body.off = p->cur.off;
	l->bs = p->cur;
	l->state = ST_BODY;

	struct str ct;
	bool multi = false, digest = false, rfc822 = m->in_digest && !(m->present & 1u);
	struct msg_params pp;
	char bnd[MSG_MAX_BOUNDARY];
	size_t blen = 0;
	if (msg_part_field(p->t, m, MSG_F_CONTENT_TYPE, &ct)) {
		if (msg_params_parse(ct.s, ct.len, true, &pp) == 0) {
			rfc822 = ieq(pp.type.s, pp.type.len, "message") &&
				 ieq(pp.subtype.s, pp.subtype.len, "rfc822");
			if (ieq(pp.type.s, pp.type.len, "multipart")) {
				multi = true;
				digest = ieq(pp.subtype.s, pp.subtype.len, "digest");
				const struct str *b = msg_params_get(&pp, "boundary");
				if (b && b->len > 0) {
					blen =
					    b->len < MSG_MAX_BOUNDARY ? b->len : MSG_MAX_BOUNDARY;
					memcpy(bnd, b->s, blen);
				}
			}
		}
		msg_params_free(&pp);
	}
	/* max_depth levels, the message itself counted as one (as Dovecot) */
	bool room = m->depth + 1u < p->t->lim.max_depth && p->t->n < p->t->lim.max_parts;
	if (multi) {
		if (!room) {
			m->overflow = true;
			return;
		}
		m->kind = MSG_MULTIPART;
		l->state = ST_MULTI;
		l->digest = digest;
		if (blen) {
			memcpy(l->boundary, bnd, blen);
			l->blen = (uint8_t)blen;
			p->nbound++;
		}
		return;
	}
	if (rfc822) {
		if (!room) {
			m->overflow = true;
			return;
		}
		m->kind = MSG_RFC822;
		l->state = ST_MESSAGE;
		int32_t c = node_new(p, node, p->cur);
		if (c >= 0 && push(p, c, ST_HEADER, p->cur))
			return;
		m = &p->t->parts[node]; /* node_new may have moved the array */
		m->kind = MSG_LEAF;
		m->overflow = true;
		l->state = ST_BODY;
	}
}

/* The innermost level whose boundary the line (len bytes, no line end)
 * starts; -1 for none. *close is set for "--boundary--". */
static int boundary_match(struct msg_parser *p, const char *s, size_t len, bool *close)
{
	if (p->nbound == 0 || len < 3 || s[0] != '-' || s[1] != '-')
		return -1;
	for (int k = (int)p->depth - 1; k >= 0; k--) {
		const struct level *l = &p->stack[k];
		if (!l->blen || len - 2 < l->blen || memcmp(s + 2, l->boundary, l->blen) != 0)
			continue;
		*close = len - 2 - l->blen >= 2 && s[2 + l->blen] == '-' && s[3 + l->blen] == '-';
		return k;
	}
	return -1;
}

/* Gives bytes of a non-boundary line to whoever reads it. */
static void deliver(struct msg_parser *p, const char *s, size_t n)
{
	struct level *l = &p->stack[p->depth - 1];
	if (l->state != ST_HEADER || n == 0)
		return;
	msg_hdr_feed(p->hdr, s, n);
	if (msg_hdr_done(p->hdr))
		header_done(p);
}

/* A boundary of level k starts the line that begins at p->line. */
static void on_boundary(struct msg_parser *p, int k, bool close)
{
	/* The line end before the boundary line belongs to the boundary,
	 * unless that line was a boundary itself, which took its own end. */
	struct pos at = p->line;
	/* Dovecot also leaves it to a message/rfc822 part whose message's
	 * header is still being read. */
	const struct level *top = &p->stack[p->depth - 1];
	bool in_msg_header = top->state == ST_HEADER && p->t->parts[top->node].is_message;
	if (p->prev_nl && !p->prev_bline && !in_msg_header) {
		at.off -= p->prev_nl;
		at.v -= 2;
		at.lf -= 1;
	}
	while ((int)p->depth - 1 > k)
		pop(p, at);
	struct level *l = &p->stack[k];
	struct msg_part *m = &p->t->parts[l->node];
	p->on_bline = true;
	if (close) {
		l->state = ST_EPILOGUE;
		l->blen = 0;
		p->nbound--;
		return;
	}
	l->state = ST_MULTI;
	if (p->t->n >= p->t->lim.max_parts) {
		/* No more parts: the rest is this multipart's epilogue. */
		m->overflow = true;
		l->state = ST_EPILOGUE;
		l->blen = 0;
		p->nbound--;
		return;
	}
	p->new_part = k;
}

/* Decides whether the held start of the line is a boundary. */
static void decide(struct msg_parser *p, size_t n)
{
	bool close = false;
	int k = boundary_match(p, p->hold, n, &close);
	p->decided = true;
	if (k >= 0)
		on_boundary(p, k, close);
	else
		deliver(p, p->hold, p->held);
}

/* p->cur is just past the line (and its LF when has_nl). */
static void line_end(struct msg_parser *p, bool has_nl, bool bare)
{
	if (!p->decided) {
		size_t n = p->held;
		if (has_nl && n > 0 && p->hold[n - 1] == '\r')
			n--;
		decide(p, n);
	}
	if (p->new_part >= 0) {
		int32_t c = node_new(p, p->stack[p->new_part].node, p->cur);
		if (c >= 0) {
			p->t->parts[c].in_digest = p->stack[p->new_part].digest;
			push(p, c, ST_HEADER, p->cur);
		}
		p->new_part = -1;
	} else if (has_nl && !p->on_bline) {
		deliver(p, "\n", 1);
	}
	p->prev_bline = p->on_bline;
	p->on_bline = false;
	p->decided = false;
	p->held = 0;
	p->in_line = false;
	p->prev_nl = has_nl ? (bare ? 1 : 2) : 0;
}

int msg_parser_feed(struct msg_parser *p, const void *data, size_t len)
{
	const char *d = data;
	size_t i = 0;
	while (i < len && !p->failed) {
		if (!p->in_line) {
			p->in_line = true;
			p->line = p->cur;
			p->held = 0;
			p->decided = p->nbound == 0;
		}
		const char *nl = memchr(d + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - d) : len;
		size_t n = end - i;
		const char *seg = d + i;
		if (!p->decided) {
			size_t take = HOLD_MAX - p->held;
			if (take > n)
				take = n;
			memcpy(p->hold + p->held, seg, take);
			p->held += take;
			seg += take;
			n -= take;
			if (p->held >= 1 && p->hold[0] != '-')
				decide(p, p->held);
			else if (p->held >= 2 && p->hold[1] != '-')
				decide(p, p->held);
			else if (p->held == HOLD_MAX)
				decide(p, p->held);
			/* the held bytes went out in decide(); the rest follows */
		}
		if (p->decided && !p->on_bline)
			deliver(p, seg, n);
		if (end > i)
			p->last_cr = d[end - 1] == '\r';
		p->cur.off += end - i;
		p->cur.v += end - i;
		if (nl) {
			bool bare = !p->last_cr;
			p->cur.off += 1;
			p->cur.v += bare ? 2 : 1;
			p->cur.lf += 1;
			p->last_cr = false;
			line_end(p, true, bare);
			i = end + 1;
		} else {
			i = len;
		}
	}
	return p->failed ? -1 : 0;
}

static struct msg_limits clamp_limits(const struct msg_limits *lim)
{
	struct msg_limits l = lim ? *lim : msg_limits_default();
	if (l.max_field < 1024)
		l.max_field = 1024;
	if (l.max_held < l.max_field)
		l.max_held = l.max_field;
	if (l.max_held > UINT32_MAX) /* held offsets are 32-bit */
		l.max_held = UINT32_MAX;
	if (l.max_parts < 1)
		l.max_parts = 1;
	if (l.max_depth > 60000) /* depth is 16-bit */
		l.max_depth = 60000;
	return l;
}

struct msg_parser *msg_parser_create(const struct msg_limits *lim)
{
	struct msg_parser *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->t = calloc(1, sizeof(*p->t));
	if (!p->t) {
		free(p);
		return NULL;
	}
	p->t->lim = clamp_limits(lim);
	struct msg_limits *l = &p->t->lim;
	p->t->held.max = l->max_held;
	p->new_part = -1;
	p->stack = calloc(l->max_depth + 2u, sizeof(*p->stack));
	int32_t root = p->stack ? node_new(p, -1, p->cur) : -1;
	if (root < 0 || !push(p, root, ST_HEADER, p->cur) || p->failed) {
		msg_parser_free(&p);
		return NULL;
	}
	return p;
}

void msg_parser_free(struct msg_parser **pp)
{
	struct msg_parser *p = *pp;
	if (!p)
		return;
	msg_hdr_free(&p->hdr);
	msg_tree_free(&p->t);
	free(p->stack);
	free(p);
	*pp = NULL;
}

size_t msg_parser_mem(const struct msg_parser *p)
{
	return sizeof(*p) + (p->t->lim.max_depth + 2u) * sizeof(*p->stack) +
	       (p->hdr ? msg_hdr_mem(p->hdr) : 0) + msg_tree_mem(p->t);
}

size_t msg_limits_mem_bound(const struct msg_limits *lim)
{
	struct msg_limits l = clamp_limits(lim);
	/* Buffers at most double past their limit when they grow. */
	return sizeof(struct msg_parser) + sizeof(struct msg_tree) +
	       (l.max_depth + 2u) * sizeof(struct level) + l.max_parts * sizeof(struct msg_part) +
	       2 * (l.max_held + 1) + 2 * (l.max_field + 1) + 1024;
}

struct msg_tree *msg_parser_finish(struct msg_parser **pp)
{
	struct msg_parser *p = *pp;
	if (!p)
		return NULL;
	if (!p->failed && p->in_line)
		line_end(p, false, false);
	while (!p->failed && p->depth > 0)
		pop(p, p->cur);
	struct msg_tree *t = NULL;
	if (!p->failed) {
		t = p->t;
		p->t = NULL;
		t->size = p->cur.off;
		t->vsize = p->cur.v;
	}
	msg_parser_free(pp);
	return t;
}

struct msg_tree *msg_tree_parse_fd(int fd, const struct msg_limits *lim)
{
	struct msg_parser *p = msg_parser_create(lim);
	if (!p)
		return NULL;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && msg_parser_feed(p, chunk, (size_t)n) < 0)) {
			msg_parser_free(&p);
			return NULL;
		}
		if (n == 0)
			break;
	}
	return msg_parser_finish(&p);
}

void msg_tree_free(struct msg_tree **pt)
{
	struct msg_tree *t = *pt;
	if (!t)
		return;
	free(t->parts);
	buf_free(&t->held);
	free(t);
	*pt = NULL;
}

unsigned msg_tree_count(const struct msg_tree *t)
{
	return t->n;
}

const struct msg_part *msg_tree_part(const struct msg_tree *t, unsigned idx)
{
	return idx < t->n ? &t->parts[idx] : NULL;
}

const struct str *msg_part_field(const struct msg_tree *t, const struct msg_part *p,
				 enum msg_fid id, struct str *out)
{
	if ((unsigned)id >= MSG_F_COUNT || !(p->present & (1u << id)))
		return NULL;
	out->s = t->held.s + p->foff[id];
	out->len = p->flen[id];
	return out;
}

uint64_t msg_tree_size(const struct msg_tree *t)
{
	return t->size;
}

uint64_t msg_tree_vsize(const struct msg_tree *t)
{
	return t->vsize;
}

size_t msg_tree_mem(const struct msg_tree *t)
{
	return t ? sizeof(*t) + t->cap * sizeof(*t->parts) + t->held.cap : 0;
}

const struct msg_limits *msg_tree_limits(const struct msg_tree *t)
{
	return &t->lim;
}
