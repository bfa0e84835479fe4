/* reader: frames one IMAP command out of the byte stream, incrementally.
 *
 * It is fed bytes in any pieces (one at a time works) and says when a whole
 * command (its lines and literals) is held, when a literal has been
 * announced and the caller must decide what to do with it, or when the
 * command broke a limit. It never holds more than the limits allow: a line
 * or literal past its limit is discarded as it arrives, the command gets a
 * tagged BAD, and reading carries on with the next command. Only a stream
 * that cannot be resynchronised (a non-synchronizing literal whose size
 * cannot be read) ends with BYE.
 *
 * The held command is the lines without their CRLF, each literal's data
 * placed right after its "{n}" marker; lits[] says where each is, so the
 * parser never confuses literal data with syntax. A literal may instead be
 * streamed to a sink (APPEND writes it straight into a Maildir tmp/ file),
 * so it is never held in memory at all.
 */
#ifndef IMAPD_READER_H
#define IMAPD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/* Most literals in one command (MULTIAPPEND, SEARCH with many strings). */
#define READER_MAX_LITERALS 256
/* Longest tag we echo back; a longer tag is answered with "*". */
#define READER_MAX_TAG 64
/* Capacity above which the command buffer is freed between commands. */
#define READER_KEEP_CAPACITY 65536

struct reader_limits {
	uint32_t max_line;    /* bytes of one line, literals excluded */
	uint32_t max_literal; /* bytes of one held literal */
	uint32_t max_depth;   /* parenthesis nesting */
	uint32_t max_command; /* all bytes held for one command */
};

struct literal {
	size_t marker; /* offset in cmd of the '{' (or '~' of "~{") announcing it */
	size_t off;    /* offset of its data in cmd (just after the marker) */
	uint64_t len;  /* its length; for a streamed literal the data is not in cmd */
	bool binary;   /* literal8: "~{n}" */
	bool streamed; /* handed to a sink */
	bool nonsync;  /* "{n+}" */
};

enum reader_status {
	READER_MORE,	/* everything given was consumed; feed more */
	READER_COMMAND, /* a whole command is held in cmd/lits */
	READER_LITERAL, /* lit_* describe an announced literal: call one of reader_literal_*() */
	READER_BAD,	/* reply "<tag> BAD [code] err"; the command is gone */
	READER_FATAL,	/* reply "* BYE err" and close */
};

/* Receives streamed literal data; it keeps its own error state. */
typedef void (*reader_sink)(void *ctx, const char *p, size_t n);

struct reader {
	struct reader_limits lim;
	struct buf cmd;
	struct literal lits[READER_MAX_LITERALS];
	size_t nlits;

	/* The announced literal, valid after READER_LITERAL. */
	uint64_t lit_size;
	bool lit_sync;
	bool lit_binary;

	/* Why the last command failed (static strings), and its tag. */
	const char *err;
	const char *code; /* response code without brackets, or NULL */
	char tag[READER_MAX_TAG + 1];

	/* Private scanning state. */
	int state;
	size_t line_start;
	bool in_quote, esc;
	uint32_t depth;
	uint64_t left;
	reader_sink sink;
	void *sink_ctx;
	size_t tag_len;
	bool tag_done, tag_bad;
	bool quiet; /* the BAD for this command was already given */
	bool done;  /* the last status ended the command: reset on next feed */
	char tail[32];
	size_t tail_len;
};

void reader_init(struct reader *r, const struct reader_limits *lim);
void reader_free(struct reader *r);
/* Forgets the held command. The next reader_feed() does this by itself
 * after READER_COMMAND or READER_BAD, so the caller can use cmd, lits and
 * tag until then. */
void reader_reset(struct reader *r);

/* Consumes bytes up to the end of at most one command; *used says how many. */
enum reader_status reader_feed(struct reader *r, const char *data, size_t len, size_t *used);

/* After READER_LITERAL, exactly one of these: */
/* Hold the literal in cmd. READER_MORE if accepted (send "+" when lit_sync),
 * READER_BAD if it is too large (reply BAD; a non-synchronizing literal's
 * bytes are then skipped quietly). */
enum reader_status reader_literal_hold(struct reader *r);
/* Hand the literal's bytes to sink as they arrive (send "+" when lit_sync). */
void reader_literal_stream(struct reader *r, reader_sink sink, void *ctx);
/* The caller has answered the command (NO or BAD); drop it, skipping the
 * literal's bytes quietly if the client sends them anyway. */
void reader_literal_reject(struct reader *r);

/* True when the tag captured so far is a valid tag (else reply with "*"). */
bool reader_tag_ok(const struct reader *r);

#endif
