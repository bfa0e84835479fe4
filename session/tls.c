/* tls: GnuTLS server sessions over a pair of file descriptors. See tls.h. */
#include "session/tls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "lib/log.h"

/* Consecutive non-fatal warnings (alerts) one read() skips before giving up,
 * so a client cannot keep a blocking read busy with alerts alone. */
#define TLS_MAX_WARNINGS 8
/* Attempts to read tls_ticket_key while other processes replace it. */
#define TICKET_KEY_ATTEMPTS 4

enum tls_state { TLS_NEW, TLS_READY, TLS_FAILED, TLS_CLOSED };

struct tls_server {
	gnutls_session_t session;
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	enum tls_state state;
	int in_fd, out_fd;
	bool out_is_socket; /* send(MSG_NOSIGNAL) rather than write(2) */
	bool blocking;	    /* handshake and bye: wait for the fds until the deadline */
	int64_t deadline;   /* CLOCK_MONOTONIC ms; 0: none */
	bool timed_out;
	bool saw_eof;
	int io_errno;	 /* errno of the last failed read or write on an fd */
	size_t wpending; /* bytes of a record GnuTLS holds after EAGAIN/EINTR */
	bool resumed;
	char sni[256];
	char info[TLS_INFO_MAX];
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready or the deadline passes (-1, errno ETIMEDOUT). */
static int wait_fd(struct tls_server *t, int fd, short events)
{
	for (;;) {
		int ms = -1;
		if (t->deadline) {
			int64_t left = t->deadline - now_ms();
			if (left <= 0) {
				t->timed_out = true;
				errno = ETIMEDOUT;
				return -1;
			}
			ms = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, ms);
		if (r > 0)
			return 0; /* readable, writable, or an error the next call reports */
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static bool retry_errno(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

static ssize_t pull_fn(gnutls_transport_ptr_t p, void *data, size_t n)
{
	struct tls_server *t = p;
	for (;;) {
		if (t->blocking && wait_fd(t, t->in_fd, POLLIN) < 0)
			break;
		ssize_t r = read(t->in_fd, data, n);
		if (r == 0)
			t->saw_eof = true;
		if (r >= 0)
			return r;
		if (!(t->blocking && retry_errno(errno)))
			break;
	}
	t->io_errno = errno;
	gnutls_transport_set_errno(t->session, errno);
	return -1;
}

static ssize_t push_fn(gnutls_transport_ptr_t p, const void *data, size_t n)
{
	struct tls_server *t = p;
	for (;;) {
		if (t->blocking && wait_fd(t, t->out_fd, POLLOUT) < 0)
			break;
		/* MSG_NOSIGNAL: a vanished client must not kill the process. */
		ssize_t r = t->out_is_socket ? send(t->out_fd, data, n, MSG_NOSIGNAL)
					     : write(t->out_fd, data, n);
		if (r >= 0)
			return r;
		if (!(t->blocking && retry_errno(errno)))
			break;
	}
	t->io_errno = errno;
	gnutls_transport_set_errno(t->session, errno);
	return -1;
}

/* GnuTLS asks this before some reads; ms is GNUTLS_INDEFINITE_TIMEOUT or ms. */
static int pull_timeout_fn(gnutls_transport_ptr_t p, unsigned int ms)
{
	struct tls_server *t = p;
	struct pollfd pf = {.fd = t->in_fd, .events = POLLIN};
	int r;
	do
		r = poll(&pf, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Reads a whole file of at most TLS_MAX_FILE_SIZE bytes into b. */
static int read_file(const char *what, const char *path, struct buf *b, struct buf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		buf_appendf(err, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_appendf(err, "%s %s: not a regular file", what, path);
		close(fd);
		return -1;
	}
	b->max = TLS_MAX_FILE_SIZE;
	/* One allocation up front so no stray copy of a key is left by realloc. */
	if (st.st_size > 0 && st.st_size <= TLS_MAX_FILE_SIZE)
		(void)buf_reserve(b, (size_t)st.st_size);
	for (;;) {
		char chunk[4096];
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			buf_appendf(err, "%s %s: %s", what, path, strerror(errno));
			break;
		}
		if (r == 0) {
			close(fd);
			gnutls_memset(chunk, 0, sizeof(chunk));
			return 0;
		}
		if (!buf_append(b, chunk, (size_t)r)) {
			buf_appendf(err, "%s %s: larger than %u bytes", what, path,
				    TLS_MAX_FILE_SIZE);
			break;
		}
		gnutls_memset(chunk, 0, sizeof(chunk));
	}
	close(fd);
	return -1;
}

static void wipe_free(struct buf *b)
{
	if (b->s)
		gnutls_memset(b->s, 0, b->cap);
	buf_free(b);
}

/* An expired certificate is still served (refusing TLS would help no one),
 * but the log says why clients complain. */
static void warn_validity(const char *what, const char *path, gnutls_x509_crt_t leaf)
{
	time_t now = time(NULL);
	time_t from = gnutls_x509_crt_get_activation_time(leaf);
	time_t until = gnutls_x509_crt_get_expiration_time(leaf);
	bool expired = until != (time_t)-1 && until < now;
	bool early = from != (time_t)-1 && from > now;
	if (!expired && !early)
		return;
	char when[32];
	struct tm tm;
	time_t at = expired ? until : from;
	if (!gmtime_r(&at, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		when[0] = '\0';
	log_warn("%s %s: certificate %s %s", what, path, expired ? "expired" : "not valid before",
		 when);
}

/* Adds one certificate chain and its key to the credentials. */
static int load_pair(gnutls_certificate_credentials_t cred, const char *cert_what,
		     const char *cert_path, const char *key_what, const char *key_path,
		     struct buf *err)
{
	struct buf cb = BUF_INIT(0), kb = BUF_INIT(0);
	gnutls_x509_crt_t *crts = NULL;
	unsigned ncrts = 0;
	gnutls_x509_privkey_t key = NULL;
	int ret = -1;

	if (read_file(cert_what, cert_path, &cb, err) < 0 ||
	    read_file(key_what, key_path, &kb, err) < 0)
		goto out;
	gnutls_datum_t cd = {(unsigned char *)cb.s, (unsigned)cb.len};
	gnutls_datum_t kd = {(unsigned char *)kb.s, (unsigned)kb.len};
	int r = gnutls_x509_crt_list_import2(&crts, &ncrts, &cd, GNUTLS_X509_FMT_PEM,
					     GNUTLS_X509_CRT_LIST_SORT);
	if (r < 0 || ncrts == 0) {
		buf_appendf(err, "%s %s: no PEM certificate could be read: %s", cert_what,
			    cert_path, r < 0 ? gnutls_strerror(r) : "empty");
		ncrts = 0;
		goto out;
	}
	warn_validity(cert_what, cert_path, crts[0]);
	r = gnutls_x509_privkey_init(&key);
	if (r >= 0)
		r = gnutls_x509_privkey_import2(key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (r < 0) {
		buf_appendf(err, "%s %s: no PEM private key could be read: %s", key_what, key_path,
			    gnutls_strerror(r));
		goto out;
	}
	r = gnutls_certificate_set_x509_key(cred, crts, ncrts, key);
	if (r == GNUTLS_E_CERTIFICATE_KEY_MISMATCH) {
		buf_appendf(err, "%s %s: does not match the certificate in %s", key_what, key_path,
			    cert_path);
		goto out;
	}
	if (r < 0) {
		buf_appendf(err, "%s %s: cannot be used with %s: %s", cert_what, cert_path,
			    key_path, gnutls_strerror(r));
		goto out;
	}
	ret = 0;
out:
	if (key)
		gnutls_x509_privkey_deinit(key);
	for (unsigned i = 0; i < ncrts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	wipe_free(&kb);
	wipe_free(&cb);
	return ret;
}

static int pem_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".pem") == 0;
}

/* Loads every <name>.pem + <name>.key pair of dir, in name order. */
static int load_sni_dir(gnutls_certificate_credentials_t cred, const char *dir, struct buf *err)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, pem_filter, alphasort);
	if (n < 0) {
		buf_appendf(err, "tls_sni_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	int ret = 0;
	if (n > TLS_MAX_SNI_CERTS) {
		buf_appendf(err, "tls_sni_dir %s: more than %d certificates", dir,
			    TLS_MAX_SNI_CERTS);
		ret = -1;
	}
	for (int i = 0; i < n && ret == 0; i++) {
		const char *name = ents[i]->d_name;
		char cert[4096 + 256], key[4096 + 256];
		if (!snprintf_ok(cert, sizeof(cert), "%s/%s", dir, name) ||
		    !snprintf_ok(key, sizeof(key), "%s/%.*s.key", dir, (int)(strlen(name) - 4),
				 name)) {
			buf_appendf(err, "tls_sni_dir %s: path too long", dir);
			ret = -1;
			break;
		}
		ret = load_pair(cred, "tls_sni_dir certificate", cert, "tls_sni_dir key", key, err);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t r = write(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Writes a fresh random key next to path and moves it into place: with
 * link(2) when creating, so a key another process already placed is never
 * replaced (returns 1 then); with rename(2) when rotating. */
static int ticket_key_write(const char *path, bool replace, unsigned char *key, struct buf *err)
{
	char tmp[4096 + 16];
	if (!snprintf_ok(tmp, sizeof(tmp), "%s.XXXXXX", path)) {
		buf_appendf(err, "tls_ticket_key %s: path too long", path);
		return -1;
	}
	int r = gnutls_rnd(GNUTLS_RND_KEY, key, TLS_TICKET_KEY_SIZE);
	if (r < 0) {
		buf_appendf(err, "tls_ticket_key %s: no random bytes: %s", path,
			    gnutls_strerror(r));
		return -1;
	}
	int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd < 0) {
		buf_appendf(err, "tls_ticket_key %s: cannot create %s: %s", path, tmp,
			    strerror(errno));
		return -1;
	}
	int ret = -1;
	if (fchmod(fd, 0600) < 0 || write_all(fd, key, TLS_TICKET_KEY_SIZE) < 0 || fsync(fd) < 0) {
		buf_appendf(err, "tls_ticket_key %s: cannot write %s: %s", path, tmp,
			    strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		buf_appendf(err, "tls_ticket_key %s: cannot write %s: %s", path, tmp,
			    strerror(errno));
		goto out;
	}
	if (replace ? rename(tmp, path) : link(tmp, path)) {
		if (!replace && errno == EEXIST)
			ret = 1;
		else
			buf_appendf(err, "tls_ticket_key %s: cannot put the new key in place: %s",
				    path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (ret != 0 || !replace)
		unlink(tmp);
	return ret;
}

/* Puts the current ticket key of path into key, creating or rotating the
 * file as needed. Rotation happens under flock(2) on the old file, and only
 * if the path still names that file, so racing processes agree on one key. */
static int ticket_key_load(const char *path, unsigned rotate, unsigned char *key, struct buf *err)
{
	for (int attempt = 0; attempt < TICKET_KEY_ATTEMPTS; attempt++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			if (errno != ENOENT) {
				buf_appendf(err, "tls_ticket_key %s: %s", path, strerror(errno));
				return -1;
			}
			int r = ticket_key_write(path, false, key, err);
			if (r <= 0)
				return r;
			continue; /* another process created it first: use theirs */
		}
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			buf_appendf(err, "tls_ticket_key %s: not a regular file", path);
			goto fail;
		}
		if (st.st_mode & 077) {
			buf_appendf(err,
				    "tls_ticket_key %s: readable by group or others (mode %03o)",
				    path, (unsigned)(st.st_mode & 0777));
			goto fail;
		}
		if (st.st_size != TLS_TICKET_KEY_SIZE) {
			buf_appendf(err, "tls_ticket_key %s: expected %d bytes, found %lld", path,
				    TLS_TICKET_KEY_SIZE, (long long)st.st_size);
			goto fail;
		}
		size_t got = 0;
		while (got < TLS_TICKET_KEY_SIZE) {
			ssize_t r = read(fd, key + got, TLS_TICKET_KEY_SIZE - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				buf_appendf(err, "tls_ticket_key %s: %s", path,
					    r < 0 ? strerror(errno) : "short read");
				goto fail;
			}
			got += (size_t)r;
		}
		time_t now = time(NULL);
		if (now - st.st_mtime <= (time_t)rotate) {
			close(fd);
			return 0;
		}
		struct stat cur;
		if (flock(fd, LOCK_EX) == 0 && stat(path, &cur) == 0 &&
		    (cur.st_ino != st.st_ino || cur.st_dev != st.st_dev)) {
			close(fd); /* rotated by another process meanwhile: read that one */
			continue;
		}
		unsigned char fresh[TLS_TICKET_KEY_SIZE];
		struct buf why = BUF_INIT(1024);
		if (ticket_key_write(path, true, fresh, &why) == 0)
			memcpy(key, fresh, sizeof(fresh));
		else /* still a working key; serving beats failing over rotation */
			log_warn("%s; keeping the old key", why.s ? why.s : "ticket key rotation");
		gnutls_memset(fresh, 0, sizeof(fresh));
		buf_free(&why);
		close(fd);
		return 0;
	fail:
		close(fd);
		return -1;
	}
	buf_appendf(err, "tls_ticket_key %s: keeps changing while being read", path);
	return -1;
}

int tls_server_new(const struct config *cfg, struct tls_server **out, struct buf *err)
{
	*out = NULL;
	if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
		buf_appendf(err, "%s is not set", cfg->tls_cert[0] ? "tls_key" : "tls_cert");
		return -1;
	}
	struct tls_server *t = calloc(1, sizeof(*t));
	if (!t) {
		buf_appends(err, "TLS: out of memory");
		return -1;
	}
	t->in_fd = t->out_fd = -1;
	unsigned char tkey[TLS_TICKET_KEY_SIZE];
	bool tickets = false;
	const char *where = "TLS setup";
	int r = gnutls_certificate_allocate_credentials(&t->cred);
	if (r < 0)
		goto gnutls_fail;
	if (load_pair(t->cred, "tls_cert", cfg->tls_cert, "tls_key", cfg->tls_key, err) < 0)
		goto fail;
	if (cfg->tls_sni_dir[0] && load_sni_dir(t->cred, cfg->tls_sni_dir, err) < 0)
		goto fail;
	/* Only for TLS 1.2 DHE suites; RFC 7919 groups when the client names one. */
	(void)gnutls_certificate_set_known_dh_params(t->cred, GNUTLS_SEC_PARAM_HIGH);

	const char *errpos = NULL;
	r = gnutls_priority_init(&t->prio, cfg->tls_priority, &errpos);
	if (r < 0) {
		t->prio = NULL;
		buf_appendf(err, "tls_priority \"%s\": invalid at \"%s\": %s", cfg->tls_priority,
			    errpos ? errpos : "", gnutls_strerror(r));
		goto fail;
	}
	if (cfg->tls_ticket_key[0]) {
		if (ticket_key_load(cfg->tls_ticket_key, cfg->tls_ticket_rotate, tkey, err) < 0)
			goto fail;
		tickets = true;
	}

	where = "TLS session";
	r = gnutls_init(&t->session, GNUTLS_SERVER | GNUTLS_NO_SIGNAL);
	if (r < 0) {
		t->session = NULL;
		goto gnutls_fail;
	}
	if ((r = gnutls_priority_set(t->session, t->prio)) < 0 ||
	    (r = gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE, t->cred)) < 0)
		goto gnutls_fail;
	gnutls_certificate_server_set_request(t->session, GNUTLS_CERT_IGNORE);
	const gnutls_datum_t alpn = {(unsigned char *)"imap", 4};
	where = "TLS ALPN";
	if ((r = gnutls_alpn_set_protocols(t->session, &alpn, 1, GNUTLS_ALPN_MANDATORY)) < 0)
		goto gnutls_fail;
	if (tickets) {
		const gnutls_datum_t kd = {tkey, TLS_TICKET_KEY_SIZE};
		where = "tls_ticket_key";
		r = gnutls_session_ticket_enable_server(t->session, &kd);
		gnutls_memset(tkey, 0, sizeof(tkey));
		if (r < 0)
			goto gnutls_fail;
	}
	/* Our own deadline covers the handshake; GnuTLS's would need its own clock. */
	gnutls_handshake_set_timeout(t->session, 0);
	gnutls_transport_set_ptr(t->session, t);
	gnutls_transport_set_pull_function(t->session, pull_fn);
	gnutls_transport_set_push_function(t->session, push_fn);
	gnutls_transport_set_pull_timeout_function(t->session, pull_timeout_fn);
	*out = t;
	return 0;

gnutls_fail:
	buf_appendf(err, "%s: %s", where, gnutls_strerror(r));
fail:
	gnutls_memset(tkey, 0, sizeof(tkey));
	tls_server_free(&t);
	return -1;
}

static const char *version_name(gnutls_protocol_t v)
{
	switch (v) {
	case GNUTLS_TLS1_2:
		return "TLSv1.2";
	case GNUTLS_TLS1_3:
		return "TLSv1.3";
	default: {
		const char *n = gnutls_protocol_get_name(v);
		return n ? n : "unknown";
	}
	}
}

/* Client-chosen text goes into logs: keep only host name characters. */
static void sanitize_name(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			*s = '?';
}

static void describe(struct tls_server *t)
{
	gnutls_session_t s = t->session;
	size_t len = sizeof(t->sni) - 1;
	unsigned type = 0;
	if (gnutls_server_name_get(s, t->sni, &len, &type, 0) == 0 && type == GNUTLS_NAME_DNS &&
	    len < sizeof(t->sni)) {
		t->sni[len] = '\0';
		sanitize_name(t->sni);
	} else {
		t->sni[0] = '\0';
	}
	gnutls_datum_t a = {NULL, 0};
	bool alpn = gnutls_alpn_get_selected_protocol(s, &a) == 0;
	const char *cipher = gnutls_cipher_get_name(gnutls_cipher_get(s));
	const char *group = gnutls_group_get_name(gnutls_group_get(s));
	t->resumed = gnutls_session_is_resumed(s) != 0;
	if (!snprintf_ok(t->info, sizeof(t->info),
			 "%s cipher=%s group=%s sni=%s alpn=%s resumed=%s",
			 version_name(gnutls_protocol_get_version(s)), cipher ? cipher : "-",
			 group ? group : "-", t->sni[0] ? t->sni : "-", alpn ? "imap" : "-",
			 t->resumed ? "yes" : "no"))
		t->info[0] = '\0';
}

int tls_server_handshake(struct tls_server *t, int in_fd, int out_fd, int timeout_ms,
			 struct buf *err)
{
	if (t->state != TLS_NEW) {
		buf_appends(err, "TLS handshake already attempted");
		return -1;
	}
	struct stat st;
	t->in_fd = in_fd;
	t->out_fd = out_fd;
	t->out_is_socket = fstat(out_fd, &st) == 0 && S_ISSOCK(st.st_mode);
	t->blocking = true;
	t->deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	int r;
	do
		r = gnutls_handshake(t->session);
	while (r < 0 && !gnutls_error_is_fatal(r) && !t->timed_out);
	if (r == 0) {
		t->blocking = false;
		t->deadline = 0;
		t->state = TLS_READY;
		describe(t);
		return 0;
	}

	t->state = TLS_FAILED;
	if (t->timed_out) {
		buf_appendf(err, "TLS handshake timed out after %d ms", timeout_ms);
	} else if (r == GNUTLS_E_FATAL_ALERT_RECEIVED) {
		const char *a = gnutls_alert_get_name(gnutls_alert_get(t->session));
		buf_appendf(err, "TLS handshake failed: client sent alert \"%s\"", a ? a : "?");
	} else if (t->saw_eof) {
		buf_appends(err, "TLS handshake failed: client closed the connection");
	} else if (r == GNUTLS_E_PULL_ERROR || r == GNUTLS_E_PUSH_ERROR) {
		buf_appendf(err, "TLS handshake failed: %s", strerror(t->io_errno));
	} else {
		buf_appendf(err, "TLS handshake failed: %s", gnutls_strerror(r));
		/* Tell the client why (e.g. no_application_protocol), briefly. */
		t->deadline = now_ms() + TLS_BYE_TIMEOUT_MS;
		(void)gnutls_alert_send_appropriate(t->session, r);
	}
	t->blocking = false;
	t->deadline = 0;
	return -1;
}

static ssize_t tr_read(void *ctx, void *buf, size_t n)
{
	struct tls_server *t = ctx;
	if (t->state != TLS_READY) {
		errno = ENOTCONN;
		return -1;
	}
	if (n == 0)
		return 0;
	for (int warnings = 0;; warnings++) {
		ssize_t r = gnutls_record_recv(t->session, buf, n);
		if (r >= 0)
			return r;
		switch (r) {
		case GNUTLS_E_AGAIN:
			errno = EAGAIN;
			return -1;
		case GNUTLS_E_INTERRUPTED:
			errno = EINTR;
			return -1;
		case GNUTLS_E_PREMATURE_TERMINATION:
			/* IMAP delimits its own data, so a truncation cannot mislead us. */
			return 0;
		case GNUTLS_E_INVALID_SESSION:
			if (t->saw_eof) /* EOF again, as read(2) would */
				return 0;
			break;
		case GNUTLS_E_PULL_ERROR:
			errno = t->io_errno ? t->io_errno : EIO;
			return -1;
		case GNUTLS_E_REHANDSHAKE:
			errno = EPROTO;
			return -1;
		}
		if (gnutls_error_is_fatal(r) || warnings >= TLS_MAX_WARNINGS) {
			errno = EPROTO;
			return -1;
		}
	}
}

static ssize_t tr_write(void *ctx, const void *buf, size_t n)
{
	struct tls_server *t = ctx;
	if (t->state != TLS_READY) {
		errno = ENOTCONN;
		return -1;
	}
	if (n == 0)
		return 0;
	ssize_t r;
	if (t->wpending) {
		if (n < t->wpending) {
			errno = EINVAL;
			return -1;
		}
		r = gnutls_record_send(t->session, NULL, 0);
	} else {
		r = gnutls_record_send(t->session, buf, n);
	}
	if (r >= 0) {
		t->wpending = 0;
		return r;
	}
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
		if (!t->wpending)
			t->wpending = n; /* GnuTLS queued at most this much */
		errno = r == GNUTLS_E_AGAIN ? EAGAIN : EINTR;
		return -1;
	}
	if (r == GNUTLS_E_INVALID_SESSION) /* the client's end is gone (EOF seen) */
		errno = EPIPE;
	else
		errno = r == GNUTLS_E_PUSH_ERROR && t->io_errno ? t->io_errno : EIO;
	return -1;
}

static size_t tr_pending(void *ctx)
{
	struct tls_server *t = ctx;
	return t->state == TLS_READY ? gnutls_record_check_pending(t->session) : 0;
}

void tls_server_transport(struct tls_server *t, struct io_transport *out)
{
	out->read = tr_read;
	out->write = tr_write;
	out->pending = tr_pending;
	out->ctx = t;
}

bool tls_server_resumed(const struct tls_server *t)
{
	return t->resumed;
}

const char *tls_server_info(const struct tls_server *t)
{
	return t->info;
}

const char *tls_server_sni(const struct tls_server *t)
{
	return t->sni;
}

void tls_server_bye(struct tls_server *t)
{
	if (!t || t->state != TLS_READY)
		return;
	t->blocking = true;
	t->deadline = now_ms() + TLS_BYE_TIMEOUT_MS;
	int r;
	/* SHUT_WR: the client's close_notify is not worth waiting for. */
	do
		r = gnutls_bye(t->session, GNUTLS_SHUT_WR);
	while ((r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) && !t->timed_out);
	t->blocking = false;
	t->deadline = 0;
	t->state = TLS_CLOSED;
}

void tls_server_free(struct tls_server **tp)
{
	if (!tp || !*tp)
		return;
	struct tls_server *t = *tp;
	if (t->session)
		gnutls_deinit(t->session);
	if (t->prio)
		gnutls_priority_deinit(t->prio);
	if (t->cred)
		gnutls_certificate_free_credentials(t->cred);
	free(t);
	*tp = NULL;
}
