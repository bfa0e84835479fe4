/* imapc: one non-blocking IMAP client connection; see imapc.h. */
#include "imapc.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK  65536
#define IN_MAX	    (1u << 20) /* stop reading when this much waits to be parsed */
#define LINE_MAX_IN (8u << 20) /* longest response line we accept */

static gnutls_certificate_credentials_t creds;

bool imapc_tls_init(void)
{
	if (gnutls_global_init() < 0)
		return false;
	return gnutls_certificate_allocate_credentials(&creds) >= 0;
}

static bool fail(struct imapc *c, const char *what, const char *why)
{
	if (c->phase != IC_FAILED)
		snprintf_ok(c->err, sizeof(c->err), "%s: %s", what, why);
	c->phase = IC_FAILED;
	return false;
}

bool imapc_start(struct imapc *c, const struct sockaddr_in *sa, bool tls)
{
	memset(c, 0, sizeof(*c));
	c->in = (struct buf)BUF_INIT(LINE_MAX_IN + READ_CHUNK);
	c->out = (struct buf)BUF_INIT(0);
	c->tls = tls;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		c->fd = -1;
		return fail(c, "socket", strerror(errno));
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->phase = IC_CONNECTING;
	if (connect(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 && errno != EINPROGRESS)
		return fail(c, "connect", strerror(errno));
	return true;
}

/* Reads on while less than IN_MAX waits to be parsed, or while the one line
 * there is longer than that (up to LINE_MAX_IN). */
static bool want_input(const struct imapc *c)
{
	if (c->in.len < IN_MAX)
		return true;
	return c->lit_left == 0 && c->in.len < LINE_MAX_IN && !memchr(c->in.s, '\n', c->in.len);
}

short imapc_events(const struct imapc *c)
{
	switch (c->phase) {
	case IC_CONNECTING:
		return POLLOUT;
	case IC_HANDSHAKE:
		return gnutls_record_get_direction(c->gs) ? POLLOUT : POLLIN;
	case IC_OPEN:
		return (short)((want_input(c) ? POLLIN : 0) | (c->out.len ? POLLOUT : 0));
	default:
		return 0;
	}
}

static bool start_tls(struct imapc *c)
{
	if (gnutls_init(&c->gs, GNUTLS_CLIENT | GNUTLS_NONBLOCK) < 0 ||
	    gnutls_set_default_priority(c->gs) < 0 ||
	    gnutls_credentials_set(c->gs, GNUTLS_CRD_CERTIFICATE, creds) < 0)
		return fail(c, "TLS", "cannot set up a session");
	gnutls_server_name_set(c->gs, GNUTLS_NAME_DNS, "localhost", 9);
	gnutls_transport_set_int(c->gs, c->fd);
	c->phase = IC_HANDSHAKE;
	return true;
}

static bool do_handshake(struct imapc *c)
{
	int r = gnutls_handshake(c->gs);
	if (r == GNUTLS_E_SUCCESS) {
		c->phase = IC_OPEN;
		return true;
	}
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
		return true;
	return fail(c, "TLS handshake failed", gnutls_strerror(r));
}

static bool do_write(struct imapc *c)
{
	while (c->out.len) {
		ssize_t w;
		if (c->tls) {
			w = gnutls_record_send(c->gs, c->out.s, c->out.len);
			if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
				return true;
			if (w < 0)
				return fail(c, "TLS send", gnutls_strerror((int)w));
		} else {
			w = send(c->fd, c->out.s, c->out.len, MSG_NOSIGNAL);
			if (w < 0 && (errno == EAGAIN || errno == EINTR))
				return true;
			if (w < 0)
				return fail(c, "send", strerror(errno));
		}
		buf_consume(&c->out, (size_t)w);
	}
	return true;
}

static bool do_read(struct imapc *c)
{
	while (want_input(c)) {
		if (!buf_reserve(&c->in, READ_CHUNK))
			return fail(c, "read", "response line too long");
		ssize_t r;
		if (c->tls) {
			r = gnutls_record_recv(c->gs, c->in.s + c->in.len, READ_CHUNK);
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
				return true;
			if (r < 0)
				return fail(c, "TLS receive", gnutls_strerror((int)r));
		} else {
			r = recv(c->fd, c->in.s + c->in.len, READ_CHUNK, 0);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				return true;
			if (r < 0)
				return fail(c, "receive", strerror(errno));
		}
		if (r == 0)
			return fail(c, "connection closed by the server",
				    c->head[0] ? c->head : "no response");
		c->in.len += (size_t)r;
	}
	return true;
}

bool imapc_io(struct imapc *c)
{
	if (c->phase == IC_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == EINPROGRESS)
			return true;
		if (err)
			return fail(c, "connect", strerror(err));
		if (!c->tls)
			c->phase = IC_OPEN;
		else if (!start_tls(c))
			return false;
	}
	if (c->phase == IC_HANDSHAKE && !do_handshake(c))
		return false;
	if (c->phase != IC_OPEN)
		return c->phase != IC_FAILED;
	return do_write(c) && do_read(c);
}

bool imapc_pending(const struct imapc *c)
{
	return c->phase == IC_OPEN && c->tls && want_input(c) &&
	       gnutls_record_check_pending(c->gs) > 0;
}

bool imapc_ready(const struct imapc *c)
{
	return c->phase == IC_OPEN;
}

/* If the line [s, s+n) ends in "{N}" or "{N+}", returns true and sets *lit. */
static bool literal_at_end(const char *s, size_t n, uint64_t *lit)
{
	if (n < 3 || s[n - 1] != '}')
		return false;
	size_t i = n - 1;
	if (s[i - 1] == '+')
		i--;
	size_t end = i;
	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (i == end || i == 0 || s[i - 1] != '{')
		return false;
	uint64_t v = 0;
	for (size_t k = i; k < end; k++)
		v = v * 10 + (uint64_t)(s[k] - '0');
	*lit = v;
	return true;
}

bool imapc_next(struct imapc *c, const char **head)
{
	for (;;) {
		if (c->lit_left) {
			size_t n = c->in.len < c->lit_left ? c->in.len : (size_t)c->lit_left;
			if (n == 0)
				return false;
			buf_consume(&c->in, n);
			c->lit_left -= n;
			continue;
		}
		char *nl = c->in.len ? memchr(c->in.s, '\n', c->in.len) : NULL;
		if (!nl)
			return false;
		size_t seg = (size_t)(nl - c->in.s) + 1, n = seg - 1;
		if (n && c->in.s[n - 1] == '\r')
			n--;
		if (!c->mid_response) {
			size_t h = n < sizeof(c->head) - 1 ? n : sizeof(c->head) - 1;
			memcpy(c->head, c->in.s, h);
			c->head[h] = '\0';
		}
		uint64_t lit = 0;
		bool more = literal_at_end(c->in.s, n, &lit);
		buf_consume(&c->in, seg);
		if (more) {
			c->lit_left = lit;
			c->lit_bytes += lit;
			c->mid_response = true;
			continue;
		}
		c->mid_response = false;
		*head = c->head;
		return true;
	}
}

bool imapc_send(struct imapc *c, const void *p, size_t n)
{
	return buf_append(&c->out, p, n) || fail(c, "send", "output buffer full");
}

void imapc_close(struct imapc *c)
{
	if (c->gs) {
		gnutls_deinit(c->gs);
		c->gs = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
	buf_free(&c->out);
	if (c->phase != IC_FAILED)
		c->phase = IC_IDLE;
}
