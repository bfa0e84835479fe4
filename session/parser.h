/* parser: the IMAP command grammar (RFC 9051, RFC 3501), over one command
 * framed by the reader.
 *
 * Each p_*() reads one grammar element at the cursor. On success it returns
 * true and advances; on failure it returns false, leaves the cursor where
 * the element began and records the first error in p->err (a static string
 * fit for a BAD response). Strings come back as struct str views into the
 * command buffer: quoted strings are unescaped in place, literals point at
 * their data, so nothing is copied. A view is valid until the reader is fed
 * again.
 */
#ifndef IMAPD_PARSER_H
#define IMAPD_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/buf.h"
#include "session/reader.h"

struct parser {
	char *s;
	size_t len, pos;
	const struct literal *lits;
	size_t nlits;
	size_t next_lit;		/* index of the first literal not yet passed */
	const char *err;		/* first error, or NULL */
	const struct literal *last_lit; /* set when the last string was a literal */
};

/* "*" in a sequence set; resolved against the mailbox later. */
#define SEQ_STAR UINT32_MAX

struct seqrange {
	uint32_t lo, hi; /* as written: lo may exceed hi; 0:0 means "$" */
};

struct seqset {
	struct seqrange *r;
	size_t n, cap;
};

void parser_init(struct parser *p, struct reader *r);
/* Records err (if none yet) and returns false, for handlers' own checks. */
bool p_fail(struct parser *p, const char *err);

bool p_sp(struct parser *p);
bool p_eol(struct parser *p); /* at the end of the command */
bool p_peek(const struct parser *p, char c);
bool p_char(struct parser *p, char c); /* exactly this character */
bool p_tag(struct parser *p, struct str *out);
bool p_atom(struct parser *p, struct str *out);	  /* 1*ATOM-CHAR */
bool p_keyword(struct parser *p, const char *kw); /* atom equal to kw, any case */
bool p_quoted(struct parser *p, struct str *out);
bool p_literal(struct parser *p, struct str *out); /* {n} data; no NUL allowed */
bool p_string(struct parser *p, struct str *out);  /* quoted / literal */
bool p_astring(struct parser *p, struct str *out); /* 1*ASTRING-CHAR / string */
bool p_nstring(struct parser *p, struct str *out, bool *nil);
bool p_number(struct parser *p, uint32_t *out);
bool p_nz_number(struct parser *p, uint32_t *out);
bool p_number64(struct parser *p, uint64_t *out);
/* mailbox = "INBOX" / astring; INBOX in any case comes back as "INBOX". */
bool p_mailbox(struct parser *p, struct str *out);
/* list-mailbox = 1*list-char / string (allows % and *). */
bool p_list_mailbox(struct parser *p, struct str *out);
/* flag = "\" atom / atom (keyword); with allow_star also "\*". */
bool p_flag(struct parser *p, struct str *out, bool allow_star);
/* sequence-set, including "*" (SEQ_STAR) and "$" (0:0). Appends to out. */
bool p_seqset(struct parser *p, struct seqset *out);
void seqset_free(struct seqset *s);
/* date = date-text / DQUOTE date-text DQUOTE (SEARCH); midnight UTC. */
bool p_date(struct parser *p, time_t *out);
/* date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE */
bool p_datetime(struct parser *p, time_t *out, int *zone_minutes);
/* A literal8 "~{n}" or an ordinary literal; *binary says which. Streamed
 * literals come back with s == NULL and their length. */
bool p_literal_any(struct parser *p, struct str *out, bool *binary, const struct literal **lit);

#endif
