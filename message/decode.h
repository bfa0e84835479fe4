/* decode: content transfer encodings, charsets and encoded words, to UTF-8.
 *
 * All decoders stream: they take input in chunks of any size and append
 * their output to a struct buf, holding at most a few bytes of state
 * between calls (a base64 quantum, a QP escape, a run of at most
 * MSG_QP_MAX_WS trailing blanks, an incomplete multibyte character). Output
 * per call is at most 2 * input + MSG_QP_MAX_WS + 16 bytes (4 * input + 64
 * for charset conversion), so a caller that empties the buf after each
 * chunk uses bounded memory. Functions returning bool return false only when out is
 * full or memory ran out; malformed input is decoded leniently (bad
 * base64 characters skipped, bad QP escapes kept as they are, invalid or
 * unconvertible bytes become U+FFFD).
 */
#ifndef IMAPD_MESSAGE_DECODE_H
#define IMAPD_MESSAGE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/* Longest run of blanks a QP decoder holds back, waiting to see whether it
 * ends a line (and is dropped, RFC 2045 6.7 rule 3). Longer runs are kept. */
#define MSG_QP_MAX_WS 256
/* Longest charset name honoured. */
#define MSG_MAX_CHARSET 64

enum msg_cte { MSG_CTE_IDENTITY, MSG_CTE_BASE64, MSG_CTE_QP, MSG_CTE_UNKNOWN };

/* Content-Transfer-Encoding value (NULL or empty: 7bit) to a decoder kind;
 * 7bit, 8bit and binary are identity. */
enum msg_cte msg_cte_parse(const char *s, size_t len);

struct msg_decoder {
	enum msg_cte cte;
	bool crlf;	    /* identity and QP: bare LF becomes CRLF */
	bool keep_nul;	    /* identity: NUL kept (else sent as 0x80) */
	unsigned char q[4]; /* base64 quantum */
	unsigned nq;	    /* sextets in q */
	int state;	    /* QP escape state */
	char esc[2];	    /* QP escape bytes seen */
	char ws[MSG_QP_MAX_WS];
	size_t nws;
	bool last_cr;
};

void msg_decoder_init(struct msg_decoder *d, enum msg_cte cte, bool crlf);
bool msg_decoder_feed(struct msg_decoder *d, const char *in, size_t len, struct buf *out);
/* Flushes what the end of input completes (a partial base64 quantum). */
bool msg_decoder_finish(struct msg_decoder *d, struct buf *out);

/* Charset conversion to UTF-8 through iconv(3). An unknown charset, and
 * us-ascii or utf-8, are taken as UTF-8 (validated). */
struct msg_conv;
struct msg_conv *msg_conv_create(const char *charset, size_t len);
void msg_conv_free(struct msg_conv **c);
/* True when the charset was recognised (or is UTF-8/ASCII). */
bool msg_conv_known(const struct msg_conv *c);
bool msg_conv_feed(struct msg_conv *c, const char *in, size_t len, struct buf *out);
bool msg_conv_finish(struct msg_conv *c, struct buf *out);
/* One-shot conversion of a short string (encoded words, parameters). */
bool msg_conv_string(const char *charset, size_t clen, const char *in, size_t len, struct buf *out);

/* Appends valid UTF-8, each invalid byte replaced by U+FFFD. */
bool msg_utf8_sanitize(const char *in, size_t len, struct buf *out);
/* Decodes one UTF-8 character at s (len > 0): returns its length (1-4),
 * *cp the code point, or 1 with *cp = 0xFFFD for an invalid byte. When
 * the sequence is cut short by len, returns 0. */
size_t msg_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);

/* A header value for people: RFC 2047 encoded words decoded, each fold
 * (line end with the blanks around it) read as one space, everything in
 * UTF-8. Appends to out. */
bool msg_decode_header(const char *s, size_t len, struct buf *out);
/* An RFC 2231 extended parameter value "charset'lang'%xx..." (name
 * ending in '*'), or a plain value, to UTF-8. */
bool msg_decode_param(struct str name, struct str value, struct buf *out);

#endif
