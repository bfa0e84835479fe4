/* Tests for session/tls: the server side runs in a forked child (one process
 * per connection, as in production) and a GnuTLS client, openssl s_client or
 * gnutls-cli talks to it. Certificates are generated at start-up into a
 * temporary folder; no private key is committed. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"
#include "session/tls.h"
#include "tests/lib/suite.h"

#define PAYLOAD_SIZE (1u << 20)
#define HANDSHAKE_MS 20000

/* Fixture folder and the CA that signs every test certificate. */
static char fixdir[64];
static gnutls_x509_crt_t ca_crt;
static gnutls_x509_privkey_t ca_key;

/* ---- certificates -------------------------------------------------------- */

static gnutls_x509_privkey_t new_key(void)
{
	gnutls_x509_privkey_t k;
	ck_assert_int_eq(gnutls_x509_privkey_init(&k), 0);
	ck_assert_int_eq(
	    gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
					 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
	    0);
	return k;
}

/* valid_for: seconds from now to expiry; negative for an expired one. */
static gnutls_x509_crt_t new_cert(const char *cn, gnutls_x509_privkey_t key, bool ca,
				  long valid_for)
{
	gnutls_x509_crt_t c;
	unsigned char serial[8];
	time_t now = time(NULL);
	ck_assert_int_eq(gnutls_x509_crt_init(&c), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(c, 3), 0);
	ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)), 0);
	serial[0] &= 0x7f;
	ck_assert_int_eq(gnutls_x509_crt_set_serial(c, serial, sizeof(serial)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(c, now - 7 * 86400), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(c, now + valid_for), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
						       (unsigned)strlen(cn)),
			 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key(c, key), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_basic_constraints(c, ca, -1), 0);
	if (ca) {
		ck_assert_int_eq(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_KEY_CERT_SIGN), 0);
	} else {
		ck_assert_int_eq(gnutls_x509_crt_set_subject_alt_name(c, GNUTLS_SAN_DNSNAME, cn,
								      (unsigned)strlen(cn),
								      GNUTLS_FSAN_SET),
				 0);
		ck_assert_int_eq(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
		ck_assert_int_eq(
		    gnutls_x509_crt_set_key_purpose_oid(c, GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
	}
	unsigned char id[64];
	size_t idlen = sizeof(id);
	ck_assert_int_eq(gnutls_x509_crt_get_key_id(c, 0, id, &idlen), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_subject_key_id(c, id, idlen), 0);
	if (ca)
		ck_assert_int_eq(gnutls_x509_crt_sign2(c, c, key, GNUTLS_DIG_SHA256, 0), 0);
	else
		ck_assert_int_eq(gnutls_x509_crt_sign2(c, ca_crt, ca_key, GNUTLS_DIG_SHA256, 0), 0);
	return c;
}

static void write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	ck_assert_int_eq(close(fd), 0);
}

static void write_pem_crt(FILE *f, gnutls_x509_crt_t c)
{
	gnutls_datum_t d;
	ck_assert_int_eq(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &d), 0);
	ck_assert_uint_eq(fwrite(d.data, 1, d.size, f), d.size);
	gnutls_free(d.data);
}

/* Writes <base>.pem (leaf and CA: a chain) and <base>.key for host name cn. */
static void make_pair_ex(const char *base, const char *cn, long valid_for)
{
	char path[256];
	gnutls_x509_privkey_t k = new_key();
	gnutls_x509_crt_t c = new_cert(cn, k, false, valid_for);
	ck_assert(snprintf_ok(path, sizeof(path), "%s.pem", base));
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	write_pem_crt(f, c);
	write_pem_crt(f, ca_crt);
	ck_assert_int_eq(fclose(f), 0);
	gnutls_datum_t d;
	ck_assert_int_eq(gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &d), 0);
	ck_assert(snprintf_ok(path, sizeof(path), "%s.key", base));
	write_file(path, d.data, d.size, 0600);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(c);
	gnutls_x509_privkey_deinit(k);
}

static void make_pair(const char *base, const char *cn)
{
	make_pair_ex(base, cn, 86400);
}

static const char *fx(const char *name)
{
	static char paths[8][256];
	static int next;
	char *p = paths[next++ % 8];
	ck_assert(snprintf_ok(p, 256, "%s/%s", fixdir, name));
	return p;
}

/* A config serving fixdir/default.{pem,key}, no SNI folder, no tickets. */
static void base_config(struct config *c)
{
	config_defaults(c);
	ck_assert(strlcpy_ok(c->tls_cert, fx("default.pem"), sizeof(c->tls_cert)));
	ck_assert(strlcpy_ok(c->tls_key, fx("default.key"), sizeof(c->tls_key)));
}

static void set_key(struct config *c, const char *key, const char *value)
{
	char line[8192];
	struct buf err = BUF_INIT(0);
	ck_assert(snprintf_ok(line, sizeof(line), "%s = %s", key, value));
	ck_assert_msg(config_set_line(c, line, "test", 1, &err), "%s", err.s);
	buf_free(&err);
}

/* ---- the server side, in a child process --------------------------------- */

enum mode {
	MODE_ECHO,    /* greeting "* OK <info>", echo until EOF or a "BYE" line, bye */
	MODE_BULK,    /* read PAYLOAD_SIZE bytes, send them back, bye */
	MODE_PENDING, /* pending() and non-blocking reads, see serve_pending */
	MODE_FLOOD,   /* PAYLOAD_SIZE bytes to a client that reads late, see serve_flood */
	MODE_EPIPE,   /* writes after the client has gone, SIGPIPE not ignored */
	MODE_STALL,   /* fills the socket of a client that never reads, then bye */
};

struct server {
	pid_t pid;
	int fd;	    /* client end of the socketpair, or -1 */
	int in_w;   /* pipe mode: client writes here */
	int out_r;  /* pipe mode: client reads here */
	int report; /* read end: what the server saw */
	int sync;   /* read end: one byte when the server reaches a point of its test */
};

static void put(struct buf *r, const char *s)
{
	(void)buf_appends(r, s);
}

static bool write_all_tr(struct io_transport *tr, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = tr->write(tr->ctx, c, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

static void serve_echo(struct io_transport *tr, struct tls_server *t, struct buf *r)
{
	struct buf line = BUF_INIT(4096);
	char greet[TLS_INFO_MAX + 16];
	ck_assert(snprintf_ok(greet, sizeof(greet), "* OK %s\r\n", tls_server_info(t)));
	if (!write_all_tr(tr, greet, strlen(greet))) {
		put(r, " write-failed");
		return;
	}
	for (;;) {
		char b[4096];
		ssize_t n = tr->read(tr->ctx, b, sizeof(b));
		if (n == 0) {
			put(r, " eof");
			break;
		}
		if (n < 0) {
			buf_appendf(r, " read-error=%s", strerror(errno));
			break;
		}
		if (!write_all_tr(tr, b, (size_t)n)) {
			put(r, " write-failed");
			break;
		}
		(void)buf_append(&line, b, (size_t)n);
		if (strstr(line.s, "BYE\n") || strstr(line.s, "BYE\r\n")) {
			put(r, " bye");
			break;
		}
		if (line.len > 2048)
			buf_reset(&line);
	}
	buf_free(&line);
}

static void serve_bulk(struct io_transport *tr, struct buf *r)
{
	struct buf data = BUF_INIT(PAYLOAD_SIZE);
	ck_assert(buf_reserve(&data, PAYLOAD_SIZE));
	while (data.len < PAYLOAD_SIZE) {
		ssize_t n = tr->read(tr->ctx, data.s + data.len, PAYLOAD_SIZE - data.len);
		if (n <= 0) {
			buf_appendf(r, " short-read=%zu", data.len);
			buf_free(&data);
			return;
		}
		data.len += (size_t)n;
	}
	buf_appendf(r, " got=%zu", data.len);
	put(r, write_all_tr(tr, data.s, data.len) ? " sent" : " send-failed");
	buf_free(&data);
}

/* The client sends "hello" as one record, waits for "ack", then "world". */
static void serve_pending(struct io_transport *tr, int in_fd, struct buf *r)
{
	char b[16] = {0};
	buf_appendf(r, " p0=%zu", tr->pending(tr->ctx));
	ssize_t n = tr->read(tr->ctx, b, 3);
	buf_appendf(r, " r1=%zd:%.3s p1=%zu", n, b, tr->pending(tr->ctx));
	/* Non-blocking from here: what pending() reported must not need the fd. */
	ck_assert_int_eq(fcntl(in_fd, F_SETFL, O_NONBLOCK), 0);
	n = tr->read(tr->ctx, b, sizeof(b));
	buf_appendf(r, " r2=%zd:%.*s p2=%zu", n, n > 0 ? (int)n : 0, b, tr->pending(tr->ctx));
	n = tr->read(tr->ctx, b, sizeof(b));
	buf_appendf(r, " r3=%zd:%s", n, n < 0 && errno == EAGAIN ? "EAGAIN" : "other");
	ck_assert_int_eq(fcntl(in_fd, F_SETFL, 0), 0);
	if (!write_all_tr(tr, "ack", 3))
		put(r, " ack-failed");
	n = tr->read(tr->ctx, b, sizeof(b));
	buf_appendf(r, " r4=%zd:%.*s", n, n > 0 ? (int)n : 0, b);
}

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)(i * 7 + i / 4099);
}

