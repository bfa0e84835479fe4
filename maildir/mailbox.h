/* mailbox: an open folder (SELECT/EXAMINE), its messages and their changes.
 *
 * The view is an array of compact records in UID order; sequence number
 * seq (1-based) is record seq-1. File names live in one arena. Nothing
 * here opens a message file except md_mailbox_open_file and, for messages
 * whose name lacks S=/W=, md_mailbox_meta (which stats, and reads only to
 * count line ends when W= is missing).
 *
 * Synchronising (md_mailbox_sync): files in new/ are renamed into cur/
 * (with ":2,"); the session whose rename succeeds is the only one that
 * sees them as \Recent. cur/ is read, files without a UID are numbered
 * under the uidlist lock (in file-name order, i.e. arrival order), and the
 * result is compared with the previous view: the report lists the
 * messages another process expunged (their old sequence numbers, highest
 * first, so each is valid when sent in that order), the UIDs whose flags
 * changed, and how many messages were appended. A message missing from a
 * read of cur/ is looked for in a second read before it is called
 * expunged, since a rename by another process can hide a file from one
 * readdir pass. A read-only view (EXAMINE) moves nothing out of new/ but
 * still numbers new files, and shows those in new/ as \Recent.
 *
 * Extension point: struct md_msg is keyed by UID; a persistent index
 * (CONDSTORE mod-sequences, cached envelopes) can hang off the UID
 * without changing this interface.
 *
 * Return values: 0, or MD_ERR / MD_ERR_NOTFOUND / MD_ERR_EXPUNGED (util.h)
 * with the reason in err.
 */
#ifndef IMAPD_MD_MAILBOX_H
#define IMAPD_MD_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filename.h"
#include "lib/buf.h"
#include "util.h"

#define MD_UNKNOWN_DATE	    INT64_MIN
#define MD_MAILBOX_MAX_MSGS 10000000 /* records in one view */

enum md_msg_state {
	MD_MSG_RECENT = 1 << 0,
	MD_MSG_IN_NEW = 1 << 1, /* read-only view: file still in new/ */
};

struct md_msg {
	uint32_t uid;
	uint32_t keywords;     /* bit i: keyword i (md_mailbox_keyword_name) */
	uint64_t size;	       /* stored bytes, MD_UNKNOWN_SIZE until known */
	uint64_t vsize;	       /* RFC822.SIZE (CRLF), MD_UNKNOWN_SIZE until known */
	int64_t internal_date; /* file mtime, MD_UNKNOWN_DATE until md_mailbox_meta */
	uint32_t name;	       /* arena offset of the file name (private) */
	uint8_t flags;	       /* enum md_flag */
	uint8_t state;	       /* enum md_msg_state */
};

struct md_status {
	uint32_t messages, recent, unseen, deleted;
	uint32_t first_unseen; /* sequence number, 0 when none (view only) */
	uint32_t uidnext, uidvalidity;
	uint64_t size; /* sum of RFC822.SIZE */
};

struct md_changes {
	uint32_t *expunged_seqs; /* old sequence numbers, descending */
	uint32_t *expunged_uids; /* same order */
	size_t n_expunged;
	uint32_t *flag_uids; /* messages whose flags or keywords changed */
	size_t n_flag_changes;
	uint32_t n_new;	 /* records appended at the end */
	uint32_t exists; /* message count after the sync */
	uint32_t recent; /* \Recent count after the sync */
	bool keywords_changed;
};

enum md_store_op { MD_STORE_SET, MD_STORE_ADD, MD_STORE_REMOVE };

struct md_store;
struct md_mailbox;

int md_mailbox_open(struct md_store *s, const char *name, bool readonly, struct md_mailbox **out,
		    struct buf *err);
void md_mailbox_free(struct md_mailbox **mb);

