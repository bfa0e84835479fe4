/* privdrop: turns a root process into one unprivileged user for good.
 *
 * privdrop_to() sets the supplementary groups (the user's, from the group
 * database, when name is given; else none but gid), then gid, then uid, and
 * checks the result: getresuid/getresgid must all be the target, setuid(0)
 * must fail, and the Uid:, Gid: and Groups: lines of /proc/self/status must
 * say the same (all four ids equal to the target, no group 0 unless it is
 * the target gid, groups equal to getgroups()). uid 0 is refused.
 *
 * status_fd is an open /proc/self/status (opened before a chroot hides
 * /proc), or -1 to open it here. If /proc cannot be read, the getres*
 * checks stand alone and a warning is logged. Returns false (logged) on
 * any failure: the caller must then exit without serving anything.
 */
#ifndef IMAPD_SESSION_PRIVDROP_H
#define IMAPD_SESSION_PRIVDROP_H

#include <stdbool.h>
#include <sys/types.h>

bool privdrop_to(const char *name, uid_t uid, gid_t gid, int status_fd);

/* Checks the credentials in /proc/self/status text against uid, gid and
 * the groups list; exposed for tests. */
bool privdrop_status_ok(const char *status, uid_t uid, gid_t gid, const gid_t *groups, int ngroups);

#endif
