/* LIST (with LIST-EXTENDED, LIST-STATUS, SPECIAL-USE), LSUB and NAMESPACE. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maildir/folder.h"
#include "maildir/mutf7.h"
#include "maildir/subscriptions.h"
#include "maildir/util.h"
#include "session/commands.h"
#include "session/mailbox.h"
#include "session/respond.h"

#define DELIM '/'
/* Patterns in one LIST (pattern list of LIST-EXTENDED), and the longest. */
#define LIST_MAX_PATTERNS 32
#define LIST_MAX_PATTERN  1024

/* Selection and return options (RFC 5258, 5819, 6154). */
#define SEL_SUBSCRIBED 1u
#define SEL_REMOTE     2u
#define SEL_RECURSIVE  4u
#define SEL_SPECIAL    8u
#define RET_SUBSCRIBED 1u
#define RET_CHILDREN   2u
#define RET_SPECIAL    4u
#define RET_STATUS     8u

/* '*' matches anything, '%' anything but the delimiter. Run as a set of
 * pattern positions over the name (no backtracking), so a hostile pattern
 * such as "*%*%*%a" costs at most its length times the name's. */
static void closure(const char *pat, size_t np, unsigned char *set)
{
	for (size_t i = 0; i < np; i++)
		if (set[i] && (pat[i] == '*' || pat[i] == '%'))
			set[i + 1] = 1;
}

static bool wild(const char *pat, const char *name)
{
	size_t np = strlen(pat);
	unsigned char a[LIST_MAX_PATTERN + 1], b[LIST_MAX_PATTERN + 1];
	unsigned char *cur = a, *nxt = b;
	if (np > LIST_MAX_PATTERN)
		return false;
	memset(cur, 0, np + 1);
	cur[0] = 1;
	closure(pat, np, cur);
	for (const char *c = name; *c; c++) {
		memset(nxt, 0, np + 1);
		bool any = false;
		for (size_t i = 0; i < np; i++) {
			if (!cur[i])
				continue;
			if (pat[i] == '*' || (pat[i] == '%' && *c != DELIM))
				nxt[i] = 1;
			else if (pat[i] == *c)
				nxt[i + 1] = 1;
			any = true;
		}
		if (!any)
			return false;
		closure(pat, np, nxt);
		unsigned char *t = cur;
		cur = nxt;
		nxt = t;
	}
	return cur[np];
}

/* INBOX is case-insensitive: a pattern that starts with it is matched as
 * if spelt "INBOX". */
static void normalize_pattern(char *pat)
{
	if (strncasecmp(pat, "INBOX", 5) == 0 && (pat[5] == '\0' || pat[5] == DELIM))
		memcpy(pat, "INBOX", 5);
}

struct entry {
	char *name;
	unsigned attrs; /* MD_LA_* */
	unsigned special;
	bool childinfo; /* has a subscribed child (RECURSIVEMATCH) */
};

struct listing {
	struct entry *e;
	size_t n, cap;
};

static struct entry *find(struct listing *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].name, name))
			return &l->e[i];
	return NULL;
}

static struct entry *add(struct listing *l, const char *name, unsigned attrs)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct entry *e = realloc(l->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		l->e = e;
		l->cap = cap;
	}
	struct entry *e = &l->e[l->n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return NULL;
	e->attrs = attrs;
	l->n++;
	return e;
}

static void listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].name);
	free(l->e);
}

/* Every folder and every subscribed name, with attributes. */
static int gather(struct session *s, struct listing *l, struct buf *err)
{
	struct md_folder_info *fi;
	size_t nf;
	if (md_folder_list(s->store, &fi, &nf, err) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < nf && r == 0; i++) {
		struct entry *e = add(l, fi[i].name, fi[i].attrs);
		if (!e)
			r = -1;
		else
			e->special = fi[i].special_use;
	}
	md_folder_list_free(&fi, nf);
	char **subs;
	size_t ns;
	if (r == 0 && md_subs_read(md_store_root(s->store), &subs, &ns, err) == 0) {
		for (size_t i = 0; i < ns && r == 0; i++) {
			struct entry *e = find(l, subs[i]);
			if (!e && !(e = add(l, subs[i], MD_LA_NONEXISTENT | MD_LA_NOSELECT)))
				r = -1;
			if (e)
				e->attrs |= MD_LA_SUBSCRIBED;
			/* Every ancestor has a subscribed child. */
			char *slash;
			while (r == 0 && (slash = strrchr(subs[i], DELIM)) != NULL) {
				*slash = '\0';
				struct entry *pe = find(l, subs[i]);
				if (!pe &&
				    !(pe = add(l, subs[i], MD_LA_NONEXISTENT | MD_LA_NOSELECT)))
					r = -1;
				if (pe)
					pe->childinfo = true;
			}
		}
		md_subs_free(&subs, ns);
	}
	return r;
}

