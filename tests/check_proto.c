/* Protocol conversations: each tests/proto/NAME.conv file is played
 * against a real imapd process over a socketpair, with a fresh Maildir,
 * passwd-file and config. The format is in tests/proto/README. */
#include <check.h>
#include <crypt.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/lib/spawn.h"
#include "tests/lib/suite.h"

#define MAX_CONV	512
#define MAX_CONN	4
#define READ_TIMEOUT_MS 10000

static char *convs[MAX_CONV];
static int nconv;
static const char *proto_dir = "tests/proto";
static char srcdir[512]; /* the tree the tests run from */

struct conn {
	int fd;
	pid_t pid;
	char buf[1 << 16];
	size_t len;
};

struct ctx {
	char dir[256];
	char cfg[512];
	struct conn c[MAX_CONN];
	const char *file;
	int line;
	uid_t uid;
	gid_t gid;
};

static void die(struct ctx *x, const char *fmt, const char *a, const char *b)
{
	ck_abort_msg("%s:%d: %s%s%s%s%s", x->file, x->line, fmt, a ? " " : "", a ? a : "",
		     b ? " | got: " : "", b ? b : "");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup_dir(struct ctx *x)
{
	strcpy(x->dir, "/tmp/imapd-proto-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(x->dir));
	chmod(x->dir, 0755);
	/* As root the session drops to the user: give it an unprivileged one. */
	x->uid = geteuid() == 0 ? 65534 : geteuid();
	x->gid = geteuid() == 0 ? 65534 : getegid();
	char path[1024], home[512], text[8192];
	snprintf(home, sizeof(home), "%s/home", x->dir);
	mkdir(home, 0755);
	const char *users[] = {"demo", "crypt", NULL};
	for (int i = 0; users[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", home, users[i]);
		mkdir(path, 0700);
		if (chown(path, x->uid, x->gid) < 0)
			ck_abort_msg("chown %s", path);
	}
	struct crypt_data cd;
	memset(&cd, 0, sizeof(cd));
	const char *h = crypt_r("s3cret", "$6$testsalt$", &cd);
	ck_assert_ptr_nonnull(h);
	snprintf(path, sizeof(path), "%s/passwd", x->dir);
	snprintf(text, sizeof(text),
		 "demo:{PLAIN}demo:%u:%u::%s/demo::\n"
		 "crypt:{SHA512-CRYPT}%s:%u:%u::%s/crypt::\n",
		 x->uid, x->gid, home, h, x->uid, x->gid, home);
	write_file(path, text);
	snprintf(x->cfg, sizeof(x->cfg), "%s/imapd.conf", x->dir);
	snprintf(text, sizeof(text),
		 "passwd_file = %s/passwd\nmail_location = %%h/Maildir\nlog_path = %s/log\n"
		 "auth_fail_delay_ms = 0\n",
		 x->dir, x->dir);
	write_file(x->cfg, text);
	/* The log is written by the session after it drops privileges. */
	snprintf(path, sizeof(path), "%s/log", x->dir);
	write_file(path, "");
	if (chown(path, x->uid, x->gid) < 0)
		ck_abort_msg("chown log");
}

static void add_config(struct ctx *x, const char *line)
{
	FILE *f = fopen(x->cfg, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", line);
	fclose(f);
}

static void start(struct ctx *x, int i)
{
	char err[512];
	snprintf(err, sizeof(err), "%s/stderr.%d", x->dir, i);
	struct spawned sp;
	ck_assert(spawn_imapd(x->cfg, err, &sp));
	x->c[i].fd = sp.fd;
	x->c[i].pid = sp.pid;
	x->c[i].len = 0;
}

static struct conn *conn(struct ctx *x, int i)
{
	if (x->c[i].fd < 0)
		start(x, i);
	return &x->c[i];
}

/* Reads one line without CRLF; returns -1 at EOF, -2 on timeout. */
static int read_line(struct conn *c, char *out, size_t max)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			size_t k = n > 0 && c->buf[n - 1] == '\r' ? n - 1 : n;
			if (k >= max)
				k = max - 1;
			memcpy(out, c->buf, k);
			out[k] = '\0';
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return (int)k;
		}
		if (c->len == sizeof(c->buf)) {
			/* A very long line: hand back what we have. */
			memcpy(out, c->buf, max - 1);
			out[max - 1] = '\0';
			c->len = 0;
			return (int)max - 1;
		}
		struct pollfd p = {c->fd, POLLIN, 0};
		int r = poll(&p, 1, READ_TIMEOUT_MS);
		if (r == 0)
			return -2;
		ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
	}
}

/* Glob match where "**" matches any run of characters. */
static bool match(const char *pat, const char *s)
{
	if (!*pat)
		return !*s;
	if (pat[0] == '*' && pat[1] == '*') {
		for (const char *t = s;; t++) {
			if (match(pat + 2, t))
				return true;
			if (!*t)
				return false;
		}
	}
	return *s == *pat && match(pat + 1, s + 1);
}

static size_t unescape(const char *in, char *out)
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			if (*p == 'r')
				out[n++] = '\r';
			else if (*p == 'n')
				out[n++] = '\n';
			else if (*p == 'x' && p[1] && p[2]) {
				char h[3] = {p[1], p[2], 0};
				out[n++] = (char)strtol(h, NULL, 16);
				p += 2;
			} else if (*p == '\\') {
				out[n++] = '\\';
			} else {
				/* Not an escape: keep it as written (\Seen). */
				out[n++] = '\\';
				out[n++] = *p;
			}
		} else
			out[n++] = *p;
	}
	return n;
}

