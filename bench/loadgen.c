/* loadgen: IMAP load client for the benchmarks (make bench).
 *
 * usage: loadgen -W WORKLOAD -p PORT [options]
 *   -W churn      CONNECT, LOGIN, SELECT INBOX, LOGOUT; -n sessions over -c clients; conn/s
 *   -W login      the same without SELECT
 *   -W mailbox    SELECT, FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE),
 *                 FETCH 1:* (ENVELOPE BODYSTRUCTURE); then on a new connection
 *                 SELECT, the same FETCH again and UID SEARCH TEXT WORD; ms each
 *   -W fetchbody  FETCH 1:N BODY.PEEK[]; MB/s of message data
 *   -W append     N APPENDs of 2-12 KB messages to INBOX; messages/s
 *   -W idle       -c sessions SELECT INBOX and IDLE; then one message is delivered
 *                 into --maildir (tmp/, then rename into new/); p50/p99 ms until
 *                 each session gets its EXISTS
 *   -W hold       -c logged-in sessions; when all are in, runs --exec CMD, then LOGOUT
 * options: -H ADDR (127.0.0.1) --tls -u USER -w PASS -c CLIENTS -n COUNT
 *          --name NAME (result name or prefix) --search WORD --maildir DIR
 *          --exec CMD --timeout SEC (90) --ramp K (clients setting up at once)
 *
 * Output, one line per measurement on stdout:
 *   RESULT NAME VALUE UNIT
 *   NA NAME REASON...        (the server refused a command, or TLS failed)
 *   INFO NAME VALUE          (sanity figures: message count, search hits, bytes)
 * Exit status 0 whenever the table can use the output, 2 on usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imapc.h"
#include "stats.h"

enum op { OP_CONNECT, OP_CMD, OP_APPEND, OP_IDLE, OP_BARRIER, OP_WAIT_EXISTS, OP_DONE, OP_CLOSE };
enum rkind { R_NONE, R_MS, R_MBPS, R_RATE };
enum wait { W_NONE, W_GREETING, W_TAGGED, W_CONT, W_BARRIER, W_EXISTS, W_END };

struct step {
	enum op op;
	const char *arg;   /* command text for OP_CMD */
	const char *label; /* result name suffix, or NULL */
	enum rkind rk;
	bool essential; /* failure ends this connection */
	unsigned times; /* OP_APPEND repetitions */
};

struct acc {
	double secs;
	uint64_t bytes;
	unsigned count;
	char na[300];
};

struct client {
	struct imapc c;
	size_t si;
	unsigned in_step; /* repetitions done of the current step */
	unsigned tagn;
	char tag[16];
	enum wait wait;
	double t0;
	uint64_t lit0;
	bool token, failed;
	long exists, hits;
	double latency; /* IDLE: seconds from delivery to EXISTS, <0 if none */
	struct buf msg; /* APPEND body waiting for "+" */
};

static struct {
	const char *host, *user, *pass, *name, *search, *maildir, *exec, *workload;
	int port;
	bool tls;
	unsigned clients, count, ramp, timeout;
} opt = {.host = "127.0.0.1",
	 .user = "bench",
	 .pass = "bench",
	 .search = "zanzibarquokka",
	 .clients = 1,
	 .count = 1,
	 .timeout = 90};

static const struct step *script;
static size_t nsteps;
static struct acc accs[32];
static bool repeat_sessions;
static unsigned sessions_started, sessions_done, tokens;
static double t_deliver = -1;
static char first_err[300];
static struct buf cmdbuf = BUF_INIT(0);
static char fetch_cmd[64], search_cmd[256], login_cmd[600];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void note_error(const char *why)
{
	if (!first_err[0])
		strlcpy_ok(first_err, why, sizeof(first_err));
}

/* Quotes s as an IMAP quoted string into out. */
static bool quoted(struct buf *out, const char *s)
{
	bool ok = buf_appendc(out, '"');
	for (; *s && ok; s++) {
		if (*s == '"' || *s == '\\')
			ok = buf_appendc(out, '\\');
		ok = ok && buf_appendc(out, *s);
	}
	return ok && buf_appendc(out, '"');
}

