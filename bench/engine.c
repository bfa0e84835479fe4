/* engine: scripted IMAP sessions over one poll loop; see engine.h. */
#include "engine.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

double engine_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void engine_note_error(struct engine *e, const char *why)
{
	if (!e->first_err[0])
		strlcpy_ok(e->first_err, why, sizeof(e->first_err));
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
	struct engine *e = cl->e;
	if (cl->token) {
		cl->token = false;
		e->tokens--;
	}
}

/* Marks step i's label n/a (first reason wins). */
static void mark_na(struct engine *e, size_t i, const char *why)
{
	if (e->script[i].label && !e->accs[i].na[0])
		strlcpy_ok(e->accs[i].na, why, sizeof(e->accs[i].na));
}

/* The current step failed; fatal failures close the connection and skip to
 * the next CONNECT, marking what is skipped as n/a. */
static void step_fail(struct client *cl, const char *why, bool fatal)
{
	struct engine *e = cl->e;
	char reason[ENGINE_REASON];
	snprintf_ok(reason, sizeof(reason), "%s", why);
	engine_note_error(e, reason);
	mark_na(e, cl->si, reason);
	if (!fatal && !e->script[cl->si].essential) {
		cl->si++;
		cl->in_step = 0;
		cl->wait = W_NONE;
		return;
	}
	cl->failed = true;
	imapc_close(&cl->c);
	release_token(cl);
	size_t i = cl->si + 1;
	for (; i < e->nsteps && e->script[i].op != OP_CONNECT; i++)
		mark_na(e, i, reason);
	if (e->repeat || i >= e->nsteps) {
		cl->wait = W_END;
		return;
	}
	cl->si = i;
	cl->in_step = 0;
	cl->wait = W_NONE;
}

static void step_done(struct client *cl)
{
	struct engine *e = cl->e;
	const struct step *s = &e->script[cl->si];
	struct acc *a = &e->accs[cl->si];
	double t = engine_now();
	if (s->label) {
		a->secs += t - cl->t0;
		a->bytes += cl->c.lit_bytes - cl->lit0;
		a->count++;
	}
	if (s->op == OP_WAIT_EXISTS)
		cl->latency = t - e->t_deliver;
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
	imapc_send(&cl->c, cl->tag, strlen(cl->tag));
	imapc_send(&cl->c, " ", 1);
	imapc_send(&cl->c, cmd, strlen(cmd));
	imapc_send(&cl->c, "\r\n", 2);
	cl->lit0 = cl->c.lit_bytes;
	cl->t0 = engine_now();
}

/* Starts the client's current step when it is not waiting for anything. */
static void advance(struct client *cl)
{
	struct engine *e = cl->e;
	while (cl->wait == W_NONE) {
		if (cl->si >= e->nsteps) {
			e->done++;
			if (e->repeat && !cl->failed && e->started < e->count) {
				cl->si = 0;
				continue;
			}
			cl->wait = W_END;
			return;
		}
		const struct step *s = &e->script[cl->si];
		switch (s->op) {
		case OP_CONNECT:
			if (e->repeat && cl->si == 0 && e->started >= e->count) {
				cl->wait = W_END;
				return;
			}
			if (e->tokens >= e->ramp)
				return;
			e->tokens++;
			cl->token = true;
			if (cl->si == 0)
				e->started++;
			cl->t0 = engine_now();
			cl->lit0 = 0;
			if (!imapc_start(&cl->c, &e->sa, e->tls)) {
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
			e->body(&cl->msg, cl->in_step + 1);
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
			cl->t0 = engine_now();
			cl->wait = W_EXISTS;
			break;
		case OP_DONE:
			imapc_send(&cl->c, "DONE\r\n", 6);
			cl->t0 = engine_now();
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
	struct engine *e = cl->e;
	const struct step *s = &e->script[cl->si < e->nsteps ? cl->si : 0];
	char why[ENGINE_REASON];
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
			if (cl->wait == W_EXISTS && e->t_deliver >= 0)
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

void engine_run(struct engine *e, struct client *cls, unsigned n)
{
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	unsigned *idx = calloc(n, sizeof(*idx));
	if (!pfd || !idx) {
		fputs("engine: out of memory\n", stderr);
		exit(1);
	}
	bool released = false;
	double last = engine_now();
	for (;;) {
		unsigned live = 0, at_barrier = 0, np = 0;
		bool pending = false;
		for (unsigned i = 0; i < n; i++) {
			struct client *cl = &cls[i];
			advance(cl);
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
			if (e->barrier)
				e->barrier(e);
			released = true;
			for (unsigned i = 0; i < n; i++)
				if (cls[i].wait == W_BARRIER) {
					cls[i].si++;
					cls[i].wait = W_NONE;
				}
			last = engine_now();
			continue;
		}
		int r = poll(pfd, np, pending ? 0 : 1000);
		if (r < 0 && errno != EINTR) {
			perror("engine: poll");
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
					char why[ENGINE_REASON];
					snprintf_ok(why, sizeof(why), "%s: %s",
						    step_name(&e->script[cl->si]), cl->c.err);
					step_fail(cl, why, true);
				}
				continue;
			}
			const char *head;
			while (cl->wait != W_END && imapc_next(&cl->c, &head))
				on_response(cl, head);
		}
		double t = engine_now();
		if (progress) {
			last = t;
		} else if (t - last > e->timeout) {
			char why[ENGINE_REASON];
			for (unsigned i = 0; i < n; i++) {
				struct client *cl = &cls[i];
				if (cl->wait == W_END || cl->wait == W_BARRIER ||
				    cl->wait == W_NONE)
					continue;
				snprintf_ok(why, sizeof(why), "%s: no answer within %u s",
					    step_name(&e->script[cl->si]), e->timeout);
				step_fail(cl, why, true);
			}
			last = t;
		}
	}
	free(pfd);
	free(idx);
}