static void send_all(struct ctx *x, struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(c->fd, p, n);
		if (w < 0 && errno == EPIPE)
			return; /* the server closed: the next S: line will say so */
		if (w <= 0)
			die(x, "write to server failed", NULL, NULL);
		p += w;
		n -= (size_t)w;
	}
}

static bool log_has(struct ctx *x, const char *pat)
{
	char path[512], line[4096], full[4200];
	snprintf(path, sizeof(path), "%s/log", x->dir);
	snprintf(full, sizeof(full), "**%s**", pat);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = match(full, line);
	}
	fclose(f);
	return found;
}

/* The first line of a file, for messages. */
static void first_line(const char *path, char *out, size_t max)
{
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)max, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static void finish(struct ctx *x)
{
	/* Under a wrapper (valgrind) the exit, with its leak check, is slow. */
	int wait_ms = spawn_wrapped() ? 60000 : 5000;
	for (int i = 0; i < MAX_CONN; i++) {
		if (x->c[i].fd < 0)
			continue;
		close(x->c[i].fd);
		int st;
		spawn_reap(x->c[i].pid, wait_ms, &st, NULL);
		/* Server mode never writes to stderr: it may be the client's socket. */
		char path[512], text[512];
		snprintf(path, sizeof(path), "%s/stderr.%d", x->dir, i);
		struct stat sb;
		if (stat(path, &sb) == 0 && sb.st_size > 0) {
			first_line(path, text, sizeof(text));
			die(x, "imapd wrote to stderr:", text, NULL);
		}
		ck_assert_msg(!WIFEXITED(st) || WEXITSTATUS(st) != SPAWN_WRAPPER_ERROR,
			      "%s: the wrapper found memory errors", x->file);
		ck_assert_msg(!WIFSIGNALED(st) || WTERMSIG(st) == SIGKILL,
			      "imapd died of signal %d", WTERMSIG(st));
	}
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", x->dir);
	if (system(cmd) != 0)
		ck_abort_msg("cleanup failed");
}

/* Runs a shell command in the test directory, with $MAILDIR (demo's
 * Maildir), $HOME_DEMO and $TESTDIR set; the mail user is $MAILUSER. */
