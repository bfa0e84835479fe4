/* base64: RFC 4648 base64, the one copy for every layer.
 *
 * b64_encode/b64_decode are strict, standard alphabet with '=' padding (SASL
 * and stored SCRAM keys): the decoder accepts only canonical input, length a
 * multiple of 4, padding only at the end, no whitespace, and zero unused
 * bits in the last symbol. b64_symbol is the alphabet for the streaming and
 * modified-base64 decoders of message/ and maildir/.
 */
#ifndef IMAPD_LIB_BASE64_H
#define IMAPD_LIB_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

/* The value (0..63) of base64 symbol c, or -1. The 64th symbol is c63:
 * '/' in RFC 4648, ',' in the modified base64 of IMAP mailbox names. */
int b64_symbol(unsigned char c, char c63);

/* Bytes needed to decode in bytes of base64 (an upper bound). */
#define B64_DECODED_MAX(n) (((n) / 4) * 3)

/* Appends the encoding of n bytes to out; false if out refuses the growth. */
bool b64_encode(const void *p, size_t n, struct buf *out);

/* Decodes in into dst (room for dstmax bytes) and sets *dstlen. False on
 * any non-canonical input or if dst is too small; dst is then undefined. */
bool b64_decode(struct str in, void *dst, size_t dstmax, size_t *dstlen);

#endif
