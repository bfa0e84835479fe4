#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "session/memtrim.h"

#define RELAY_BUF 16384

struct pipe_buf {
	char b[RELAY_BUF];
	size_t len;
};

static void nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static bool retry(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

static void drop_front(struct pipe_buf *p, size_t n)
{
	memmove(p->b, p->b + n, p->len - n);
	p->len -= n;
}

int relay_run(const struct io_transport *tls, int cin, int cout, int sock, const char *pre,
	      size_t npre)
{
	static struct pipe_buf up, down; /* client to session, session to client */
	nonblock(cin);
	nonblock(cout);
	nonblock(sock);
	up.len = down.len = 0;
	bool client_eof = false, session_eof = false;
	bool trimmed = false; /* memory given back since the last byte moved */
	/* What was decrypted before the hand-over goes first. */
	while (npre > 0) {
		ssize_t n = send(sock, pre, npre, MSG_NOSIGNAL);
		if (n > 0) {
			pre += n;
			npre -= (size_t)n;
			continue;
		}
		if (n < 0 && retry()) {
			struct pollfd p = {sock, POLLOUT, 0};
			if (poll(&p, 1, RELAY_STALL_MS) > 0 || errno == EINTR)
				continue;
		}
		return 1;
	}
	for (;;) {
		bool progress = true;
		while (progress) {
			progress = false;
			if (!client_eof && up.len < sizeof(up.b)) {
				ssize_t n =
				    tls->read(tls->ctx, up.b + up.len, sizeof(up.b) - up.len);
				if (n > 0) {
					up.len += (size_t)n;
					progress = true;
				} else if (n == 0 || !retry()) {
					client_eof = true;
				}
			}
			if (up.len > 0) {
				ssize_t n = send(sock, up.b, up.len, MSG_NOSIGNAL);
				if (n > 0) {
					drop_front(&up, (size_t)n);
					progress = true;
				} else if (n < 0 && !retry()) {
					return 1; /* the session is gone */
				}
			}
			if (!session_eof && down.len < sizeof(down.b)) {
				ssize_t n =
				    recv(sock, down.b + down.len, sizeof(down.b) - down.len, 0);
				if (n > 0) {
					down.len += (size_t)n;
					progress = true;
				} else if (n == 0 || !retry()) {
					session_eof = true;
				}
			}
			if (down.len > 0) {
				ssize_t n = tls->write(tls->ctx, down.b, down.len);
				if (n > 0) {
					drop_front(&down, (size_t)n);
					progress = true;
				} else if (n < 0 && !retry()) {
					return 1; /* the client is gone */
				}
			}
		}
		if (client_eof && up.len == 0)
			return 1; /* closing sock tells the session */
		if (session_eof && down.len == 0)
			return 0;
		struct pollfd p[4];
		nfds_t np = 0;
		if (!client_eof && up.len < sizeof(up.b))
			p[np++] = (struct pollfd){cin, POLLIN, 0};
		if (up.len > 0)
			p[np++] = (struct pollfd){sock, POLLOUT, 0};
		if (!session_eof && down.len < sizeof(down.b))
			p[np++] = (struct pollfd){sock, POLLIN, 0};
		if (down.len > 0)
			p[np++] = (struct pollfd){cout, POLLOUT, 0};
		bool busy = down.len > 0 || up.len > 0;
		int wait = busy ? RELAY_STALL_MS : trimmed ? -1 : RELAY_IDLE_MS;
		int r = poll(p, np, wait);
		if (r == 0 && !busy) {
			/* Idle: what the last records used goes back to the kernel. */
			memtrim_range(up.b, sizeof(up.b));
			memtrim_range(down.b, sizeof(down.b));
			memtrim();
			trimmed = true;
			continue;
		}
		if (r == 0)
			return 1; /* a stalled reader on either side */
		trimmed = false;
		if (r < 0 && errno != EINTR)
			return 1;
	}
}
