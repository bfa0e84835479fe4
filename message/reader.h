/* reader: random access to the stored message bytes.
 *
 * The renderings that need message bytes (sections, BINARY, search) read
 * them through this, so a Maildir file descriptor and an in-memory message
 * work the same. pread returns the bytes read (0 at the end) or -1.
 */
#ifndef IMAPD_MESSAGE_READER_H
#define IMAPD_MESSAGE_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct msg_reader {
	ssize_t (*pread)(void *ctx, void *buf, size_t n, uint64_t off);
	void *ctx;
	int fd;		 /* for msg_reader_fd */
	const char *mem; /* for msg_reader_mem */
	size_t memlen;
};

/* Reads with pread(2) from fd; the caller keeps fd open. */
struct msg_reader msg_reader_fd(int fd);
/* Reads from len bytes at p, which must outlive the reader. */
struct msg_reader msg_reader_mem(const void *p, size_t len);
/* Reads exactly n bytes unless the end comes first; returns the count or -1. */
ssize_t msg_read_full(const struct msg_reader *r, void *buf, size_t n, uint64_t off);

#endif