/* A deterministic 2-12 KB message for APPEND number i. */
static void append_message(struct buf *m, unsigned i)
{
	static const char *const w[] = {"status",  "report", "meeting", "draft", "review",
					"numbers", "thanks", "the",	"and",	 "for"};
	buf_reset(m);
	buf_appendf(m,
		    "From: Load Generator <loadgen@example.org>\r\n"
		    "To: bench@example.com\r\n"
		    "Subject: appended message %u\r\n"
		    "Date: Mon, 20 Nov 2023 10:00:00 +0000\r\n"
		    "Message-ID: <append.%u@example.org>\r\n"
		    "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=us-ascii\r\n\r\n",
		    i, i);
	size_t body = 2000 + (size_t)(i * 7919u % 10000u), start = m->len;
	unsigned k = i;
	while (m->len - start < body) {
		for (int j = 0; j < 10; j++) {
			k = k * 1103515245u + 12345u;
			buf_appends(m, w[(k >> 16) % 10]);
			buf_appendc(m, ' ');
		}
		buf_appends(m, "\r\n");
	}
}

static const char *step_name(const struct step *s)
{
	switch (s->op) {
	case OP_CONNECT:
		return "greeting";
	case OP_APPEND:
		return "APPEND";
	case OP_IDLE:
	case OP_DONE:
		return "IDLE";
	case OP_WAIT_EXISTS:
		return "IDLE EXISTS";
	default:
		return s->arg;
	}
}

static void release_token(struct client *cl)
{
	if (cl->token) {
		cl->token = false;
		tokens--;
	}
}

static void client_end(struct client *cl)
{
	imapc_close(&cl->c);
	release_token(cl);
	cl->wait = W_END;
}

/* Marks step i's label n/a (first reason wins). */
static void mark_na(size_t i, const char *why)
{
	if (script[i].label && !accs[i].na[0])
		strlcpy_ok(accs[i].na, why, sizeof(accs[i].na));
}

/* The current step failed; fatal failures close the connection and skip to
 * the next CONNECT, marking what is skipped as n/a. */
static void step_fail(struct client *cl, const char *why, bool fatal)
{
	char reason[300];
	snprintf_ok(reason, sizeof(reason), "%s", why);
	note_error(reason);
	mark_na(cl->si, reason);
	if (!fatal && !script[cl->si].essential) {
		cl->si++;
		cl->in_step = 0;
		cl->wait = W_NONE;
		return;
	}
	cl->failed = true;
	imapc_close(&cl->c);
	release_token(cl);
	size_t i = cl->si + 1;
	for (; i < nsteps && script[i].op != OP_CONNECT; i++)
		mark_na(i, reason);
	if (repeat_sessions || i >= nsteps) {
		cl->wait = W_END;
		return;
	}
	cl->si = i;
	cl->in_step = 0;
	cl->wait = W_NONE;
}

static void step_done(struct client *cl)
{
	const struct step *s = &script[cl->si];
	struct acc *a = &accs[cl->si];
	double t = now();
	if (s->label) {
		a->secs += t - cl->t0;
		a->bytes += cl->c.lit_bytes - cl->lit0;
		a->count++;
	}
	if (s->op == OP_WAIT_EXISTS)
		cl->latency = t - t_deliver;
	if (s->op == OP_APPEND && ++cl->in_step < s->times) {
		cl->wait = W_NONE;
		return;
	}
	cl->si++;
	cl->in_step = 0;
	cl->wait = W_NONE;
}

static void send_tagged(struct client *cl, const char *cmd)
{
	snprintf_ok(cl->tag, sizeof(cl->tag), "a%u", ++cl->tagn);
	buf_reset(&cmdbuf);
	buf_appendf(&cmdbuf, "%s %s\r\n", cl->tag, cmd);
	imapc_send(&cl->c, cmdbuf.s, cmdbuf.len);
	cl->lit0 = cl->c.lit_bytes;
	cl->t0 = now();
}

