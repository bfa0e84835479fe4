/* SEARCH and UID SEARCH, with ESEARCH (RFC 4731) and SEARCHRES (RFC 5182).
 *
 * The search program is parsed into a small tree of keys, then every
 * message is tested in order. Keys on flags, sizes and dates use the
 * mailbox view; a key on headers or text opens and parses the message once,
 * and only when the cheaper keys before it did not already decide.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "maildir/filename.h"
#include "message/date.h"
#include "message/limits.h"
#include "message/parser.h"
#include "message/reader.h"
#include "message/search.h"
#include "session/commands.h"
#include "session/flags.h"
#include "session/mailbox.h"
#include "session/respond.h"

/* Keys in one search program, and how deeply NOT/OR/() may nest. */
#define SEARCH_MAX_KEYS	 1000
#define SEARCH_MAX_DEPTH 64
/* Sequence sets in one search: each costs a bit per message. */
#define SEARCH_MAX_SETS 64

enum sk {
	SK_AND, /* children a..b: all */
	SK_OR,
	SK_NOT,
	SK_ALL,
	SK_SET,	    /* mark[] */
	SK_FLAG,    /* flag set (want) */
	SK_KEYWORD, /* keyword index set (want); -1: no such keyword */
	SK_NEW,
	SK_OLD,
	SK_RECENT,
	SK_BEFORE,
	SK_ON,
	SK_SINCE,
	SK_SENTBEFORE,
	SK_SENTON,
	SK_SENTSINCE,
	SK_LARGER,
	SK_SMALLER,
	SK_HEADER, /* name, matcher */
	SK_BODY,
	SK_TEXT,
};

struct key {
	enum sk kind;
	bool want;
	int first, next; /* first child; next sibling (-1: none) */
	uint32_t flag;
	int keyword;
	int64_t day; /* days since the epoch */
	uint64_t size;
	char name[128];
	struct msg_matcher *m;
	uint8_t *mark; /* SK_SET: bit per sequence number */
};

struct program {
	struct key k[SEARCH_MAX_KEYS];
	int n;
	int nsets;
};

struct search {
	struct session *s;
	struct parser *p;
	struct program *pg;
	uint32_t count;
};

static int new_key(struct search *x, enum sk kind)
{
	if (x->pg->n == SEARCH_MAX_KEYS)
		return p_fail(x->p, "Too many search keys"), -1;
	struct key *k = &x->pg->k[x->pg->n];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->want = true;
	k->first = k->next = -1;
	k->keyword = -1;
	return x->pg->n++;
}

static int parse_key(struct search *x, int depth);

/* key *(SP key) up to ')' or the end, as children of an AND. */
static int parse_list(struct search *x, int depth, bool paren)
{
	int and = new_key(x, SK_AND);
	if (and < 0)
		return -1;
	int last = -1;
	for (;;) {
		int c = parse_key(x, depth + 1);
		if (c < 0)
			return -1;
		if (last < 0)
			x->pg->k[and].first = c;
		else
			x->pg->k[last].next = c;
		last = c;
		if (!p_peek(x->p, ' '))
			break;
		p_sp(x->p);
	}
	if (paren && !p_char(x->p, ')'))
		return -1;
	return and;
}

static bool day_of(struct parser *p, int64_t *day)
{
	time_t t;
	if (!p_date(p, &t))
		return false;
	*day = (int64_t)t / 86400;
	return true;
}

static int string_key(struct search *x, enum sk kind, const char *header)
{
	struct str v;
	if (!p_sp(x->p) || !p_astring(x->p, &v))
		return -1;
	int i = new_key(x, kind);
	if (i < 0)
		return -1;
	struct key *k = &x->pg->k[i];
	if (header)
		strlcpy_ok(k->name, header, sizeof(k->name));
	k->m = msg_matcher_create(v.s ? v.s : "", v.len);
	if (!k->m)
		return p_fail(x->p, "Search string too long"), -1;
	return i;
}

