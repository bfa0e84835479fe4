#include "session/fetch.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool take(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);
	if (p->pos + n > p->len || strncasecmp(p->s + p->pos, kw, n) != 0)
		return false;
	/* The keyword must end here: not "BODYX" for "BODY". */
	if (p->pos + n < p->len && (isalnum((unsigned char)p->s[p->pos + n]) ||
				    p->s[p->pos + n] == '.' || p->s[p->pos + n] == '-'))
		return false;
	p->pos += n;
	return true;
}

/* Like take(), but the keyword may be followed by '[' or '.'. */
static bool take_prefix(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);
	if (p->pos + n > p->len || strncasecmp(p->s + p->pos, kw, n) != 0)
		return false;
	p->pos += n;
	return true;
}

static bool header_list(struct parser *p, struct msg_section *sec)
{
	if (!p_sp(p) || !p_char(p, '('))
		return false;
	do {
		struct str f;
		if (sec->nfields == MSG_SECTION_MAX_FIELDS)
			return p_fail(p, "Too many header field names");
		if (!p_astring(p, &f))
			return false;
		if (f.len == 0 || f.len > MSG_SECTION_MAX_NAME)
			return p_fail(p, "Invalid header field name");
		sec->fields[sec->nfields++] = f;
	} while (p_peek(p, ' ') && p_sp(p));
	return p_char(p, ')');
}

/* section = "[" [section-spec] "]" ; binary sections are part numbers only. */
static bool section(struct parser *p, struct msg_section *sec, bool binary)
{
	if (!p_char(p, '['))
		return false;
	while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos])) {
		uint32_t n;
		if (sec->npath == MSG_SECTION_MAX_PATH)
			return p_fail(p, "Section path too long");
		if (!p_nz_number(p, &n))
			return false;
		sec->path[sec->npath++] = n;
		if (!p_peek(p, '.'))
			break;
		p->pos++;
		if (!isdigit((unsigned char)(p->pos < p->len ? p->s[p->pos] : 0)))
			break;
	}
	if (binary) {
		if (p->pos > 0 && p->s[p->pos - 1] == '.')
			return p_fail(p, "Invalid binary section");
	} else if (p_peek(p, ']')) {
		if (sec->npath && p->s[p->pos - 1] == '.')
			return p_fail(p, "Invalid section");
	} else if (take_prefix(p, "HEADER.FIELDS.NOT")) {
		sec->text = MSG_SECT_HEADER_FIELDS_NOT;
		if (!header_list(p, sec))
			return false;
	} else if (take_prefix(p, "HEADER.FIELDS")) {
		sec->text = MSG_SECT_HEADER_FIELDS;
		if (!header_list(p, sec))
			return false;
	} else if (take_prefix(p, "HEADER")) {
		sec->text = MSG_SECT_HEADER;
	} else if (take_prefix(p, "TEXT")) {
		sec->text = MSG_SECT_TEXT;
	} else if (sec->npath && take_prefix(p, "MIME")) {
		sec->text = MSG_SECT_MIME;
	} else {
		return p_fail(p, "Invalid section");
	}
	if (!p_char(p, ']'))
		return p_fail(p, "Invalid section");
	/* partial = "<" number "." nz-number ">" */
	if (p_peek(p, '<')) {
		p->pos++;
		uint32_t origin, count;
		if (!p_number(p, &origin) || !p_char(p, '.') || !p_nz_number(p, &count) ||
		    !p_char(p, '>'))
			return p_fail(p, "Invalid partial range");
		sec->partial = true;
		sec->origin = origin;
		sec->count = count;
	}
	return true;
}

static bool one(struct parser *p, struct fetch_list *l)
{
	if (l->n == FETCH_MAX_ITEMS)
		return p_fail(p, "Too many FETCH items");
	struct fetch_item *it = &l->item[l->n];
	memset(it, 0, sizeof(*it));
	bool sect = false, binary = false;
	if (take(p, "UID"))
		it->kind = FI_UID;
	else if (take(p, "FLAGS"))
		it->kind = FI_FLAGS;
	else if (take(p, "INTERNALDATE"))
		it->kind = FI_INTERNALDATE;
	else if (take(p, "RFC822.SIZE"))
		it->kind = FI_RFC822_SIZE;
	else if (take(p, "RFC822.HEADER"))
		it->kind = FI_RFC822_HEADER;
	else if (take(p, "RFC822.TEXT"))
		it->kind = FI_RFC822_TEXT;
	else if (take(p, "RFC822"))
		it->kind = FI_RFC822;
	else if (take(p, "ENVELOPE"))
		it->kind = FI_ENVELOPE;
	else if (take(p, "BODYSTRUCTURE"))
		it->kind = FI_BODYSTRUCTURE;
	else if (take_prefix(p, "BODY.PEEK[")) {
		p->pos--;
		it->kind = FI_SECTION;
		it->peek = sect = true;
	} else if (take_prefix(p, "BODY[")) {
		p->pos--;
		it->kind = FI_SECTION;
		sect = true;
	} else if (take(p, "BODY"))
		it->kind = FI_BODY;
	else if (take_prefix(p, "BINARY.PEEK[")) {
		p->pos--;
		it->kind = FI_BINARY;
		it->peek = sect = binary = true;
	} else if (take_prefix(p, "BINARY.SIZE[")) {
		p->pos--;
		it->kind = FI_BINARY_SIZE;
		sect = binary = true;
	} else if (take_prefix(p, "BINARY[")) {
		p->pos--;
		it->kind = FI_BINARY;
		sect = binary = true;
	} else
		return p_fail(p, "Unknown FETCH item");
	if (sect) {
		it->sec = calloc(1, sizeof(*it->sec));
		if (!it->sec)
			return p_fail(p, "Out of memory");
		l->n++; /* owned from here on, freed with the list */
		if (!section(p, it->sec, binary))
			return false;
		if (it->kind == FI_BINARY_SIZE && it->sec->partial)
			return p_fail(p, "BINARY.SIZE takes no partial range");
		return true;
	}
	l->n++;
	return true;
}

