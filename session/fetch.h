/* fetch: the FETCH item grammar (RFC 9051 6.4.5, RFC 3516 BINARY).
 *
 * fetch_parse() reads "ALL" / "FAST" / "FULL" / fetch-att / "(" fetch-att
 * *(SP fetch-att) ")" into a list of items; section specs and partial
 * ranges are parsed here, field names stay views into the command.
 */
#ifndef IMAPD_SESSION_FETCH_H
#define IMAPD_SESSION_FETCH_H

#include "message/section.h"
#include "session/parser.h"

/* Items in one FETCH. */
#define FETCH_MAX_ITEMS 64

enum fetch_kind {
	FI_UID,
	FI_FLAGS,
	FI_INTERNALDATE,
	FI_RFC822_SIZE,
	FI_ENVELOPE,
	FI_BODY, /* BODY without a section: the non-extensible structure */
	FI_BODYSTRUCTURE,
	FI_SECTION, /* BODY[...] and BODY.PEEK[...] */
	FI_BINARY,  /* BINARY[...] and BINARY.PEEK[...] */
	FI_BINARY_SIZE,
	FI_RFC822,	  /* = BODY[], answered as RFC822 */
	FI_RFC822_HEADER, /* = BODY.PEEK[HEADER] */
	FI_RFC822_TEXT,	  /* = BODY[TEXT] */
};

struct fetch_item {
	enum fetch_kind kind;
	bool peek;
	struct msg_section *sec; /* for sections and BINARY; owned */
};

struct fetch_list {
	struct fetch_item item[FETCH_MAX_ITEMS];
	unsigned n;
};

bool fetch_parse(struct parser *p, struct fetch_list *out);
void fetch_list_free(struct fetch_list *l);
/* True when any item needs the message file (structure or content). */
bool fetch_needs_file(const struct fetch_list *l);
/* True when any item sets \Seen implicitly. */
bool fetch_sets_seen(const struct fetch_list *l);
/* The name an item is answered under, e.g. "BODY[1.2.HEADER.FIELDS (TO)]<0>". */
bool fetch_item_name(const struct fetch_item *it, struct buf *out);

#endif