static const struct {
	const char *name;
	uint32_t flag;
	bool want;
} flag_keys[] = {
    {"ANSWERED", MD_F_ANSWERED, true},	{"DELETED", MD_F_DELETED, true},
    {"DRAFT", MD_F_DRAFT, true},	{"FLAGGED", MD_F_FLAGGED, true},
    {"SEEN", MD_F_SEEN, true},		{"UNANSWERED", MD_F_ANSWERED, false},
    {"UNDELETED", MD_F_DELETED, false}, {"UNDRAFT", MD_F_DRAFT, false},
    {"UNFLAGGED", MD_F_FLAGGED, false}, {"UNSEEN", MD_F_SEEN, false},
};

static const struct {
	const char *name;
	enum sk kind;
} date_keys[] = {
    {"BEFORE", SK_BEFORE},	   {"ON", SK_ON},	  {"SINCE", SK_SINCE},
    {"SENTBEFORE", SK_SENTBEFORE}, {"SENTON", SK_SENTON}, {"SENTSINCE", SK_SENTSINCE},
};

static const struct {
	const char *name;
	const char *header;
} header_keys[] = {
    {"FROM", "From"}, {"TO", "To"}, {"CC", "Cc"}, {"BCC", "Bcc"}, {"SUBJECT", "Subject"},
};

static int set_key(struct search *x, bool uid)
{
	struct seqset set = {0};
	if (!p_seqset(x->p, &set))
		return -1;
	if (x->pg->nsets == SEARCH_MAX_SETS) {
		seqset_free(&set);
		return p_fail(x->p, "Too many sequence sets in one search"), -1;
	}
	x->pg->nsets++;
	int i = new_key(x, SK_SET);
	uint32_t *seqs = NULL;
	size_t n = 0;
	const char *why = NULL;
	if (i >= 0 && session_resolve_set_ex(x->s, &set, uid, true, &seqs, &n, &why) < 0) {
		p_fail(x->p, why);
		i = -1;
	}
	seqset_free(&set);
	if (i < 0)
		return -1;
	struct key *k = &x->pg->k[i];
	k->mark = calloc(x->count / 8 + 1, 1);
	if (!k->mark) {
		free(seqs);
		return p_fail(x->p, "Out of memory"), -1;
	}
	for (size_t q = 0; q < n; q++)
		k->mark[seqs[q] / 8] |= (uint8_t)(1u << (seqs[q] % 8));
	free(seqs);
	return i;
}

