/* The MIME message parser (message/): the input is a stored message. It
 * is parsed in one piece and again in chunks of varying size, with small
 * limits so that they are reached: both trees must be the same, every
 * span must lie inside its parent and the message, the limits must hold,
 * the parser's memory must stay under msg_limits_mem_bound, and
 * BODYSTRUCTURE and ENVELOPE must render for every node. Built only when
 * message/ is in the tree. */
#include <stdlib.h>
#include <string.h>

#include "message/bodystructure.h"
#include "message/envelope.h"
#include "message/parser.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static const struct msg_limits lim = {8, 64, 1024, 4096};

static struct msg_tree *parse(const uint8_t *data, size_t size, struct fuzz_rng *g)
{
	struct msg_parser *p = msg_parser_create(&lim);
	CHECK(p != NULL);
	size_t pos = 0;
	while (pos < size) {
		size_t n = g ? fuzz_chunk(g, size - pos) : size;
		CHECK(msg_parser_feed(p, data + pos, n) == 0);
		CHECK(msg_parser_mem(p) <= msg_limits_mem_bound(&lim));
		pos += n;
	}
	struct msg_tree *t = msg_parser_finish(&p);
	CHECK(t != NULL && p == NULL);
	return t;
}

static bool inside(const struct msg_span *s, uint64_t lo, uint64_t hi)
{
	return s->off >= lo && s->off + s->size <= hi && s->vsize >= s->size;
}

static bool same_span(const struct msg_span *a, const struct msg_span *b)
{
	return a->off == b->off && a->size == b->size && a->vsize == b->vsize &&
	       a->lines == b->lines;
}

static void check_tree(const struct msg_tree *t, size_t size)
{
	unsigned n = msg_tree_count(t);
	CHECK(n >= 1 && n <= lim.max_parts);
	CHECK(msg_tree_size(t) == size && msg_tree_vsize(t) >= size);
	for (unsigned i = 0; i < n; i++) {
		const struct msg_part *p = msg_tree_part(t, i);
		CHECK(p->depth < lim.max_depth);
		CHECK(inside(&p->hdr, 0, size) && inside(&p->body, 0, size));
		CHECK(p->hdr.off + p->hdr.size <= p->body.off || p->body.size == 0);
		CHECK(p->parent < (int32_t)n && p->child < (int32_t)n && p->next < (int32_t)n);
		CHECK((i == 0) == (p->parent < 0));
		if (p->parent >= 0) {
			const struct msg_part *up = msg_tree_part(t, (unsigned)p->parent);
			CHECK(p->depth == up->depth + 1);
			CHECK(up->kind != MSG_LEAF);
			CHECK(inside(&p->hdr, up->body.off, up->body.off + up->body.size));
			CHECK(inside(&p->body, up->body.off, up->body.off + up->body.size));
		}
		if (p->kind == MSG_LEAF)
			CHECK(p->child < 0);
		for (int f = 0; f < MSG_F_COUNT; f++) {
			struct str v;
			const struct str *got = msg_part_field(t, p, (enum msg_fid)f, &v);
			CHECK(!got || got->len <= lim.max_field);
		}
		struct buf out = BUF_INIT(0);
		CHECK(msg_bodystructure_write(t, i, true, &out) && out.len > 0);
		buf_reset(&out);
		CHECK(msg_bodystructure_write(t, i, false, &out) && out.len > 0);
		if (p->is_message) {
			buf_reset(&out);
			CHECK(msg_envelope_write(t, i, &out) && out.len > 0);
		}
		buf_free(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng g;
	fuzz_rng_init(&g, data, size);
	struct msg_tree *a = parse(data, size, NULL);
	struct msg_tree *b = parse(data, size, &g);
	check_tree(a, size);
	CHECK(msg_tree_count(a) == msg_tree_count(b));
	for (unsigned i = 0; i < msg_tree_count(a); i++) {
		const struct msg_part *x = msg_tree_part(a, i), *y = msg_tree_part(b, i);
		CHECK(x->parent == y->parent && x->child == y->child && x->next == y->next);
		CHECK(x->depth == y->depth && x->kind == y->kind && x->overflow == y->overflow);
		CHECK(x->is_message == y->is_message && x->in_digest == y->in_digest);
		CHECK(same_span(&x->hdr, &y->hdr) && same_span(&x->body, &y->body));
		CHECK(x->present == y->present);
		for (int f = 0; f < MSG_F_COUNT; f++) {
			struct str u, v;
			const struct str *pu = msg_part_field(a, x, (enum msg_fid)f, &u);
			const struct str *pv = msg_part_field(b, y, (enum msg_fid)f, &v);
			CHECK(!pu == !pv);
			CHECK(!pu || (pu->len == pv->len && memcmp(pu->s, pv->s, pu->len) == 0));
		}
	}
	msg_tree_free(&a);
	msg_tree_free(&b);
	CHECK(a == NULL && b == NULL);
	return 0;
}