/* Starts the client's current step when it is not waiting for anything. */
static void advance(struct client *cl, const struct sockaddr_in *sa)
{
	while (cl->wait == W_NONE) {
		if (cl->si >= nsteps) {
			sessions_done++;
			if (repeat_sessions && !cl->failed && sessions_started < opt.count) {
				cl->si = 0;
				continue;
			}
			cl->wait = W_END;
			return;
		}
		const struct step *s = &script[cl->si];
		switch (s->op) {
		case OP_CONNECT:
			if (repeat_sessions && cl->si == 0 && sessions_started >= opt.count) {
				cl->wait = W_END;
				return;
			}
			if (tokens >= opt.ramp)
				return;
			tokens++;
			cl->token = true;
			if (cl->si == 0)
				sessions_started++;
			cl->t0 = now();
			cl->lit0 = 0;
			if (!imapc_start(&cl->c, sa, opt.tls)) {
				step_fail(cl, cl->c.err, true);
				continue;
			}
			cl->wait = W_GREETING;
			break;
		case OP_CMD:
			send_tagged(cl, s->arg);
			cl->wait = W_TAGGED;
			break;
		case OP_APPEND: {
			append_message(&cl->msg, cl->in_step + 1);
			char cmd[64];
			snprintf_ok(cmd, sizeof(cmd), "APPEND INBOX (\\Seen) {%zu}", cl->msg.len);
			send_tagged(cl, cmd);
			cl->wait = W_CONT;
			break;
		}
		case OP_IDLE:
			send_tagged(cl, "IDLE");
			cl->wait = W_CONT;
			break;
		case OP_BARRIER:
			release_token(cl);
			cl->wait = W_BARRIER;
			break;
		case OP_WAIT_EXISTS:
			cl->t0 = now();
			cl->wait = W_EXISTS;
			break;
		case OP_DONE:
			imapc_send(&cl->c, "DONE\r\n", 6);
			cl->t0 = now();
			cl->wait = W_TAGGED;
			break;
		case OP_CLOSE:
			imapc_close(&cl->c);
			release_token(cl);
			cl->si++;
			break;
		}
	}
}

static bool starts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static void on_response(struct client *cl, const char *head)
{
	const struct step *s = &script[cl->si < nsteps ? cl->si : 0];
	char why[300];
	if (cl->wait == W_GREETING) {
		if (starts(head, "* OK") || starts(head, "* PREAUTH"))
			step_done(cl);
		else {
			snprintf_ok(why, sizeof(why), "greeting: %s", head);
			step_fail(cl, why, true);
		}
		return;
	}
	if (head[0] == '*') {
		char *end;
		long n = strtol(head + 1, &end, 10);
		if (end != head + 1 && starts(end, " EXISTS")) {
			cl->exists = n;
			if (cl->wait == W_EXISTS && t_deliver >= 0)
				step_done(cl);
		} else if (starts(head, "* SEARCH")) {
			long hits = 0;
			for (const char *p = head + 8; *p; p++)
				hits += *p == ' ' && p[1] >= '0' && p[1] <= '9';
			cl->hits = hits;
		}
		return;
	}
	if (head[0] == '+') {
		if (cl->wait != W_CONT)
			return;
		if (s->op == OP_APPEND) {
			imapc_send(&cl->c, cl->msg.s, cl->msg.len);
			imapc_send(&cl->c, "\r\n", 2);
			cl->wait = W_TAGGED;
		} else {
			step_done(cl);
		}
		return;
	}
	size_t tl = strlen(cl->tag);
	if (cl->wait == W_NONE || cl->wait == W_BARRIER || cl->wait == W_EXISTS || !tl ||
	    strncmp(head, cl->tag, tl) != 0 || head[tl] != ' ')
		return;
	const char *st = head + tl + 1;
	if (starts(st, "OK")) {
		step_done(cl);
		return;
	}
	const char *name = step_name(s);
	const char *sp = strchr(name, ' ');
	int nl = sp && !starts(name, "UID ") ? (int)(sp - name) : (int)strlen(name);
	if (starts(name, "UID ")) {
		const char *sp2 = strchr(name + 4, ' ');
		nl = sp2 ? (int)(sp2 - name) : nl;
	}
	snprintf_ok(why, sizeof(why), "%.*s: %s", nl, name, st);
	step_fail(cl, why, false);
}

/* Delivers one message into opt.maildir the Maildir way and notes the time. */
static void deliver(void)
{
	char tmp[4096], dst[4096], name[256];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf_ok(name, sizeof(name), "%lld.M%ldP%d.loadgen", (long long)ts.tv_sec,
		    ts.tv_nsec / 1000, (int)getpid());
	struct buf m = BUF_INIT(0);
	append_message(&m, 4242);
	struct stat st;
	if (!snprintf_ok(tmp, sizeof(tmp), "%s/tmp/%s", opt.maildir, name) ||
	    !snprintf_ok(dst, sizeof(dst), "%s/new/%s,S=%zu", opt.maildir, name, m.len) ||
	    stat(opt.maildir, &st) < 0) {
		note_error("delivery: bad --maildir");
		buf_free(&m);
		return;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, m.s, m.len) == (ssize_t)m.len &&
		  fchown(fd, st.st_uid, st.st_gid) == 0;
	if (fd >= 0 && close(fd) < 0)
		ok = false;
	buf_free(&m);
	t_deliver = now();
	if (!ok || rename(tmp, dst) < 0) {
		note_error("delivery into --maildir failed");
		t_deliver = -1;
	}
}

