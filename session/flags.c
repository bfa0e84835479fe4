#include "session/flags.h"

#include <string.h>
#include <strings.h>

#include "maildir/filename.h"

static const struct {
	const char *name;
	uint8_t bit;
} sys[] = {
    {"\\Answered", MD_F_ANSWERED}, {"\\Flagged", MD_F_FLAGGED}, {"\\Deleted", MD_F_DELETED},
    {"\\Seen", MD_F_SEEN},	   {"\\Draft", MD_F_DRAFT},
};

static bool one_flag(struct parser *p, struct flag_list *out)
{
	struct str f;
	if (!p_flag(p, &f, false))
		return false;
	if (f.s[0] == '\\') {
		for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
			if (str_caseeq(f, sys[i].name)) {
				out->flags |= sys[i].bit;
				return true;
			}
		return p_fail(p, "Invalid system flag");
	}
	for (size_t i = 0; i < out->nkw; i++)
		if (strlen(out->kw[i]) == f.len && !strncasecmp(out->kw[i], f.s, f.len))
			return true;
	if (out->nkw == FLAGS_MAX_KEYWORDS)
		return p_fail(p, "Too many keywords");
	if (!str_copy(out->kw[out->nkw], sizeof(out->kw[0]), f))
		return p_fail(p, "Keyword too long");
	out->nkw++;
	return true;
}

bool p_flag_list(struct parser *p, struct flag_list *out, bool bare)
{
	memset(out, 0, sizeof(*out));
	bool paren = p_peek(p, '(');
	if (!paren && !bare)
		return p_char(p, '(');
	if (paren)
		p->pos++;
	if (paren && p_peek(p, ')')) {
		p->pos++;
		return true;
	}
	do {
		if (!one_flag(p, out))
			return false;
	} while (p_peek(p, ' ') && p_sp(p));
	return !paren || p_char(p, ')');
}
