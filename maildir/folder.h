/* folder: create, delete, rename and list the folders of a store.
 *
 * On disk (Maildir++, as Dovecot and Courier): folder "a/b" is the
 * directory ".a.b" (see name.h) holding cur/ new/ tmp/ and an empty
 * "maildirfolder" file. A parent needs no directory of its own: "a" with
 * no ".a" but with ".a.b" lists as \Noselect \NonExistent \HasChildren.
 * So DELETE of a folder that has children removes its directory (after
 * renaming it out of sight, so a crash never leaves half a folder) and the
 * folder becomes such a \Noselect parent, as RFC 3501 asks; Dovecot reads
 * that the same way. INBOX cannot be deleted.
 *
 * RENAME moves the folder and every child. Renaming INBOX moves its
 * messages (with their UIDs) into the new folder and leaves INBOX empty.
 *
 * Special use (RFC 6154): the names Sent, Drafts, Trash, Junk and Archive
 * have the attribute of the same name unless the file "imapd-special-use"
 * in the root says otherwise. That file, rewritten atomically, has a first
 * line "imapd-special-use 1" then "<attribute>\t<mailbox name>" lines, e.g.
 * "\Sent\tSent Items"; it records CREATE ... (USE (...)) and follows
 * RENAME and DELETE.
 */
#ifndef IMAPD_MD_FOLDER_H
#define IMAPD_MD_FOLDER_H

#include <stddef.h>

#include "lib/buf.h"

struct md_store;

#define MD_SPECIAL_USE_FILE "imapd-special-use"
#define MD_SPECIAL_USE_MAX  64	  /* entries kept in that file */
#define MD_LIST_MAX_FOLDERS 65536 /* folder directories one LIST reads */

enum md_special_use {
	MD_SU_ALL = 1 << 0,
	MD_SU_ARCHIVE = 1 << 1,
	MD_SU_DRAFTS = 1 << 2,
	MD_SU_FLAGGED = 1 << 3,
	MD_SU_JUNK = 1 << 4,
	MD_SU_SENT = 1 << 5,
	MD_SU_TRASH = 1 << 6,
};

enum md_list_attr {
	MD_LA_NOSELECT = 1 << 0,
	MD_LA_NONEXISTENT = 1 << 1,
	MD_LA_HASCHILDREN = 1 << 2,
	MD_LA_HASNOCHILDREN = 1 << 3,
	MD_LA_SUBSCRIBED = 1 << 4,
};

struct md_folder_info {
	char *name;	      /* IMAP name (modified UTF-7), '/' delimited */
	unsigned attrs;	      /* enum md_list_attr */
	unsigned special_use; /* enum md_special_use */
};

/* Parses "\Sent" etc. (case-insensitive); 0 when unknown. */
unsigned md_special_use_parse(const char *attr);
/* "\Sent" etc. for one bit. */
const char *md_special_use_name(unsigned bit);

/* special_use: enum md_special_use bits to record, 0 for none.
 * MD_ERR_EXISTS when it exists already. */
int md_folder_create(struct md_store *s, const char *name, unsigned special_use, struct buf *err);
/* MD_ERR_NOTFOUND when there is no such selectable folder. */
int md_folder_delete(struct md_store *s, const char *name, struct buf *err);
/* MD_ERR_NOTFOUND, MD_ERR_EXISTS, or -1. */
int md_folder_rename(struct md_store *s, const char *from, const char *to, struct buf *err);

/* Every folder, INBOX first then sorted by name (strcmp), with the
 * parents that have no directory; subscription state included. At most
 * MD_LIST_MAX_FOLDERS directories are read. */
int md_folder_list(struct md_store *s, struct md_folder_info **out, size_t *n, struct buf *err);
void md_folder_list_free(struct md_folder_info **list, size_t n);

#endif