static int run_sh(struct ctx *x, const char *cmd)
{
	pid_t pid = fork();
	if (pid == 0) {
		char v[600];
		if (chdir(x->dir) < 0)
			_exit(127);
		setenv("TESTDIR", x->dir, 1);
		setenv("SRCDIR", srcdir, 1);
		snprintf(v, sizeof(v), "%s/home/demo", x->dir);
		setenv("HOME_DEMO", v, 1);
		snprintf(v, sizeof(v), "%s/home/demo/Maildir", x->dir);
		setenv("MAILDIR", v, 1);
		snprintf(v, sizeof(v), "%u:%u", (unsigned)x->uid, (unsigned)x->gid);
		setenv("MAILUSER", v, 1);
		execl("/bin/sh", "sh", "-ec", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void play(const char *name)
{
	struct ctx x;
	memset(&x, 0, sizeof(x));
	for (int i = 0; i < MAX_CONN; i++)
		x.c[i].fd = -1;
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", proto_dir, name);
	x.file = path;
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	setup_dir(&x);
	static char line[1 << 16], got[1 << 16], data[1 << 16];
	while (fgets(line, sizeof(line), f)) {
		x.line++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		int ci = 0;
		char *p = line;
		char kind = *p++;
		if (kind != '!' && *p >= '1' && *p <= '0' + MAX_CONN)
			ci = *p++ - '1';
		bool raw = false;
		if (kind == 'C' && *p == 'X') {
			raw = true;
			p++;
		}
		if (kind != '!' && *p != ':')
			die(&x, "bad line", line, NULL);
		if (kind != '!') {
			p++;
			if (*p == ' ')
				p++;
		}
		if (kind == 'C') {
			struct conn *c = conn(&x, ci);
			if (raw) {
				size_t n = unescape(p, data);
				send_all(&x, c, data, n);
			} else {
				send_all(&x, c, p, strlen(p));
				send_all(&x, c, "\r\n", 2);
			}
		} else if (kind == 'S') {
			struct conn *c = conn(&x, ci);
			int r = read_line(c, got, sizeof(got));
			if (!strcmp(p, "<EOF>")) {
				if (r != -1)
					die(&x, "expected the server to close", NULL,
					    r >= 0 ? got : "(timeout)");
				continue;
			}
			if (r == -1)
				die(&x, "server closed; expected", p, NULL);
			if (r == -2)
				die(&x, "timeout; expected", p, NULL);
			if (!match(p, got))
				die(&x, "expected", p, got);
		} else if (kind == '!') {
			if (!strncmp(p, "config ", 7)) {
				add_config(&x, p + 7);
			} else if (!strncmp(p, "sh ", 3)) {
				if (run_sh(&x, p + 3) != 0)
					die(&x, "shell command failed:", p + 3, NULL);
			} else if (!strncmp(p, "sleep ", 6)) {
				usleep((useconds_t)atoi(p + 6) * 1000);
			} else if (!strncmp(p, "close", 5)) {
				struct conn *c =
				    conn(&x, p[5] >= '1' && p[5] <= '4' ? p[5] - '1' : 0);
				shutdown(c->fd, SHUT_WR);
			} else if (!strncmp(p, "log ", 4)) {
				/* The server may still be writing: allow it a moment. */
				bool ok = false;
				for (int k = 0; k < 200 && !(ok = log_has(&x, p + 4)); k++)
					usleep(10000);
				if (!ok)
					die(&x, "log has no line matching", p + 4, NULL);
			} else if (!strncmp(p, "nolog ", 6)) {
				usleep(50000);
				if (log_has(&x, p + 6))
					die(&x, "log must not contain", p + 6, NULL);
			} else {
				die(&x, "unknown directive", p, NULL);
			}
		} else {
			die(&x, "bad line", line, NULL);
		}
	}
	fclose(f);
	finish(&x);
}

START_TEST(conversation)
{
	play(convs[_i]);
}
END_TEST

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (!getcwd(srcdir, sizeof(srcdir)))
		return 1;
	/* As root imapd runs the pre-login phase as login_user "imapd". */
	if (geteuid() == 0 && system("sh tests/login-user") != 0) {
		fprintf(stderr, "cannot create the login user imapd\n");
		return 1;
	}
	if (getenv("PROTO_DIR"))
		proto_dir = getenv("PROTO_DIR");
	DIR *d = opendir(proto_dir);
	if (!d) {
		perror(proto_dir);
		return 1;
	}
	struct dirent *e;
	const char *only = argc > 1 ? argv[1] : getenv("CONV");
	while ((e = readdir(d)) && nconv < MAX_CONV) {
		size_t n = strlen(e->d_name);
		if (n > 5 && !strcmp(e->d_name + n - 5, ".conv") &&
		    (!only || strstr(e->d_name, only)))
			convs[nconv++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(convs, (size_t)nconv, sizeof(convs[0]), cmp);
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("conversations");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, conversation, 0, nconv);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