static int parse_key(struct search *x, int depth)
{
	struct parser *p = x->p;
	if (depth > SEARCH_MAX_DEPTH)
		return p_fail(p, "Search keys nested too deeply"), -1;
	if (p_peek(p, '(')) {
		p->pos++;
		return parse_list(x, depth, true);
	}
	if (p_peek(p, '*') || p_peek(p, '$') ||
	    (p->pos < p->len && p->s[p->pos] >= '1' && p->s[p->pos] <= '9'))
		return set_key(x, false);
	for (size_t i = 0; i < sizeof(flag_keys) / sizeof(flag_keys[0]); i++)
		if (p_keyword(p, flag_keys[i].name)) {
			int k = new_key(x, SK_FLAG);
			if (k >= 0) {
				x->pg->k[k].flag = flag_keys[i].flag;
				x->pg->k[k].want = flag_keys[i].want;
			}
			return k;
		}
	for (size_t i = 0; i < sizeof(date_keys) / sizeof(date_keys[0]); i++)
		if (p_keyword(p, date_keys[i].name)) {
			int k = new_key(x, date_keys[i].kind);
			if (k >= 0 && (!p_sp(p) || !day_of(p, &x->pg->k[k].day)))
				return -1;
			return k;
		}
	for (size_t i = 0; i < sizeof(header_keys) / sizeof(header_keys[0]); i++)
		if (p_keyword(p, header_keys[i].name))
			return string_key(x, SK_HEADER, header_keys[i].header);
	if (p_keyword(p, "ALL"))
		return new_key(x, SK_ALL);
	if (p_keyword(p, "NEW"))
		return new_key(x, SK_NEW);
	if (p_keyword(p, "OLD"))
		return new_key(x, SK_OLD);
	if (p_keyword(p, "RECENT"))
		return new_key(x, SK_RECENT);
	if (p_keyword(p, "BODY"))
		return string_key(x, SK_BODY, NULL);
	if (p_keyword(p, "TEXT"))
		return string_key(x, SK_TEXT, NULL);
	if (p_keyword(p, "HEADER")) {
		struct str name;
		if (!p_sp(p) || !p_astring(p, &name))
			return -1;
		char n[128];
		if (!str_copy(n, sizeof(n), name) || !n[0])
			return p_fail(p, "Invalid header name"), -1;
		return string_key(x, SK_HEADER, n);
	}
	bool larger = p_keyword(p, "LARGER");
	if (larger || p_keyword(p, "SMALLER")) {
		uint64_t v;
		if (!p_sp(p) || !p_number64(p, &v))
			return -1;
		int k = new_key(x, larger ? SK_LARGER : SK_SMALLER);
		if (k >= 0)
			x->pg->k[k].size = v;
		return k;
	}
	bool want = p_keyword(p, "KEYWORD");
	if (want || p_keyword(p, "UNKEYWORD")) {
		struct str kw;
		if (!p_sp(p) || !p_atom(p, &kw))
			return -1;
		int k = new_key(x, SK_KEYWORD);
		if (k < 0)
			return -1;
		char n[128];
		x->pg->k[k].want = want;
		x->pg->k[k].keyword = str_copy(n, sizeof(n), kw)
					  ? md_mailbox_keyword(x->s->mbox, n, false, NULL)
					  : -1;
		return k;
	}
	if (p_keyword(p, "UID")) {
		if (!p_sp(p))
			return -1;
		return set_key(x, true);
	}
	if (p_keyword(p, "NOT")) {
		int k = new_key(x, SK_NOT);
		if (k < 0 || !p_sp(p))
			return -1;
		int c = parse_key(x, depth + 1);
		if (c < 0)
			return -1;
		x->pg->k[k].first = c;
		return k;
	}
	if (p_keyword(p, "OR")) {
		int k = new_key(x, SK_OR);
		if (k < 0 || !p_sp(p))
			return -1;
		int a = parse_key(x, depth + 1);
		if (a < 0 || !p_sp(p))
			return -1;
		int b = parse_key(x, depth + 1);
		if (b < 0)
			return -1;
		x->pg->k[k].first = a;
		x->pg->k[a].next = b;
		return k;
	}
	return p_fail(p, "Unknown search key"), -1;
}

/* What one message needs, loaded on first use. */
struct msgctx {
	struct session *s;
	uint32_t seq;
	const struct md_msg *m;
	bool meta;
	int fd;
	struct msg_tree *tree;
	struct msg_limits lim;
	bool failed;
};

static bool load_tree(struct msgctx *c)
{
	if (c->tree)
		return true;
	if (c->failed)
		return false;
	c->fd = md_mailbox_open_file(c->s->mbox, c->seq, NULL);
	if (c->fd >= 0)
		c->tree = msg_tree_parse_fd(c->fd, &c->lim);
	if (!c->tree)
		c->failed = true;
	return c->tree != NULL;
}

static bool load_meta(struct msgctx *c)
{
	if (!c->meta) {
		c->meta = md_mailbox_meta(c->s->mbox, c->seq, NULL) == 0;
		c->m = md_mailbox_msg(c->s->mbox, c->seq);
	}
	return c->meta;
}

