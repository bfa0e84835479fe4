#include "parser.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void parser_init(struct parser *p, struct reader *r)
{
	memset(p, 0, sizeof(*p));
	p->s = r->cmd.s ? r->cmd.s : (char *)"";
	p->len = r->cmd.len;
	p->lits = r->lits;
	p->nlits = r->nlits;
}

bool p_fail(struct parser *p, const char *err)
{
	if (!p->err)
		p->err = err;
	return false;
}

static int cur(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* The literal announced at the cursor, if any. */
static const struct literal *lit_here(const struct parser *p)
{
	for (size_t i = p->next_lit; i < p->nlits; i++) {
		if (p->lits[i].marker == p->pos)
			return &p->lits[i];
		if (p->lits[i].marker > p->pos)
			break;
	}
	return NULL;
}

bool p_sp(struct parser *p)
{
	if (cur(p) != ' ')
		return p_fail(p, "Expected a space");
	p->pos++;
	return true;
}

bool p_eol(struct parser *p)
{
	if (p->pos != p->len)
		return p_fail(p, "Unexpected characters at end of command");
	return true;
}

bool p_peek(const struct parser *p, char c)
{
	return cur(p) == (unsigned char)c;
}

bool p_char(struct parser *p, char c)
{
	if (cur(p) != (unsigned char)c) {
		switch (c) {
		case '(':
			return p_fail(p, "Expected \"(\"");
		case ')':
			return p_fail(p, "Expected \")\"");
		default:
			return p_fail(p, "Unexpected character");
		}
	}
	p->pos++;
	return true;
}

static bool is_ctl(int c)
{
	return c <= 0x1f || c == 0x7f;
}

/* ATOM-CHAR: any CHAR except atom-specials */
static bool atom_char(int c)
{
	if (c < 0 || c >= 0x80 || is_ctl(c))
		return false;
	return !strchr("(){ %*\"\\]", c);
}

static bool astring_char(int c)
{
	return atom_char(c) || c == ']';
}

static bool list_char(int c)
{
	return atom_char(c) || c == '%' || c == '*' || c == ']';
}

static bool span(struct parser *p, bool (*ok)(int), struct str *out, const char *err)
{
	size_t start = p->pos;
	while (ok(cur(p)))
		p->pos++;
	if (p->pos == start)
		return p_fail(p, err);
	out->s = p->s + start;
	out->len = p->pos - start;
	return true;
}

bool p_tag(struct parser *p, struct str *out)
{
	size_t start = p->pos;
	while (astring_char(cur(p)) && cur(p) != '+')
		p->pos++;
	if (p->pos == start)
		return p_fail(p, "Invalid tag");
	out->s = p->s + start;
	out->len = p->pos - start;
	return true;
}

bool p_atom(struct parser *p, struct str *out)
{
	return span(p, atom_char, out, "Expected an atom");
}

bool p_keyword(struct parser *p, const char *kw)
{
	/* A probe: failing here is not an error by itself. */
	size_t save = p->pos;
	const char *err = p->err;
	struct str a;
	if (!span(p, atom_char, &a, "Expected a keyword") || !str_caseeq(a, kw)) {
		p->pos = save;
		p->err = err;
		return false;
	}
	return true;
}

bool p_quoted(struct parser *p, struct str *out)
{
	if (cur(p) != '"')
		return p_fail(p, "Expected a quoted string");
	size_t start = p->pos++;
	char *w = p->s + p->pos; /* unescape in place: output never outruns input */
	char *dst = w;
	for (;;) {
		int c = cur(p);
		if (c < 0) {
			p->pos = start;
			return p_fail(p, "Unterminated quoted string");
		}
		p->pos++;
		if (c == '"')
			break;
		if (c == '\\') {
			c = cur(p);
			if (c != '"' && c != '\\') {
				p->pos = start;
				return p_fail(p, "Invalid escape in quoted string");
			}
			p->pos++;
		} else if (c == 0 || c == '\r' || c == '\n') {
			p->pos = start;
			return p_fail(p, "Invalid character in quoted string");
		}
		*dst++ = (char)c;
	}
	out->s = w;
	out->len = (size_t)(dst - w);
	p->last_lit = NULL;
	return true;
}

bool p_literal_any(struct parser *p, struct str *out, bool *binary, const struct literal **litp)
{
	const struct literal *l = lit_here(p);
	if (!l)
		return p_fail(p, "Expected a literal");
	p->next_lit = (size_t)(l - p->lits) + 1;
	p->pos = l->off + (l->streamed ? 0 : (size_t)l->len);
	out->s = l->streamed ? NULL : p->s + l->off;
	out->len = (size_t)l->len;
	*binary = l->binary;
	if (litp)
		*litp = l;
	p->last_lit = l;
	return true;
}

bool p_literal(struct parser *p, struct str *out)
{
	size_t save = p->pos, save_lit = p->next_lit;
	bool binary;
	if (!p_literal_any(p, out, &binary, NULL))
		return false;
	const char *why = NULL;
	if (binary)
		why = "Binary literal not allowed here";
	else if (!out->s)
		why = "Literal not available";
	else if (memchr(out->s, '\0', out->len))
		why = "NUL byte in literal";
	if (why) {
		p->pos = save;
		p->next_lit = save_lit;
		return p_fail(p, why);
	}
	return true;
}

bool p_string(struct parser *p, struct str *out)
{
	if (cur(p) == '"')
		return p_quoted(p, out);
	if (cur(p) == '{' || cur(p) == '~')
		return p_literal(p, out);
	return p_fail(p, "Expected a string");
}

bool p_astring(struct parser *p, struct str *out)
{
	if (cur(p) == '"' || ((cur(p) == '{' || cur(p) == '~') && lit_here(p)))
		return p_string(p, out);
	p->last_lit = NULL;
	return span(p, astring_char, out, "Expected an astring");
}

bool p_nstring(struct parser *p, struct str *out, bool *nil)
{
	*nil = false;
	if (p_keyword(p, "NIL")) {
		*nil = true;
		out->s = NULL;
		out->len = 0;
		return true;
	}
	return p_string(p, out);
}

bool p_number64(struct parser *p, uint64_t *out)
{
	size_t start = p->pos;
	uint64_t v = 0;
	while (cur(p) >= '0' && cur(p) <= '9') {
		unsigned d = (unsigned)(cur(p) - '0');
		if (v > (UINT64_MAX - d) / 10) {
			p->pos = start;
			return p_fail(p, "Number too large");
		}
		v = v * 10 + d;
		p->pos++;
	}
	if (p->pos == start)
		return p_fail(p, "Expected a number");
	*out = v;
	return true;
}

bool p_number(struct parser *p, uint32_t *out)
{
	size_t start = p->pos;
	uint64_t v;
	if (!p_number64(p, &v))
		return false;
	if (v > UINT32_MAX) {
		p->pos = start;
		return p_fail(p, "Number too large");
	}
	*out = (uint32_t)v;
	return true;
}

bool p_nz_number(struct parser *p, uint32_t *out)
{
	size_t start = p->pos;
	if (cur(p) == '0')
		return p_fail(p, "Expected a non-zero number");
	if (!p_number(p, out))
		return false;
	if (*out == 0) {
		p->pos = start;
		return p_fail(p, "Expected a non-zero number");
	}
	return true;
}

bool p_mailbox(struct parser *p, struct str *out)
{
	if (!p_astring(p, out))
		return p_fail(p, "Expected a mailbox name");
	if (str_caseeq(*out, "INBOX"))
		*out = STR_LIT("INBOX");
	return true;
}

bool p_list_mailbox(struct parser *p, struct str *out)
{
	if (cur(p) == '"' || cur(p) == '{' || cur(p) == '~')
		return p_string(p, out);
	return span(p, list_char, out, "Expected a mailbox pattern");
}

bool p_flag(struct parser *p, struct str *out, bool allow_star)
{
	size_t start = p->pos;
	if (cur(p) == '\\') {
		p->pos++;
		if (allow_star && cur(p) == '*') {
			p->pos++;
		} else {
			struct str a;
			if (!p_atom(p, &a)) {
				p->pos = start;
				return p_fail(p, "Invalid flag");
			}
		}
		out->s = p->s + start;
		out->len = p->pos - start;
		return true;
	}
	if (!p_atom(p, out))
		return p_fail(p, "Invalid flag");
	return true;
}

static bool seq_number(struct parser *p, uint32_t *out)
{
	if (cur(p) == '*') {
		p->pos++;
		*out = SEQ_STAR;
		return true;
	}
	if (!p_nz_number(p, out))
		return p_fail(p, "Invalid sequence set");
	return true;
}

static bool seq_push(struct parser *p, struct seqset *s, uint32_t lo, uint32_t hi)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		/* Every range costs at least two bytes of command, so this is bounded. */
		struct seqrange *r = realloc(s->r, cap * sizeof(*r));
		if (!r)
			return p_fail(p, "Out of memory");
		s->r = r;
		s->cap = cap;
	}
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
	return true;
}

