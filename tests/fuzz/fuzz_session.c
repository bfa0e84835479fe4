/* Whole sessions: the input is what a client sends, delivered in varying
 * chunk sizes through a memory transport, and session_run frames and
 * dispatches it with the real command handlers (LOGIN, AUTHENTICATE with
 * PLAIN and SCRAM-SHA-256, ID, ENABLE, ...) against a small passwd-file.
 * Writes are accepted in varying pieces too. Limits are set low so that
 * they are reached often. The user demo has a home where the session may
 * make a Maildir, so mailbox commands can run; it is removed after each
 * input. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/scram.h"
#include "lib/log.h"
#include "session/session.h"
#include "tests/fuzz/fuzz.h"

static struct config cfg;
static int null_fd;
/* demo's home: a Maildir made by the session, removed after each input so
 * that every input starts from the same state. */
static char home[128], maildir[160];

struct mem {
	const uint8_t *d;
	size_t len, pos;
	struct fuzz_rng g;
};

static ssize_t mem_read(void *ctx, void *b, size_t n)
{
	struct mem *m = ctx;
	if (m->pos == m->len)
		return 0;
	if (fuzz_rng_next(&m->g) % 16 == 0) {
		errno = EAGAIN;
		return -1;
	}
	size_t k = fuzz_chunk(&m->g, m->len - m->pos);
	if (k > n)
		k = n;
	memcpy(b, m->d + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

static ssize_t mem_write(void *ctx, const void *b, size_t n)
{
	struct mem *m = ctx;
	if (fuzz_rng_next(&m->g) % 16 == 0) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)fuzz_chunk(&m->g, n);
}

static size_t mem_pending(void *ctx)
{
	struct mem *m = ctx;
	return m->len - m->pos;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The session reads the passwd-file as another user (see below). */
	const char *dir = fuzz_dir();
	if (chmod(dir, 0755) < 0)
		abort();
	config_defaults(&cfg);
	snprintf(cfg.passwd_file, sizeof(cfg.passwd_file), "%s/passwd", dir);
	cfg.auth_fail_delay_ms = 0;
	cfg.max_line_length = 1024;
	cfg.max_literal_size = 1024;
	cfg.max_nesting_depth = 8;
	cfg.max_command_size = 4096;
	/* A SCRAM entry for "scram" (password "pencil"), a PLAIN one for "demo". */
	struct scram_cred c;
	struct buf b = BUF_INIT(0);
	static const uint8_t salt[16] = "0123456789abcdef";
	snprintf(home, sizeof(home), "%s/home", dir);
	snprintf(maildir, sizeof(maildir), "%s/Maildir", home);
	if (mkdir(home, 0700) < 0 || (geteuid() == 0 && chown(home, 65534, 65534) < 0))
		abort();
	if (!scram_cred_derive("pencil", 6, salt, sizeof(salt), SCRAM_MIN_ITERATIONS, &c) ||
	    !buf_appendf(&b, "demo:{PLAIN}demo:65534:65534::%s::\n", home) ||
	    !buf_appends(&b, "scram:{SCRAM-SHA-256}") || !scram_cred_format(&c, &b) ||
	    !buf_appendf(&b, ":65534:65534::%s::\n", home))
		abort();
	FILE *f = fopen(cfg.passwd_file, "w");
	if (!f || fwrite(b.s, 1, b.len, f) != b.len || fclose(f) != 0)
		abort();
	buf_free(&b);
	chmod(cfg.passwd_file, 0644);
	null_fd = open("/dev/null", O_RDWR);
	log_open("imapd-fuzz", "/dev/null");
	/* A pipe peer counts as local: plaintext logins are allowed. */
	unsetenv("REMOTE_ADDR");
	unsetenv("TCPREMOTEIP");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = {data, size, 0, {0}};
	fuzz_rng_init(&m.g, data, size);
	struct io_transport t = {mem_read, mem_write, mem_pending, &m};
	/* As root a login would drop privileges for good: run the session with
	 * another effective uid, so that the session leaves the ids alone. */
	bool root = geteuid() == 0;
	if (root && seteuid(65534) < 0)
		abort();
	struct session s = {0};
	session_init(&s, &cfg, null_fd, null_fd);
	io_set_transport(&s.io, &t);
	session_run(&s);
	session_free(&s);
	if (root && seteuid(0) < 0)
		abort();
	nftw(maildir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
