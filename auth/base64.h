/* base64: strict RFC 4648 base64 (standard alphabet, '=' padding) for
 * SCRAM messages and stored SCRAM keys.
 *
 * The decoder accepts only canonical input: length a multiple of 4, padding
 * only at the end, no whitespace, and zero unused bits in the last symbol.
 */
#ifndef IMAPD_AUTH_BASE64_H
#define IMAPD_AUTH_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

/* Bytes needed to decode in bytes of base64 (an upper bound). */
#define B64_DECODED_MAX(n) (((n) / 4) * 3)

/* Appends the encoding of n bytes to out; false if out refuses the growth. */
bool b64_encode(const void *p, size_t n, struct buf *out);

/* Decodes in into dst (room for dstmax bytes) and sets *dstlen. False on
 * any non-canonical input or if dst is too small; dst is then undefined. */
bool b64_decode(struct str in, void *dst, size_t dstmax, size_t *dstlen);

#endif
