/* bodystructure: IMAP BODY and BODYSTRUCTURE (RFC 3501 7.4.2, RFC 9051).
 *
 * Sizes and line counts are those a client sees (CRLF line ends). A part
 * with no valid Content-Type is text/plain with ("charset" "us-ascii"),
 * or message/rfc822 inside multipart/digest; no Content-Transfer-Encoding
 * is "7bit". Extension data (BODYSTRUCTURE only) is MD5, disposition,
 * language and location for leaves; parameters, disposition, language and
 * location for multiparts. A multipart or message/rfc822 part that a
 * limit left unsplit is shown as application/octet-stream, so that the
 * answer stays well-formed.
 */
#ifndef IMAPD_MESSAGE_BODYSTRUCTURE_H
#define IMAPD_MESSAGE_BODYSTRUCTURE_H

#include <stdbool.h>

#include "lib/buf.h"
#include "parser.h"

/* Writes the structure of node (0: the whole message). extended selects
 * BODYSTRUCTURE over BODY. Returns false (out unchanged) when out is full. */
bool msg_bodystructure_write(const struct msg_tree *t, unsigned node, bool extended,
			     struct buf *out);

#endif
