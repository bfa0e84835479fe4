/* uidlist: the dovecot-uidlist file, which maps message files to UIDs.
 *
 * Format (version 3, as Dovecot 1.1 and later write it):
 *   3 V<uidvalidity> N<nextuid> G<mailbox guid, 32 hex digits>
 *   <uid> [<key><value> ...] :<base file name>
 * Records are in strictly ascending UID order. Dovecot appends records
 * without rewriting the header, so the next UID is the larger of N and the
 * last UID + 1. Record extensions (e.g. W<vsize>) are kept as they are.
 * Version 1 ("1 <uidvalidity> <nextuid>" then "<uid> <name>") is also
 * read: it is the format of Courier's courierimapuiddb, which is imported
 * when no dovecot-uidlist exists.
 *
 * Damage is contained: a malformed or out-of-order record line, or one
 * longer than MD_UIDLIST_LINE_MAX, is skipped (and logged); an unfinished
 * last line (a writer died) is ignored and forces the next write to be a
 * full rewrite. Only a missing or unreadable header loses UIDVALIDITY.
 *
 * Writing requires the lock (dovecot-uidlist.lock, see lock.h): new
 * records are appended when the file is the one last read, otherwise the
 * whole list is written to dovecot-uidlist.tmp, fsynced and renamed over
 * the old one, so a crash leaves the old or the new list, never a part.
 */
#ifndef IMAPD_MD_UIDLIST_H
#define IMAPD_MD_UIDLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lock.h"

#define MD_UIDLIST_NAME	    "dovecot-uidlist"
#define MD_COURIER_UIDDB    "courierimapuiddb"
#define MD_UIDLIST_LINE_MAX 8192 /* one record line */

struct md_uidlist;

struct md_uidlist *md_uidlist_create(void);
void md_uidlist_free(struct md_uidlist **ul);

/* Replaces the contents with the parsed text. -1 with err when the header
 * is unusable (the caller then starts a new list). */
int md_uidlist_parse(struct md_uidlist *ul, const char *data, size_t len, struct buf *err);

/* Reads dir's list, else imports courierimapuiddb, else starts an empty
 * list with a new UIDVALIDITY. 0, or -1 with err on I/O errors. */
int md_uidlist_read(struct md_uidlist *ul, const char *dir, struct buf *err);
/* True when the list was read from, or written to, a file. */
bool md_uidlist_exists(const struct md_uidlist *ul);
/* True when dir's file differs from what this object last read or wrote. */
bool md_uidlist_stale(const struct md_uidlist *ul, const char *dir);

/* Takes the lock and re-reads the file if another process changed it. */
int md_uidlist_lock(struct md_uidlist *ul, const char *dir, const struct md_lock_opts *o,
		    struct buf *err);
void md_uidlist_unlock(struct md_uidlist *ul);
/* Saves the changes (lock held): append or atomic rewrite. */
int md_uidlist_write(struct md_uidlist *ul, const char *dir, struct buf *err);

uint32_t md_uidlist_uidvalidity(const struct md_uidlist *ul);
uint32_t md_uidlist_next_uid(const struct md_uidlist *ul);
/* Number of record slots; a dropped slot has UID 0. */
size_t md_uidlist_count(const struct md_uidlist *ul);
uint32_t md_uidlist_uid(const struct md_uidlist *ul, size_t i);
const char *md_uidlist_base(const struct md_uidlist *ul, size_t i);
/* Slot of the live record for this base, or -1. */
long md_uidlist_find(const struct md_uidlist *ul, const char *base, size_t len);
/* Gives base the next UID; returns it, or 0 when out of memory or UIDs. */
uint32_t md_uidlist_add(struct md_uidlist *ul, const char *base, size_t len);
/* Forgets slot i (its file is gone); the next write rewrites. */
void md_uidlist_drop(struct md_uidlist *ul, size_t i);

#endif