static void barrier_action(void)
{
	if (!strcmp(opt.workload, "idle")) {
		/* give every server a moment to finish arming its watch */
		struct timespec d = {0, 200 * 1000 * 1000};
		nanosleep(&d, NULL);
		deliver();
	} else if (opt.exec) {
		fflush(stdout);
		int rc = system(opt.exec);
		if (rc != 0)
			note_error("--exec command failed");
	}
}

static void run(struct client *cls, unsigned n, const struct sockaddr_in *sa)
{
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	unsigned *idx = calloc(n, sizeof(*idx));
	if (!pfd || !idx) {
		fputs("loadgen: out of memory\n", stderr);
		exit(1);
	}
	bool released = false;
	double last = now();
	for (;;) {
		unsigned live = 0, at_barrier = 0, np = 0;
		bool pending = false;
		for (unsigned i = 0; i < n; i++) {
			struct client *cl = &cls[i];
			advance(cl, sa);
			if (cl->wait == W_END)
				continue;
			live++;
			if (cl->wait == W_BARRIER)
				at_barrier++;
			short ev = imapc_events(&cl->c);
			if (ev) {
				pfd[np] = (struct pollfd){cl->c.fd, ev, 0};
				idx[np++] = i;
			}
			pending |= imapc_pending(&cl->c);
		}
		if (!live)
			break;
		if (at_barrier == live && !released) {
			barrier_action();
			released = true;
			for (unsigned i = 0; i < n; i++)
				if (cls[i].wait == W_BARRIER) {
					cls[i].si++;
					cls[i].wait = W_NONE;
				}
			last = now();
			continue;
		}
		int r = poll(pfd, np, pending ? 0 : 1000);
		if (r < 0 && errno != EINTR) {
			perror("loadgen: poll");
			exit(1);
		}
		bool progress = false;
		for (unsigned k = 0; k < np; k++) {
			struct client *cl = &cls[idx[k]];
			if (!pfd[k].revents && !imapc_pending(&cl->c))
				continue;
			progress = true;
			if (!imapc_io(&cl->c)) {
				/* hand out what arrived before the error */
				const char *head;
				while (cl->wait != W_END && cl->c.in.len &&
				       imapc_next(&cl->c, &head))
					on_response(cl, head);
				if (cl->wait != W_END && cl->wait != W_NONE) {
					char why[300];
					snprintf_ok(why, sizeof(why), "%s: %s",
						    step_name(&script[cl->si]), cl->c.err);
					step_fail(cl, why, true);
				}
				continue;
			}
			const char *head;
			while (cl->wait != W_END && imapc_next(&cl->c, &head))
				on_response(cl, head);
		}
		double t = now();
		if (progress) {
			last = t;
		} else if (t - last > opt.timeout) {
			char why[300];
			for (unsigned i = 0; i < n; i++) {
				struct client *cl = &cls[i];
				if (cl->wait == W_END || cl->wait == W_BARRIER ||
				    cl->wait == W_NONE)
					continue;
				snprintf_ok(why, sizeof(why), "%s: no answer within %u s",
					    step_name(&script[cl->si]), opt.timeout);
				step_fail(cl, why, true);
			}
			last = t;
		}
	}
	free(pfd);
	free(idx);
}

static void emit_label(size_t i)
{
	const struct step *s = &script[i];
	const struct acc *a = &accs[i];
	char name[256];
	snprintf_ok(name, sizeof(name), "%s_%s", opt.name, s->label);
	if (a->na[0]) {
		printf("NA %s %s\n", name, a->na);
		return;
	}
	if (!a->count || a->secs <= 0) {
		printf("NA %s %s\n", name, first_err[0] ? first_err : "did not run");
		return;
	}
	switch (s->rk) {
	case R_MS:
		printf("RESULT %s %.3f ms\n", name, a->secs * 1000.0 / a->count);
		break;
	case R_MBPS:
		printf("RESULT %s %.3f MB/s\n", name, (double)a->bytes / a->secs / 1e6);
		printf("INFO %s_bytes %llu\n", name, (unsigned long long)a->bytes);
		break;
	case R_RATE:
		printf("RESULT %s %.3f msg/s\n", name, a->count / a->secs);
		break;
	case R_NONE:
		break;
	}
}

