#include "section.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int msg_section_find(const struct msg_tree *t, const unsigned *path, unsigned npath)
{
	/* Each number picks a part inside a container: a multipart's n-th
	 * part, or, for a message whose body is not multipart, the message
	 * itself as part 1. A message/rfc822 part then contains its message. */
	int cont = 0, part = 0;
	for (unsigned i = 0; i < npath; i++) {
		unsigned num = path[i];
		if (cont < 0 || num == 0)
			return MSG_ERR_NOPART;
		const struct msg_part *c = msg_tree_part(t, (unsigned)cont);
		if (c->kind == MSG_MULTIPART) {
			part = c->child;
			for (unsigned k = 1; k < num && part >= 0; k++)
				part = msg_tree_part(t, (unsigned)part)->next;
			if (part < 0)
				return MSG_ERR_NOPART;
		} else {
			if (num != 1)
				return MSG_ERR_NOPART;
			part = cont;
		}
		const struct msg_part *p = msg_tree_part(t, (unsigned)part);
		if (p->kind == MSG_RFC822 && p->child >= 0)
			cont = p->child;
		else if (part != cont)
			cont = part; /* a part of a multipart: its 1 is itself */
		else
			cont = -1; /* a message's own body contains nothing more */
	}
	return part;
}

bool msg_body_add(struct msg_body *b, enum msg_seg_kind kind, uint64_t off, uint64_t len,
		  uint64_t vlen)
{
	if (len == 0 && vlen == 0)
		return true;
	struct msg_seg *last = b->n ? &b->segs[b->n - 1] : NULL;
	if (last && last->kind == kind && last->off + last->len == off) {
		last->len += len;
		last->vlen += vlen;
		b->vsize += vlen;
		return true;
	}
	if (b->n == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 4;
		struct msg_seg *s = realloc(b->segs, cap * sizeof(*s));
		if (!s)
			return false;
		b->segs = s;
		b->cap = cap;
	}
	b->segs[b->n++] = (struct msg_seg){off, len, vlen, (uint8_t)kind};
	b->vsize += vlen;
	return true;
}

static bool add_mem(struct msg_body *b, const char *s, size_t n)
{
	uint64_t at = b->mem.len;
	return buf_append(&b->mem, s, n) && msg_body_add(b, MSG_SEG_MEM, at, n, n);
}

void msg_body_window(struct msg_body *b, bool partial, uint64_t origin, uint64_t count)
{
	b->skip = 0;
	b->take = b->vsize;
	if (!partial)
		return;
	b->skip = origin < b->vsize ? origin : b->vsize;
	uint64_t left = b->vsize - b->skip;
	b->take = count < left ? count : left;
}

uint64_t msg_body_size(const struct msg_body *b)
{
	return b->take;
}

void msg_body_free(struct msg_body *b)
{
	free(b->segs);
	buf_free(&b->mem);
	memset(b, 0, sizeof(*b));
}

static bool add_span(struct msg_body *b, const struct msg_span *s)
{
	return msg_body_add(b, MSG_SEG_CRLF, s->off, s->size, s->vsize);
}

/* HEADER.FIELDS[.NOT]: one pass over the stored header, keeping whole
 * fields (with their folding) whose name is, or is not, in the list. */
struct fscan {
	const struct msg_section *sec;
	struct msg_body *out;
	uint64_t fstart, fvlen; /* current field */
	uint64_t line_off;	/* where the current line starts */
	uint64_t crs;		/* CRs seen that may end the line */
	char name[MSG_SECTION_MAX_NAME];
	size_t nlen;
	bool in_field, name_done, too_long;
	bool line_start, start_cr, ended_nl;
	bool done;
};

static bool name_listed(const struct fscan *f)
{
	if (f->too_long)
		return false;
	size_t n = f->nlen;
	while (n > 0 && (f->name[n - 1] == ' ' || f->name[n - 1] == '\t'))
		n--;
	for (unsigned i = 0; i < f->sec->nfields; i++) {
		struct str w = f->sec->fields[i];
		if (w.len == n && strncasecmp(w.s, f->name, n) == 0)
			return true;
	}
	return false;
}

