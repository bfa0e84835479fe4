/* sandbox: locks the pre-login process away from mail and secrets.
 *
 * sandbox_dir_ready() makes sure cfg->login_chroot exists (created 0755,
 * parents too, when missing) and is fit to be the root: a real directory
 * (no symbolic link on the last step), owned by root, writable by nobody
 * else, and empty. Called as root. 0, or -1 with err.
 *
 * sandbox_enter() then, still as root: chroot()s there, becomes uid/gid
 * with no supplementary groups but gid (privdrop.h, verified through
 * /proc/self/status opened before the chroot), sets PR_SET_NO_NEW_PRIVS,
 * asks for SIGKILL when the privileged parent (pid parent) dies, and installs the
 * system call filter (seccomp.h). Everything the process needs from the
 * file system (TLS keys, the log file, syslog's socket, the time zone) must
 * be open or loaded before. Returns false (logged) on any failure: the
 * caller exits without reading a byte from the client.
 */
#ifndef IMAPD_SESSION_SANDBOX_H
#define IMAPD_SESSION_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/config.h"

int sandbox_dir_ready(const char *path, struct buf *err);
bool sandbox_enter(const struct config *cfg, uid_t uid, gid_t gid, pid_t parent);

#endif