/* Non-blocking writes: the first EAGAIN is signalled on sync_fd, and only
 * then does the client start reading. */
static void serve_flood(struct io_transport *tr, int out_fd, int sync_fd, struct buf *r)
{
	unsigned char *data = malloc(PAYLOAD_SIZE);
	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < PAYLOAD_SIZE; i++)
		data[i] = pattern_byte(i);
	ck_assert_int_eq(fcntl(out_fd, F_SETFL, O_NONBLOCK), 0);
	size_t off = 0;
	unsigned eagain = 0;
	while (off < PAYLOAD_SIZE) {
		ssize_t w = tr->write(tr->ctx, data + off, PAYLOAD_SIZE - off);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EAGAIN) {
			if (eagain++ == 0) {
				/* Offering fewer bytes than the queued record is refused. */
				errno = 0;
				ssize_t shorter = tr->write(tr->ctx, data + off, 1);
				buf_appendf(r, " shorter=%zd:%s", shorter,
					    errno == EINVAL ? "EINVAL" : "other");
				ck_assert_int_eq(write(sync_fd, "x", 1), 1);
			}
			struct pollfd p = {.fd = out_fd, .events = POLLOUT};
			ck_assert_int_eq(poll(&p, 1, -1), 1);
			continue;
		}
		buf_appendf(r, " write-error=%s", strerror(errno));
		break;
	}
	ck_assert_int_eq(fcntl(out_fd, F_SETFL, 0), 0);
	buf_appendf(r, " flood=%zu eagain=%s", off, eagain ? "yes" : "no");
	free(data);
}

static void serve_epipe(struct io_transport *tr, int out_fd, struct buf *r)
{
	signal(SIGPIPE, SIG_DFL);
	char b[64];
	ssize_t n = tr->read(tr->ctx, b, sizeof(b));
	buf_appendf(r, " read=%zd", n);
	n = tr->read(tr->ctx, b, sizeof(b));
	buf_appendf(r, " again=%zd", n);
	/* After close_notify the socket may still be open: wait for the close. */
	struct pollfd p = {.fd = out_fd, .events = 0};
	ck_assert_int_eq(poll(&p, 1, -1), 1);
	ck_assert(p.revents & POLLHUP);
	for (int i = 0; i < 100; i++) {
		ssize_t w = tr->write(tr->ctx, "* BYE\r\n", 7);
		if (w < 0) {
			buf_appendf(r, " write-error=%s",
				    errno == EPIPE ? "EPIPE" : strerror(errno));
			return;
		}
	}
	put(r, " writes-succeeded");
}

/* Leaves a record queued towards a client that never reads; the bye that
 * follows in server_child must still return. */
