/* limits: every bound the message layer enforces, in one place.
 *
 * A hostile message can ask for unbounded nesting, parts, header sizes and
 * encoded-word lengths. Each of these is capped by a named default below;
 * a caller may lower or raise them through struct msg_limits, filled from
 * the configuration keys mime_max_depth (at most 1000), mime_max_parts,
 * mime_max_header_field and mime_max_header_held. Past a limit the parser degrades the way
 * Dovecot does: a too-deep or one-too-many part is not split further and its
 * content is the body of its parent leaf; held bytes are truncated, never
 * grown. Counters and offsets are 64-bit, so only memory is bounded.
 */
#ifndef IMAPD_MESSAGE_LIMITS_H
#define IMAPD_MESSAGE_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/* Levels of multipart and message/rfc822 nesting, the message itself
 * counted as the first: a part at depth max_depth - 1 is not split. */
#define MSG_DEFAULT_MAX_DEPTH 100
/* Parts in one message's tree, the top-level message included. */
#define MSG_DEFAULT_MAX_PARTS 10000
/* Bytes of one unfolded header field kept for rendering and search. */
#define MSG_DEFAULT_MAX_FIELD ((size_t)64 << 10)
/* Bytes of header values kept for the whole tree (ENVELOPE and MIME fields). */
#define MSG_DEFAULT_MAX_HELD ((size_t)4 << 20)
/* Boundary bytes compared; RFC 2046 allows 70. A longer boundary is cut to
 * this length, as Dovecot does, so lines starting with its first 80 bytes
 * delimit parts. */
#define MSG_MAX_BOUNDARY 80
/* Parameters kept per Content-Type/Content-Disposition field. */
#define MSG_MAX_PARAMS 64
/* Addresses rendered in one ENVELOPE address list. */
#define MSG_MAX_ADDRESSES 10000

struct msg_limits {
	unsigned max_depth;
	unsigned max_parts;
	size_t max_field; /* at least 1024 */
	size_t max_held;  /* at least max_field */
};

struct config;
/* The limits set by the mime_max_* configuration keys. */
struct msg_limits msg_limits_from_config(const struct config *cfg);

static inline struct msg_limits msg_limits_default(void)
{
	struct msg_limits l = {MSG_DEFAULT_MAX_DEPTH, MSG_DEFAULT_MAX_PARTS, MSG_DEFAULT_MAX_FIELD,
			       MSG_DEFAULT_MAX_HELD};
	return l;
}

#endif
