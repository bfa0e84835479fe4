#include "mutf7.h"

#include "lib/base64.h"

#include <stdint.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int b64_value(unsigned char c)
{
	return b64_symbol(c, ',');
}

static bool printable(uint32_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* Decodes one UTF-8 sequence at s[*i]; returns the code point or -1. */
static int32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	uint32_t cp, min;
	size_t n;
	if (c < 0x80) {
		(*i)++;
		return c;
	} else if ((c & 0xe0) == 0xc0) {
		cp = c & 0x1f, n = 1, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		cp = c & 0x0f, n = 2, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		cp = c & 0x07, n = 3, min = 0x10000;
	} else {
		return -1;
	}
	if (len - *i <= n)
		return -1;
	for (size_t k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[*i + k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*i += n + 1;
	return (int32_t)cp;
}

static bool put_utf8(struct buf *out, uint32_t cp)
{
	char t[4];
	size_t n;
	if (cp < 0x80) {
		t[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | (cp >> 6)), t[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | (cp >> 12)), t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		t[0] = (char)(0xf0 | (cp >> 18)), t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), t[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	return buf_append(out, t, n);
}

/* Decodes (and so validates) modified UTF-7; out may be NULL to only check. */
static int decode(const char *str, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	bool prev_run = false; /* the previous thing was a base64 run */
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c != '&') {
			if (!printable(c))
				return -1;
			if (out && !buf_appendc(out, (char)c))
				return -1;
			prev_run = false;
			i++;
			continue;
		}
		i++;
		if (i < len && s[i] == '-') {
			if (out && !buf_appendc(out, '&'))
				return -1;
			prev_run = false;
			i++;
			continue;
		}
		if (prev_run)
			return -1; /* adjacent runs must be one run */
		uint32_t bits = 0, high = 0;
		unsigned nbits = 0, units = 0;
		for (;;) {
			if (i >= len)
				return -1; /* unterminated run */
			if (s[i] == '-')
				break;
			int v = b64_value(s[i++]);
			if (v < 0)
				return -1;
			bits = (bits << 6) | (uint32_t)v;
			nbits += 6;
			if (nbits < 16)
				continue;
			nbits -= 16;
			uint32_t u = (bits >> nbits) & 0xffff;
			bits &= (1u << nbits) - 1;
			units++;
			if (high) {
				if (u < 0xdc00 || u > 0xdfff)
					return -1;
				u = 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00);
				high = 0;
			} else if (u >= 0xd800 && u <= 0xdbff) {
				high = u;
				continue;
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				return -1;
			}
			if (u == 0 || printable(u))
				return -1; /* must have been written directly */
			if (out && !put_utf8(out, u))
				return -1;
		}
		i++; /* the '-' */
		if (units == 0 || high || nbits >= 6 || bits != 0)
			return -1;
		prev_run = true;
	}
	return 0;
}

bool mutf7_valid(const char *s, size_t len)
{
	return decode(s, len, NULL) == 0;
}

int mutf7_to_utf8(const char *s, size_t len, struct buf *out)
{
	size_t mark = out->len;
	if (decode(s, len, out) == 0)
		return 0;
	buf_truncate(out, mark);
	return -1;
}

static bool flush_run(struct buf *out, uint32_t *bits, unsigned *nbits)
{
	if (*nbits && !buf_appendc(out, b64[(*bits << (6 - *nbits)) & 0x3f]))
		return false;
	*bits = 0, *nbits = 0;
	return buf_appendc(out, '-');
}

static bool put_unit(struct buf *out, uint32_t u, uint32_t *bits, unsigned *nbits)
{
	*bits = (*bits << 16) | u;
	*nbits += 16;
	while (*nbits >= 6) {
		*nbits -= 6;
		if (!buf_appendc(out, b64[(*bits >> *nbits) & 0x3f]))
			return false;
	}
	*bits &= (1u << *nbits) - 1;
	return true;
}

int mutf7_from_utf8(const char *str, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t mark = out->len, i = 0;
	bool in_run = false;
	uint32_t bits = 0;
	unsigned nbits = 0;
	while (i < len) {
		int32_t cp = utf8_next(s, len, &i);
		if (cp <= 0)
			goto fail; /* invalid UTF-8 or NUL */
		if (printable((uint32_t)cp)) {
			if (in_run && !flush_run(out, &bits, &nbits))
				goto fail;
			in_run = false;
			if (!buf_appends(out, cp == '&' ? "&-" : (char[]){(char)cp, 0}))
				goto fail;
			continue;
		}
		if (!in_run && !buf_appendc(out, '&'))
			goto fail;
		in_run = true;
		uint32_t u = (uint32_t)cp;
		if (u >= 0x10000) {
			u -= 0x10000;
			if (!put_unit(out, 0xd800 + (u >> 10), &bits, &nbits) ||
			    !put_unit(out, 0xdc00 + (u & 0x3ff), &bits, &nbits))
				goto fail;
		} else if (!put_unit(out, u, &bits, &nbits)) {
			goto fail;
		}
	}
	if (in_run && !flush_run(out, &bits, &nbits))
		goto fail;
	return 0;
fail:
	buf_truncate(out, mark);
	return -1;
}