/* True when a subscribed descendant of e is listed itself (RFC 3501 LSUB:
 * then the unsubscribed parent is not shown). */
static bool descendant_listed(const struct listing *l, const struct entry *e, char **pats,
			      size_t npat)
{
	size_t n = strlen(e->name);
	for (size_t i = 0; i < l->n; i++) {
		const struct entry *d = &l->e[i];
		if (!(d->attrs & MD_LA_SUBSCRIBED) || strncmp(d->name, e->name, n) ||
		    d->name[n] != DELIM)
			continue;
		for (size_t k = 0; k < npat; k++)
			if (wild(pats[k], d->name))
				return true;
	}
	return false;
}

static bool attrs_out(struct buf *o, const struct entry *e, unsigned sel, unsigned ret, bool lsub)
{
	const char *sep = "";
	bool ok = buf_appendc(o, '(');
#define ATTR(x)                                                                                    \
	do {                                                                                       \
		ok = ok && buf_appendf(o, "%s%s", sep, x);                                         \
		sep = " ";                                                                         \
	} while (0)
	if (e->attrs & MD_LA_NONEXISTENT && !lsub)
		ATTR("\\NonExistent");
	if (e->attrs & MD_LA_NOSELECT)
		ATTR("\\Noselect");
	if (!lsub) {
		if (e->attrs & MD_LA_HASCHILDREN)
			ATTR("\\HasChildren");
		else if (!(e->attrs & MD_LA_NONEXISTENT) || (ret & RET_CHILDREN))
			ATTR("\\HasNoChildren");
		if ((e->attrs & MD_LA_SUBSCRIBED) &&
		    ((sel & SEL_SUBSCRIBED) || (ret & RET_SUBSCRIBED)))
			ATTR("\\Subscribed");
		for (unsigned bit = 1; bit <= MD_SU_TRASH; bit <<= 1)
			if (e->special & bit)
				ATTR(md_special_use_name(bit));
	}
#undef ATTR
	return ok && buf_appendc(o, ')');
}

