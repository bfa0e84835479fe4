/* binary: BINARY[section]<partial>, BINARY.PEEK and BINARY.SIZE (RFC 3516).
 *
 * A leaf part is sent decoded from its Content-Transfer-Encoding: base64
 * to the exact bytes, quoted-printable with CRLF line ends, 7bit/8bit/
 * binary as stored with bare LF made CRLF. NUL bytes are kept (the server
 * sends a literal8 when the content has any). An empty path is the whole
 * message, a multipart or message/rfc822 part its body, both undecoded.
 * Decoding streams MSG_BODY_CHUNK bytes at a time; the size needs one
 * decoding pass (identity sizes come from the tree).
 *
 * Two differences from Dovecot 2.3, on purpose: Dovecot refuses
 * BINARY.SIZE of every part (and BINARY[] of the message) with UNKNOWN-CTE
 * as soon as one part has an unknown encoding, where only the part asked
 * for matters here (RFC 3516 speaks of "the section's" encoding); and for
 * a whole message, a multipart or a message/rfc822 part Dovecot sends every
 * part inside decoded, with rewritten Content-Transfer-Encoding headers,
 * where this sends the stored bytes. Every leaf of the corpus decodes to
 * the same bytes as in Dovecot (tests/corpus/NAME.binary).
 *
 * Return 0, MSG_ERR_NOPART, MSG_ERR_UNKNOWN_CTE (reply NO [UNKNOWN-CTE]),
 * MSG_ERR_IO, or the write callback's nonzero value.
 */
#ifndef IMAPD_MESSAGE_BINARY_H
#define IMAPD_MESSAGE_BINARY_H

#include <stdbool.h>
#include <stdint.h>

#include "parser.h"
#include "reader.h"
#include "section.h"

int msg_binary_size(const struct msg_tree *t, const struct msg_reader *r, const unsigned *path,
		    unsigned npath, uint64_t *size);
/* Sends the decoded content, or only bytes [origin, origin + count) of it
 * when partial. */
int msg_binary_write(const struct msg_tree *t, const struct msg_reader *r, const unsigned *path,
		     unsigned npath, bool partial, uint64_t origin, uint64_t count, msg_write_cb cb,
		     void *ctx);
/* Like msg_binary_size, also telling whether the content has a NUL byte. */
int msg_binary_scan(const struct msg_tree *t, const struct msg_reader *r, const unsigned *path,
		    unsigned npath, uint64_t *size, bool *has_nul);

#endif
