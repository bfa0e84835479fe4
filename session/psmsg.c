#include "psmsg.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#define HDR 8

/* Fields each type carries, or -1 for a type that does not exist. */
static int fields_of(uint32_t type)
{
	switch (type) {
	case PS_LOGIN:
		return 4;
	case PS_AUTH_START:
		return 5;
	case PS_AUTH_STEP:
	case PS_R_CONTINUE:
	case PS_R_OK:
	case PS_R_FAIL:
		return 1;
	case PS_HANDOVER:
		return 2;
	case PS_AUTH_ABORT:
	case PS_R_TEMPFAIL:
	case PS_R_NOMECH:
		return 0;
	}
	return -1;
}

static void put32(char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

int psmsg_send(int fd, uint32_t type, const struct str *fields, size_t nfields)
{
	/* On the stack: after the login these pages are dead and memtrim()
	 * gives them back; a static buffer would stay for the session. */
	char pkt[HDR + PSMSG_MAX_PAYLOAD];
	if (fields_of(type) != (int)nfields) {
		errno = EINVAL;
		return -1;
	}
	size_t len = 0;
	for (size_t i = 0; i < nfields; i++) {
		if (fields[i].len > PSMSG_MAX_PAYLOAD - 4 - len) {
			errno = EMSGSIZE;
			return -1;
		}
		put32(pkt + HDR + len, (uint32_t)fields[i].len);
		if (fields[i].len)
			memcpy(pkt + HDR + len + 4, fields[i].s, fields[i].len);
		len += 4 + fields[i].len;
	}
	put32(pkt, type);
	put32(pkt + 4, (uint32_t)len);
	ssize_t n;
	do
		n = send(fd, pkt, HDR + len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	explicit_bzero(pkt, HDR + len);
	if (n < 0)
		return -1;
	if ((size_t)n != HDR + len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int psmsg_recv(int fd, struct psmsg *m, int timeout_ms)
{
	char hdr[HDR];
	struct pollfd pfd = {fd, POLLIN, 0};
	int r;
	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0)
		return -2;
	/* Straight into m: a larger packet is cut short and flagged. */
	struct iovec iov[2] = {{hdr, HDR}, {m->data, sizeof(m->data)}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n;
	do
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n < 0)
		return errno == EAGAIN ? -2 : -1;
	r = -1;
	/* Packets are atomic; anything cut short or padded is refused. */
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC) || n < HDR)
		goto out;
	uint32_t len = get32(hdr + 4);
	if (len > PSMSG_MAX_PAYLOAD || (size_t)n != HDR + len)
		goto out;
	m->type = get32(hdr);
	int want = fields_of(m->type);
	if (want < 0)
		goto out;
	size_t pos = 0;
	m->nfields = 0;
	for (int i = 0; i < want; i++) {
		if (len - pos < 4)
			goto out;
		uint32_t fl = get32(m->data + pos);
		pos += 4;
		if (fl > len - pos)
			goto out;
		m->f[i] = (struct str){m->data + pos, fl};
		pos += fl;
		m->nfields++;
	}
	if (pos != len)
		goto out;
	r = 1;
out:
	if (r < 0 && n > HDR) {
		size_t got = (size_t)n - HDR;
		explicit_bzero(m->data, got < sizeof(m->data) ? got : sizeof(m->data));
	}
	return r;
}

void psmsg_wipe(struct psmsg *m)
{
	explicit_bzero(m, sizeof(*m));
}
