/* lock: Dovecot-compatible dot-locks ("<file>.lock").
 *
 * The lock file is created with O_CREAT|O_EXCL and holds "<pid>:<host>",
 * as Dovecot's dotlocks do, so imapd and Dovecot exclude each other.
 * An existing lock is stale, and is removed, when its owner is a process
 * of this host that no longer exists, or when neither the lock file nor
 * the file it guards has been modified for stale_secs (Dovecot's rule; it
 * uses 120 s for dovecot-uidlist), or
 * when it is still empty MD_LOCK_EMPTY_STALE_SECS after its creation (its
 * creator died between creating and writing it). A fresh lock is waited
 * for, polling, up to wait_secs.
 *
 * The check-then-unlink of a stale lock compares the inode first, so a
 * lock taken anew by someone else in between is left alone.
 */
#ifndef IMAPD_MD_LOCK_H
#define IMAPD_MD_LOCK_H

#include "lib/buf.h"

#define MD_LOCK_STALE_SECS	 120 /* Dovecot's stale timeout for the uidlist lock */
#define MD_LOCK_WAIT_SECS	 60  /* how long a writer waits for a live lock */
#define MD_LOCK_EMPTY_STALE_SECS 5   /* an owner writes its id at once after creating */

struct md_lock_opts {
	unsigned wait_secs;  /* 0: try once */
	unsigned stale_secs; /* age after which an unchanged lock is stale */
};

struct md_dotlock;

/* Locks path (creating path.lock). 0, or -1 with err ("timed out" when a
 * live lock outlasted wait_secs). */
int md_dotlock_take(const char *path, const struct md_lock_opts *o, struct md_dotlock **out,
		    struct buf *err);
/* Removes the lock file (if it is still ours) and frees; sets *l to NULL. */
void md_dotlock_release(struct md_dotlock **l);
/* Bumps the lock's mtime so waiters do not think it stale. */
void md_dotlock_touch(struct md_dotlock *l);

#endif