static bool field_end(struct fscan *f, uint64_t at)
{
	if (!f->in_field)
		return true;
	f->in_field = false;
	/* A line with no colon is no field: only HEADER.FIELDS.NOT keeps it. */
	bool listed = f->name_done && name_listed(f);
	bool keep = f->sec->text == MSG_SECT_HEADER_FIELDS ? listed : !listed;
	if (!keep)
		return true;
	return msg_body_add(f->out, MSG_SEG_HDR, f->fstart, at - f->fstart, f->fvlen);
}

static void field_start(struct fscan *f, uint64_t at)
{
	f->in_field = true;
	f->fstart = at;
	f->fvlen = 0;
	f->nlen = 0;
	f->name_done = f->too_long = false;
}

/* Field bytes are sent as stored except line ends: CRs before a LF and
 * the LF become one CRLF (as Dovecot rebuilds the lines), which fvlen
 * counts and MSG_SEG_HDR writes. */
static bool fscan_feed(struct fscan *f, const char *p, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n && !f->done; i++) {
		char c = p[i];
		uint64_t at = off + i;
		if (c == '\r') {
			if (f->line_start) {
				f->line_start = false;
				f->start_cr = true;
				f->line_off = at;
			}
			f->crs++;
			continue;
		}
		if (c == '\n') {
			f->ended_nl = true;
			if (f->line_start || f->start_cr) {
				/* the empty line (or one of only CRs) */
				f->done = true;
				return field_end(f, f->line_start ? at : f->line_off);
			}
			f->fvlen += 2;
			f->crs = 0;
			f->line_start = true;
			continue;
		}
		f->ended_nl = false;
		if (f->start_cr) {
			/* a line starting with CR: an odd field line */
			f->start_cr = false;
			if (!field_end(f, f->line_off))
				return false;
			field_start(f, f->line_off);
		} else if (f->line_start) {
			f->line_start = false;
			f->line_off = at;
			/* a continuation line with no field before it counts as one */
			if ((c != ' ' && c != '\t') || !f->in_field) {
				if (!field_end(f, at))
					return false;
				field_start(f, at);
			}
		}
		f->fvlen += f->crs + 1;
		f->crs = 0;
		if (!f->name_done) {
			if (c == ':')
				f->name_done = true;
			else if (f->nlen < sizeof(f->name))
				f->name[f->nlen++] = c;
			else
				f->too_long = true;
		}
	}
	return true;
}

static int header_fields(const struct msg_reader *r, const struct msg_span *hdr,
			 const struct msg_section *sec, struct msg_body *out)
{
	struct fscan f;
	memset(&f, 0, sizeof(f));
	f.sec = sec;
	f.out = out;
	f.line_start = true;
	char *chunk = malloc(MSG_BODY_CHUNK);
	if (!chunk)
		return MSG_ERR_IO;
	uint64_t pos = hdr->off, end = hdr->off + hdr->size;
	int ret = 0;
	while (pos < end && !f.done) {
		size_t want = end - pos < MSG_BODY_CHUNK ? (size_t)(end - pos) : MSG_BODY_CHUNK;
		ssize_t got = msg_read_full(r, chunk, want, pos);
		if (got <= 0) {
			ret = MSG_ERR_IO;
			break;
		}
		if (!fscan_feed(&f, chunk, (size_t)got, pos)) {
			ret = MSG_ERR_IO;
			break;
		}
		pos += (uint64_t)got;
	}
	free(chunk);
	if (ret == 0 && !f.done) {
		bool kept_last = f.in_field;
		f.fvlen += f.crs; /* CRs at the very end are sent as they are */
		uint64_t before = out->vsize;
		if (!field_end(&f, end))
			return MSG_ERR_IO;
		/* a header cut off without a line end: its last field, when
		 * kept, gets one, which also ends the header (as Dovecot) */
		if (kept_last && out->vsize != before && !f.ended_nl) {
			if (!add_mem(out, "\r\n", 2))
				return MSG_ERR_IO;
			return 0;
		}
	}
	/* As Dovecot: HEADER.FIELDS always ends with the empty line,
	 * HEADER.FIELDS.NOT only when the header had one. */
	bool eoh = sec->text == MSG_SECT_HEADER_FIELDS || f.done;
	if (ret == 0 && eoh && !add_mem(out, "\r\n", 2))
		ret = MSG_ERR_IO;
	return ret;
}