static void serve_stall(struct io_transport *tr, int out_fd, struct buf *r)
{
	int small = 4096;
	ck_assert_int_eq(setsockopt(out_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	ck_assert_int_eq(fcntl(out_fd, F_SETFL, O_NONBLOCK), 0);
	static char chunk[16384];
	for (int i = 0; i < 10000; i++) {
		if (tr->write(tr->ctx, chunk, sizeof(chunk)) < 0) {
			if (errno == EAGAIN)
				put(r, " stalled");
			break;
		}
	}
	ck_assert_int_eq(fcntl(out_fd, F_SETFL, 0), 0);
}

static void server_child(const struct config *cfg, int in_fd, int out_fd, enum mode mode,
			 int timeout_ms, int report_fd, int sync_fd)
{
	struct buf r = BUF_INIT(0), err = BUF_INIT(0);
	struct tls_server *t = NULL;
	if (tls_server_new(cfg, &t, &err) < 0) {
		buf_appendf(&r, "new-failed: %s", err.s);
	} else if (tls_server_handshake(t, in_fd, out_fd, timeout_ms, &err) < 0) {
		buf_appendf(&r, "handshake-failed: %s", err.s);
	} else {
		struct io_transport tr;
		tls_server_transport(t, &tr);
		buf_appendf(&r, "ok %s api-resumed=%d api-sni=%s", tls_server_info(t),
			    tls_server_resumed(t), tls_server_sni(t));
		if (mode == MODE_ECHO)
			serve_echo(&tr, t, &r);
		else if (mode == MODE_BULK)
			serve_bulk(&tr, &r);
		else if (mode == MODE_PENDING)
			serve_pending(&tr, in_fd, &r);
		else if (mode == MODE_FLOOD)
			serve_flood(&tr, out_fd, sync_fd, &r);
		else if (mode == MODE_EPIPE)
			serve_epipe(&tr, out_fd, &r);
		else
			serve_stall(&tr, out_fd, &r);
		tls_server_bye(t);
		put(&r, " bye-returned");
	}
	tls_server_free(&t);
	ck_assert_ptr_null(t);
	put(&r, "\n");
	if (r.len)
		ck_assert_int_eq(write(report_fd, r.s, r.len), (ssize_t)r.len);
	buf_free(&r);
	buf_free(&err);
	_exit(0);
}

/* Forks the server over a socketpair, or over two pipes when pipes is set. */
static void server_start_ex(struct server *s, const struct config *cfg, enum mode mode, bool pipes,
			    int timeout_ms)
{
	int sv[2], rp[2], a[2], b[2], sp[2];
	ck_assert_int_eq(pipe(rp), 0);
	ck_assert_int_eq(pipe(sp), 0);
	if (pipes) {
		ck_assert_int_eq(pipe(a), 0); /* client -> server */
		ck_assert_int_eq(pipe(b), 0); /* server -> client */
	} else {
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	}
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		close(rp[0]);
		close(sp[0]);
		if (pipes) {
			close(a[1]);
			close(b[0]);
			server_child(cfg, a[0], b[1], mode, timeout_ms, rp[1], sp[1]);
		}
		close(sv[0]);
		server_child(cfg, sv[1], sv[1], mode, timeout_ms, rp[1], sp[1]);
	}
	close(rp[1]);
	close(sp[1]);
	s->report = rp[0];
	s->sync = sp[0];
	if (pipes) {
		close(a[0]);
		close(b[1]);
		s->fd = -1;
		s->in_w = a[1];
		s->out_r = b[0];
	} else {
		close(sv[1]);
		s->fd = s->in_w = s->out_r = sv[0];
	}
}

static void server_start(struct server *s, const struct config *cfg, enum mode mode)
{
	server_start_ex(s, cfg, mode, false, HANDSHAKE_MS);
}

static void close_client_ends(struct server *s)
{
	if (s->fd >= 0)
		close(s->fd);
	else if (s->in_w >= 0) {
		close(s->in_w);
		close(s->out_r);
	}
	s->fd = s->in_w = s->out_r = -1;
}

/* Waits for the child and returns its report (caller frees). close_first
 * closes the client's ends before waiting, so a server still reading sees
 * EOF; otherwise they are closed after the report has arrived. */
static char *server_finish_ex(struct server *s, bool close_first)
{
	if (close_first)
		close_client_ends(s);
	struct buf r = BUF_INIT(0);
	char b[1024];
	ssize_t n;
	while ((n = read(s->report, b, sizeof(b))) > 0)
		ck_assert(buf_append(&r, b, (size_t)n));
	close(s->report);
	if (s->sync >= 0)
		close(s->sync);
	close_client_ends(s);
	int status;
	ck_assert_int_eq(waitpid(s->pid, &status, 0), s->pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "server child died: %d",
		      status);
	if (getenv("TLS_TEST_VERBOSE"))
		fprintf(stderr, "server: %s", r.s ? r.s : "(nothing)\n");
	return r.s ? r.s : strdup("");
}

static char *server_finish(struct server *s)
{
	return server_finish_ex(s, true);
}

/* ---- the GnuTLS client in the test process -------------------------------- */

struct client {
	gnutls_session_t s;
	gnutls_certificate_credentials_t cred;
	int in, out;
};

static ssize_t cl_pull(gnutls_transport_ptr_t p, void *d, size_t n)
{
	struct client *c = p;
	return read(c->in, d, n);
}

static ssize_t cl_push(gnutls_transport_ptr_t p, const void *d, size_t n)
{
	struct client *c = p;
	return write(c->out, d, n);
}

static int cl_pull_timeout(gnutls_transport_ptr_t p, unsigned ms)
{
	struct client *c = p;
	fd_set fds;
	FD_ZERO(&fds);
	FD_SET(c->in, &fds);
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	return select(c->in + 1, &fds, NULL, NULL, ms == GNUTLS_INDEFINITE_TIMEOUT ? NULL : &tv);
}

struct client_opts {
	const char *prio;    /* NULL: TLS 1.3 and 1.2 */
	const char *sni;     /* NULL: none */
	const char *alpn[3]; /* NULL-terminated */
	const char *verify;  /* host name to verify against the CA, NULL: none */
	gnutls_datum_t *resume;
};

/* Returns the handshake result (0 or a GnuTLS error). */
static int client_connect(struct client *c, struct server *s, const struct client_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->in = s->out_r;
	c->out = s->in_w;
	ck_assert_int_eq(gnutls_certificate_allocate_credentials(&c->cred), 0);
	ck_assert_int_eq(
	    gnutls_certificate_set_x509_trust_file(c->cred, fx("ca.pem"), GNUTLS_X509_FMT_PEM), 1);
	ck_assert_int_eq(gnutls_init(&c->s, GNUTLS_CLIENT), 0);
	const char *prio = o->prio ? o->prio : "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
	ck_assert_int_eq(gnutls_priority_set_direct(c->s, prio, NULL), 0);
	ck_assert_int_eq(gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, c->cred), 0);
	if (o->sni)
		ck_assert_int_eq(
		    gnutls_server_name_set(c->s, GNUTLS_NAME_DNS, o->sni, strlen(o->sni)), 0);
	gnutls_datum_t protos[3];
	unsigned np = 0;
	for (; np < 3 && o->alpn[np]; np++)
		protos[np] =
		    (gnutls_datum_t){(unsigned char *)o->alpn[np], (unsigned)strlen(o->alpn[np])};
	if (np)
		ck_assert_int_eq(gnutls_alpn_set_protocols(c->s, protos, np, 0), 0);
	if (o->verify)
		gnutls_session_set_verify_cert(c->s, o->verify, 0);
	if (o->resume)
		ck_assert_int_eq(gnutls_session_set_data(c->s, o->resume->data, o->resume->size),
				 0);
	gnutls_transport_set_ptr(c->s, c);
	gnutls_transport_set_pull_function(c->s, cl_pull);
	gnutls_transport_set_push_function(c->s, cl_push);
	gnutls_transport_set_pull_timeout_function(c->s, cl_pull_timeout);
	gnutls_handshake_set_timeout(c->s, HANDSHAKE_MS);
	int r;
	do
		r = gnutls_handshake(c->s);
	while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0 && r != GNUTLS_E_FATAL_ALERT_RECEIVED)
		(void)gnutls_alert_send_appropriate(c->s, r); /* as a careful client does */
	return r;
}

static void client_free(struct client *c)
{
	gnutls_deinit(c->s);
	gnutls_certificate_free_credentials(c->cred);
}

static void client_send(struct client *c, const char *s)
{
	ck_assert_int_eq(gnutls_record_send(c->s, s, strlen(s)), (ssize_t)strlen(s));
}

/* Reads until want has arrived (returns true) or the server closes. */
static bool client_expect(struct client *c, struct buf *got, const char *want)
{
	while (!got->s || !strstr(got->s, want)) {
		char b[4096];
		ssize_t n = gnutls_record_recv(c->s, b, sizeof(b));
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n <= 0)
			return false;
		ck_assert(buf_append(got, b, (size_t)n));
	}
	return true;
}

/* Reads to the server's close_notify; returns false on any other end. */
static bool client_until_close(struct client *c, struct buf *got)
{
	for (;;) {
		char b[4096];
		ssize_t n = gnutls_record_recv(c->s, b, sizeof(b));
		if (n == 0)
			return true;
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n < 0)
			return false;
		ck_assert(buf_append(got, b, (size_t)n));
	}
}

/* The CN of the certificate the server presented; *chain gets the count. */
static void peer_cn(struct client *c, char *cn, size_t cnlen, unsigned *chain)
{
	const gnutls_datum_t *certs = gnutls_certificate_get_peers(c->s, chain);
	ck_assert_ptr_nonnull(certs);
	gnutls_x509_crt_t crt;
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER), 0);
	ck_assert_int_eq(
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &cnlen), 0);
	gnutls_x509_crt_deinit(crt);
}

/* One full echo conversation; returns the server's report (caller frees). */
static char *echo_session(const struct config *cfg, const struct client_opts *o,
			  gnutls_protocol_t want_version, char *cn, size_t cnlen,
			  gnutls_datum_t *save, bool *resumed)
{
	struct server s;
	struct client c;
	struct buf got = BUF_INIT(0);
	server_start(&s, cfg, MODE_ECHO);
	int r = client_connect(&c, &s, o);
	ck_assert_msg(r == 0, "client handshake: %s", gnutls_strerror(r));
	if (want_version)
		ck_assert_int_eq(gnutls_protocol_get_version(c.s), want_version);
	ck_assert(client_expect(&c, &got, "\r\n"));
	ck_assert_msg(strncmp(got.s, "* OK TLSv1.", 11) == 0, "greeting: %s", got.s);
	if (cn) {
		unsigned chain = 0;
		peer_cn(&c, cn, cnlen, &chain);
		ck_assert_uint_eq(chain, 2); /* leaf and CA: the whole file was sent */
	}
	if (resumed)
		*resumed = gnutls_session_is_resumed(c.s) != 0;
	client_send(&c, "a1 NOOP\r\n");
	ck_assert(client_expect(&c, &got, "a1 NOOP\r\n"));
	if (save)
		ck_assert_int_eq(gnutls_session_get_data2(c.s, save), 0);
	client_send(&c, "BYE\r\n");
	ck_assert(client_until_close(&c, &got));
	ck_assert_ptr_nonnull(strstr(got.s, "BYE\r\n"));
	client_free(&c);
	buf_free(&got);
	return server_finish(&s);
}

#define ck_assert_has(hay, needle)                                                                 \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "\"%s\" lacks \"%s\"", (hay), (needle))

/* ---- tests ---------------------------------------------------------------- */

