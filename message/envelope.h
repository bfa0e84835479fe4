/* envelope: the IMAP ENVELOPE of a message node (RFC 3501 7.4.2, RFC 9051).
 *
 * Values come from the header fields the parser kept (first occurrence of
 * each). Subject and display names are written as text for people (see
 * imap_append_human); Sender and Reply-To without any address default to
 * From; an empty or address-less list is NIL. Encoded words are left as they are, as the
 * RFC asks.
 */
#ifndef IMAPD_MESSAGE_ENVELOPE_H
#define IMAPD_MESSAGE_ENVELOPE_H

#include <stdbool.h>

#include "lib/buf.h"
#include "parser.h"

/* node must be a message: 0 or the child of a message/rfc822 part.
 * Returns false (out unchanged) when out is full. */
bool msg_envelope_write(const struct msg_tree *t, unsigned node, struct buf *out);

#endif
