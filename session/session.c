#include "session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "lib/log.h"
#include "session/commands.h"
#include "session/mailbox.h"
#include "session/memtrim.h"
#include "session/respond.h"
#include "session/tls.h"

/* Works out the peer's address for logs and the plaintext-auth rule:
 * getpeername on fd 0, else REMOTE_ADDR (systemd) or TCPREMOTEIP (UCSPI). */
static void find_peer(struct session *s, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	s->peer_local = false;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &in->sin_addr, s->peer, sizeof(s->peer));
			s->peer_local = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
			return;
		}
		if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &in6->sin6_addr, s->peer, sizeof(s->peer));
			s->peer_local = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
					(IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) &&
					 in6->sin6_addr.s6_addr[12] == 127);
			return;
		}
		if (ss.ss_family == AF_UNIX) {
			strlcpy_ok(s->peer, "local", sizeof(s->peer));
			s->peer_local = true;
			return;
		}
	}
	/* A pipe (tests, tcpserver): trust the launcher's variables if any. */
	const char *env = getenv("REMOTE_ADDR");
	if (!env)
		env = getenv("TCPREMOTEIP");
	if (env && strlen(env) < sizeof(s->peer)) {
		strlcpy_ok(s->peer, env, sizeof(s->peer));
		s->peer_local = !strncmp(env, "127.", 4) || !strcmp(env, "::1");
	} else {
		strlcpy_ok(s->peer, "local", sizeof(s->peer));
		s->peer_local = true;
	}
}

void session_init(struct session *s, const struct config *cfg, int in_fd, int out_fd)
{
	s->cfg = cfg;
	s->state = ST_NOTAUTH;
	io_init(&s->io, in_fd, out_fd, cfg->max_output_buffer, (int)cfg->timeout_write * 1000);
	struct reader_limits lim = {cfg->max_line_length, cfg->max_literal_size,
				    cfg->max_nesting_depth, cfg->max_command_size};
	reader_init(&s->rd, &lim);
	find_peer(s, in_fd);
	s->preauth_deadline = time(NULL) + cfg->timeout_preauth;
	s->ps_fd = -1;
	s->login_uid = (uid_t)-1;
	char ctx[128];
	if (snprintf_ok(ctx, sizeof(ctx), "rip=%s", s->peer))
		log_set_context(ctx);
}

struct session *session_new(const struct config *cfg, int in_fd, int out_fd)
{
	void *p = mmap(NULL, sizeof(struct session), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	session_init(p, cfg, in_fd, out_fd);
	return p;
}

void session_delete(struct session *s)
{
	session_free(s);
	munmap(s, sizeof(*s));
}

void session_free(struct session *s)
{
	append_state_free(s);
	tls_server_free(&s->tls_srv);
	if (s->store)
		session_close_store(s);
	reader_free(&s->rd);
	buf_free(&s->io.out);
}

bool session_plaintext_ok(const struct session *s)
{
	if (s->tls)
		return true;
	switch (s->cfg->plaintext_auth) {
	case PLAINTEXT_ALWAYS:
		return true;
	case PLAINTEXT_LOOPBACK:
		return s->peer_local && !s->cfg->treat_loopback_as_remote;
	default:
		return false;
	}
}

/* Milliseconds to wait for input: before login the whole pre-auth phase
 * has one deadline (a client trickling bytes is still timed out). */
static int wait_ms(const struct session *s)
{
	if (s->state == ST_NOTAUTH) {
		time_t left = s->preauth_deadline - time(NULL);
		return left > 0 ? (int)(left * 1000) : 0;
	}
	return (int)s->cfg->timeout_idle * 1000;
}

/* Makes sure input is buffered. 1: there is some; 0: the session must end. */
static int need_input(struct session *s)
{
	if (io_avail(&s->io) > 0)
		return 1;
	if (!io_flush(&s->io))
		return 0;
	/* About to wait for the client: give back what the last commands used. */
	if (io_wait_readable(&s->io, 0) == 0)
		memtrim();
	int r = io_fill(&s->io, wait_ms(s));
	if (r > 0)
		return 1;
	if (r == -2) {
		if (s->state == ST_NOTAUTH)
			log_info("disconnected: no login within %u seconds",
				 s->cfg->timeout_preauth);
		else
			log_info("disconnected: idle for %u seconds", s->cfg->timeout_idle);
		respond_untagged(s, "BYE Autologout; idle for too long");
		io_flush(&s->io);
	} else if (r == 0) {
		log_info("disconnected by client");
	} else {
		log_info("disconnected: read error");
	}
	s->state = ST_LOGOUT;
	return 0;
}

int session_read_line(struct session *s, struct buf *out, size_t max)
{
	buf_reset(out);
	bool too_long = false;
	for (;;) {
		if (!need_input(s))
			return 0;
		const char *d = io_data(&s->io);
		size_t n = io_avail(&s->io);
		const char *nl = memchr(d, '\n', n);
		size_t take = nl ? (size_t)(nl - d) : n;
		if (!too_long && (out->len + take > max || !buf_append(out, d, take)))
			too_long = true;
		io_consume(&s->io, nl ? take + 1 : take);
		if (nl)
			break;
	}
	if (too_long) {
		buf_reset(out);
		return -1;
	}
	if (out->len > 0 && out->s[out->len - 1] == '\r')
		buf_truncate(out, out->len - 1);
	return 1;
}

static struct str bad_tag(const struct session *s)
{
	if (reader_tag_ok(&s->rd))
		return (struct str){s->rd.tag, strlen(s->rd.tag)};
	return STR_LIT("*");
}

int session_run(struct session *s)
{
	if (s->implicit_tls && session_start_implicit_tls(s) < 0)
		return 1;
	struct buf caps = BUF_INIT(4096);
	capability_string(s, &caps);
	respond_untagged(s, "OK [CAPABILITY %s] imapd ready.", caps.s ? caps.s : "");
	buf_free(&caps);
	log_info("connect");
	return session_serve(s);
}

int session_serve(struct session *s)
{
	while (s->state != ST_LOGOUT && !s->io.failed) {
		if (!need_input(s))
			break;
		size_t used;
		enum reader_status st =
		    reader_feed(&s->rd, io_data(&s->io), io_avail(&s->io), &used);
		io_consume(&s->io, used);
		switch (st) {
		case READER_MORE:
			break;
		case READER_LITERAL:
			command_literal(s);
			break;
		case READER_COMMAND:
			command_dispatch(s);
			break;
		case READER_BAD:
			append_state_free(s);
			respond_tagged(s, bad_tag(s), "BAD", "[%s] %s",
				       s->rd.code ? s->rd.code : "CLIENTBUG", s->rd.err);
			break;
		case READER_FATAL:
			log_info("disconnected: %s", s->rd.err);
			respond_untagged(s, "BYE [%s] %s", s->rd.code ? s->rd.code : "CLIENTBUG",
					 s->rd.err);
			s->state = ST_LOGOUT;
			break;
		}
	}
	io_flush(&s->io);
	if (s->handover)
		return 0; /* the connection lives on in other hands */
	if (s->tls_srv)
		tls_server_bye(s->tls_srv);
	if (s->io.failed)
		log_info("disconnected: the client stopped reading (or a write failed)");
	log_info("logout: in=%llu out=%llu", (unsigned long long)s->io.bytes_in,
		 (unsigned long long)s->io.bytes_out);
	return 0;
}