const char *md_mailbox_name(const struct md_mailbox *mb);
const char *md_mailbox_dir(const struct md_mailbox *mb);
bool md_mailbox_readonly(const struct md_mailbox *mb);
uint32_t md_mailbox_count(const struct md_mailbox *mb);
uint32_t md_mailbox_uidvalidity(const struct md_mailbox *mb);
uint32_t md_mailbox_uidnext(const struct md_mailbox *mb);
/* seq in 1..count; NULL otherwise. */
const struct md_msg *md_mailbox_msg(const struct md_mailbox *mb, uint32_t seq);
/* Sequence number of a UID, 0 when not in the view (binary search). */
uint32_t md_mailbox_seq(const struct md_mailbox *mb, uint32_t uid);
/* Path of the message file (relative to the folder: "cur/<name>"). */
int md_mailbox_path(const struct md_mailbox *mb, uint32_t seq, char path[MD_PATH_MAX]);
/* Fills in size, vsize and internal_date of a record. */
int md_mailbox_meta(struct md_mailbox *mb, uint32_t seq, struct buf *err);
/* After ENOENT: finds the file again under its new flags, or
 * MD_ERR_EXPUNGED. */
int md_mailbox_locate(struct md_mailbox *mb, uint32_t seq, struct buf *err);
/* Opens the message read-only, following a flag rename by another
 * process. Returns the fd, or MD_ERR / MD_ERR_EXPUNGED. */
int md_mailbox_open_file(struct md_mailbox *mb, uint32_t seq, struct buf *err);

/* Counts for SELECT (first_unseen included). Computes missing sizes. */
void md_mailbox_status(struct md_mailbox *mb, struct md_status *st);
/* STATUS without opening a view: reads new/, cur/ and the uidlist only. */
int md_status(struct md_store *s, const char *name, struct md_status *st, struct buf *err);

/* Cheap: stats new/, cur/, the uidlist and the keyword list. */
bool md_mailbox_changed(const struct md_mailbox *mb);
/* Makes the next md_mailbox_changed() true, so that the next sync reads the
 * folder even when a change left the directory times as they were (a
 * second change within one tick of a coarse file system clock). For a
 * caller told of changes by other means (inotify). */
void md_mailbox_invalidate(struct md_mailbox *mb);
/* ch may be NULL. MD_ERR_NOTFOUND when another process deleted the
 * folder (the session should end the selection). */
int md_mailbox_sync(struct md_mailbox *mb, struct md_changes *ch, struct buf *err);
void md_changes_free(struct md_changes *ch);

/* Keyword index for name; create adds it to the folder. -1 when unknown
 * (and not created) or no room, with err. */
int md_mailbox_keyword(struct md_mailbox *mb, const char *name, bool create, struct buf *err);
/* Name of keyword i, NULL when unused. */
const char *md_mailbox_keyword_name(const struct md_mailbox *mb, unsigned i);

/* Changes flags/keywords of one message (renames its file). */
int md_mailbox_store(struct md_mailbox *mb, uint32_t seq, enum md_store_op op, uint8_t flags,
		     uint32_t keywords, struct buf *err);
/* Removes the \Deleted messages (only those among uids when uids is not
 * NULL, for UID EXPUNGE), then syncs into ch. */
int md_mailbox_expunge(struct md_mailbox *mb, const uint32_t *uids, size_t n, struct md_changes *ch,
		       struct buf *err);

/* Drops the UID records of files this process removed or moved away;
 * bases holds n NUL-terminated base names back to back. */
void md_mailbox_forget(struct md_mailbox *mb, const char *bases, size_t n);
struct md_store *md_mailbox_store_of(const struct md_mailbox *mb);

/* COPY (move false) or MOVE (move true) of messages seqs[0..n) into the
 * folder dest. dest_uids[i] gets the UID given to seqs[i] in dest, or 0
 * when that message had been expunged meanwhile (it is skipped);
 * *dest_uidvalidity that folder's UIDVALIDITY (for COPYUID). Copies are
 * hard links when the file system allows, else copies through dest's
 * tmp/; moves are renames. Flags and keywords go along (keywords by name).
 * A moved message leaves the source view at its next sync (EXPUNGE).
 * MD_ERR_NOTFOUND when dest does not exist ([TRYCREATE]). */
int md_mailbox_copy(struct md_mailbox *mb, const uint32_t *seqs, size_t n, const char *dest,
		    bool move, uint32_t *dest_uids, uint32_t *dest_uidvalidity, struct buf *err);

/* Paths to watch with inotify during IDLE. */
struct md_idle_paths {
	char new_dir[MD_PATH_MAX], cur_dir[MD_PATH_MAX], uidlist[MD_PATH_MAX];
};
void md_mailbox_idle_paths(const struct md_mailbox *mb, struct md_idle_paths *p);

#endif
