#include "privsep.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "session/authsrv.h"
#include "session/login.h"
#include "session/memtrim.h"
#include "session/relay.h"
#include "session/respond.h"
#include "session/sandbox.h"
#include "session/tls.h"

static void bye_now(struct session *s, const char *text)
{
	respond_untagged(s, "BYE %s", text);
	io_flush(&s->io);
}

/* Ends (if asked) and reaps the pre-login process; an unexpected death
 * (a crash, or the system call filter) is logged. */
static void reap(pid_t pid, bool kill_first)
{
	if (kill_first)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
		log_err("pre-login process killed by signal %d", WTERMSIG(st));
}

/* The pre-login process: never returns. */
static void child_main(struct session *s, int ctl, int data, uid_t uid, gid_t gid, pid_t parent)
{
	if (session_tls_configured(s)) {
		struct buf err = BUF_INIT(1024);
		if (tls_server_new(s->cfg, &s->tls_srv, &err) < 0) {
			if (s->implicit_tls)
				log_err("TLS failed: %s", err.s ? err.s : "");
			else
				log_err("TLS unavailable: %s", err.s ? err.s : "");
		}
		buf_free(&err);
		if (!s->tls_srv && s->implicit_tls)
			_exit(1);
	}
	if (!sandbox_enter(s->cfg, uid, gid, parent)) {
		bye_now(s, "Internal error");
		_exit(111);
	}
	s->ps_fd = ctl;
	int rc = session_run(s);
	if (s->handover != HANDOVER_TLS) {
		session_free(s);
		_exit(rc);
	}
	/* The relay keeps the TLS state, the client's fds and the bytes read
	 * past the login; the rest of the pre-login session is let go, and
	 * memtrim() gives its pages back. */
	struct tls_server *tls = s->tls_srv;
	s->tls_srv = NULL;
	int cin = s->io.in_fd, cout = s->io.out_fd;
	size_t npre = io_avail(&s->io);
	char *pre = malloc(npre ? npre : 1);
	if (!pre)
		_exit(1);
	memcpy(pre, io_data(&s->io), npre);
	session_delete(s);
	struct io_transport t;
	tls_server_transport(tls, &t);
	memtrim();
	rc = relay_run(&t, cin, cout, data, pre, npre);
	tls_server_bye(tls);
	tls_server_free(&tls);
	free(pre);
	_exit(rc);
}

/* Checks the hand-over against what the login said, and takes it. */
static bool take_over(struct session *s, const struct authsrv *a, const struct psmsg *m, int data)
{
	bool tls = str_eq(m->f[0], "tls");
	if (!tls && !str_eq(m->f[0], "plain")) {
		log_err("pre-login process broke the protocol: bad hand-over mode");
		return false;
	}
	if (tls != a->tls || (tls && (data < 0 || m->f[1].len)) || m->f[1].len > sizeof(s->io.in)) {
		log_err("pre-login process broke the protocol: bad hand-over");
		return false;
	}
	if (tls) {
		io_init(&s->io, data, data, s->cfg->max_output_buffer, s->io.write_timeout_ms);
		/* The client's socket belongs to the relay now; the fds stay taken. */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0) {
			log_err("cannot let go of the client socket: %s", strerror(errno));
			return false;
		}
		close(null);
	} else {
		memcpy(s->io.in, m->f[1].s, m->f[1].len);
		s->io.in_pos = 0;
		s->io.in_len = m->f[1].len;
	}
	s->tls = tls;
	return true;
}

/* Waits for the pre-login process's messages until it hands over (true)
 * or ends (false). */
static bool until_login(struct session *s, struct authsrv *a, int ctl, int data)
{
	struct psmsg *m = calloc(1, sizeof(*m));
	if (!m)
		return false;
	time_t deadline = time(NULL) + (time_t)s->cfg->timeout_preauth + PRIVSEP_SLACK_S;
	bool ok = false;
	for (;;) {
		time_t left = deadline + (time_t)(a->slept_ms / 1000) - time(NULL);
		int r = psmsg_recv(ctl, m, left > 0 ? (int)(left * 1000) : 0);
		if (r == 0)
			break; /* it ended the connection */
		if (r == -2) {
			log_info("disconnected: pre-login process timed out");
			break;
		}
		if (r < 0) {
			log_err("pre-login process broke the protocol: bad message");
			break;
		}
		enum authsrv_status st = authsrv_handle(a, ctl, m);
		if (st == AUTHSRV_VIOLATION)
			break;
		if (st == AUTHSRV_HANDOVER) {
			ok = take_over(s, a, m, data);
			break;
		}
	}
	psmsg_wipe(m);
	free(m);
	return ok;
}

int privsep_run(struct session *s)
{
	const struct config *cfg = s->cfg;
	struct passwd *pw = getpwnam(cfg->login_user);
	struct buf err = BUF_INIT(1024);
	if (!pw || pw->pw_uid == 0 || pw->pw_gid == 0) {
		log_err("login_user %s: %s", cfg->login_user,
			pw ? "must not be root" : "no such user");
		bye_now(s, "Server configuration error");
		return 100;
	}
	uid_t luid = pw->pw_uid;
	gid_t lgid = pw->pw_gid;
	if (sandbox_dir_ready(cfg->login_chroot, &err) < 0) {
		log_err("%s", err.s ? err.s : "login_chroot unusable");
		buf_free(&err);
		bye_now(s, "Server configuration error");
		return 100;
	}
	buf_free(&err);
	int ctl[2], data[2] = {-1, -1};
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0 ||
	    (session_tls_configured(s) &&
	     socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, data) < 0)) {
		log_err("socketpair: %s", strerror(errno));
		bye_now(s, "Internal error");
		return 111;
	}
	pid_t parent = getpid();
	memtrim_seal();
	pid_t pid = fork();
	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		bye_now(s, "Internal error");
		return 111;
	}
	if (pid == 0) {
		close(ctl[0]);
		if (data[0] >= 0)
			close(data[0]);
		child_main(s, ctl[1], data[1], luid, lgid, parent);
	}
	close(ctl[1]);
	if (data[1] >= 0)
		close(data[1]);
	struct authsrv a;
	authsrv_init(&a, s);
	bool handed = until_login(s, &a, ctl[0], data[0]);
	close(ctl[0]);
	bool relay = handed && s->tls;
	if (!relay) {
		/* Over plaintext it has sent all it read: it must read no more.
		 * Otherwise it has ended, or broke the protocol, or timed out. */
		reap(pid, true);
		if (data[0] >= 0)
			close(data[0]);
	}
	if (!handed) {
		authsrv_free(&a);
		return 0;
	}
	s->login_uid = luid;
	login_ok(s, (struct str){a.tag, strlen(a.tag)}, &a.user, a.method);
	authsrv_free(&a);
	if (s->state != ST_LOGOUT)
		memtrim();
	int rc = s->state == ST_LOGOUT ? (io_flush(&s->io), 0) : session_serve(s);
	if (relay) {
		/* Closing the socket tells the relay to finish and send close_notify. */
		close(data[0]);
		reap(pid, false);
	}
	return rc;
}
