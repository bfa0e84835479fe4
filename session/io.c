#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/* Flush once this much output is queued, to keep memory small. */
#define IO_OUT_FLUSH 65536

struct plain {
	int in_fd, out_fd;
};

static ssize_t plain_read(void *ctx, void *b, size_t n)
{
	return read(*(int *)ctx, b, n);
}

static ssize_t plain_write(void *ctx, const void *b, size_t n)
{
	return write(((int *)ctx)[1], b, n);
}

static size_t plain_pending(void *ctx)
{
	return 0;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void io_socket_options(int fd)
{
	/* Replies are gathered and flushed once per batch: Nagle's algorithm
	 * would only hold the last segment back for the client's delayed ACK. */
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void io_init(struct io *io, int in_fd, int out_fd, size_t max_output, int write_timeout_ms)
{
	/* Field by field: the 16 KB input buffer is left untouched, so its
	 * pages cost no memory until input needs them. */
	io->in_pos = io->in_len = 0;
	io->out = (struct buf)BUF_INIT(0);
	io->bytes_in = io->bytes_out = 0;
	io->failed = false;
	io->in_fd = in_fd;
	io->out_fd = out_fd;
	io->out.max = max_output;
	io->write_timeout_ms = write_timeout_ms;
	set_nonblock(in_fd);
	set_nonblock(out_fd);
	io_set_transport(io, NULL);
}

void io_set_transport(struct io *io, const struct io_transport *t)
{
	static const struct io_transport plain = {plain_read, plain_write, plain_pending, NULL};
	if (t) {
		io->t = *t;
	} else {
		io->t = plain;
		/* The plain transport's ctx is the fd pair stored in the io itself. */
		io->t.ctx = &io->in_fd;
	}
}

void io_drop_input(struct io *io)
{
	io->in_pos = io->in_len = 0;
}

int io_wait_readable(struct io *io, int timeout_ms)
{
	if (io->t.pending(io->t.ctx) > 0)
		return 1;
	struct pollfd pfd = {io->in_fd, POLLIN, 0};
	for (;;) {
		int r = poll(&pfd, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		return r > 0 ? 1 : 0;
	}
}

int io_fill(struct io *io, int timeout_ms)
{
	if (io->in_pos == io->in_len)
		io->in_pos = io->in_len = 0;
	else if (io->in_pos > 0 && io->in_len == sizeof(io->in)) {
		memmove(io->in, io->in + io->in_pos, io->in_len - io->in_pos);
		io->in_len -= io->in_pos;
		io->in_pos = 0;
	}
	size_t room = sizeof(io->in) - io->in_len;
	if (room == 0)
		return -1; /* caller must consume first */
	for (;;) {
		ssize_t n = io->t.read(io->t.ctx, io->in + io->in_len, room);
		if (n > 0) {
			io->in_len += (size_t)n;
			io->bytes_in += (uint64_t)n;
			return (int)n;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		int w = io_wait_readable(io, timeout_ms);
		if (w < 0)
			return -1;
		if (w == 0)
			return -2;
	}
}

bool io_flush(struct io *io)
{
	size_t done = 0;
	while (!io->failed && done < io->out.len) {
		ssize_t n = io->t.write(io->t.ctx, io->out.s + done, io->out.len - done);
		if (n > 0) {
			done += (size_t)n;
			io->bytes_out += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = {io->out_fd, POLLOUT, 0};
			int r = poll(&pfd, 1, io->write_timeout_ms);
			if (r > 0 || (r < 0 && errno == EINTR))
				continue;
		}
		io->failed = true;
	}
	buf_consume(&io->out, done);
	return !io->failed;
}

bool io_write(struct io *io, const void *p, size_t n)
{
	const char *c = p;
	/* Large pieces (message bodies) go out in chunks so the queue stays small. */
	while (n > 0 && !io->failed) {
		if (io->out.len >= IO_OUT_FLUSH && !io_flush(io))
			return false;
		size_t k = IO_OUT_FLUSH - (io->out.len < IO_OUT_FLUSH ? io->out.len : IO_OUT_FLUSH);
		if (k == 0 || k > n)
			k = n;
		if (!buf_append(&io->out, c, k)) {
			io->failed = true;
			return false;
		}
		c += k;
		n -= k;
	}
	return !io->failed;
}

bool io_puts(struct io *io, const char *s)
{
	return io_write(io, s, strlen(s));
}

bool io_printf(struct io *io, const char *fmt, ...)
{
	if (io->failed)
		return false;
	if (io->out.len > IO_OUT_FLUSH && !io_flush(io))
		return false;
	va_list ap;
	va_start(ap, fmt);
	bool ok = buf_vappendf(&io->out, fmt, ap);
	va_end(ap);
	if (!ok)
		io->failed = true;
	return ok;
}
