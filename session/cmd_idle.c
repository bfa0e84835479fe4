/* IDLE (RFC 2177): the client waits and the server pushes changes to it.
 *
 * "+ idling" is sent once the watcher is in place, so that whatever another
 * process changes after the client has read it is reported. While idling:
 *  - In SELECTED state, changes to the mailbox reach the client as EXPUNGE,
 *    EXISTS, RECENT and FETCH FLAGS (session_update(), expunges allowed).
 *    inotify (session/watch.h) wakes the session; after the first event it
 *    goes on collecting events for IDLE_BATCH_MS, then syncs once. While
 *    changes keep coming, syncs are at least IDLE_SYNC_GAP_MS apart. So a
 *    lone change is reported within milliseconds, and a burst of 1,000
 *    deliveries becomes a few EXISTS rather than 1,000 rescans.
 *  - Without inotify (no instance or watch left: EMFILE, ENFILE, ENOSPC; or
 *    idle_force_poll = yes) the mailbox is checked every idle_poll_interval
 *    seconds instead; this is logged once per session.
 *  - In AUTHENTICATED state there is no mailbox to watch: IDLE is accepted
 *    (RFC 9051 lists it there) and only sends keepalives until DONE.
 *  - "* OK Still here" is sent after idle_keepalive seconds without output.
 *  - The autologout timer (timeout_idle) does not run: IDLE lasts as long
 *    as the client wants. A vanished client is noticed when the connection
 *    closes or a write fails.
 * The first line the client sends ends IDLE: "DONE" in any case with a
 * tagged OK, any other line with a tagged BAD (the session carries on).
 * Bytes after that line stay buffered and are read as the next commands.
 * A client that disconnects ends the session.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/log.h"
#include "session/commands.h"
#include "session/mailbox.h"
#include "session/respond.h"
#include "session/watch.h"

/* After the first event, how long to go on collecting events before the
 * one sync that reports them all. */
#define IDLE_BATCH_MS 15
/* The least time from the end of one sync to the start of the next. */
#define IDLE_SYNC_GAP_MS 200
/* The longest line accepted while idling; a longer one is BAD. */
#define IDLE_MAX_LINE 1024

/* One session per process: logged once per session. */
static bool poll_logged;

