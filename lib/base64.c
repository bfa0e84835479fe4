#include "lib/base64.h"

#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool b64_encode(const void *p, size_t n, struct buf *out)
{
	const uint8_t *s = p;
	size_t start = out->len;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		char q[4] = {alphabet[(v >> 18) & 63], alphabet[(v >> 12) & 63],
			     i + 1 < n ? alphabet[(v >> 6) & 63] : '=',
			     i + 2 < n ? alphabet[v & 63] : '='};
		if (!buf_append(out, q, 4)) {
			buf_truncate(out, start);
			return false;
		}
	}
	if (n == 0 && !buf_append(out, "", 0))
		return false;
	return true;
}

int b64_symbol(unsigned char c, char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == (unsigned char)c63)
		return 63;
	return -1;
}

static int val(unsigned char c)
{
	return b64_symbol(c, '/');
}

bool b64_decode(struct str in, void *dst, size_t dstmax, size_t *dstlen)
{
	uint8_t *d = dst;
	size_t o = 0;
	if (in.len % 4)
		return false;
	for (size_t i = 0; i < in.len; i += 4) {
		const unsigned char *q = (const unsigned char *)in.s + i;
		bool last = i + 4 == in.len;
		int pad = 0;
		if (last && q[3] == '=')
			pad = q[2] == '=' ? 2 : 1;
		int v[4];
		for (int k = 0; k < 4 - pad; k++)
			if ((v[k] = val(q[k])) < 0)
				return false;
		for (int k = 4 - pad; k < 4; k++)
			v[k] = 0;
		/* The unused low bits of the last symbol must be zero. */
		if ((pad == 1 && (v[2] & 3)) || (pad == 2 && (v[1] & 15)))
			return false;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
			     (uint32_t)v[3];
		size_t k = 3 - (size_t)pad;
		if (dstmax - o < k)
			return false;
		uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
		for (size_t j = 0; j < k; j++)
			d[o++] = b[j];
	}
	*dstlen = o;
	return true;
}
