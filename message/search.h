/* search: what SEARCH needs from a message.
 *
 * A matcher finds a needle in a stream of UTF-8 text, case-insensitively
 * (ASCII, Latin-1, Latin Extended-A, basic Greek and Cyrillic letters are
 * folded), with memory bounded by the needle: text is fed in chunks and
 * never held. The message searches walk the stored message through a
 * reader: header fields are unfolded and their encoded words decoded;
 * text parts are decoded from base64/quoted-printable and converted from
 * their charset to UTF-8 on the fly, MSG_BODY_CHUNK bytes at a time.
 *
 * Searches return 0 with *found set, or MSG_ERR_IO (from section.h).
 */
#ifndef IMAPD_MESSAGE_SEARCH_H
#define IMAPD_MESSAGE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "header.h"
#include "parser.h"
#include "reader.h"
#include "section.h"

/* Longest needle, in characters. */
#define MSG_SEARCH_MAX_NEEDLE 1024

struct msg_matcher;

/* needle is UTF-8 (invalid bytes match only themselves). NULL when the
 * needle is longer than MSG_SEARCH_MAX_NEEDLE or memory ran out. An empty
 * needle matches at once. */
struct msg_matcher *msg_matcher_create(const char *needle, size_t len);
void msg_matcher_free(struct msg_matcher **m);
/* Forgets the text fed so far (a new field or part begins). */
void msg_matcher_reset(struct msg_matcher *m);
/* Feeds text; returns true once the needle was seen since the last reset. */
bool msg_matcher_feed(struct msg_matcher *m, const char *text, size_t len);
bool msg_matcher_matched(const struct msg_matcher *m);

/* Simple case folding of one code point (lower case). */
uint32_t msg_fold(uint32_t cp);

/* Calls cb for each header field of node (a message or a part) named name
 * (case-insensitive; NULL for every field), in order, with the raw
 * unfolded value (at most the tree's max_field bytes). cb returns false to
 * stop. Returns 0 or MSG_ERR_IO. */
int msg_header_each(const struct msg_tree *t, const struct msg_reader *r, unsigned node,
		    const char *name, msg_field_cb cb, void *ctx);

/* SEARCH HEADER name string, SUBJECT, FROM, ...: any field of node with
 * that name whose decoded value contains the needle. */
int msg_search_header(const struct msg_tree *t, const struct msg_reader *r, unsigned node,
		      const char *name, struct msg_matcher *m, bool *found);
/* SEARCH BODY: the decoded text of every text part of the message. */
int msg_search_body(const struct msg_tree *t, const struct msg_reader *r, struct msg_matcher *m,
		    bool *found);
/* SEARCH TEXT: every header field of the message, its parts and the
 * messages inside it (as Dovecot), then the body. */
int msg_search_text(const struct msg_tree *t, const struct msg_reader *r, struct msg_matcher *m,
		    bool *found);

#endif
