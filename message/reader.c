#include "reader.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static ssize_t fd_pread(void *ctx, void *buf, size_t n, uint64_t off)
{
	const struct msg_reader *r = ctx;
	for (;;) {
		ssize_t got = pread(r->fd, buf, n, (off_t)off);
		if (got >= 0 || errno != EINTR)
			return got;
	}
}

static ssize_t mem_pread(void *ctx, void *buf, size_t n, uint64_t off)
{
	const struct msg_reader *r = ctx;
	if (off >= r->memlen)
		return 0;
	if (n > r->memlen - off)
		n = (size_t)(r->memlen - off);
	memcpy(buf, r->mem + off, n);
	return (ssize_t)n;
}

struct msg_reader msg_reader_fd(int fd)
{
	struct msg_reader r = {fd_pread, NULL, fd, NULL, 0};
	return r;
}

struct msg_reader msg_reader_mem(const void *p, size_t len)
{
	struct msg_reader r = {mem_pread, NULL, -1, p, len};
	return r;
}

ssize_t msg_read_full(const struct msg_reader *r, void *buf, size_t n, uint64_t off)
{
	size_t done = 0;
	while (done < n) {
		/* ctx NULL means the reader itself is the context (copied by value). */
		ssize_t got =
		    r->pread(r->ctx ? r->ctx : (void *)r, (char *)buf + done, n - done, off + done);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return (ssize_t)done;
}