static bool add(struct fetch_list *l, enum fetch_kind k)
{
	l->item[l->n].kind = k;
	l->item[l->n].peek = false;
	l->item[l->n].sec = NULL;
	l->n++;
	return true;
}

bool fetch_parse(struct parser *p, struct fetch_list *l)
{
	memset(l, 0, sizeof(*l));
	/* Macros (RFC 9051 6.4.5). */
	if (take(p, "ALL"))
		return add(l, FI_FLAGS) && add(l, FI_INTERNALDATE) && add(l, FI_RFC822_SIZE) &&
		       add(l, FI_ENVELOPE);
	if (take(p, "FAST"))
		return add(l, FI_FLAGS) && add(l, FI_INTERNALDATE) && add(l, FI_RFC822_SIZE);
	if (take(p, "FULL"))
		return add(l, FI_FLAGS) && add(l, FI_INTERNALDATE) && add(l, FI_RFC822_SIZE) &&
		       add(l, FI_ENVELOPE) && add(l, FI_BODY);
	if (!p_peek(p, '('))
		return one(p, l);
	p->pos++;
	do {
		if (!one(p, l))
			return false;
	} while (p_peek(p, ' ') && p_sp(p));
	return p_char(p, ')');
}

void fetch_list_free(struct fetch_list *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		free(l->item[i].sec);
		l->item[i].sec = NULL;
	}
	l->n = 0;
}

bool fetch_needs_file(const struct fetch_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->item[i].kind >= FI_ENVELOPE)
			return true;
	return false;
}

bool fetch_sets_seen(const struct fetch_list *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		enum fetch_kind k = l->item[i].kind;
		if (((k == FI_SECTION || k == FI_BINARY) && !l->item[i].peek) || k == FI_RFC822 ||
		    k == FI_RFC822_TEXT)
			return true;
	}
	return false;
}

static bool section_name(const struct msg_section *sec, struct buf *out)
{
	bool ok = true;
	for (unsigned i = 0; ok && i < sec->npath; i++)
		ok = buf_appendf(out, "%s%u", i ? "." : "", sec->path[i]);
	const char *t = NULL;
	switch (sec->text) {
	case MSG_SECT_ALL:
		break;
	case MSG_SECT_HEADER:
		t = "HEADER";
		break;
	case MSG_SECT_HEADER_FIELDS:
		t = "HEADER.FIELDS";
		break;
	case MSG_SECT_HEADER_FIELDS_NOT:
		t = "HEADER.FIELDS.NOT";
		break;
	case MSG_SECT_MIME:
		t = "MIME";
		break;
	case MSG_SECT_TEXT:
		t = "TEXT";
		break;
	}
	if (t)
		ok = ok && buf_appendf(out, "%s%s", sec->npath ? "." : "", t);
	if (sec->nfields) {
		ok = ok && buf_appends(out, " (");
		for (unsigned i = 0; ok && i < sec->nfields; i++) {
			ok = buf_appends(out, i ? " " : "");
			for (size_t k = 0; ok && k < sec->fields[i].len; k++)
				ok = buf_appendc(out,
						 (char)toupper((unsigned char)sec->fields[i].s[k]));
		}
		ok = ok && buf_appendc(out, ')');
	}
	return ok;
}

bool fetch_item_name(const struct fetch_item *it, struct buf *out)
{
	const char *base = it->kind == FI_BINARY	? "BINARY"
			   : it->kind == FI_BINARY_SIZE ? "BINARY.SIZE"
							: "BODY";
	bool ok =
	    buf_appendf(out, "%s[", base) && section_name(it->sec, out) && buf_appendc(out, ']');
	/* The answer names only the origin of a partial range. */
	if (ok && it->sec->partial && it->kind != FI_BINARY_SIZE)
		ok = buf_appendf(out, "<%llu>", (unsigned long long)it->sec->origin);
	return ok;
}
