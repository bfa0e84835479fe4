#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t buf_limit(const struct buf *b)
{
	return b->max ? b->max : BUF_DEFAULT_MAX;
}

bool buf_reserve(struct buf *b, size_t n)
{
	if (n > buf_limit(b) || b->len > buf_limit(b) - n)
		return false;
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *s = realloc(b->s, cap);
	if (!s)
		return false;
	b->s = s;
	b->cap = cap;
	return true;
}

bool buf_append(struct buf *b, const void *p, size_t n)
{
	if (!buf_reserve(b, n))
		return false;
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

bool buf_appends(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

bool buf_appendc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

bool buf_vappendf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !buf_reserve(b, (size_t)n))
		return false;
	int m = vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	if (m != n)
		return false;
	b->len += (size_t)n;
	return true;
}

bool buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = buf_vappendf(b, fmt, ap);
	va_end(ap);
	return ok;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->s, b->s + n, b->len - n);
	b->len -= n;
	b->s[b->len] = '\0';
}

void buf_truncate(struct buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->s[n] = '\0';
	}
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

bool str_eq(struct str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.len == n && memcmp(a.s, lit, n) == 0;
}

bool str_caseeq(struct str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.len == n && strncasecmp(a.s, lit, n) == 0;
}

bool str_copy(char *dst, size_t dstlen, struct str s)
{
	if (dstlen == 0)
		return false;
	if (s.len >= dstlen || memchr(s.s, '\0', s.len)) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, s.s, s.len);
	dst[s.len] = '\0';
	return true;
}

char *str_dup(struct str s)
{
	char *d = malloc(s.len + 1);
	if (!d)
		return NULL;
	memcpy(d, s.s, s.len);
	d[s.len] = '\0';
	return d;
}

bool strlcpy_ok(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src);
	if (dstlen == 0)
		return false;
	if (n >= dstlen) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

bool strlcat_ok(char *dst, const char *src, size_t dstlen)
{
	size_t d = strnlen(dst, dstlen);
	if (d == dstlen)
		return false;
	return strlcpy_ok(dst + d, src, dstlen - d);
}

bool snprintf_ok(char *dst, size_t dstlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dst, dstlen, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < dstlen;
}