static bool eval(struct program *pg, int i, struct msgctx *c)
{
	struct key *k = &pg->k[i];
	switch (k->kind) {
	case SK_AND:
		for (int j = k->first; j >= 0; j = pg->k[j].next)
			if (!eval(pg, j, c))
				return false;
		return true;
	case SK_OR:
		return eval(pg, k->first, c) || eval(pg, pg->k[k->first].next, c);
	case SK_NOT:
		return !eval(pg, k->first, c);
	case SK_ALL:
		return true;
	case SK_SET:
		return (k->mark[c->seq / 8] >> (c->seq % 8)) & 1;
	case SK_FLAG:
		return ((c->m->flags & k->flag) != 0) == k->want;
	case SK_KEYWORD:
		return (k->keyword >= 0 && (c->m->keywords & (1u << k->keyword))) == k->want;
	case SK_RECENT:
		return (c->m->state & MD_MSG_RECENT) != 0;
	case SK_NEW:
		return (c->m->state & MD_MSG_RECENT) && !(c->m->flags & MD_F_SEEN);
	case SK_OLD:
		return !(c->m->state & MD_MSG_RECENT);
	case SK_BEFORE:
	case SK_ON:
	case SK_SINCE: {
		if (!load_meta(c))
			return false;
		int64_t d = c->m->internal_date / 86400;
		return k->kind == SK_BEFORE ? d < k->day
		       : k->kind == SK_ON   ? d == k->day
					    : d >= k->day;
	}
	case SK_LARGER:
	case SK_SMALLER:
		if (!load_meta(c))
			return false;
		return k->kind == SK_LARGER ? c->m->vsize > k->size : c->m->vsize < k->size;
	case SK_SENTBEFORE:
	case SK_SENTON:
	case SK_SENTSINCE: {
		time_t when;
		int tz;
		if (!load_tree(c) || msg_part_date(c->tree, 0, &when, &tz) < 0)
			return false;
		/* The date as written, disregarding time and zone. */
		int64_t d = ((int64_t)when + (int64_t)tz * 60) / 86400;
		return k->kind == SK_SENTBEFORE ? d < k->day
		       : k->kind == SK_SENTON	? d == k->day
						: d >= k->day;
	}
	case SK_HEADER:
	case SK_BODY:
	case SK_TEXT: {
		bool found = false;
		if (!load_tree(c))
			return false;
		struct msg_reader r = msg_reader_fd(c->fd);
		msg_matcher_reset(k->m);
		int rc = k->kind == SK_HEADER
			     ? msg_search_header(c->tree, &r, 0, k->name, k->m, &found)
			 : k->kind == SK_BODY ? msg_search_body(c->tree, &r, k->m, &found)
					      : msg_search_text(c->tree, &r, k->m, &found);
		if (rc < 0)
			c->failed = true;
		return found;
	}
	}
	return false;
}

static void program_free(struct program *pg)
{
	for (int i = 0; i < pg->n; i++) {
		msg_matcher_free(&pg->k[i].m);
		free(pg->k[i].mark);
	}
	free(pg);
}

#define RET_MIN	  1u
#define RET_MAX	  2u
#define RET_ALL	  4u
#define RET_COUNT 8u
#define RET_SAVE  16u

static bool return_opts(struct parser *p, unsigned *ret)
{
	*ret = 0;
	if (!p_keyword(p, "RETURN"))
		return true;
	if (!p_sp(p) || !p_char(p, '('))
		return false;
	while (!p_peek(p, ')')) {
		if (*ret && !p_sp(p))
			return false;
		if (p_keyword(p, "MIN"))
			*ret |= RET_MIN;
		else if (p_keyword(p, "MAX"))
			*ret |= RET_MAX;
		else if (p_keyword(p, "ALL"))
			*ret |= RET_ALL;
		else if (p_keyword(p, "COUNT"))
			*ret |= RET_COUNT;
		else if (p_keyword(p, "SAVE"))
			*ret |= RET_SAVE;
		else
			return p_fail(p, "Unknown SEARCH return option");
	}
	p->pos++;
	if (*ret == 0)
		*ret = RET_ALL; /* RETURN () means ALL */
	*ret |= 0x100;		/* ESEARCH form asked for */
	return p_sp(p);
}