START_TEST(config_tls_keys)
{
	struct config cfg;
	config_defaults(&cfg);
	ck_assert_str_eq(cfg.tls_sni_dir, "");
	ck_assert_str_eq(cfg.tls_ticket_key, "");
	ck_assert_uint_eq(cfg.tls_ticket_rotate, 43200);
	/* The default priority string is one GnuTLS accepts. */
	gnutls_priority_t p;
	ck_assert_int_eq(gnutls_priority_init(&p, cfg.tls_priority, NULL), 0);
	gnutls_priority_deinit(p);
	set_key(&cfg, "tls_sni_dir", "/etc/imapd/sni");
	struct buf out = BUF_INIT(0);
	ck_assert(config_dump(&cfg, &out));
	ck_assert_has(out.s, "tls_sni_dir = /etc/imapd/sni\n");
	buf_free(&out);
	struct buf err = BUF_INIT(0);
	ck_assert(!config_set_line(&cfg, "tls_ticket_rotate = 10", "f", 3, &err));
	ck_assert_has(err.s, "f:3: tls_ticket_rotate: out of range");
	buf_free(&err);
}
END_TEST

START_TEST(handshake_tls13)
{
	struct config cfg;
	base_config(&cfg);
	struct client_opts o = {.prio = "NORMAL:-VERS-ALL:+VERS-TLS1.3", .verify = "default.test"};
	char *rep = echo_session(&cfg, &o, GNUTLS_TLS1_3, NULL, 0, NULL, NULL);
	ck_assert_has(rep, "ok TLSv1.3 cipher=");
	ck_assert_has(rep, "resumed=no");
	ck_assert_has(rep, " bye");
	free(rep);
}
END_TEST

START_TEST(handshake_tls12)
{
	struct config cfg;
	base_config(&cfg);
	struct client_opts o = {.prio = "NORMAL:-VERS-ALL:+VERS-TLS1.2", .verify = "default.test"};
	char *rep = echo_session(&cfg, &o, GNUTLS_TLS1_2, NULL, 0, NULL, NULL);
	ck_assert_has(rep, "ok TLSv1.2 cipher=");
	free(rep);
}
END_TEST

START_TEST(priority_override)
{
	struct config cfg;
	base_config(&cfg);
	set_key(&cfg, "tls_priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2");
	struct client_opts o = {.verify = "default.test"}; /* offers 1.3 and 1.2 */
	char *rep = echo_session(&cfg, &o, GNUTLS_TLS1_2, NULL, 0, NULL, NULL);
	ck_assert_has(rep, "ok TLSv1.2 ");
	free(rep);
}
END_TEST

START_TEST(tls11_refused)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_ECHO);
	struct client_opts o = {.prio = "NORMAL:-VERS-ALL:+VERS-TLS1.1"};
	int r = client_connect(&c, &s, &o);
	ck_assert_int_eq(r, GNUTLS_E_FATAL_ALERT_RECEIVED);
	ck_assert_int_eq(gnutls_alert_get(c.s), GNUTLS_A_PROTOCOL_VERSION);
	client_free(&c);
	char *rep = server_finish(&s);
	ck_assert_has(rep, "handshake-failed: TLS handshake failed: ");
	ck_assert_has(rep, "version");
	free(rep);
}
END_TEST

static char *alpn_session(const char *a0, const char *a1, int *client_r, int *alert, bool *imap)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_ECHO);
	struct client_opts o = {.alpn = {a0, a1, NULL}};
	*client_r = client_connect(&c, &s, &o);
	*alert = *client_r == GNUTLS_E_FATAL_ALERT_RECEIVED ? (int)gnutls_alert_get(c.s) : -1;
	*imap = false;
	if (*client_r == 0) {
		gnutls_datum_t sel;
		*imap = gnutls_alpn_get_selected_protocol(c.s, &sel) == 0 && sel.size == 4 &&
			memcmp(sel.data, "imap", 4) == 0;
		(void)gnutls_bye(c.s, GNUTLS_SHUT_WR);
	}
	client_free(&c);
	return server_finish(&s);
}

START_TEST(alpn_imap_negotiated)
{
	int r, alert;
	bool imap;
	char *rep = alpn_session("imap", NULL, &r, &alert, &imap);
	ck_assert_int_eq(r, 0);
	ck_assert(imap);
	ck_assert_has(rep, " alpn=imap ");
	free(rep);
	rep = alpn_session("h2", "imap", &r, &alert, &imap);
	ck_assert_int_eq(r, 0);
	ck_assert(imap);
	free(rep);
}
END_TEST

START_TEST(alpn_absent_accepted)
{
	int r, alert;
	bool imap;
	char *rep = alpn_session(NULL, NULL, &r, &alert, &imap);
	ck_assert_int_eq(r, 0);
	ck_assert(!imap);
	ck_assert_has(rep, "ok TLSv1.3 ");
	ck_assert_has(rep, " alpn=- ");
	free(rep);
}
END_TEST

START_TEST(alpn_other_protocol_refused)
{
	int r, alert;
	bool imap;
	char *rep = alpn_session("h2", "http/1.1", &r, &alert, &imap);
	ck_assert_int_eq(r, GNUTLS_E_FATAL_ALERT_RECEIVED);
	ck_assert_int_eq(alert, GNUTLS_A_NO_APPLICATION_PROTOCOL);
	ck_assert_has(rep, "handshake-failed: ");
	ck_assert_has(rep, "application protocol");
	free(rep);
}
END_TEST

static void sni_case(const char *sni, const char *want_cn, const char *want_report)
{
	struct config cfg;
	base_config(&cfg);
	set_key(&cfg, "tls_sni_dir", fx("sni"));
	struct client_opts o = {.sni = sni, .verify = want_cn};
	char cn[256];
	char *rep = echo_session(&cfg, &o, 0, cn, sizeof(cn), NULL, NULL);
	ck_assert_str_eq(cn, want_cn);
	ck_assert_has(rep, want_report);
	free(rep);
}

START_TEST(sni_chooses_certificate)
{
	sni_case("alpha.test", "alpha.test", " sni=alpha.test ");
	sni_case("beta.test", "beta.test", " sni=beta.test ");
	sni_case(NULL, "default.test", " sni=- ");
	sni_case("zeta.test", "default.test", " sni=zeta.test ");
	sni_case("Mail-2.Example.test", "default.test", " api-sni=Mail-2.Example.test ");
}

/* GnuTLS refuses an SNI that is not a host name (here with '_'). */
START_TEST(sni_malformed_refused)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_ECHO);
	struct client_opts o = {.sni = "we_rd.test"};
	ck_assert_int_eq(client_connect(&c, &s, &o), GNUTLS_E_FATAL_ALERT_RECEIVED);
	client_free(&c);
	char *rep = server_finish(&s);
	ck_assert_has(rep, "handshake-failed: TLS handshake failed: ");
	ck_assert_has(rep, "SNI");
	free(rep);
}
END_TEST

/* A fresh folder under the fixture folder, for files one test changes. */
static void test_dir(char *out, size_t n)
{
	ck_assert(snprintf_ok(out, n, "%s/t-XXXXXX", fixdir));
	ck_assert_ptr_nonnull(mkdtemp(out));
}

/* The default certificate and a ticket key file: dir is a new folder, key
 * is dir/ticket.key. */
#define TICKET_DIR_MAX 128
#define TICKET_KEY_MAX 160
static void ticket_config(struct config *cfg, char dir[static TICKET_DIR_MAX],
			  char key[static TICKET_KEY_MAX])
{
	test_dir(dir, TICKET_DIR_MAX);
	ck_assert(snprintf_ok(key, TICKET_KEY_MAX, "%s/ticket.key", dir));
	base_config(cfg);
	set_key(cfg, "tls_ticket_key", key);
}