bool p_seqset(struct parser *p, struct seqset *out)
{
	size_t start = p->pos, n0 = out->n;
	for (;;) {
		uint32_t lo, hi;
		if (cur(p) == '$') {
			p->pos++;
			lo = hi = 0;
		} else {
			if (!seq_number(p, &lo))
				goto bad;
			hi = lo;
			if (cur(p) == ':') {
				p->pos++;
				if (!seq_number(p, &hi))
					goto bad;
			}
		}
		if (!seq_push(p, out, lo, hi))
			goto bad;
		if (cur(p) != ',')
			return true;
		p->pos++;
	}
bad:
	p->pos = start;
	out->n = n0;
	return p_fail(p, "Invalid sequence set");
}

void seqset_free(struct seqset *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static bool digits(struct parser *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		int c = cur(p);
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
		p->pos++;
	}
	*out = v;
	return true;
}

static int days_in_month(int mon, int year)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return mon == 1 && leap ? 29 : d[mon];
}

/* date-month "-" date-year, after the day and its "-" */
static bool month_year(struct parser *p, int *mon, int *year)
{
	if (p->pos + 3 > p->len)
		return false;
	for (*mon = 0; *mon < 12; (*mon)++)
		if (strncasecmp(p->s + p->pos, months[*mon], 3) == 0)
			break;
	if (*mon == 12)
		return false;
	p->pos += 3;
	return p_char(p, '-') && digits(p, 4, year);
}

