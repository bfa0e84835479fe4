#include "header.h"

#include <stdlib.h>
#include <string.h>

struct msg_hdr {
	struct buf field; /* current raw field, line ends removed */
	bool have_field, truncated;
	bool line_start; /* next byte starts a line */
	bool start_cr;	 /* the line so far is only CRs */
	uint64_t crs;	 /* CRs not yet appended: they may end the line */
	bool done;
	msg_field_cb cb;
	void *ctx;
};

struct msg_hdr *msg_hdr_create(size_t max_field, msg_field_cb cb, void *ctx)
{
	struct msg_hdr *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->field.max = max_field < 256 ? 256 : max_field;
	h->line_start = true;
	h->cb = cb;
	h->ctx = ctx;
	return h;
}

void msg_hdr_free(struct msg_hdr **h)
{
	if (!*h)
		return;
	buf_free(&(*h)->field);
	free(*h);
	*h = NULL;
}

size_t msg_hdr_mem(const struct msg_hdr *h)
{
	return sizeof(*h) + h->field.cap;
}

bool msg_hdr_done(const struct msg_hdr *h)
{
	return h->done;
}

static void field_add(struct msg_hdr *h, const char *p, size_t n)
{
	if (h->truncated)
		return;
	size_t room = h->field.max - h->field.len;
	if (n > room) {
		n = room;
		h->truncated = true;
	}
	if (!buf_append(&h->field, p, n))
		h->truncated = true;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Delivers the held field; false when the callback stops the scan. */
static bool field_flush(struct msg_hdr *h)
{
	if (!h->have_field)
		return true;
	h->have_field = false;
	const char *s = h->field.s ? h->field.s : "";
	size_t len = h->field.len;
	const char *colon = memchr(s, ':', len);
	bool keep = true;
	if (colon) {
		struct msg_field f;
		size_t nlen = (size_t)(colon - s);
		while (nlen > 0 && is_ws(s[nlen - 1]))
			nlen--;
		size_t v = (size_t)(colon - s) + 1;
		while (v < len && is_ws(s[v]))
			v++;
		f.name = (struct str){s, nlen};
		f.value = (struct str){s + v, len - v};
		f.truncated = h->truncated;
		if (nlen > 0)
			keep = h->cb(h->ctx, &f);
	}
	buf_reset(&h->field);
	h->truncated = false;
	return keep;
}

/* The first byte of a line decides: continuation, new field or end. */
static bool line_begin(struct msg_hdr *h, char c)
{
	h->line_start = false;
	if (is_ws(c) && h->have_field) {
		/* Unfolding keeps the LF, as Dovecot does: renderings decide. */
		field_add(h, "\n", 1);
		return true;
	}
	if (!field_flush(h)) {
		h->done = true;
		return false;
	}
	h->have_field = true;
	return true;
}

static void add_crs(struct msg_hdr *h)
{
	for (; h->crs > 0 && !h->truncated; h->crs--)
		field_add(h, "\r", 1);
	h->crs = 0;
}

size_t msg_hdr_feed(struct msg_hdr *h, const char *p, size_t len)
{
	size_t i = 0;
	while (i < len && !h->done) {
		char c = p[i];
		if (c == '\r') {
			/* CRs before a LF end the line, others are text */
			if (h->line_start) {
				h->line_start = false;
				h->start_cr = true;
			}
			h->crs++;
			i++;
			continue;
		}
		if (c == '\n') {
			i++;
			h->crs = 0;
			if (h->line_start || h->start_cr) {
				/* the empty line (or one of only CRs) ends the header */
				h->done = true;
				field_flush(h);
				break;
			}
			h->line_start = true;
			continue;
		}
		if (h->start_cr) {
			/* a line that starts with a lone CR: an odd field line */
			h->start_cr = false;
			if (!line_begin(h, '\r'))
				break;
		} else if (h->line_start && !line_begin(h, c)) {
			break;
		}
		add_crs(h);
		size_t k = i;
		while (k < len && p[k] != '\r' && p[k] != '\n')
			k++;
		field_add(h, p + i, k - i);
		i = k;
	}
	return i;
}

void msg_hdr_finish(struct msg_hdr *h)
{
	if (h->done)
		return;
	h->crs = 0; /* CRs at the very end close the last line */
	field_flush(h);
	h->done = true;
}