static void read_key_file(const char *path, unsigned char *key, struct stat *st)
{
	ck_assert_int_eq(stat(path, st), 0);
	ck_assert_int_eq(st->st_size, TLS_TICKET_KEY_SIZE);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, key, TLS_TICKET_KEY_SIZE), TLS_TICKET_KEY_SIZE);
	close(fd);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void age_file(const char *path, time_t seconds)
{
	struct timespec ts[2] = {{time(NULL) - seconds, 0}, {time(NULL) - seconds, 0}};
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void resumption_across_processes(const char *prio, gnutls_protocol_t v)
{
	struct config cfg;
	char dir[TICKET_DIR_MAX], key[TICKET_KEY_MAX];
	ticket_config(&cfg, dir, key);
	struct client_opts o = {.prio = prio, .verify = "default.test"};
	gnutls_datum_t ticket = {NULL, 0};
	bool resumed = true;
	char *rep = echo_session(&cfg, &o, v, NULL, 0, &ticket, &resumed);
	ck_assert(!resumed);
	ck_assert_has(rep, "resumed=no");
	free(rep);
	o.resume = &ticket;
	rep = echo_session(&cfg, &o, v, NULL, 0, NULL, &resumed);
	ck_assert(resumed);
	ck_assert_has(rep, "resumed=yes api-resumed=1");
	free(rep);
	gnutls_free(ticket.data);
}

START_TEST(resumption_tls13)
{
	resumption_across_processes("NORMAL:-VERS-ALL:+VERS-TLS1.3", GNUTLS_TLS1_3);
}
END_TEST

START_TEST(resumption_tls12)
{
	resumption_across_processes("NORMAL:-VERS-ALL:+VERS-TLS1.2", GNUTLS_TLS1_2);
}
END_TEST

/* Without a shared key file a ticket from one process is useless to the next. */
START_TEST(no_ticket_key_no_resumption)
{
	struct config cfg;
	base_config(&cfg);
	struct client_opts o = {.verify = "default.test"};
	gnutls_datum_t ticket = {NULL, 0};
	bool resumed;
	char *rep = echo_session(&cfg, &o, GNUTLS_TLS1_3, NULL, 0, &ticket, &resumed);
	free(rep);
	o.resume = &ticket;
	rep = echo_session(&cfg, &o, GNUTLS_TLS1_3, NULL, 0, NULL, &resumed);
	ck_assert(!resumed);
	ck_assert_has(rep, "resumed=no");
	free(rep);
	gnutls_free(ticket.data);
}
END_TEST

START_TEST(ticket_key_created_private_and_kept)
{
	struct config cfg;
	char dir[TICKET_DIR_MAX], key[TICKET_KEY_MAX];
	ticket_config(&cfg, dir, key);
	struct tls_server *t = NULL;
	struct buf err = BUF_INIT(0);
	ck_assert_msg(tls_server_new(&cfg, &t, &err) == 0, "%s", err.s);
	tls_server_free(&t);
	unsigned char k1[TLS_TICKET_KEY_SIZE], k2[TLS_TICKET_KEY_SIZE];
	struct stat st;
	read_key_file(key, k1, &st);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(count_entries(dir), 1); /* no temporary file left */
	ck_assert_msg(tls_server_new(&cfg, &t, &err) == 0, "%s", err.s);
	tls_server_free(&t);
	read_key_file(key, k2, &st);
	ck_assert(memcmp(k1, k2, sizeof(k1)) == 0);
	buf_free(&err);
}
END_TEST

START_TEST(ticket_key_rotated_when_old)
{
	struct config cfg;
	char dir[TICKET_DIR_MAX], key[TICKET_KEY_MAX];
	ticket_config(&cfg, dir, key);
	set_key(&cfg, "tls_ticket_rotate", "3600");
	struct client_opts o = {.verify = "default.test"};
	gnutls_datum_t t1 = {NULL, 0}, t2 = {NULL, 0};
	bool resumed;
	free(echo_session(&cfg, &o, GNUTLS_TLS1_3, NULL, 0, &t1, &resumed));
	unsigned char k1[TLS_TICKET_KEY_SIZE], k2[TLS_TICKET_KEY_SIZE];
	struct stat st;
	read_key_file(key, k1, &st);

	/* Younger than tls_ticket_rotate: kept. */
	age_file(key, 3000);
	o.resume = &t1;
	free(echo_session(&cfg, &o, GNUTLS_TLS1_3, NULL, 0, NULL, &resumed));
	ck_assert(resumed);
	read_key_file(key, k2, &st);
	ck_assert(memcmp(k1, k2, sizeof(k1)) == 0);

	/* Older: replaced, so the old ticket no longer resumes... */
	age_file(key, 3700);
	char *rep = echo_session(&cfg, &o, GNUTLS_TLS1_3, NULL, 0, &t2, &resumed);
	ck_assert(!resumed);
	ck_assert_has(rep, "resumed=no");
	free(rep);
	read_key_file(key, k2, &st);
	ck_assert(memcmp(k1, k2, sizeof(k1)) != 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_ge(st.st_mtime, time(NULL) - 600);
	ck_assert_int_eq(count_entries(dir), 1);

	/* ...and tickets under the new key resume in the next process. */
	o.resume = &t2;
	free(echo_session(&cfg, &o, GNUTLS_TLS1_3, NULL, 0, NULL, &resumed));
	ck_assert(resumed);
	gnutls_free(t1.data);
	gnutls_free(t2.data);
}
END_TEST

/* Many processes creating, then rotating, the key at once all succeed and
 * leave one complete key and no temporary files. */
static void race(const struct config *cfg)
{
	enum { N = 8 };
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			struct tls_server *t = NULL;
			struct buf err = BUF_INIT(0);
			int r = tls_server_new(cfg, &t, &err);
			tls_server_free(&t);
			_exit(r == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int status;
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

START_TEST(ticket_key_races)
{
	struct config cfg;
	char dir[TICKET_DIR_MAX], key[TICKET_KEY_MAX];
	ticket_config(&cfg, dir, key);
	race(&cfg);
	unsigned char k1[TLS_TICKET_KEY_SIZE], k2[TLS_TICKET_KEY_SIZE];
	struct stat st;
	read_key_file(key, k1, &st);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(count_entries(dir), 1);
	age_file(key, cfg.tls_ticket_rotate + 60);
	race(&cfg);
	read_key_file(key, k2, &st);
	ck_assert(memcmp(k1, k2, sizeof(k1)) != 0);
	ck_assert_int_eq(count_entries(dir), 1);
}
END_TEST

static void expect_new_error(const struct config *cfg, const char *want1, const char *want2)
{
	struct tls_server *t = (struct tls_server *)&t; /* must be reset to NULL */
	struct buf err = BUF_INIT(0);
	ck_assert_int_eq(tls_server_new(cfg, &t, &err), -1);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(err.s);
	ck_assert_has(err.s, want1);
	if (want2)
		ck_assert_has(err.s, want2);
	buf_free(&err);
}

/* A name so long that no temporary file can sit beside it: creating fails
 * with a clear error, rotating fails with a warning and the old key. */
START_TEST(ticket_key_write_failures)
{
	char dir[128], key[512], logpath[160];
	test_dir(dir, sizeof(dir));
	ck_assert(snprintf_ok(logpath, sizeof(logpath), "%s/log", dir));
	char name[251];
	memset(name, 'k', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert(snprintf_ok(key, sizeof(key), "%s/%s", dir, name));
	struct config cfg;
	base_config(&cfg);
	set_key(&cfg, "tls_ticket_key", key);
	expect_new_error(&cfg, key, "cannot create");

	unsigned char k1[TLS_TICKET_KEY_SIZE], k2[TLS_TICKET_KEY_SIZE];
	for (size_t i = 0; i < sizeof(k1); i++)
		k1[i] = (unsigned char)i;
	write_file(key, k1, sizeof(k1), 0600);
	age_file(key, cfg.tls_ticket_rotate + 60);
	log_open("imapd-test", logpath);
	struct tls_server *t = NULL;
	struct buf err = BUF_INIT(0);
	ck_assert_msg(tls_server_new(&cfg, &t, &err) == 0, "%s", err.s);
	tls_server_free(&t);
	log_close();
	struct stat st;
	read_key_file(key, k2, &st);
	ck_assert(memcmp(k1, k2, sizeof(k1)) == 0);
	int fd = open(logpath, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	char b[4096] = {0};
	ck_assert_int_gt(read(fd, b, sizeof(b) - 1), 0);
	close(fd);
	ck_assert_has(b, "keeping the old key");
	buf_free(&err);
}
END_TEST

START_TEST(ticket_key_bad_file)
{
	struct config cfg;
	char dir[128], key[160], missing[200];
	test_dir(dir, sizeof(dir));
	ck_assert(snprintf_ok(key, sizeof(key), "%s/ticket.key", dir));
	base_config(&cfg);
	set_key(&cfg, "tls_ticket_key", key);
	unsigned char k[TLS_TICKET_KEY_SIZE] = {1};
	write_file(key, k, sizeof(k), 0644);
	ck_assert_int_eq(chmod(key, 0644), 0);
	expect_new_error(&cfg, key, "readable by group or others");
	write_file(key, k, 10, 0600);
	ck_assert_int_eq(chmod(key, 0600), 0);
	expect_new_error(&cfg, key, "expected 64 bytes, found 10");
	/* A symbolic link is not followed: the key must be the file itself. */
	ck_assert(snprintf_ok(missing, sizeof(missing), "%s/link.key", dir));
	ck_assert_int_eq(symlink(key, missing), 0);
	set_key(&cfg, "tls_ticket_key", missing);
	expect_new_error(&cfg, missing, "symbolic links");
	ck_assert(snprintf_ok(missing, sizeof(missing), "%s/nonexistent/ticket.key", dir));
	set_key(&cfg, "tls_ticket_key", missing);
	expect_new_error(&cfg, missing, "No such file");
}
END_TEST

START_TEST(certificate_renewed_between_connections)
{
	struct config cfg;
	char dir[128], base[160];
	test_dir(dir, sizeof(dir));
	ck_assert(snprintf_ok(base, sizeof(base), "%s/srv", dir));
	make_pair(base, "old.test");
	base_config(&cfg);
	ck_assert(snprintf_ok(cfg.tls_cert, sizeof(cfg.tls_cert), "%s.pem", base));
	ck_assert(snprintf_ok(cfg.tls_key, sizeof(cfg.tls_key), "%s.key", base));
	char cn[256];
	struct client_opts o = {.verify = "old.test"};
	free(echo_session(&cfg, &o, 0, cn, sizeof(cn), NULL, NULL));
	ck_assert_str_eq(cn, "old.test");
	make_pair(base, "new.test");
	o.verify = "new.test";
	free(echo_session(&cfg, &o, 0, cn, sizeof(cn), NULL, NULL));
	ck_assert_str_eq(cn, "new.test");
}
END_TEST

START_TEST(expired_certificate_served_with_warning)
{
	char dir[128], base[160], logpath[160];
	test_dir(dir, sizeof(dir));
	ck_assert(snprintf_ok(base, sizeof(base), "%s/old", dir));
	ck_assert(snprintf_ok(logpath, sizeof(logpath), "%s/log", dir));
	make_pair_ex(base, "old.test", -3600);
	struct config cfg;
	base_config(&cfg);
	ck_assert(snprintf_ok(cfg.tls_cert, sizeof(cfg.tls_cert), "%s.pem", base));
	ck_assert(snprintf_ok(cfg.tls_key, sizeof(cfg.tls_key), "%s.key", base));
	log_open("imapd-test", logpath);
	struct tls_server *t = NULL;
	struct buf err = BUF_INIT(0);
	ck_assert_msg(tls_server_new(&cfg, &t, &err) == 0, "%s", err.s);
	tls_server_free(&t);
	base_config(&cfg); /* a valid one logs nothing */
	ck_assert_msg(tls_server_new(&cfg, &t, &err) == 0, "%s", err.s);
	tls_server_free(&t);
	log_close();
	struct buf log = BUF_INIT(0);
	int fd = open(logpath, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	char b[4096];
	ssize_t n;
	while ((n = read(fd, b, sizeof(b))) > 0)
		ck_assert(buf_append(&log, b, (size_t)n));
	close(fd);
	ck_assert_ptr_nonnull(log.s);
	ck_assert_has(log.s, "old.pem: certificate expired ");
	ck_assert_ptr_null(strstr(log.s, "default.pem"));
	ck_assert_ptr_null(strchr(strchr(log.s, '\n') + 1, '\n')); /* one line */
	buf_free(&log);
	buf_free(&err);
}
END_TEST

START_TEST(setup_errors_name_the_problem)
{
	struct config cfg;
	char dir[128], path[200], path2[200];
	test_dir(dir, sizeof(dir));

	base_config(&cfg);
	cfg.tls_cert[0] = '\0';
	expect_new_error(&cfg, "tls_cert is not set", NULL);
	base_config(&cfg);
	cfg.tls_key[0] = '\0';
	expect_new_error(&cfg, "tls_key is not set", NULL);

	base_config(&cfg);
	ck_assert(snprintf_ok(path, sizeof(path), "%s/missing.pem", dir));
	set_key(&cfg, "tls_cert", path);
	expect_new_error(&cfg, path, "No such file or directory");
	ck_assert_has(path, "missing.pem");

	base_config(&cfg);
	ck_assert(snprintf_ok(path, sizeof(path), "%s/missing.key", dir));
	set_key(&cfg, "tls_key", path);
	expect_new_error(&cfg, path, "No such file or directory");

	base_config(&cfg);
	set_key(&cfg, "tls_key", fx("other.key"));
	expect_new_error(&cfg, "does not match the certificate", fx("other.key"));

	ck_assert(snprintf_ok(path, sizeof(path), "%s/garbage.pem", dir));
	write_file(path, "hello\n", 6, 0644);
	base_config(&cfg);
	set_key(&cfg, "tls_cert", path);
	expect_new_error(&cfg, path, "no PEM certificate");
	base_config(&cfg);
	set_key(&cfg, "tls_key", path);
	expect_new_error(&cfg, path, "no PEM private key");

	base_config(&cfg);
	set_key(&cfg, "tls_priority", "NORMAL:+BOGUS-THING");
	expect_new_error(&cfg, "tls_priority", "+BOGUS-THING");

	base_config(&cfg);
	ck_assert(snprintf_ok(path, sizeof(path), "%s/no-such-dir", dir));
	set_key(&cfg, "tls_sni_dir", path);
	expect_new_error(&cfg, path, "No such file");

	ck_assert(snprintf_ok(path, sizeof(path), "%s/sni", dir));
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert(snprintf_ok(path2, sizeof(path2), "%s/sni/x.test.pem", dir));
	write_file(path2, "x", 1, 0644);
	set_key(&cfg, "tls_sni_dir", path);
	ck_assert(snprintf_ok(path2, sizeof(path2), "%s/sni/x.test.key", dir));
	expect_new_error(&cfg, path2, "No such file");

	/* One more than TLS_MAX_SNI_CERTS pairs is refused before reading any. */
	ck_assert(snprintf_ok(path, sizeof(path), "%s/many", dir));
	ck_assert_int_eq(mkdir(path, 0700), 0);
	for (int i = 0; i <= TLS_MAX_SNI_CERTS; i++) {
		ck_assert(snprintf_ok(path2, sizeof(path2), "%s/many/h%d.pem", dir, i));
		write_file(path2, "", 0, 0644);
	}
	set_key(&cfg, "tls_sni_dir", path);
	expect_new_error(&cfg, path, "more than 256 certificates");
}
END_TEST

START_TEST(unusable_before_handshake)
{
	struct config cfg;
	base_config(&cfg);
	struct tls_server *t = NULL;
	struct buf err = BUF_INIT(0);
	ck_assert_int_eq(tls_server_new(&cfg, &t, &err), 0);
	struct io_transport tr;
	tls_server_transport(t, &tr);
	char b[4];
	errno = 0;
	ck_assert_int_eq(tr.read(tr.ctx, b, sizeof(b)), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(tr.write(tr.ctx, "x", 1), -1);
	ck_assert_uint_eq(tr.pending(tr.ctx), 0);
	ck_assert_str_eq(tls_server_info(t), "");
	ck_assert(!tls_server_resumed(t));
	tls_server_bye(t); /* nothing to close: must not touch any fd */

	/* A failed handshake leaves an object that refuses a second attempt. */
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	ck_assert_int_eq(tls_server_handshake(t, sv[0], sv[0], 5000, &err), -1);
	ck_assert_has(err.s, "client closed the connection");
	buf_reset(&err);
	ck_assert_int_eq(tls_server_handshake(t, sv[0], sv[0], 5000, &err), -1);
	ck_assert_has(err.s, "already");
	close(sv[0]);
	tls_server_free(&t);
	ck_assert_ptr_null(t);
	tls_server_free(&t);
	tls_server_free(NULL);
	buf_free(&err);
}
END_TEST

START_TEST(handshake_timeout)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	server_start_ex(&s, &cfg, MODE_ECHO, false, 300);
	/* Three bytes of a record header, then silence. */
	ck_assert_int_eq(write(s.in_w, "\x16\x03\x01", 3), 3);
	char *rep = server_finish_ex(&s, false);
	ck_assert_has(rep, "handshake-failed: TLS handshake timed out after 300 ms");
	free(rep);
}
END_TEST

/* A client rejecting the certificate says so, and the reason is reported. */
START_TEST(client_alert_reported)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_ECHO);
	struct client_opts o = {.verify = "wrong.test"};
	ck_assert_int_eq(client_connect(&c, &s, &o), GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR);
	client_free(&c);
	char *rep = server_finish_ex(&s, false); /* the socket stays open meanwhile */
	ck_assert_has(rep, "handshake-failed: TLS handshake failed: client sent alert \"");
	free(rep);
}
END_TEST

/* Plaintext sent before the ClientHello (as after an injected STARTTLS) is
 * never taken as TLS: the handshake fails instead. */
START_TEST(plaintext_before_hello_fails)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_ECHO);
	ck_assert_int_eq(write(s.in_w, "a2 LOGIN x y\r\n", 14), 14);
	struct client_opts o = {0};
	ck_assert_int_lt(client_connect(&c, &s, &o), 0);
	client_free(&c);
	char *rep = server_finish(&s);
	ck_assert_has(rep, "handshake-failed: TLS handshake failed");
	free(rep);
}
END_TEST

START_TEST(roundtrip_1mb)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_BULK);
	struct client_opts o = {0};
	ck_assert_int_eq(client_connect(&c, &s, &o), 0);
	unsigned char *out = malloc(PAYLOAD_SIZE);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, out, PAYLOAD_SIZE), 0);
	for (size_t off = 0; off < PAYLOAD_SIZE;) {
		ssize_t n = gnutls_record_send(c.s, out + off, PAYLOAD_SIZE - off);
		ck_assert_int_gt(n, 0);
		off += (size_t)n;
	}
	struct buf back = BUF_INIT(PAYLOAD_SIZE);
	ck_assert(client_until_close(&c, &back));
	ck_assert_uint_eq(back.len, PAYLOAD_SIZE);
	ck_assert(memcmp(back.s, out, PAYLOAD_SIZE) == 0);
	client_free(&c);
	char *rep = server_finish(&s);
	ck_assert_has(rep, " got=1048576 sent");
	free(rep);
	free(out);
	buf_free(&back);
}
END_TEST

