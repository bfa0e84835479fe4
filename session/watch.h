/* watch: noticing changes to a Maildir folder while a client idles.
 *
 * With inotify the watcher listens on the folder's new/ and cur/ and, in
 * the folder itself, on the names of the UID list and the keyword list
 * (which are replaced by rename). Without inotify (watch_open() fails) the
 * caller polls md_mailbox_changed() instead.
 *
 * watch_read() sorts the events into what the caller has to do:
 *   WATCH_CHECK   something may have changed: the cheap stat check of
 *                 md_mailbox_changed() is enough (a UID list or keyword
 *                 list replaced, a file moved out of new/);
 *   WATCH_RESCAN  another process changed the folder in a way the stat
 *                 check can miss when directory times are coarse (a file
 *                 arrived in new/; a file in cur/ was renamed, removed or
 *                 added other than by a move from new/), or events were
 *                 lost (queue overflow): read the folder again;
 *   WATCH_LOST    a watched directory went away (the folder was deleted or
 *                 renamed): no more events will come.
 * A move from new/ to cur/ (what every session's sync does) is recognised
 * by its rename cookie, so a session's own sync does not make it rescan.
 */
#ifndef IMAPD_SESSION_WATCH_H
#define IMAPD_SESSION_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "maildir/mailbox.h"

#define WATCH_CHECK  1u
#define WATCH_RESCAN 2u
#define WATCH_LOST   4u

/* Rename cookies of recent moves out of new/ kept to recognise their
 * arrival in cur/; the two halves of a rename are queued together. */
#define WATCH_COOKIES 64

struct watch {
	int fd; /* inotify descriptor, -1 when closed */
	int wd_new, wd_cur, wd_dir;
	uint32_t cookies[WATCH_COOKIES];
	unsigned next_cookie;
};

/* Starts watching the folder of p. With force_poll it fails as if inotify
 * were exhausted (EMFILE), for tests and diagnosis. 0, or -1 with errno
 * (EMFILE, ENFILE, ENOSPC: out of inotify instances or watches) and w
 * closed. */
int watch_open(struct watch *w, const struct md_idle_paths *p, bool force_poll);
/* The descriptor to poll for POLLIN, -1 when closed. */
int watch_fd(const struct watch *w);
/* Reads every queued event without blocking; returns WATCH_* bits. */
unsigned watch_read(struct watch *w);
/* Stops watching; harmless when closed. */
void watch_close(struct watch *w);

#endif