struct idle {
	struct watch w;
	bool watching;	      /* inotify is in use */
	unsigned bits;	      /* WATCH_* gathered in the batching window */
	int64_t batch_at;     /* end of the batching window; -1: none open */
	int64_t synced_at;    /* end of the last sync that read the folder */
	int64_t poll_at;      /* next check without inotify; -1: not polling */
	int64_t keepalive_at; /* next "* OK Still here" */
	bool too_long;	      /* the line being received is over IDLE_MAX_LINE */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void start_polling(struct session *s, struct idle *st, const char *why)
{
	watch_close(&st->w);
	st->watching = false;
	st->batch_at = -1;
	st->poll_at = now_ms() + (int64_t)s->cfg->idle_poll_interval * 1000;
	if (!poll_logged)
		log_warn("IDLE: %s; checking the mailbox every %u s", why,
			 s->cfg->idle_poll_interval);
	poll_logged = true;
}

static void start_watching(struct session *s, struct idle *st)
{
	memset(st, 0, sizeof(*st));
	st->w.fd = -1;
	st->batch_at = st->poll_at = -1;
	st->synced_at = INT64_MIN / 2;
	if (!s->mbox)
		return;
	struct md_idle_paths paths;
	md_mailbox_idle_paths(s->mbox, &paths);
	if (watch_open(&st->w, &paths, s->cfg->idle_force_poll) == 0) {
		st->watching = true;
		return;
	}
	char why[160];
	snprintf_ok(why, sizeof(why), "inotify unavailable (%s)",
		    s->cfg->idle_force_poll ? "idle_force_poll" : strerror(errno));
	start_polling(s, st, why);
}

/* The batching window has closed: one sync for everything seen in it. */
static void report_changes(struct session *s, struct idle *st)
{
	st->bits |= watch_read(&st->w);
	if (st->bits & WATCH_RESCAN)
		md_mailbox_invalidate(s->mbox);
	if (st->bits & WATCH_LOST)
		start_polling(s, st, "the mailbox's directories went away");
	st->bits = 0;
	st->batch_at = -1;
	/* Only a sync that reads the folder counts for the gap: the events of
	 * this session's own sync (its UID list) need just the stat check. */
	bool changed = s->mbox && md_mailbox_changed(s->mbox);
	session_update(s);
	if (changed)
		st->synced_at = now_ms();
}

/* Looks for the line that ends IDLE in the buffered input and consumes it:
 * 1 for DONE, -1 for any other line, 0 while no whole line is there. */
static int take_line(struct session *s, struct idle *st)
{
	const char *d = io_data(&s->io);
	size_t n = io_avail(&s->io);
	const char *nl = memchr(d, '\n', n);
	if (!nl) {
		if (n > IDLE_MAX_LINE) {
			io_consume(&s->io, n);
			st->too_long = true;
		}
		return 0;
	}
	size_t len = (size_t)(nl - d);
	size_t k = len > 0 && d[len - 1] == '\r' ? len - 1 : len;
	bool done = !st->too_long && k == 4 && !strncasecmp(d, "DONE", 4);
	io_consume(&s->io, len + 1);
	return done ? 1 : -1;
}

static int gone(struct session *s, const char *why)
{
	log_info("disconnected: %s", why);
	s->state = ST_LOGOUT;
	return 0;
}

/* Waits for the client's line, reporting changes and sending keepalives
 * meanwhile. 1: DONE; -1: another line; 0: the client is gone. */
static int idle_wait(struct session *s, struct idle *st)
{
	const int64_t keepalive = (int64_t)s->cfg->idle_keepalive * 1000;
	int64_t now = now_ms();
	uint64_t sent = s->io.bytes_out;
	st->keepalive_at = now + keepalive;
	for (;;) {
		int line = take_line(s, st);
		if (line)
			return line;
		if (!io_flush(&s->io))
			return gone(s, "write failed while idling");
		if (s->io.bytes_out != sent) {
			sent = s->io.bytes_out;
			st->keepalive_at = now + keepalive;
		}
		int64_t wake = st->keepalive_at;
		if (st->batch_at >= 0 && st->batch_at < wake)
			wake = st->batch_at;
		if (st->poll_at >= 0 && st->poll_at < wake)
			wake = st->poll_at;
		int timeout = wake <= now ? 0 : wake - now > INT_MAX ? INT_MAX : (int)(wake - now);
		/* TLS may hold decrypted bytes the fd no longer shows. */
		bool pending = s->io.t.pending(s->io.t.ctx) > 0;
		struct pollfd pf[2] = {{s->io.in_fd, POLLIN, 0}, {watch_fd(&st->w), POLLIN, 0}};
		int n = poll(pf, st->watching ? 2 : 1, pending ? 0 : timeout);
		if (n < 0 && errno != EINTR)
			return gone(s, "poll failed while idling");
		if (pending || (n > 0 && pf[0].revents)) {
			int r = io_fill(&s->io, 0);
			if (r == 0)
				return gone(s, "closed by client while idling");
			if (r == -1)
				return gone(s, "read error while idling");
		}
		if (st->watching && n > 0 && pf[1].revents) {
			st->bits |= watch_read(&st->w);
			if (st->bits && st->batch_at < 0) {
				int64_t at = now_ms() + IDLE_BATCH_MS;
				int64_t gap = st->synced_at + IDLE_SYNC_GAP_MS;
				st->batch_at = at > gap ? at : gap;
			}
		}
		now = now_ms();
		if (st->batch_at >= 0 && now >= st->batch_at)
			report_changes(s, st);
		if (st->poll_at >= 0 && now >= st->poll_at) {
			session_update(s);
			st->poll_at = now + (int64_t)s->cfg->idle_poll_interval * 1000;
		}
		if (now >= st->keepalive_at) {
			respond_untagged(s, "OK Still here");
			st->keepalive_at = now + keepalive;
		}
	}
}

enum cmd_result cmd_idle(struct session *s, struct parser *p, struct str tag)
{
	if (!p_eol(p))
		return CMD_BAD;
	struct idle st;
	start_watching(s, &st);
	s->expunge_ok = true;
	respond_continue(s, "idling");
	/* Whatever changed before the watch was in place. */
	session_update(s);
	int r = idle_wait(s, &st);
	watch_close(&st.w);
	if (r > 0)
		respond_tagged(s, tag, "OK", "IDLE terminated");
	else if (r < 0)
		respond_tagged(s, tag, "BAD", "Expected DONE to end IDLE");
	return CMD_DONE;
}