/* Over a pipe pair (in != out), as under inetd with separate fds. */
START_TEST(pending_and_nonblocking_reads)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start_ex(&s, &cfg, MODE_PENDING, true, HANDSHAKE_MS);
	struct client_opts o = {0};
	ck_assert_int_eq(client_connect(&c, &s, &o), 0);
	client_send(&c, "hello");
	struct buf got = BUF_INIT(0);
	ck_assert(client_expect(&c, &got, "ack"));
	client_send(&c, "world");
	ck_assert(client_until_close(&c, &got));
	client_free(&c);
	char *rep = server_finish(&s);
	ck_assert_has(rep, " p0=0 r1=3:hel p1=2 r2=2:lo p2=0 r3=-1:EAGAIN r4=5:world");
	free(rep);
	buf_free(&got);
}
END_TEST

/* Client leaving without close_notify reads as EOF on the server. */
START_TEST(client_vanishes_reads_eof)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_ECHO);
	struct client_opts o = {0};
	ck_assert_int_eq(client_connect(&c, &s, &o), 0);
	struct buf got = BUF_INIT(0);
	ck_assert(client_expect(&c, &got, "\r\n"));
	client_free(&c);
	char *rep = server_finish(&s); /* closes the socket, no close_notify */
	ck_assert_has(rep, " eof");
	free(rep);
	buf_free(&got);
}
END_TEST

