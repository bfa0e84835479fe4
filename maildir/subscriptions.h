/* subscriptions: the "subscriptions" file in the root, as Dovecot 2.x has it.
 *
 * Format: a version header "V\t2\n\n", then one mailbox per line with the
 * hierarchy separator written as a TAB ("Work\tProjects" is Work/Projects).
 * A file without the header (older Dovecot) holds one name per line as is.
 * When only Courier's "courierimapsubscribed" exists ("INBOX.a.b" lines),
 * it is read instead; the first change writes the Dovecot file.
 * Changes are made under "subscriptions.lock" and saved by atomic rename.
 * At most MD_SUBS_MAX names are kept; names need not exist (LSUB).
 */
#ifndef IMAPD_MD_SUBSCRIPTIONS_H
#define IMAPD_MD_SUBSCRIPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

#define MD_SUBS_FILE	"subscriptions"
#define MD_SUBS_COURIER "courierimapsubscribed"
#define MD_SUBS_MAX	10000

struct md_store;

/* Sorted, unique IMAP names; free with md_subs_free. 0 or -1 with err. */
int md_subs_read(const char *root, char ***names, size_t *n, struct buf *err);
void md_subs_free(char ***names, size_t n);
/* SUBSCRIBE (on) or UNSUBSCRIBE (off) one valid name. */
int md_subs_set(struct md_store *s, const char *name, bool on, struct buf *err);

#endif
