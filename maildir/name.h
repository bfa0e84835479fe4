/* name: IMAP folder names and their Maildir++ directories.
 *
 * INBOX (any case) is the Maildir root. Every other folder "a/b" is the
 * directory ".a.b" under the root: '/' (the IMAP hierarchy delimiter)
 * becomes '.', the Maildir++ separator. Names stay in modified UTF-7 on
 * disk, as Dovecot and Courier keep them. A '.' inside a level is stored as
 * "&AC4-", the modified UTF-7 spelling of U+002E: canonical modified UTF-7
 * never encodes printable ASCII, so that spelling cannot come from any
 * valid name and the mapping stays one-to-one.
 *
 * Rules (refused with a reason fit for a NO reply): empty name or level,
 * a level starting with '.', NUL, control or 8-bit bytes, invalid modified
 * UTF-7 or one that decodes to a control character, the LIST wildcards
 * '%' and '*', more than MD_NAME_DEPTH_MAX levels, or a directory name
 * longer than MD_NAME_MAX bytes.
 */
#ifndef IMAPD_MD_NAME_H
#define IMAPD_MD_NAME_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

#define MD_NAME_MAX	  255 /* bytes of the ".a.b" directory name (NAME_MAX) */
#define MD_NAME_DEPTH_MAX 16  /* levels in one name */
#define MD_DELIM	  '/'

bool md_name_is_inbox(const char *name, size_t len);

/* Validates an IMAP name; 0, or -1 with the reason in err. */
int md_name_check(const char *name, size_t len, struct buf *err);

/* Appends the directory name for a valid IMAP name: "" for INBOX, else
 * ".a.b". A leading "inbox/" is spelt "INBOX/". 0 or -1 with err. */
int md_name_to_dir(const char *name, size_t len, struct buf *dir, struct buf *err);

/* Appends the IMAP name for a directory entry of the root; -1 when the
 * entry is not a folder this layer would have made (it is then skipped). */
int md_name_from_dir(const char *dirent, struct buf *name);

/* Copies name with a leading INBOX (any case) spelt "INBOX". */
int md_name_normalize(const char *name, size_t len, struct buf *out);

#endif