/* write() keeps GnuTLS's queued record across EAGAIN and completes it when
 * offered the same bytes again, so nothing is lost or doubled. */
START_TEST(nonblocking_writes_resume_after_eagain)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_FLOOD);
	struct client_opts o = {0};
	ck_assert_int_eq(client_connect(&c, &s, &o), 0);
	char x;
	ck_assert_int_eq(read(s.sync, &x, 1), 1); /* the server saw EAGAIN */
	struct buf got = BUF_INIT(PAYLOAD_SIZE);
	ck_assert(client_until_close(&c, &got));
	ck_assert_uint_eq(got.len, PAYLOAD_SIZE);
	for (size_t i = 0; i < PAYLOAD_SIZE; i++)
		if ((unsigned char)got.s[i] != pattern_byte(i))
			ck_abort_msg("byte %zu differs", i);
	client_free(&c);
	char *rep = server_finish(&s);
	ck_assert_has(rep, " shorter=-1:EINVAL flood=1048576 eagain=yes");
	free(rep);
	buf_free(&got);
}
END_TEST

/* A client that has gone, with or without close_notify, reads as EOF every
 * time and yields EPIPE on write, not a SIGPIPE death. */
static void epipe_case(bool close_notify)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_EPIPE);
	struct client_opts o = {0};
	ck_assert_int_eq(client_connect(&c, &s, &o), 0);
	if (close_notify)
		ck_assert_int_eq(gnutls_bye(c.s, GNUTLS_SHUT_WR), 0);
	client_free(&c);
	char *rep = server_finish(&s); /* also checks the child exited normally */
	ck_assert_has(rep, " read=0 again=0 write-error=EPIPE");
	free(rep);
}

START_TEST(write_after_client_gone_is_epipe)
{
	epipe_case(false);
	epipe_case(true);
}
END_TEST

/* close_notify cannot be sent to a client that reads nothing: bye gives up
 * after TLS_BYE_TIMEOUT_MS instead of blocking the process. */
START_TEST(bye_returns_when_client_stalls)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_STALL);
	struct client_opts o = {0};
	ck_assert_int_eq(client_connect(&c, &s, &o), 0);
	char *rep = server_finish_ex(&s, false); /* the client reads nothing meanwhile */
	ck_assert_has(rep, " stalled bye-returned");
	free(rep);
	client_free(&c);
}
END_TEST

/* TLS 1.2 renegotiation is refused: the read fails with EPROTO. */
START_TEST(renegotiation_refused)
{
	struct config cfg;
	base_config(&cfg);
	struct server s;
	struct client c;
	server_start(&s, &cfg, MODE_ECHO);
	struct client_opts o = {.prio = "NORMAL:-VERS-ALL:+VERS-TLS1.2"};
	ck_assert_int_eq(client_connect(&c, &s, &o), 0);
	struct buf got = BUF_INIT(0);
	ck_assert(client_expect(&c, &got, "\r\n"));
	int r;
	do
		r = gnutls_handshake(c.s);
	while (r < 0 && !gnutls_error_is_fatal(r));
	ck_assert_int_ne(r, 0);
	client_free(&c);
	char *rep = server_finish(&s);
	ck_assert_has(rep, " read-error=Protocol error");
	free(rep);
	buf_free(&got);
}
END_TEST

/* ---- external clients over loopback TCP ----------------------------------- */

/* Listens on 127.0.0.1, port chosen by the kernel; a child accepts nconn
 * connections and serves each in a process of its own, like inetd. */
static void tcp_server_start(struct server *s, const struct config *cfg, int nconn, int *port)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(l, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(l, 4), 0);
	socklen_t alen = sizeof(a);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	int rp[2];
	ck_assert_int_eq(pipe(rp), 0);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		close(rp[0]);
		for (int i = 0; i < nconn; i++) {
			int fd = accept(l, NULL, NULL);
			ck_assert_int_ge(fd, 0);
			pid_t p = fork();
			ck_assert_int_ge(p, 0);
			if (p == 0) {
				close(l);
				server_child(cfg, fd, fd, MODE_ECHO, HANDSHAKE_MS, rp[1], -1);
			}
			close(fd);
			int status;
			ck_assert_int_eq(waitpid(p, &status, 0), p);
			ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
		_exit(0);
	}
	close(l);
	close(rp[1]);
	s->report = rp[0];
	s->fd = s->in_w = s->out_r = s->sync = -1;
}

