#include "session/watch.h"

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lib/buf.h"
#include "maildir/keywords.h"
#include "maildir/uidlist.h"

/* Events wanted on new/ and cur/: anything that adds, removes or renames. */
#define DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
/* Events wanted on the folder itself, for the UID and keyword lists. */
#define LIST_EVENTS (IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE)

int watch_open(struct watch *w, const struct md_idle_paths *p, bool force_poll)
{
	memset(w, 0, sizeof(*w));
	w->fd = w->wd_new = w->wd_cur = w->wd_dir = -1;
	if (force_poll) {
		errno = EMFILE;
		return -1;
	}
	char dir[sizeof(p->uidlist)];
	if (!strlcpy_ok(dir, p->uidlist, sizeof(dir)) || !strrchr(dir, '/')) {
		errno = ENAMETOOLONG;
		return -1;
	}
	*strrchr(dir, '/') = '\0';
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		return -1;
	w->wd_new = inotify_add_watch(w->fd, p->new_dir, DIR_EVENTS | IN_ONLYDIR);
	if (w->wd_new >= 0)
		w->wd_cur = inotify_add_watch(w->fd, p->cur_dir, DIR_EVENTS | IN_ONLYDIR);
	if (w->wd_cur >= 0)
		w->wd_dir = inotify_add_watch(w->fd, dir, LIST_EVENTS | IN_ONLYDIR);
	if (w->wd_dir < 0) {
		int e = errno;
		watch_close(w);
		errno = e;
		return -1;
	}
	return 0;
}

int watch_fd(const struct watch *w)
{
	return w->fd;
}

static bool cookie_seen(const struct watch *w, uint32_t c)
{
	for (unsigned i = 0; i < WATCH_COOKIES; i++)
		if (c && w->cookies[i] == c)
			return true;
	return false;
}

static unsigned classify(struct watch *w, const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW)
		return WATCH_RESCAN;
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
		return WATCH_LOST | WATCH_RESCAN;
	if (ev->wd == w->wd_new) {
		if (ev->mask & (IN_CREATE | IN_MOVED_TO))
			return WATCH_RESCAN; /* a delivery */
		if (ev->mask & IN_MOVED_FROM) {
			w->cookies[w->next_cookie] = ev->cookie;
			w->next_cookie = (w->next_cookie + 1) % WATCH_COOKIES;
		}
		return WATCH_CHECK;
	}
	if (ev->wd == w->wd_cur) {
		if ((ev->mask & IN_MOVED_TO) && cookie_seen(w, ev->cookie))
			return WATCH_CHECK; /* a sync's move from new/ */
		return WATCH_RESCAN;	    /* flags, expunges, other writers */
	}
	if (ev->wd == w->wd_dir && ev->len > 0 &&
	    (!strcmp(ev->name, MD_UIDLIST_NAME) || !strcmp(ev->name, MD_KEYWORDS_NAME)))
		return WATCH_CHECK;
	return 0;
}

unsigned watch_read(struct watch *w)
{
	if (w->fd < 0)
		return 0;
	unsigned bits = 0;
	char b[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->fd, b, sizeof(b));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EAGAIN: drained */
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(b + off);
			bits |= classify(w, ev);
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
	return bits;
}

void watch_close(struct watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = w->wd_new = w->wd_cur = w->wd_dir = -1;
}
