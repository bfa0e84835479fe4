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
 * Each workload is a script of steps run by engine.c.
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

#include "engine.h"
#include "stats.h"

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

static struct engine eng = {.t_deliver = -1};
static char fetch_cmd[64], search_cmd[256], login_cmd[600];

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
		engine_note_error(&eng, "delivery: bad --maildir");
		buf_free(&m);
		return;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, m.s, m.len) == (ssize_t)m.len &&
		  fchown(fd, st.st_uid, st.st_gid) == 0;
	if (fd >= 0 && close(fd) < 0)
		ok = false;
	buf_free(&m);
	eng.t_deliver = engine_now();
	if (!ok || rename(tmp, dst) < 0) {
		engine_note_error(&eng, "delivery into --maildir failed");
		eng.t_deliver = -1;
	}
}

static void barrier_action(struct engine *e)
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
			engine_note_error(&eng, "--exec command failed");
	}
}

static void emit_label(size_t i)
{
	const struct step *s = &eng.script[i];
	const struct acc *a = &eng.accs[i];
	char name[256];
	snprintf_ok(name, sizeof(name), "%s_%s", opt.name, s->label);
	if (a->na[0]) {
		printf("NA %s %s\n", name, a->na);
		return;
	}
	if (!a->count || a->secs <= 0) {
		printf("NA %s %s\n", name, eng.first_err[0] ? eng.first_err : "did not run");
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
		if (eng.first_err[0])
			printf("NA %s %s\n", opt.name, eng.first_err);
		else
			printf("RESULT %s %.3f conn/s\n", opt.name, eng.done / wall);
		printf("INFO %s_sessions %u\n", opt.name, eng.done);
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
			       eng.first_err[0] ? eng.first_err : "no EXISTS");
			printf("NA %s_p99 %u of %u sessions failed: %s\n", opt.name, n - got, n,
			       eng.first_err[0] ? eng.first_err : "no EXISTS");
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
			       eng.first_err);
		return;
	}
	for (size_t i = 0; i < eng.nsteps; i++)
		if (eng.script[i].label)
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
		eng.repeat = true;
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
	eng.script = s;
	eng.nsteps = n;
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
		cls[i].e = &eng;
		cls[i].c.fd = -1;
		cls[i].exists = -1;
		cls[i].hits = -1;
		cls[i].latency = -1;
		cls[i].msg = (struct buf)BUF_INIT(0);
	}
	eng.sa = sa;
	eng.tls = opt.tls;
	eng.count = opt.count;
	eng.ramp = opt.ramp;
	eng.timeout = opt.timeout;
	eng.barrier = barrier_action;
	eng.body = append_message;
	double t0 = engine_now();
	engine_run(&eng, cls, opt.clients);
	double wall = engine_now() - t0;
	report(cls, opt.clients, wall);
	for (unsigned i = 0; i < opt.clients; i++) {
		imapc_close(&cls[i].c);
		buf_free(&cls[i].msg);
	}
	free(cls);
	return 0;
}