/* Runs argv with input on stdin; stdout and stderr go to out. Exit status. */
static int run_client(char *const argv[], const char *input, struct buf *out)
{
	int in[2], o[2];
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(o), 0);
	pid_t p = fork();
	ck_assert_int_ge(p, 0);
	if (p == 0) {
		dup2(in[0], 0);
		dup2(o[1], 1);
		dup2(o[1], 2);
		close(in[0]);
		close(in[1]);
		close(o[0]);
		close(o[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(o[1]);
	ck_assert_int_eq(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
	close(in[1]);
	char b[4096];
	ssize_t n;
	while ((n = read(o[0], b, sizeof(b))) > 0)
		ck_assert(buf_append(out, b, (size_t)n));
	close(o[0]);
	int status;
	ck_assert_int_eq(waitpid(p, &status, 0), p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

START_TEST(openssl_s_client)
{
	struct config cfg;
	base_config(&cfg);
	set_key(&cfg, "tls_sni_dir", fx("sni"));
	struct server s;
	int port;
	tcp_server_start(&s, &cfg, 1, &port);
	char connect[64], ca[256];
	ck_assert(snprintf_ok(connect, sizeof(connect), "127.0.0.1:%d", port));
	ck_assert(strlcpy_ok(ca, fx("ca.pem"), sizeof(ca)));
	char *argv[] = {"openssl",
			"s_client",
			"-connect",
			connect,
			"-servername",
			"alpha.test",
			"-alpn",
			"imap",
			"-CAfile",
			ca,
			"-verify_hostname",
			"alpha.test",
			"-verify_return_error",
			"-ign_eof",
			"-brief",
			NULL};
	struct buf out = BUF_INIT(0);
	int rc = run_client(argv, "hello\nBYE\n", &out);
	ck_assert_msg(rc == 0, "openssl exit %d: %s", rc, out.s);
	ck_assert_has(out.s, "* OK TLSv1.3 ");
	ck_assert_has(out.s, " sni=alpha.test alpn=imap ");
	ck_assert_has(out.s, "hello\nBYE\n");
	ck_assert_has(out.s, "Verification: OK");
	char *rep = server_finish(&s);
	ck_assert_has(rep, "ok TLSv1.3 ");
	ck_assert_has(rep, " bye");
	free(rep);
	buf_free(&out);
}
END_TEST

/* gnutls-cli --resume connects twice: two server processes, one ticket key. */
START_TEST(gnutls_cli_resumes)
{
	struct config cfg;
	char dir[TICKET_DIR_MAX], key[TICKET_KEY_MAX];
	ticket_config(&cfg, dir, key);
	set_key(&cfg, "tls_sni_dir", fx("sni"));
	struct server s;
	int port;
	tcp_server_start(&s, &cfg, 2, &port);
	char portstr[16], ca[256];
	ck_assert(snprintf_ok(portstr, sizeof(portstr), "%d", port));
	ck_assert(strlcpy_ok(ca, fx("ca.pem"), sizeof(ca)));
	char *argv[] = {"gnutls-cli", "-p",
			portstr,      "--x509cafile",
			ca,	      "--alpn",
			"imap",	      "--sni-hostname",
			"beta.test",  "--verify-hostname",
			"beta.test",  "--resume",
			"127.0.0.1",  NULL};
	struct buf out = BUF_INIT(0);
	int rc = run_client(argv, "hello\n", &out);
	ck_assert_msg(rc == 0, "gnutls-cli exit %d: %s", rc, out.s);
	ck_assert_has(out.s, "This is a resumed session");
	ck_assert_has(out.s, "resumed=yes");
	char *rep = server_finish(&s);
	ck_assert_has(rep, "resumed=no api-resumed=0");
	ck_assert_has(rep, "resumed=yes api-resumed=1");
	free(rep);
	buf_free(&out);
}
END_TEST

/* Runs once in the test runner before the forked tests: CA and default pair. */
static void fixtures_setup(void)
{
	ck_assert(snprintf_ok(fixdir, sizeof(fixdir), "/tmp/imapd-tls-XXXXXX"));
	ck_assert_ptr_nonnull(mkdtemp(fixdir));
	signal(SIGPIPE, SIG_IGN);
	ca_key = new_key();
	ca_crt = new_cert("imapd test CA", ca_key, true, 2 * 86400);
	FILE *f = fopen(fx("ca.pem"), "w");
	ck_assert_ptr_nonnull(f);
	write_pem_crt(f, ca_crt);
	ck_assert_int_eq(fclose(f), 0);
	char base[256];
	ck_assert(snprintf_ok(base, sizeof(base), "%s/default", fixdir));
	make_pair(base, "default.test");
	ck_assert(snprintf_ok(base, sizeof(base), "%s/other", fixdir));
	make_pair(base, "other.test");
	ck_assert_int_eq(mkdir(fx("sni"), 0700), 0);
	ck_assert(snprintf_ok(base, sizeof(base), "%s/sni/alpha.test", fixdir));
	make_pair(base, "alpha.test");
	ck_assert(snprintf_ok(base, sizeof(base), "%s/sni/beta.test", fixdir));
	make_pair(base, "beta.test");
	/* Not certificate pairs: ignored. */
	write_file(fx("sni/README"), "one pair per host\n", 18, 0644);
	write_file(fx("sni/.editor-swap.pem"), "x", 1, 0644);
}

static void fixtures_teardown(void)
{
	char cmd[128];
	if (fixdir[0] && snprintf_ok(cmd, sizeof(cmd), "rm -rf '%s'", fixdir))
		ck_assert_int_eq(system(cmd), 0);
	gnutls_x509_crt_deinit(ca_crt);
	gnutls_x509_privkey_deinit(ca_key);
}

int main(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, fixtures_setup, fixtures_teardown);
	tcase_add_test(tc, config_tls_keys);
	tcase_add_test(tc, handshake_tls13);
	tcase_add_test(tc, handshake_tls12);
	tcase_add_test(tc, priority_override);
	tcase_add_test(tc, tls11_refused);
	tcase_add_test(tc, alpn_imap_negotiated);
	tcase_add_test(tc, alpn_absent_accepted);
	tcase_add_test(tc, alpn_other_protocol_refused);
	tcase_add_test(tc, sni_chooses_certificate);
	tcase_add_test(tc, sni_malformed_refused);
	tcase_add_test(tc, resumption_tls13);
	tcase_add_test(tc, resumption_tls12);
	tcase_add_test(tc, no_ticket_key_no_resumption);
	tcase_add_test(tc, ticket_key_created_private_and_kept);
	tcase_add_test(tc, ticket_key_rotated_when_old);
	tcase_add_test(tc, ticket_key_races);
	tcase_add_test(tc, ticket_key_bad_file);
	tcase_add_test(tc, ticket_key_write_failures);
	tcase_add_test(tc, certificate_renewed_between_connections);
	tcase_add_test(tc, setup_errors_name_the_problem);
	tcase_add_test(tc, expired_certificate_served_with_warning);
	tcase_add_test(tc, unusable_before_handshake);
	tcase_add_test(tc, handshake_timeout);
	tcase_add_test(tc, plaintext_before_hello_fails);
	tcase_add_test(tc, client_alert_reported);
	tcase_add_test(tc, roundtrip_1mb);
	tcase_add_test(tc, pending_and_nonblocking_reads);
	tcase_add_test(tc, client_vanishes_reads_eof);
	tcase_add_test(tc, nonblocking_writes_resume_after_eagain);
	tcase_add_test(tc, write_after_client_gone_is_epipe);
	tcase_add_test(tc, renegotiation_refused);
	tcase_add_test(tc, bye_returns_when_client_stalls);
	tcase_add_test(tc, openssl_s_client);
	tcase_add_test(tc, gnutls_cli_resumes);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
