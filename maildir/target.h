/* target: a folder that messages are being put into (APPEND, COPY, MOVE).
 *
 * Usage: md_target_open, md_target_lock (takes the folder's uidlist lock
 * and re-reads its UID and keyword lists), then md_target_keyword for
 * each keyword name, place the files into cur/, md_target_add for each
 * base name (gets its UID), md_target_commit (saves keywords and UIDs,
 * unlocks), md_target_close. Holding the lock while files are placed
 * keeps other processes from numbering them first, so UIDs follow the
 * order of the caller.
 */
#ifndef IMAPD_MD_TARGET_H
#define IMAPD_MD_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "keywords.h"
#include "lib/buf.h"
#include "uidlist.h"
#include "util.h"

struct md_store;

struct md_target {
	struct md_store *store;
	char dir[MD_PATH_MAX];
	struct md_uidlist *ul;
	struct md_keywords kw;
	bool kw_dirty;
	bool locked;
};

/* MD_ERR_NOTFOUND when the folder does not exist (for [TRYCREATE]). */
int md_target_open(struct md_target *t, struct md_store *s, const char *name, struct buf *err);
int md_target_lock(struct md_target *t, struct buf *err);
/* Index of a keyword in this folder, added when new; -1 with err. */
int md_target_keyword(struct md_target *t, const char *name, struct buf *err);
/* UID for a base name placed in cur/; 0 on failure. */
uint32_t md_target_add(struct md_target *t, const char *base, size_t len);
int md_target_commit(struct md_target *t, struct buf *err);
uint32_t md_target_uidvalidity(const struct md_target *t);
/* Unlocks when still locked (dropping unsaved changes) and frees. */
void md_target_close(struct md_target *t);

#endif
