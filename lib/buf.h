/* buf: the one counted byte buffer used everywhere.
 *
 * Every buffer has an explicit capacity limit (max); an append that would
 * pass it, or that cannot allocate, fails and leaves the buffer unchanged.
 * Contents are always NUL-terminated for convenience, but len is the truth:
 * network data may hold NUL bytes.
 */
#ifndef IMAPD_BUF_H
#define IMAPD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *s;    /* NULL until first append */
	size_t len; /* bytes used, not counting the trailing NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* hard limit on len; 0 means BUF_DEFAULT_MAX */
};

#define BUF_DEFAULT_MAX ((size_t)64 << 20)
#define BUF_INIT(limit)                                                                            \
	{                                                                                          \
		NULL, 0, 0, (limit)                                                                \
	}

/* Returns false (and changes nothing) on allocation failure or limit. */
bool buf_append(struct buf *b, const void *p, size_t n);
bool buf_appends(struct buf *b, const char *s);
bool buf_appendc(struct buf *b, char c);
/* printf-style; output is checked for truncation and the limit. */
bool buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool buf_vappendf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Makes room for n more bytes without changing len. */
bool buf_reserve(struct buf *b, size_t n);
/* Drops the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Sets len to n (n <= len). */
void buf_truncate(struct buf *b, size_t n);
void buf_reset(struct buf *b);
/* Frees the storage; the buffer can be reused afterwards. */
void buf_free(struct buf *b);

/* A borrowed, counted view into someone else's bytes. */
struct str {
	const char *s;
	size_t len;
};

#define STR_LIT(lit) ((struct str){(lit), sizeof(lit) - 1})
bool str_eq(struct str a, const char *lit);
bool str_caseeq(struct str a, const char *lit);
/* Copies at most dstlen-1 bytes and NUL-terminates; false if truncated or if s has a NUL. */
bool str_copy(char *dst, size_t dstlen, struct str s);
/* Duplicates into freshly allocated NUL-terminated memory; NULL on failure. */
char *str_dup(struct str s);

/* Bounded copy and concatenation for NUL-terminated strings; false on truncation. */
bool strlcpy_ok(char *dst, const char *src, size_t dstlen);
bool strlcat_ok(char *dst, const char *src, size_t dstlen);
/* snprintf that reports truncation as failure. */
bool snprintf_ok(char *dst, size_t dstlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
