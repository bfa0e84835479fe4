/* util: small file-system helpers shared by the maildir modules.
 *
 * Conventions for the whole maildir/ layer: functions return 0 on success
 * and -1 on failure with a one-line reason in err (a struct buf the caller
 * owns; NULL is allowed). The reason is fit to follow "NO " in a reply: it
 * never holds a path outside the account or a raw errno number.
 */
#ifndef IMAPD_MD_UTIL_H
#define IMAPD_MD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "lib/buf.h"

/* Failure codes some functions return instead of plain -1, so that the
 * protocol layer can add a response code ([TRYCREATE], [NONEXISTENT],
 * [ALREADYEXISTS], [EXPUNGEISSUED]). err holds the reason either way. */
#define MD_ERR		(-1)
#define MD_ERR_NOTFOUND (-2) /* the mailbox does not exist */
#define MD_ERR_EXPUNGED (-3) /* the message was expunged by another process */
#define MD_ERR_EXISTS	(-4) /* the target mailbox already exists */

/* Longest path the layer builds (Linux PATH_MAX). */
#define MD_PATH_MAX 4096
/* Largest control file read whole (dovecot-uidlist of ~100k messages fits). */
#define MD_CONTROL_FILE_MAX ((size_t)64 << 20)

/* Replaces err's contents with the formatted reason. */
void md_seterr(struct buf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* dst = a "/" b; -1 (ENAMETOOLONG) if it does not fit in MD_PATH_MAX. */
int md_join(char *dst, const char *a, const char *b);
int md_join3(char *dst, const char *a, const char *b, const char *c);

/* mkdir that treats "already exists" as success. */
int md_mkdir(const char *path);
/* Creates path/{cur,new,tmp} (and path itself); 0 or -1 with errno. */
int md_make_maildir(const char *path);
int md_fsync_dir(const char *dir);

/* Reads a whole file of at most max bytes into out (replacing it); st gets
 * its stat. -1 with errno (ENOENT when missing, EFBIG when too large). */
int md_read_file(const char *path, size_t max, struct buf *out, struct stat *st);

/* Writes data to a fresh temporary beside path, fsyncs it, renames it over
 * path and fsyncs the directory: readers see the old or the new file whole.
 * -1 with errno. */
int md_write_atomic(const char *path, const void *data, size_t len);

/* Removes a directory tree (no symlinks followed); -1 with errno. */
int md_remove_tree(const char *path);

/* This host's name made safe for Maildir file names ('/' and ':' escaped
 * as the Maildir spec says); always NUL-terminated. */
void md_hostname(char *dst, size_t len);

#endif