static time_t utc(int year, int mon, int day, int h, int m, int s)
{
	struct tm tm = {0};
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	return timegm(&tm);
}

bool p_date(struct parser *p, time_t *out)
{
	size_t start = p->pos;
	bool q = cur(p) == '"';
	if (q)
		p->pos++;
	int day, mon, year;
	if (!digits(p, 1, &day))
		goto bad;
	if (cur(p) >= '0' && cur(p) <= '9') {
		int d2 = 0;
		digits(p, 1, &d2);
		day = day * 10 + d2;
	}
	if (!p_char(p, '-') || !month_year(p, &mon, &year))
		goto bad;
	if (q && !p_char(p, '"'))
		goto bad;
	if (day < 1 || day > days_in_month(mon, year))
		goto bad;
	*out = utc(year, mon, day, 0, 0, 0);
	return true;
bad:
	p->pos = start;
	p->err = NULL;
	return p_fail(p, "Invalid date");
}

bool p_datetime(struct parser *p, time_t *out, int *zone_minutes)
{
	size_t start = p->pos;
	int day, mon, year, h, m, s, zh, zm;
	if (!p_char(p, '"'))
		goto bad;
	if (cur(p) == ' ') {
		p->pos++;
		if (!digits(p, 1, &day))
			goto bad;
	} else if (!digits(p, 2, &day)) {
		goto bad;
	}
	if (!p_char(p, '-') || !month_year(p, &mon, &year) || !p_char(p, ' '))
		goto bad;
	if (!digits(p, 2, &h) || !p_char(p, ':') || !digits(p, 2, &m) || !p_char(p, ':') ||
	    !digits(p, 2, &s) || !p_char(p, ' '))
		goto bad;
	int sign = cur(p) == '+' ? 1 : cur(p) == '-' ? -1 : 0;
	if (!sign)
		goto bad;
	p->pos++;
	if (!digits(p, 2, &zh) || !digits(p, 2, &zm) || !p_char(p, '"'))
		goto bad;
	if (day < 1 || day > days_in_month(mon, year) || h > 23 || m > 59 || s > 60 || zm > 59)
		goto bad;
	int zone = sign * (zh * 60 + zm);
	*out = utc(year, mon, day, h, m, s) - (time_t)zone * 60;
	if (zone_minutes)
		*zone_minutes = zone;
	return true;
bad:
	p->pos = start;
	p->err = NULL;
	return p_fail(p, "Invalid date-time");
}