int msg_section_resolve(const struct msg_tree *t, const struct msg_reader *r,
			const struct msg_section *sec, struct msg_body *out)
{
	int node = msg_section_find(t, sec->path, sec->npath);
	if (node < 0)
		return node;
	const struct msg_part *p = msg_tree_part(t, (unsigned)node);
	int ret = 0;
	if (sec->text == MSG_SECT_MIME) {
		if (sec->npath == 0)
			return MSG_ERR_BADSECTION;
		if (!add_span(out, &p->hdr))
			ret = MSG_ERR_IO;
	} else if (sec->text == MSG_SECT_ALL) {
		if (sec->npath == 0) {
			struct msg_span all = {0, msg_tree_size(t), msg_tree_vsize(t), 0};
			if (!add_span(out, &all))
				ret = MSG_ERR_IO;
		} else if (!add_span(out, &p->body)) {
			ret = MSG_ERR_IO;
		}
	} else {
		/* HEADER, HEADER.FIELDS[.NOT], TEXT: of a message. */
		if (sec->npath > 0) {
			if (p->kind != MSG_RFC822 || p->child < 0) {
				msg_body_window(out, false, 0, 0);
				return 0; /* not a message: empty */
			}
			p = msg_tree_part(t, (unsigned)p->child);
		}
		if (sec->text == MSG_SECT_HEADER)
			ret = add_span(out, &p->hdr) ? 0 : MSG_ERR_IO;
		else if (sec->text == MSG_SECT_TEXT)
			ret = add_span(out, &p->body) ? 0 : MSG_ERR_IO;
		else
			ret = header_fields(r, &p->hdr, sec, out);
	}
	msg_body_window(out, sec->partial, sec->origin, sec->count);
	return ret;
}

/* Output of one segment, cut to the window [vfrom, vto). */
struct emit {
	uint64_t v, vfrom, vto;
	char *buf;
	size_t o;
	msg_write_cb cb;
	void *ctx;
	int rc;
};

static void emit_flush(struct emit *e)
{
	if (e->o > 0 && e->rc == 0)
		e->rc = e->cb(e->ctx, e->buf, e->o);
	e->o = 0;
}

static inline void emit(struct emit *e, char c)
{
	if (e->v >= e->vfrom && e->v < e->vto) {
		e->buf[e->o++] = c;
		if (e->o == 2 * MSG_BODY_CHUNK)
			emit_flush(e);
	}
	e->v++;
}

/* Streams one file segment: bare LF becomes CRLF, NUL becomes 0x80 (no
 * NUL in a literal; as Dovecot); for MSG_SEG_HDR, CRs before a LF are
 * folded into its CRLF too. */
