/* mailbox: the session's view of the user's Maildir and the selected
 * mailbox: opening the store at login, selecting, resolving sequence sets,
 * writing flags, and telling the client what other processes changed.
 */
#ifndef IMAPD_SESSION_MAILBOX_H
#define IMAPD_SESSION_MAILBOX_H

#include "session/session.h"

/* Opens (and on first login creates) the user's Maildir. 0 or -1 with err. */
int session_open_store(struct session *s, struct buf *err);
void session_close_store(struct session *s);
/* Drops the selected mailbox, if any (no expunge). */
void session_unselect(struct session *s);

/* Sends EXPUNGE, EXISTS, RECENT and FETCH FLAGS for what changed since the
 * last report, when the mailbox changed at all (cheap check first).
 * Expunges are sent only when s->expunge_ok. Called before every tagged
 * response while a mailbox is selected. */
void session_update(struct session *s);
/* Sends what one sync found (expunges, FLAGS, EXISTS, RECENT, flag changes). */
void session_report(struct session *s, const struct md_changes *ch);

/* Turns a sequence set (by UID when uid) into ascending sequence numbers.
 * Returns 0, or -1 with a reason for BAD in *err (a sequence number past
 * the end). */
int session_resolve_set(struct session *s, const struct seqset *set, bool uid, uint32_t **seqs,
			size_t *n, const char **err);

/* The same; with clamp, numbers past the end match nothing instead (SEARCH). */
int session_resolve_set_ex(struct session *s, const struct seqset *set, bool uid, bool clamp,
			   uint32_t **seqs, size_t *n, const char **err);

/* A mailbox name from the client as the store spells it (modified UTF-7);
 * IMAP4rev2 clients send UTF-8. false if it cannot be a name. */
bool session_mailbox_in(struct session *s, struct str name, char *out, size_t outlen);
/* Appends a stored name as the client reads it: an astring, in UTF-8 for
 * IMAP4rev2. */
bool session_mailbox_out(struct session *s, const char *name, struct buf *out);

/* "(\\Seen \\Answered ... keyword)" for message seq. */
bool session_flags(struct session *s, uint32_t seq, struct buf *out);
/* The flags a mailbox defines: system flags and its keywords, in parentheses. */
bool session_mailbox_flags(struct session *s, bool permanent, struct buf *out);
/* Appends a UID set in compact form ("1:3,7"); uids ascending or not. */
bool uidset_append(struct buf *out, const uint32_t *uids, size_t n);

#endif
