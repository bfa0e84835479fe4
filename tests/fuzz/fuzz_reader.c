/* The command reader and the grammar primitives: arbitrary bytes are fed
 * to reader_feed in varying chunk sizes; an announced literal is held,
 * streamed or rejected; every whole command is walked with the p_*()
 * primitives the way handlers use them, checking that the reader keeps its
 * limits and that every view the parser returns lies inside the command. */
#include <stdlib.h>
#include <string.h>

#include "session/parser.h"
#include "session/reader.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static const struct reader_limits lim = {1024, 1024, 8, 4096};

static void sink(void *ctx, const char *p, size_t n)
{
	*(size_t *)ctx += n;
	if (n)
		CHECK(p != NULL);
}

static void in_cmd(const struct parser *p, struct str s)
{
	if (!s.s)
		return;
	CHECK(s.s >= p->s && s.len <= p->len && s.s + s.len <= p->s + p->len);
}

/* Tries one primitive, chosen by the generator, at the cursor. */
static void step(struct parser *p, struct fuzz_rng *g)
{
	struct str s;
	uint32_t n32;
	uint64_t n64;
	bool b;
	time_t t;
	int zone;
	const struct literal *l;
	struct seqset set = {0};
	size_t before = p->pos;
	switch (fuzz_rng_next(g) % 16) {
	case 0:
		p_sp(p);
		break;
	case 1:
		if (p_atom(p, &s))
			in_cmd(p, s);
		break;
	case 2:
		if (p_astring(p, &s))
			in_cmd(p, s);
		break;
	case 3:
		if (p_string(p, &s))
			in_cmd(p, s);
		break;
	case 4:
		if (p_nstring(p, &s, &b))
			in_cmd(p, s);
		break;
	case 5:
		p_number(p, &n32);
		break;
	case 6:
		p_nz_number(p, &n32);
		break;
	case 7:
		p_number64(p, &n64);
		break;
	case 8:
		if (p_mailbox(p, &s) && !str_eq(s, "INBOX"))
			in_cmd(p, s);
		break;
	case 9:
		if (p_list_mailbox(p, &s))
			in_cmd(p, s);
		break;
	case 10:
		if (p_flag(p, &s, fuzz_rng_next(g) & 1))
			in_cmd(p, s);
		break;
	case 11:
		if (p_seqset(p, &set)) {
			CHECK(set.n > 0);
			for (size_t i = 0; i < set.n; i++)
				CHECK(set.r[i].lo != 0 || set.r[i].hi == 0);
		}
		seqset_free(&set);
		break;
	case 12:
		if (fuzz_rng_next(g) & 1)
			p_date(p, &t);
		else
			p_datetime(p, &t, &zone);
		break;
	case 13:
		if (p_literal_any(p, &s, &b, &l))
			in_cmd(p, s);
		break;
	case 14:
		p_char(p, (fuzz_rng_next(g) & 1) ? '(' : ')');
		break;
	case 15:
		p_keyword(p, "NIL");
		break;
	}
	CHECK(p->pos <= p->len);
	if (p->pos == before && p->pos < p->len)
		p->pos++; /* skip what no primitive took, as a handler would fail */
}

static void walk(struct reader *r, struct fuzz_rng *g)
{
	CHECK(r->cmd.len <= (size_t)r->lim.max_command);
	CHECK(r->nlits <= READER_MAX_LITERALS);
	for (size_t i = 0; i < r->nlits; i++) {
		const struct literal *l = &r->lits[i];
		CHECK(l->marker < l->off && l->off <= r->cmd.len);
		if (!l->streamed)
			CHECK(l->len <= r->lim.max_literal && l->off + l->len <= r->cmd.len);
		if (i > 0)
			CHECK(l->marker >= r->lits[i - 1].off);
	}
	struct parser p;
	parser_init(&p, r);
	struct str tag, name;
	if (!p_tag(&p, &tag) || !p_sp(&p) || !p_atom(&p, &name))
		return;
	in_cmd(&p, tag);
	in_cmd(&p, name);
	for (int i = 0; i < 64 && p.pos < p.len; i++)
		step(&p, g);
	p_eol(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng g;
	fuzz_rng_init(&g, data, size);
	struct reader r;
	reader_init(&r, &lim);
	size_t sunk = 0, pos = 0;
	const char *d = (const char *)data;
	while (pos < size) {
		size_t used;
		size_t n = fuzz_chunk(&g, size - pos);
		enum reader_status st = reader_feed(&r, d + pos, n, &used);
		CHECK(used <= n);
		pos += used;
		switch (st) {
		case READER_MORE:
			CHECK(used == n);
			break;
		case READER_LITERAL:
			switch (fuzz_rng_next(&g) % 4) {
			case 0:
				reader_literal_stream(&r, sink, &sunk);
				break;
			case 1:
				reader_literal_reject(&r);
				break;
			default:
				reader_literal_hold(&r);
				break;
			}
			break;
		case READER_COMMAND:
			walk(&r, &g);
			break;
		case READER_BAD:
			CHECK(r.err != NULL);
			break;
		case READER_FATAL:
			CHECK(r.err != NULL);
			reader_free(&r);
			return 0;
		}
	}
	reader_free(&r);
	return 0;
}
