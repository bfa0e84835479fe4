#include "binary.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"

struct plan {
	uint64_t off, size;
	enum msg_cte cte;
};

static int plan(const struct msg_tree *t, const unsigned *path, unsigned npath, struct plan *pl)
{
	pl->cte = MSG_CTE_IDENTITY;
	if (npath == 0) {
		pl->off = 0;
		pl->size = msg_tree_size(t);
		return 0;
	}
	int node = msg_section_find(t, path, npath);
	if (node < 0)
		return node;
	const struct msg_part *p = msg_tree_part(t, (unsigned)node);
	pl->off = p->body.off;
	pl->size = p->body.size;
	struct str v;
	if (p->kind == MSG_LEAF && msg_part_field(t, p, MSG_F_CTE, &v)) {
		pl->cte = msg_cte_parse(v.s, v.len);
		if (pl->cte == MSG_CTE_UNKNOWN)
			return MSG_ERR_UNKNOWN_CTE;
	}
	return 0;
}

/* Decodes the planned range, handing [from, to) of the output to cb (if
 * any); counts the whole output and notes NULs. */
static int run(const struct msg_reader *r, const struct plan *pl, uint64_t from, uint64_t to,
	       msg_write_cb cb, void *ctx, uint64_t *total, bool *has_nul)
{
	struct msg_decoder d;
	msg_decoder_init(&d, pl->cte, pl->cte != MSG_CTE_BASE64);
	d.keep_nul = true;
	char *chunk = malloc(MSG_BODY_CHUNK);
	struct buf out = BUF_INIT(0);
	uint64_t v = 0;
	int ret = 0;
	bool nul = false;
	if (!chunk)
		return MSG_ERR_IO;
	for (uint64_t pos = pl->off, end = pl->off + pl->size; ret == 0;) {
		size_t want = end - pos < MSG_BODY_CHUNK ? (size_t)(end - pos) : MSG_BODY_CHUNK;
		ssize_t got = want ? msg_read_full(r, chunk, want, pos) : 0;
		if (got < 0 || (want && got == 0)) {
			ret = MSG_ERR_IO;
			break;
		}
		pos += (uint64_t)got;
		bool last = pos >= end;
		buf_reset(&out);
		if (!msg_decoder_feed(&d, chunk, (size_t)got, &out) ||
		    (last && !msg_decoder_finish(&d, &out))) {
			ret = MSG_ERR_IO;
			break;
		}
		if (!nul && out.len && memchr(out.s, 0, out.len))
			nul = true;
		uint64_t sv = v, ev = v + out.len;
		v = ev;
		if (cb && ev > from && sv < to) {
			uint64_t a = from > sv ? from - sv : 0;
			uint64_t z = (to < ev ? to : ev) - sv;
			ret = cb(ctx, out.s + a, (size_t)(z - a));
		}
		if (last || (cb && !has_nul && !total && v >= to))
			break;
	}
	free(chunk);
	buf_free(&out);
	if (total)
		*total = v;
	if (has_nul)
		*has_nul = nul;
	return ret;
}

int msg_binary_scan(const struct msg_tree *t, const struct msg_reader *r, const unsigned *path,
		    unsigned npath, uint64_t *size, bool *has_nul)
{
	struct plan pl;
	int ret = plan(t, path, npath, &pl);
	if (ret)
		return ret;
	return run(r, &pl, 0, 0, NULL, NULL, size, has_nul);
}

int msg_binary_size(const struct msg_tree *t, const struct msg_reader *r, const unsigned *path,
		    unsigned npath, uint64_t *size)
{
	struct plan pl;
	int ret = plan(t, path, npath, &pl);
	if (ret)
		return ret;
	if (pl.cte == MSG_CTE_IDENTITY) {
		/* as sent: the tree already counted bare LFs as CRLF */
		if (npath == 0) {
			*size = msg_tree_vsize(t);
			return 0;
		}
		const struct msg_part *p =
		    msg_tree_part(t, (unsigned)msg_section_find(t, path, npath));
		*size = p->body.vsize;
		return 0;
	}
	return run(r, &pl, 0, 0, NULL, NULL, size, NULL);
}

int msg_binary_write(const struct msg_tree *t, const struct msg_reader *r, const unsigned *path,
		     unsigned npath, bool partial, uint64_t origin, uint64_t count, msg_write_cb cb,
		     void *ctx)
{
	struct plan pl;
	int ret = plan(t, path, npath, &pl);
	if (ret)
		return ret;
	uint64_t from = partial ? origin : 0;
	uint64_t to =
	    partial ? (count > UINT64_MAX - origin ? UINT64_MAX : origin + count) : UINT64_MAX;
	return run(r, &pl, from, to, cb, ctx, NULL, NULL);
}