static int write_file(const struct msg_seg *s, const struct msg_reader *r, uint64_t vfrom,
		      uint64_t vto, msg_write_cb cb, void *ctx, char *in, char *outb)
{
	struct emit e = {0, vfrom, vto, outb, 0, cb, ctx, 0};
	uint64_t pos = s->off, end = s->off + s->len;
	bool hdr = s->kind == MSG_SEG_HDR;
	if (!hdr && s->vlen == s->len) {
		/* no bare LF: raw and sent offsets agree */
		pos += vfrom;
		end = s->off + vto;
		e.v = vfrom;
	}
	bool last_cr = false;
	uint64_t crs = 0;
	while (pos < end && e.v < vto && e.rc == 0) {
		size_t want = end - pos < MSG_BODY_CHUNK ? (size_t)(end - pos) : MSG_BODY_CHUNK;
		ssize_t got = msg_read_full(r, in, want, pos);
		if (got <= 0)
			return MSG_ERR_IO;
		if (!hdr && e.v >= vfrom && e.v + 2 * (uint64_t)got <= vto) {
			/* the whole chunk is inside the window: no checks per byte */
			if (e.o + 2 * (size_t)got > 2 * MSG_BODY_CHUNK)
				emit_flush(&e);
			char *o = e.buf + e.o;
			for (ssize_t i = 0; i < got; i++) {
				char c = in[i];
				if (c == '\n' && !last_cr)
					*o++ = '\r';
				*o++ = c == 0 ? (char)0x80 : c;
				last_cr = c == '\r';
			}
			e.v += (uint64_t)(o - (e.buf + e.o));
			e.o = (size_t)(o - e.buf);
			pos += (uint64_t)got;
			continue;
		}
		for (ssize_t i = 0; i < got; i++) {
			char c = in[i];
			if (hdr) {
				if (c == '\r') {
					crs++;
					continue;
				}
				if (c == '\n')
					crs = 1;
				for (; crs > 0; crs--)
					emit(&e, '\r');
			} else if (c == '\n' && !last_cr) {
				emit(&e, '\r');
			}
			emit(&e, c == 0 ? (char)0x80 : c);
			last_cr = c == '\r';
		}
		pos += (uint64_t)got;
	}
	for (; crs > 0 && e.rc == 0; crs--)
		emit(&e, '\r');
	emit_flush(&e);
	return e.rc;
}

int msg_body_write(const struct msg_body *b, const struct msg_reader *r, msg_write_cb cb, void *ctx)
{
	uint64_t from = b->skip, to = b->skip + b->take, v = 0;
	char *in = NULL, *outb = NULL;
	int ret = 0;
	for (unsigned i = 0; i < b->n && ret == 0 && v < to; i++) {
		const struct msg_seg *s = &b->segs[i];
		uint64_t sv = v, ev = v + s->vlen;
		v = ev;
		if (ev <= from)
			continue;
		uint64_t a = from > sv ? from - sv : 0;
		uint64_t z = (to < ev ? to : ev) - sv;
		if (s->kind == MSG_SEG_MEM) {
			ret = cb(ctx, b->mem.s + s->off + a, (size_t)(z - a));
			continue;
		}
		if (!in) {
			in = malloc(MSG_BODY_CHUNK);
			outb = malloc(2 * MSG_BODY_CHUNK);
			if (!in || !outb) {
				ret = MSG_ERR_IO;
				break;
			}
		}
		if (s->kind == MSG_SEG_RAW) {
			for (uint64_t pos = s->off + a; ret == 0 && pos < s->off + z;) {
				uint64_t left = s->off + z - pos;
				size_t want = left < MSG_BODY_CHUNK ? (size_t)left : MSG_BODY_CHUNK;
				ssize_t got = msg_read_full(r, in, want, pos);
				if (got <= 0) {
					ret = MSG_ERR_IO;
					break;
				}
				ret = cb(ctx, in, (size_t)got);
				pos += (uint64_t)got;
			}
		} else {
			ret = write_file(s, r, a, z, cb, ctx, in, outb);
		}
	}
	free(in);
	free(outb);
	return ret;
}

static int to_buf(void *ctx, const void *p, size_t n)
{
	return buf_append(ctx, p, n) ? 0 : MSG_ERR_IO;
}

int msg_body_append(const struct msg_body *b, const struct msg_reader *r, struct buf *out)
{
	size_t mark = out->len;
	int ret = msg_body_write(b, r, to_buf, out);
	if (ret)
		buf_truncate(out, mark);
	return ret;
}
