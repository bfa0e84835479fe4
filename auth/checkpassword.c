#include "checkpassword.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

/* user NUL password NUL timestamp NUL: small enough that one write to an
 * empty pipe never blocks, so it is written before the fork. */
#define INPUT_MAX (AUTH_USER_MAX + 1 + AUTH_PASS_MAX + 1 + 24)
_Static_assert(INPUT_MAX <= PIPE_BUF, "checkpassword input must fit a pipe buffer");

#define POLL_SLICE_MS 20 /* how often we look whether the checker has exited */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool reply_path(const struct config *cfg, char *path, size_t len)
{
	if (cfg->checkpassword_reply[0])
		return strlcpy_ok(path, cfg->checkpassword_reply, len);
	ssize_t n = readlink("/proc/self/exe", path, len - 1);
	if (n <= 0 || (size_t)n >= len - 1)
		return false;
	path[n] = '\0';
	return true;
}

/* Moves fd to a number above 4 so that dup2 onto 3 and 4 cannot clobber it. */
static int lift(int fd)
{
	return fd > 4 ? fd : fcntl(fd, F_DUPFD, 5);
}

/* In the child: never returns. */
static void run_checker(const char *prog, const char *reply, int in_fd, int out_fd)
{
	setpgid(0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	in_fd = lift(in_fd);
	out_fd = lift(out_fd);
	int null = open("/dev/null", O_RDWR);
	if (in_fd < 0 || out_fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0 || dup2(in_fd, 3) < 0 || dup2(out_fd, 4) < 0)
		_exit(111);
	/* Nothing else of ours (client socket, files) may reach the checker. */
	if (close_range(5, ~0U, 0) < 0)
		for (int fd = 5; fd < 1024; fd++)
			close(fd);
	char *const argv[] = {(char *)prog, (char *)reply, (char *)CHECKPASSWORD_REPLY_ARG, NULL};
	char *const envp[] = {(char *)"PATH=" CHECKPASSWORD_PATH, NULL};
	execve(prog, argv, envp);
	_exit(111);
}

/* True once pid has exited. The child is left unreaped: a zombie keeps its
 * pid and process group number from being reused while we signal them. */
static bool exited(pid_t pid)
{
	siginfo_t si;
	si.si_pid = 0;
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Reads one chunk if fd is readable within ms. 1 data, 0 nothing yet,
 * 2 end of file, -1 error or reply too long. */
static int read_some(int fd, struct buf *reply, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	int n = poll(&p, 1, ms);
	if (n <= 0)
		return n < 0 && errno != EINTR ? -1 : 0;
	char chunk[4096];
	ssize_t got = read(fd, chunk, sizeof(chunk));
	if (got < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (got == 0)
		return 2;
	return buf_append(reply, chunk, (size_t)got) ? 1 : -1;
}

/* Collects the reply until the checker has exited and the pipe is drained
 * (a process the checker left behind may hold the pipe open: not waited
 * for), or until the deadline. 1 exited, 0 timed out, -1 bad reply. */
static int collect(pid_t pid, int fd, struct buf *reply, long long deadline)
{
	bool eof = false;
	for (;;) {
		if (!eof) {
			long long left = deadline - now_ms();
			int r = read_some(fd, reply,
					  left < POLL_SLICE_MS ? (int)(left > 0 ? left : 0)
							       : POLL_SLICE_MS);
			if (r < 0)
				return -1;
			eof = r == 2;
			if (r == 1)
				continue;
		} else {
			struct timespec ts = {0, POLL_SLICE_MS * 1000000L};
			nanosleep(&ts, NULL);
		}
		if (exited(pid)) {
			int r;
			while (!eof && (r = read_some(fd, reply, 0)) != 0) {
				if (r < 0)
					return -1;
				eof = r == 2;
			}
			return 1;
		}
		if (now_ms() >= deadline)
			return 0;
	}
}

static bool parse_id(struct str v, unsigned *id)
{
	if (v.len == 0 || v.len > 10)
		return false;
	unsigned long long n = 0;
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return false;
		n = n * 10 + (unsigned)(v.s[i] - '0');
	}
	if (n >= 0xffffffffULL)
		return false;
	*id = (unsigned)n;
	return true;
}

/* "key=value\t..." ending in "\n": fills out; false if malformed. */
static bool parse_reply(struct str r, struct str user, struct auth_user *out)
{
	if (r.len == 0 || r.s[r.len - 1] != '\n' || memchr(r.s, '\0', r.len))
		return false;
	r.len--;
	bool have_uid = false, have_gid = false;
	if (!str_copy(out->name, sizeof(out->name), user))
		return false;
	while (r.len) {
		const char *tab = memchr(r.s, '\t', r.len);
		struct str f = {r.s, tab ? (size_t)(tab - r.s) : r.len};
		r.s += f.len + (tab ? 1 : 0);
		r.len -= f.len + (tab ? 1 : 0);
		const char *eq = memchr(f.s, '=', f.len);
		if (!eq)
			return false;
		struct str k = {f.s, (size_t)(eq - f.s)}, v = {eq + 1, f.len - k.len - 1};
		unsigned id;
		if (str_eq(k, "user")) {
			if (!passdb_user_valid(v) || !str_copy(out->name, sizeof(out->name), v))
				return false;
		} else if (str_eq(k, "home")) {
			if ((v.len && v.s[0] != '/') || !str_copy(out->home, sizeof(out->home), v))
				return false;
		} else if (str_eq(k, "mail")) {
			if (!str_copy(out->mail, sizeof(out->mail), v))
				return false;
		} else if (str_eq(k, "uid")) {
			if (!parse_id(v, &id))
				return false;
			out->uid = (uid_t)id;
			have_uid = true;
		} else if (str_eq(k, "gid")) {
			if (!parse_id(v, &id))
				return false;
			out->gid = (gid_t)id;
			have_gid = true;
		}
	}
	return have_uid && have_gid;
}

enum auth_result checkpassword_verify(const struct config *cfg, struct str user, const char *pass,
				      size_t passlen, struct auth_user *out)
{
	char reply_prog[4096];
	if (cfg->checkpassword[0] != '/') {
		log_err("checkpassword: the program must be given as an absolute path");
		return AUTH_TEMPFAIL;
	}
	if (!reply_path(cfg, reply_prog, sizeof(reply_prog))) {
		log_err("checkpassword: cannot name the reply program");
		return AUTH_TEMPFAIL;
	}
	char input[INPUT_MAX];
	size_t n = 0;
	memcpy(input, user.s, user.len);
	n += user.len;
	input[n++] = '\0';
	memcpy(input + n, pass, passlen);
	n += passlen;
	input[n++] = '\0';
	int m = snprintf(input + n, sizeof(input) - n, "%lld", (long long)time(NULL));
	n += (size_t)m + 1; /* snprintf's NUL is the last separator */

	int in[2] = {-1, -1}, rep[2] = {-1, -1};
	enum auth_result r = AUTH_TEMPFAIL;
	struct buf reply = BUF_INIT(CHECKPASSWORD_MAX_REPLY);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		log_err("checkpassword: pipe: %s", strerror(errno));
		goto out;
	}
	bool written = write(in[1], input, n) == (ssize_t)n;
	explicit_bzero(input, sizeof(input));
	close(in[1]);
	in[1] = -1;
	if (!written) {
		log_err("checkpassword: cannot write to pipe");
		goto out;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_err("checkpassword: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		run_checker(cfg->checkpassword, reply_prog, in[0], rep[1]);
	/* Also here, so the group exists before we might signal it. */
	setpgid(pid, pid);
	close(in[0]);
	close(rep[1]);
	in[0] = rep[1] = -1;

	long long deadline = now_ms() + (long long)cfg->checkpassword_timeout * 1000;
	int got = collect(pid, rep[0], &reply, deadline);
	/* Whatever the checker started goes with it; then reap. */
	kill(-pid, SIGKILL);
	if (got != 1)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != 1) {
		log_err("checkpassword: %s",
			got < 0 ? "reply too long or unreadable" : "timed out");
		goto out;
	}
	if (!WIFEXITED(status)) {
		log_err("checkpassword: killed by signal %d", WTERMSIG(status));
	} else if (WEXITSTATUS(status) == 1) {
		r = AUTH_FAIL;
	} else if (WEXITSTATUS(status) != 0) {
		log_err("checkpassword: exit status %d", WEXITSTATUS(status));
	} else if (!parse_reply((struct str){reply.s, reply.len}, user, out)) {
		log_err("checkpassword: accepted, but the reply is missing or malformed");
	} else {
		r = AUTH_OK;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (rep[i] >= 0)
			close(rep[i]);
	}
	buf_free(&reply);
	return r;
}

/* A value for the reply line: no tab, newline or NUL inside. */
static bool clean(const char *v)
{
	return v && !strpbrk(v, "\t\n\r");
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

int checkpassword_reply_main(void)
{
	const char *user = getenv("USER");
	const char *home = getenv("userdb_home") ? getenv("userdb_home") : getenv("HOME");
	const char *mail = getenv("userdb_mail") ? getenv("userdb_mail") : "";
	char uid[16], gid[16];
	const char *u = getenv("userdb_uid"), *g = getenv("userdb_gid");
	unsigned id;
	if (!u) {
		snprintf_ok(uid, sizeof(uid), "%u", (unsigned)getuid());
		u = uid;
	}
	if (!g) {
		snprintf_ok(gid, sizeof(gid), "%u", (unsigned)getgid());
		g = gid;
	}
	if (!user || !passdb_user_valid((struct str){user, strlen(user)}) || !clean(mail) ||
	    (home && !clean(home)) || !parse_id((struct str){u, strlen(u)}, &id) ||
	    !parse_id((struct str){g, strlen(g)}, &id))
		return 2;
	struct buf b = BUF_INIT(CHECKPASSWORD_MAX_REPLY);
	bool ok = buf_appendf(&b, "user=%s\thome=%s\tuid=%s\tgid=%s\tmail=%s\n", user,
			      home ? home : "", u, g, mail);
	int rc = !ok ? 2 : write_all(4, b.s, b.len) ? 0 : 111;
	buf_free(&b);
	return rc;
}
