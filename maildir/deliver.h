/* deliver: APPEND, streamed into tmp/ and committed into cur/.
 *
 * md_append_begin creates a file in the folder's tmp/; md_append_write
 * takes the message in chunks of any size (the IMAP literal, CRLF line
 * ends) and stores it with LF line ends as Dovecot does by default,
 * counting both sizes as it goes; md_append_commit fsyncs the file, sets
 * its mtime to the internal date, renames it into cur/ with its flags
 * (",S=<stored>,W=<CRLF size>:2,<flags>"), fsyncs cur/ and gives it the
 * next UID under the uidlist lock. md_append_abort removes the file.
 * Both commit and abort free the object and set the pointer to NULL.
 * When begin or commit fails, errno tells why (ENOSPC or EDQUOT: no room,
 * ENAMETOOLONG: the path, anything else: an I/O or internal error); after
 * a failed write, the caller keeps errno itself.
 */
#ifndef IMAPD_MD_DELIVER_H
#define IMAPD_MD_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

struct md_store;
struct md_append;

#define MD_APPEND_BUFFER 65536 /* bytes gathered before each write(2) */

/* max_size: limit on the message as received (CRLF); 0 means
 * unlimited. MD_ERR_NOTFOUND when the folder does not exist. */
int md_append_begin(struct md_store *s, const char *folder, uint64_t max_size,
		    struct md_append **out, struct buf *err);
/* -1 with err on I/O error or when max_size is passed. */
int md_append_write(struct md_append *a, const void *data, size_t len, struct buf *err);
/* flags: enum md_flag; keywords: names (added to the folder when new);
 * internal_date: seconds, or -1 for now. */
int md_append_commit(struct md_append **a, uint8_t flags, const char *const *keywords,
		     size_t nkeywords, int64_t internal_date, uint32_t *uid, uint32_t *uidvalidity,
		     struct buf *err);
void md_append_abort(struct md_append **a);

#endif
