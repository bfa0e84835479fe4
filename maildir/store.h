/* store: one user's Maildir++ account (the root Maildir is INBOX).
 *
 * md_store_open creates a missing root with tmp/, new/ and cur/, and for
 * such a new account also the folders Sent, Drafts, Trash, Junk and
 * Archive (subscribed, with their special-use attributes, see folder.h).
 * The store holds the options every folder operation uses and the
 * per-process delivery counter used in unique file names.
 */
#ifndef IMAPD_MD_STORE_H
#define IMAPD_MD_STORE_H

#include <stdbool.h>

#include "lib/buf.h"
#include "lock.h"
#include "util.h"

#define MD_TMP_MAX_AGE_SECS    (36 * 3600) /* tmp/ files older than this are removed */
#define MD_TMP_SCAN_EVERY_SECS (8 * 3600)  /* tmp/ is scanned at most this often */

struct md_store_opts {
	struct md_lock_opts lock;
	unsigned tmp_max_age_secs;
};

struct md_store;

void md_store_opts_default(struct md_store_opts *o);
/* o NULL: defaults. 0, or -1 with err. */
int md_store_open(const char *root, const struct md_store_opts *o, struct md_store **out,
		  struct buf *err);
void md_store_free(struct md_store **s);

const char *md_store_root(const struct md_store *s);
const struct md_store_opts *md_store_options(const struct md_store *s);
/* Next value of the delivery counter (the Q part of unique names). */
unsigned long md_store_next_seq(struct md_store *s);
/* Directory of a folder (validated name). 0, or -1 with err. */
int md_store_folder_dir(const struct md_store *s, const char *name, char path[MD_PATH_MAX],
			struct buf *err);
/* True when the folder's directory exists (a \Noselect parent does not). */
bool md_store_folder_exists(const struct md_store *s, const char *name);
/* Removes tmp/ files older than the limit, when the last scan of that tmp/
 * is older than MD_TMP_SCAN_EVERY_SECS (tracked by tmp/'s atime). */
void md_store_clean_tmp(const struct md_store *s, const char *dir);

#endif