enum cmd_result cmd_search(struct session *s, struct parser *p, struct str tag)
{
	unsigned ret = 0;
	struct search x = {s, p, NULL, md_mailbox_count(s->mbox)};
	uint32_t *hits = NULL;
	if (!p_sp(p) || !return_opts(p, &ret))
		goto bad;
	if (p_keyword(p, "CHARSET")) {
		struct str cs;
		if (!p_sp(p) || !p_astring(p, &cs) || !p_sp(p))
			goto bad;
		if (!str_caseeq(cs, "UTF-8") && !str_caseeq(cs, "US-ASCII")) {
			if (ret & RET_SAVE) {
				free(s->saved);
				s->saved = NULL;
				s->nsaved = 0;
			}
			respond_tagged(s, tag, "NO",
				       "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.");
			return CMD_DONE;
		}
	}
	x.pg = calloc(1, sizeof(*x.pg));
	if (!x.pg) {
		p_fail(p, "Out of memory");
		goto bad;
	}
	int root = parse_list(&x, 0, false);
	if (root < 0 || !p_eol(p))
		goto bad;
	hits = malloc((x.count ? x.count : 1) * sizeof(*hits));
	if (!hits) {
		p_fail(p, "Out of memory");
		goto bad;
	}
	size_t nhit = 0;
	bool failed = false;
	struct msg_limits lim = msg_limits_from_config(s->cfg);
	for (uint32_t q = 1; q <= x.count; q++) {
		struct msgctx c = {s, q, md_mailbox_msg(s->mbox, q), false, -1, NULL, lim, false};
		if (eval(x.pg, root, &c))
			hits[nhit++] = q;
		failed |= c.failed;
		if (c.tree)
			msg_tree_free(&c.tree);
		if (c.fd >= 0)
			close(c.fd);
	}
	if (failed)
		log_warn("search: some messages could not be read");
	/* Answers by UID for UID SEARCH. */
	uint32_t *ids = malloc((nhit ? nhit : 1) * sizeof(*ids));
	if (!ids) {
		p_fail(p, "Out of memory");
		goto bad;
	}
	for (size_t i = 0; i < nhit; i++)
		ids[i] = s->uid_cmd ? md_mailbox_msg(s->mbox, hits[i])->uid : hits[i];
	if (ret & RET_SAVE) {
		/* SAVE with only MIN and/or MAX saves just those (RFC 5182). */
		size_t n = 0;
		uint32_t *sv = malloc((nhit ? nhit : 1) * sizeof(*sv));
		bool minmax = (ret & (RET_MIN | RET_MAX)) && !(ret & (RET_ALL | RET_COUNT));
		for (size_t i = 0; sv && i < nhit; i++)
			if (!minmax || ((ret & RET_MIN) && i == 0) ||
			    ((ret & RET_MAX) && i == nhit - 1))
				sv[n++] = md_mailbox_msg(s->mbox, hits[i])->uid;
		free(s->saved);
		s->saved = sv;
		s->nsaved = sv ? n : 0;
	}
	bool esearch = (ret & 0x100) || (s->enabled & ENABLED_REV2);
	if (esearch && !ret)
		ret = RET_ALL;
	struct buf out = BUF_INIT((size_t)64 + (size_t)x.count * 12);
	if (!esearch) {
		buf_appends(&out, "SEARCH");
		for (size_t i = 0; i < nhit; i++)
			buf_appendf(&out, " %u", ids[i]);
		respond_untagged(s, "%s", out.s);
	} else if (ret & (RET_MIN | RET_MAX | RET_ALL | RET_COUNT)) {
		buf_appends(&out, "ESEARCH (TAG ");
		imap_append_string(&out, tag.s, tag.len);
		buf_appendc(&out, ')');
		if (s->uid_cmd)
			buf_appends(&out, " UID");
		if ((ret & RET_MIN) && nhit)
			buf_appendf(&out, " MIN %u", ids[0]);
		if ((ret & RET_MAX) && nhit)
			buf_appendf(&out, " MAX %u", ids[nhit - 1]);
		if (ret & RET_COUNT)
			buf_appendf(&out, " COUNT %zu", nhit);
		if ((ret & RET_ALL) && nhit) {
			buf_appends(&out, " ALL ");
			uidset_append(&out, ids, nhit);
		}
		respond_untagged(s, "%s", out.s);
	}
	buf_free(&out);
	free(ids);
	free(hits);
	program_free(x.pg);
	respond_tagged(s, tag, "OK", "Search completed.");
	return CMD_DONE;
bad:
	if (ret & RET_SAVE) {
		free(s->saved);
		s->saved = NULL;
		s->nsaved = 0;
	}
	free(hits);
	if (x.pg)
		program_free(x.pg);
	return CMD_BAD;
}
