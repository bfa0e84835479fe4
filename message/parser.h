/* parser: streaming RFC 5322 + MIME parser building a part tree.
 *
 * Feed the raw message (as stored: bare LF or CRLF line ends, any bytes) in
 * chunks of any size, then finish to get the tree. Chunking never changes
 * the result. Every part records where its header and body are in the
 * input, and their sizes and line counts as an IMAP client sees them: each
 * bare LF counts as CRLF ("vsize"), so RFC822.SIZE, BODYSTRUCTURE sizes
 * and partial fetches agree with the bytes actually sent.
 *
 * Tree shape (as Dovecot): node 0 is the message. A multipart node's
 * children are its parts; a message/rfc822 node has one child, the
 * embedded message; other nodes are leaves. The CRLF before a boundary
 * line belongs to the boundary. A missing or never-seen boundary makes the
 * content run to the end of the enclosing part; a multipart that ends with
 * no part gets one empty text/plain part. Past the depth or part limits a
 * node is not split (see limits.h); memory stays bounded by msg_limits
 * (msg_limits_mem_bound): about max_parts * sizeof(struct msg_part) plus
 * twice max_held and max_field.
 *
 * Typical FETCH use, with the other message/ modules:
 *
 *   struct msg_limits lim = msg_limits_from_config(cfg);
 *   struct msg_tree *t = msg_tree_parse_fd(fd, &lim);
 *   struct msg_reader r = msg_reader_fd(fd);
 *   msg_envelope_write(t, 0, out);                 ENVELOPE
 *   msg_bodystructure_write(t, 0, true, out);      BODYSTRUCTURE
 *   msg_tree_vsize(t);                             RFC822.SIZE
 *   msg_section_resolve(t, &r, &sec, &body);       BODY[sec]<o.n>: then
 *   msg_body_size(&body); msg_body_write(&body, &r, cb, ctx);
 *   msg_binary_size / msg_binary_write             BINARY[...]
 *
 * and for SEARCH: msg_search_header / msg_search_body / msg_search_text
 * with a msg_matcher, msg_part_date for SENT*, msg_header_each for the rest.
 */
#ifndef IMAPD_MESSAGE_PARSER_H
#define IMAPD_MESSAGE_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "limits.h"

enum msg_kind { MSG_LEAF, MSG_MULTIPART, MSG_RFC822 };

/* The header fields kept per node for ENVELOPE and BODYSTRUCTURE. */
enum msg_fid {
	MSG_F_CONTENT_TYPE,
	MSG_F_CTE,
	MSG_F_CONTENT_ID,
	MSG_F_CONTENT_DESCRIPTION,
	MSG_F_CONTENT_DISPOSITION,
	MSG_F_CONTENT_LANGUAGE,
	MSG_F_CONTENT_LOCATION,
	MSG_F_CONTENT_MD5,
	MSG_F_DATE, /* envelope fields: kept for messages only */
	MSG_F_SUBJECT,
	MSG_F_FROM,
	MSG_F_SENDER,
	MSG_F_REPLY_TO,
	MSG_F_TO,
	MSG_F_CC,
	MSG_F_BCC,
	MSG_F_IN_REPLY_TO,
	MSG_F_MESSAGE_ID,
	MSG_F_COUNT
};
/* Header name of a field id ("Content-Type", ...). */
const char *msg_fid_name(enum msg_fid id);

/* A stretch of the input. off and size are raw bytes in the file; vsize
 * and lines are what the client sees (CRLF line ends; lines = LF count). */
struct msg_span {
	uint64_t off, size, vsize, lines;
};

struct msg_part {
	int32_t parent, child, next; /* node indexes, -1 for none */
	uint16_t depth;		     /* 0 for the message itself */
	uint8_t kind;		     /* enum msg_kind */
	bool is_message;	     /* node 0 and the child of a message/rfc822 */
	bool in_digest;		     /* parent is multipart/digest: default message/rfc822 */
	bool overflow;		     /* multipart or rfc822 left unsplit by a limit */
	struct msg_span hdr;	     /* includes the empty line ending it */
	struct msg_span body;
	uint32_t present;	    /* bit (1 << enum msg_fid) when the field was seen */
	uint32_t foff[MSG_F_COUNT]; /* value in the tree's held bytes */
	uint32_t flen[MSG_F_COUNT];
};

struct msg_tree;
struct msg_parser;

/* lim NULL means msg_limits_default(). NULL on allocation failure. */
struct msg_parser *msg_parser_create(const struct msg_limits *lim);
/* Returns 0, or -1 after an allocation failure (the parser is then
 * unusable; free it). */
int msg_parser_feed(struct msg_parser *p, const void *data, size_t len);
/* Ends the input; returns the tree (owned by the caller) or NULL on
 * allocation failure. The parser is freed in both cases. */
struct msg_tree *msg_parser_finish(struct msg_parser **p);
void msg_parser_free(struct msg_parser **p);
/* Bytes the parser holds right now (tree, held values, buffers). */
size_t msg_parser_mem(const struct msg_parser *p);
/* The most msg_parser_mem can ever be under these limits, whatever the
 * input: the tree, the held values and one field being read. */
size_t msg_limits_mem_bound(const struct msg_limits *lim);

/* Reads fd from its current position to the end; NULL on error. */
struct msg_tree *msg_tree_parse_fd(int fd, const struct msg_limits *lim);
void msg_tree_free(struct msg_tree **t);

unsigned msg_tree_count(const struct msg_tree *t);
/* idx < msg_tree_count(t); node 0 is the message. */
const struct msg_part *msg_tree_part(const struct msg_tree *t, unsigned idx);
/* A kept field value, or NULL when the node has no such field. The bytes
 * are unfolded, at most max_field long. */
const struct str *msg_part_field(const struct msg_tree *t, const struct msg_part *p,
				 enum msg_fid id, struct str *out);
/* Whole message: raw size in the file and size as sent (RFC822.SIZE). */
uint64_t msg_tree_size(const struct msg_tree *t);
uint64_t msg_tree_vsize(const struct msg_tree *t);
size_t msg_tree_mem(const struct msg_tree *t);
const struct msg_limits *msg_tree_limits(const struct msg_tree *t);

#endif