static void report(struct client *cls, unsigned n, double wall)
{
	const char *w = opt.workload;
	if (!strcmp(w, "churn") || !strcmp(w, "login")) {
		if (first_err[0])
			printf("NA %s %s\n", opt.name, first_err);
		else
			printf("RESULT %s %.3f conn/s\n", opt.name, sessions_done / wall);
		printf("INFO %s_sessions %u\n", opt.name, sessions_done);
		return;
	}
	if (!strcmp(w, "idle")) {
		double *lat = calloc(n, sizeof(*lat));
		unsigned got = 0, failed = 0;
		for (unsigned i = 0; i < n; i++) {
			if (cls[i].failed)
				failed++;
			else if (cls[i].latency >= 0)
				lat[got++] = cls[i].latency * 1000.0;
		}
		if (failed || got < n || !lat) {
			printf("NA %s_p50 %u of %u sessions failed: %s\n", opt.name, n - got, n,
			       first_err[0] ? first_err : "no EXISTS");
			printf("NA %s_p99 %u of %u sessions failed: %s\n", opt.name, n - got, n,
			       first_err[0] ? first_err : "no EXISTS");
		} else {
			printf("RESULT %s_p50 %.3f ms\n", opt.name, stats_quantile(lat, got, 0.50));
			printf("RESULT %s_p99 %.3f ms\n", opt.name, stats_quantile(lat, got, 0.99));
		}
		free(lat);
		return;
	}
	if (!strcmp(w, "hold")) {
		unsigned failed = 0;
		for (unsigned i = 0; i < n; i++)
			failed += cls[i].failed;
		if (failed)
			printf("NA %s %u of %u sessions failed: %s\n", opt.name, failed, n,
			       first_err);
		return;
	}
	for (size_t i = 0; i < nsteps; i++)
		if (script[i].label)
			emit_label(i);
	if (cls[0].exists >= 0)
		printf("INFO %s_exists %ld\n", opt.name, cls[0].exists);
	if (!strcmp(w, "mailbox") && cls[0].hits >= 0)
		printf("INFO %s_search_hits %ld\n", opt.name, cls[0].hits);
}

static void build_script(void)
{
	static struct step s[16];
	size_t n = 0;
	const char *w = opt.workload;
	const struct step connect = {OP_CONNECT, NULL, NULL, R_NONE, true, 1};
	const struct step login = {OP_CMD, login_cmd, NULL, R_NONE, true, 1};
	const struct step logout = {OP_CMD, "LOGOUT", NULL, R_NONE, true, 1};
	const struct step close_ = {OP_CLOSE, NULL, NULL, R_NONE, true, 1};
#define SELECT(label)	     ((struct step){OP_CMD, "SELECT INBOX", (label), R_MS, true, 1})
#define CMD(text, label, rk) ((struct step){OP_CMD, (text), (label), (rk), false, 1})
	s[n++] = connect;
	s[n++] = login;
	if (!strcmp(w, "churn") || !strcmp(w, "login")) {
		if (!strcmp(w, "churn"))
			s[n++] = SELECT(NULL);
		repeat_sessions = true;
	} else if (!strcmp(w, "mailbox")) {
		s[n++] = SELECT("select_first");
		s[n++] = CMD("FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE)", "fetch_meta", R_MS);
		s[n++] = CMD("FETCH 1:* (ENVELOPE BODYSTRUCTURE)", "envbs_first", R_MS);
		s[n++] = logout;
		s[n++] = close_;
		s[n++] = connect;
		s[n++] = login;
		s[n++] = SELECT("select_second");
		s[n++] = CMD("FETCH 1:* (ENVELOPE BODYSTRUCTURE)", "envbs_second", R_MS);
		s[n++] = CMD(search_cmd, "search", R_MS);
	} else if (!strcmp(w, "fetchbody")) {
		s[n++] = SELECT(NULL);
		s[n++] = CMD(fetch_cmd, "body", R_MBPS);
	} else if (!strcmp(w, "append")) {
		s[n++] = (struct step){OP_APPEND, NULL, "rate", R_RATE, false, opt.count};
	} else if (!strcmp(w, "idle")) {
		s[n++] = SELECT(NULL);
		s[n++] = (struct step){OP_IDLE, NULL, NULL, R_NONE, true, 1};
		s[n++] = (struct step){OP_BARRIER, NULL, NULL, R_NONE, true, 1};
		s[n++] = (struct step){OP_WAIT_EXISTS, NULL, NULL, R_NONE, true, 1};
		s[n++] = (struct step){OP_DONE, NULL, NULL, R_NONE, true, 1};
	} else if (!strcmp(w, "hold")) {
		s[n++] = (struct step){OP_BARRIER, NULL, NULL, R_NONE, true, 1};
	} else {
		fprintf(stderr, "loadgen: unknown workload %s\n", w);
		exit(2);
	}
#undef SELECT
#undef CMD
	s[n++] = logout;
	s[n++] = close_;
	script = s;
	nsteps = n;
}

