/* io: buffered, bounded reading and writing over the client's byte stream.
 *
 * The stream is fd 0/1 (a socket from systemd or inetd, or a pipe pair in
 * tests), made non-blocking so that every wait has a timeout. A transport
 * (plain fds by default, TLS once started) sits underneath; switching
 * transport drops whatever plaintext was buffered (STARTTLS must not act on
 * bytes sent before the handshake).
 */
#ifndef IMAPD_IO_H
#define IMAPD_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"

#ifndef IMAPD_IO_TRANSPORT_DEFINED
#define IMAPD_IO_TRANSPORT_DEFINED
struct io_transport {
	ssize_t (*read)(void *ctx, void *buf, size_t n);	/* like read(2) */
	ssize_t (*write)(void *ctx, const void *buf, size_t n); /* like write(2) */
	size_t (*pending)(void *ctx); /* bytes readable without touching the fd */
	void *ctx;
};
#endif

/* Bytes read from the transport in one go; also the most held unparsed. */
#define IO_IN_CHUNK 16384

struct io {
	int in_fd, out_fd;
	struct io_transport t;
	char in[IO_IN_CHUNK];
	size_t in_pos, in_len; /* unconsumed input is in[in_pos..in_len) */
	struct buf out;	       /* pending output; max from max_output_buffer */
	uint64_t bytes_in, bytes_out;
	int write_timeout_ms;
	bool failed; /* a write failed or timed out: the peer is gone */
};

/* TCP_NODELAY on the client's socket; harmless on anything else. */
void io_socket_options(int fd);
/* Sets the fds non-blocking and the plain transport. */
void io_init(struct io *io, int in_fd, int out_fd, size_t max_output, int write_timeout_ms);
void io_set_transport(struct io *io, const struct io_transport *t);
/* Discards buffered, unconsumed input. */
void io_drop_input(struct io *io);

/* Waits up to timeout_ms (-1: forever) for input and reads what is there.
 * Returns >0 bytes added, 0 at end of stream, -1 on error, -2 on timeout. */
int io_fill(struct io *io, int timeout_ms);
static inline size_t io_avail(const struct io *io)
{
	return io->in_len - io->in_pos;
}
static inline const char *io_data(const struct io *io)
{
	return io->in + io->in_pos;
}
static inline void io_consume(struct io *io, size_t n)
{
	io->in_pos += n;
}

/* Queue output; when the queue is large it is flushed first. false: peer gone. */
bool io_write(struct io *io, const void *p, size_t n);
bool io_puts(struct io *io, const char *s);
bool io_printf(struct io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends everything queued, waiting at most write_timeout_ms for each step. */
bool io_flush(struct io *io);

/* Polls the input fd for readability with the transport's pending bytes in
 * mind. Returns 1 readable, 0 timeout, -1 error. */
int io_wait_readable(struct io *io, int timeout_ms);

#endif
