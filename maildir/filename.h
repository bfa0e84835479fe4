/* filename: Maildir message file names.
 *
 *   <base>[:2,<info>]   base = "<sec>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<vsize>"
 *
 * The base never changes and is the key in dovecot-uidlist. S= is the
 * stored size and W= the size with CRLF line ends (RFC822.SIZE), written
 * the way Dovecot writes them so that sizes need no stat or read. The info
 * holds the flags as sorted letters: D F P R S T for Draft, Flagged,
 * Passed, Replied, Seen, Trashed(\Deleted), then a-z for keywords 0-25
 * (see keywords.h).
 */
#ifndef IMAPD_MD_FILENAME_H
#define IMAPD_MD_FILENAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

enum md_flag {
	MD_F_DRAFT = 1 << 0,	/* D */
	MD_F_FLAGGED = 1 << 1,	/* F */
	MD_F_PASSED = 1 << 2,	/* P: forwarded, no IMAP system flag */
	MD_F_ANSWERED = 1 << 3, /* R */
	MD_F_SEEN = 1 << 4,	/* S */
	MD_F_DELETED = 1 << 5,	/* T */
};

#define MD_MAX_KEYWORDS 26 /* letters a-z */
#define MD_UNKNOWN_SIZE UINT64_MAX

struct md_fname {
	size_t base_len; /* bytes before ':' (the whole name when no info) */
	uint64_t size;	 /* S=, or MD_UNKNOWN_SIZE */
	uint64_t vsize;	 /* W=, or MD_UNKNOWN_SIZE */
	uint8_t flags;	 /* enum md_flag */
	uint32_t keywords;
};

/* Never fails: an odd name just has no sizes or flags. */
void md_fname_parse(const char *name, struct md_fname *f);

/* Appends base ":2," and the sorted flag letters. false on buffer limit. */
bool md_fname_build(struct buf *out, const char *base, size_t base_len, uint8_t flags,
		    uint32_t keywords);

/* Appends a new unique base: <sec>.M<usec>P<pid>Q<seq>.<host>,S=<size>,W=<vsize>.
 * seq is the caller's per-process delivery counter. */
bool md_fname_unique(struct buf *out, unsigned long seq, uint64_t size, uint64_t vsize);

#endif
