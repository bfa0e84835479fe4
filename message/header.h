/* header: RFC 5322 header fields, streaming, and the structured values in them.
 *
 * msg_hdr_* splits a header block fed in any chunk sizes into unfolded
 * fields: a line starting with SP or HT continues the previous field; the
 * line end before it is kept as one LF (renderings collapse or drop it);
 * the CR of a CRLF is removed; everything else is kept byte for byte
 * (8-bit and NUL included). At most `max_field` bytes of one field (name,
 * colon and value) are held; the rest is counted and the field is flagged
 * truncated. A line with no colon is skipped, as Dovecot does. The block
 * ends at the first empty line.
 *
 * The value parsers below work on one unfolded value already in memory,
 * which the caller has bounded (max_field).
 */
#ifndef IMAPD_MESSAGE_HEADER_H
#define IMAPD_MESSAGE_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "limits.h"

struct msg_field {
	struct str name;  /* without trailing whitespace */
	struct str value; /* after the colon, leading whitespace removed */
	bool truncated;	  /* value was cut at max_field */
};

/* Called once per complete field; the bytes are only valid during the call.
 * Return false to stop the scan: msg_hdr_feed then returns early. */
typedef bool (*msg_field_cb)(void *ctx, const struct msg_field *f);

struct msg_hdr;

/* Returns NULL on allocation failure. max_field is clamped to >= 256. */
struct msg_hdr *msg_hdr_create(size_t max_field, msg_field_cb cb, void *ctx);
void msg_hdr_free(struct msg_hdr **h);
/* Feeds bytes; returns how many were consumed. Fewer than len exactly when
 * the empty line ending the header was reached (it is consumed) or the
 * callback stopped the scan. */
size_t msg_hdr_feed(struct msg_hdr *h, const char *p, size_t len);
/* Delivers a pending last field at end of input (header with no empty line). */
void msg_hdr_finish(struct msg_hdr *h);
/* True once the empty line was seen or the callback stopped the scan. */
bool msg_hdr_done(const struct msg_hdr *h);
/* Bytes currently allocated (for accounting tests). */
size_t msg_hdr_mem(const struct msg_hdr *h);

/* Content-Type and Content-Disposition: "token[/token] *(; name=value)".
 * Parameters are unquoted; RFC 2231 continuations (name*0, name*1*, ...)
 * are joined into one "name" (or "name*" when the first piece was
 * encoded, value kept as charset'lang'%xx text), as Dovecot renders them. */
struct msg_param {
	struct str name, value;
};
struct msg_params {
	struct str type, subtype; /* subtype only for Content-Type; empty if absent */
	unsigned n;
	struct msg_param p[MSG_MAX_PARAMS];
	struct buf scratch; /* owns the bytes p[] points into */
};
/* Returns 0, or -1 when the type token is missing (params still parsed
 * when possible); a missing subtype is left empty, as Dovecot shows it.
 * Call msg_params_free afterwards in any case. */
int msg_params_parse(const char *s, size_t len, bool with_subtype, struct msg_params *out);
void msg_params_free(struct msg_params *pp);
/* The value of parameter name (case-insensitive), or NULL. */
const struct str *msg_params_get(const struct msg_params *pp, const char *name);

/* One RFC 5322 address or group marker, as ENVELOPE lists them. A group
 * start has only mailbox (the group name); a group end has nothing. Unset
 * members have s == NULL. */
struct msg_addr {
	struct str name, route, mailbox, host;
};
/* Calls cb for each address of an address-list value (bytes valid during
 * the call only), filling in Dovecot's MISSING_MAILBOX / MISSING_DOMAIN for
 * a missing half; a comment stands in for a missing display name. At most
 * MSG_MAX_ADDRESSES entries. Returns the number of entries, -1 on
 * allocation failure. */
typedef bool (*msg_addr_cb)(void *ctx, const struct msg_addr *a);
int msg_addr_parse(const char *s, size_t len, msg_addr_cb cb, void *ctx);

#endif