static enum cmd_result do_list(struct session *s, struct parser *p, struct str tag, bool lsub)
{
	unsigned sel = 0, ret = 0, status_items = 0;
	bool extended = false;
	char *pats[LIST_MAX_PATTERNS];
	size_t npat = 0;
	struct str ref, pat;
	enum cmd_result rc = CMD_BAD;
	if (!p_sp(p))
		return CMD_BAD;
	if (!lsub && p_peek(p, '(')) {
		extended = true;
		p_char(p, '(');
		while (!p_peek(p, ')')) {
			if (sel && !p_sp(p))
				return CMD_BAD;
			if (p_keyword(p, "SUBSCRIBED"))
				sel |= SEL_SUBSCRIBED;
			else if (p_keyword(p, "REMOTE"))
				sel |= SEL_REMOTE;
			else if (p_keyword(p, "RECURSIVEMATCH"))
				sel |= SEL_RECURSIVE;
			else if (p_keyword(p, "SPECIAL-USE"))
				sel |= SEL_SPECIAL;
			else
				return p_fail(p, "Unknown LIST selection option"), CMD_BAD;
		}
		p_char(p, ')');
		if ((sel & SEL_RECURSIVE) && !(sel & ~(SEL_RECURSIVE | SEL_REMOTE)))
			return p_fail(p, "RECURSIVEMATCH needs another selection option"), CMD_BAD;
		if (!p_sp(p))
			return CMD_BAD;
	}
	if (!p_mailbox(p, &ref) || !p_sp(p))
		return CMD_BAD;
	struct buf refs = BUF_INIT(MD_PATH_MAX);
	buf_append(&refs, ref.s ? ref.s : "", ref.len);
	bool multi = !lsub && p_peek(p, '(');
	if (multi) {
		extended = true;
		p_char(p, '(');
	}
	do {
		if (npat == LIST_MAX_PATTERNS) {
			p_fail(p, "Too many patterns");
			goto out;
		}
		if (npat && !p_sp(p))
			goto out;
		if (!p_list_mailbox(p, &pat))
			goto out;
		struct buf full = BUF_INIT(MD_PATH_MAX);
		/* The reference is a prefix the pattern is read under. */
		if (!buf_append(&full, refs.s ? refs.s : "", refs.len) ||
		    !buf_append(&full, pat.s, pat.len) || memchr(full.s, '\0', full.len)) {
			buf_free(&full);
			p_fail(p, "Invalid mailbox pattern");
			goto out;
		}
		if (!full.s)
			buf_appends(&full, "");
		if (full.len > LIST_MAX_PATTERN) {
			buf_free(&full);
			p_fail(p, "Mailbox pattern too long");
			goto out;
		}
		if (s->enabled & ENABLED_REV2) {
			/* Wildcards are printable ASCII: they survive the encoding. */
			struct buf enc = BUF_INIT(MD_PATH_MAX);
			if (mutf7_from_utf8(full.s, full.len, &enc) < 0 || !enc.s) {
				buf_free(&full);
				buf_free(&enc);
				p_fail(p, "Invalid mailbox pattern");
				goto out;
			}
			buf_free(&full);
			full = enc;
		}
		pats[npat++] = full.s;
	} while (multi && !p_peek(p, ')'));
	if (multi && !p_char(p, ')'))
		goto out;
	if (!lsub && p_peek(p, ' ')) {
		extended = true;
		if (!p_sp(p) || !p_keyword(p, "RETURN") || !p_sp(p) || !p_char(p, '('))
			goto out;
		while (!p_peek(p, ')')) {
			if (ret && !p_sp(p))
				goto out;
			if (p_keyword(p, "SUBSCRIBED"))
				ret |= RET_SUBSCRIBED;
			else if (p_keyword(p, "CHILDREN"))
				ret |= RET_CHILDREN;
			else if (p_keyword(p, "SPECIAL-USE"))
				ret |= RET_SPECIAL;
			else if (p_keyword(p, "STATUS")) {
				ret |= RET_STATUS;
				if (!p_sp(p) || !status_parse_items(p, &status_items))
					goto out;
			} else {
				p_fail(p, "Unknown LIST return option");
				goto out;
			}
		}
		p_char(p, ')');
	}
	if (!p_eol(p))
		goto out;
	rc = CMD_DONE;
	const char *cmd = lsub ? "LSUB" : "LIST";
	/* An empty pattern asks for the delimiter and the root. */
	if (npat == 1 && pats[0][0] == '\0' && !extended) {
		respond_untagged(s, "%s (\\Noselect) \"/\" \"\"", cmd);
		respond_tagged(s, tag, "OK", "%s completed.", cmd);
		goto out;
	}
	for (size_t i = 0; i < npat; i++)
		normalize_pattern(pats[i]);
	struct listing l = {0};
	struct buf err = BUF_INIT(1024);
	if (gather(s, &l, &err) < 0) {
		respond_tagged(s, tag, "NO", "[SERVERBUG] %s", err.s ? err.s : "Cannot list.");
		buf_free(&err);
		listing_free(&l);
		goto out;
	}
	bool subscribed_only = lsub || (sel & SEL_SUBSCRIBED);
	struct buf line = BUF_INIT(MD_PATH_MAX * 3);
	for (size_t i = 0; i < l.n; i++) {
		struct entry *e = &l.e[i];
		bool hit = false;
		for (size_t k = 0; k < npat && !hit; k++)
			hit = wild(pats[k], e->name);
		if (!hit)
			continue;
		bool childinfo = (sel & SEL_RECURSIVE) && e->childinfo;
		if (subscribed_only && !(e->attrs & MD_LA_SUBSCRIBED) && !childinfo) {
			/* LSUB shows an unsubscribed parent of a subscribed
			 * mailbox as \Noselect when "%" stops at it. */
			if (!(lsub && e->childinfo) || descendant_listed(&l, e, pats, npat))
				continue;
		}
		if ((sel & SEL_SPECIAL) && !e->special)
			continue;
		if (!subscribed_only && (e->attrs & MD_LA_NONEXISTENT) &&
		    !(e->attrs & MD_LA_HASCHILDREN))
			continue; /* a subscription to nothing, not asked for */
		struct entry shown = *e;
		if (lsub && !(e->attrs & MD_LA_SUBSCRIBED))
			shown.attrs |= MD_LA_NOSELECT;
		buf_reset(&line);
		attrs_out(&line, &shown, sel, ret, lsub);
		buf_appends(&line, " \"/\" ");
		session_mailbox_out(s, e->name, &line);
		if (childinfo && !(e->attrs & MD_LA_SUBSCRIBED))
			buf_appends(&line, " (\"CHILDINFO\" (\"SUBSCRIBED\"))");
		respond_untagged(s, "%s %s", cmd, line.s);
		if ((ret & RET_STATUS) && !(e->attrs & (MD_LA_NOSELECT | MD_LA_NONEXISTENT))) {
			buf_reset(&err);
			status_respond(s, e->name, status_items, &err);
		}
	}
	buf_free(&line);
	buf_free(&err);
	listing_free(&l);
	respond_tagged(s, tag, "OK", "%s completed.", cmd);
out:
	for (size_t i = 0; i < npat; i++)
		free(pats[i]);
	buf_free(&refs);
	return rc;
}

enum cmd_result cmd_list(struct session *s, struct parser *p, struct str tag)
{
	return do_list(s, p, tag, false);
}

enum cmd_result cmd_lsub(struct session *s, struct parser *p, struct str tag)
{
	return do_list(s, p, tag, true);
}

enum cmd_result cmd_namespace(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	respond_untagged(s, "NAMESPACE ((\"\" \"/\")) NIL NIL");
	respond_tagged(s, tag, "OK", "Namespace completed.");
	return CMD_DONE;
}