static void usage(void)
{
	fputs("usage: loadgen -W churn|login|mailbox|fetchbody|append|idle|hold -p PORT\n"
	      "       [-H ADDR] [--tls] [-u USER] [-w PASS] [-c CLIENTS] [-n COUNT]\n"
	      "       [--name NAME] [--search WORD] [--maildir DIR] [--exec CMD]\n"
	      "       [--timeout SEC] [--ramp K]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"tls", no_argument, NULL, 'T'},	      {"name", required_argument, NULL, 'N'},
	    {"search", required_argument, NULL, 'S'}, {"maildir", required_argument, NULL, 'M'},
	    {"exec", required_argument, NULL, 'E'},   {"timeout", required_argument, NULL, 't'},
	    {"ramp", required_argument, NULL, 'r'},   {NULL, 0, NULL, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "W:p:H:u:w:c:n:", lo, NULL)) != -1) {
		switch (ch) {
		case 'W':
			opt.workload = optarg;
			break;
		case 'p':
			opt.port = atoi(optarg);
			break;
		case 'H':
			opt.host = optarg;
			break;
		case 'u':
			opt.user = optarg;
			break;
		case 'w':
			opt.pass = optarg;
			break;
		case 'c':
			opt.clients = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			opt.count = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'T':
			opt.tls = true;
			break;
		case 'N':
			opt.name = optarg;
			break;
		case 'S':
			opt.search = optarg;
			break;
		case 'M':
			opt.maildir = optarg;
			break;
		case 'E':
			opt.exec = optarg;
			break;
		case 't':
			opt.timeout = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			opt.ramp = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (!opt.workload || opt.port <= 0 || opt.clients == 0 || opt.count == 0 || optind != argc)
		usage();
	if (!strcmp(opt.workload, "idle") && !opt.maildir)
		usage();
	if (!opt.name)
		opt.name = opt.workload;
	if (!opt.ramp)
		opt.ramp = opt.clients;
	bool multi = !strcmp(opt.workload, "churn") || !strcmp(opt.workload, "login") ||
		     !strcmp(opt.workload, "idle") || !strcmp(opt.workload, "hold");
	if (!multi)
		opt.clients = 1;

	struct buf lb = BUF_INIT(sizeof(login_cmd) - 1);
	bool ok = buf_appends(&lb, "LOGIN ") && quoted(&lb, opt.user) && buf_appendc(&lb, ' ') &&
		  quoted(&lb, opt.pass) && strlcpy_ok(login_cmd, lb.s, sizeof(login_cmd));
	buf_free(&lb);
	struct buf sb = BUF_INIT(sizeof(search_cmd) - 1);
	ok = ok && buf_appends(&sb, "UID SEARCH TEXT ") && quoted(&sb, opt.search) &&
	     strlcpy_ok(search_cmd, sb.s, sizeof(search_cmd));
	buf_free(&sb);
	ok = ok && snprintf_ok(fetch_cmd, sizeof(fetch_cmd), "FETCH 1:%u BODY.PEEK[]", opt.count);
	if (!ok)
		usage();

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
	if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1)
		usage();
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (opt.tls && !imapc_tls_init()) {
		fputs("loadgen: GnuTLS initialisation failed\n", stderr);
		return 1;
	}
	build_script();

	struct client *cls = calloc(opt.clients, sizeof(*cls));
	if (!cls)
		return 1;
	for (unsigned i = 0; i < opt.clients; i++) {
		cls[i].c.fd = -1;
		cls[i].exists = -1;
		cls[i].hits = -1;
		cls[i].latency = -1;
		cls[i].msg = (struct buf)BUF_INIT(0);
	}
	double t0 = now();
	run(cls, opt.clients, &sa);
	double wall = now() - t0;
	report(cls, opt.clients, wall);
	for (unsigned i = 0; i < opt.clients; i++) {
		client_end(&cls[i]);
		buf_free(&cls[i].msg);
	}
	free(cls);
	buf_free(&cmdbuf);
	return 0;
}
