/* privsep: a connection served by root, with no byte from the network
 * parsed by a process that can reach mail, passwords or keys.
 *
 * privsep_run() is called by imapd.c in place of session_run() when the
 * process is root. s is set up on the client's fds (peer known, log
 * context set) and comes from session_new(): the pre-login process deletes
 * its copy when it turns relay. It:
 *  1. looks up login_user (an error if missing or uid 0) and readies
 *     login_chroot (sandbox.h);
 *  2. forks the pre-login process, which loads the TLS credentials (if
 *     configured), enters the sandbox (chroot, login_user, no new
 *     privileges, seccomp) and runs the session up to the login: the
 *     greeting, implicit TLS or STARTTLS, every pre-login command. LOGIN
 *     and AUTHENTICATE go through authsrv.h in this process;
 *  3. on a successful login the connection is handed over: over plaintext
 *     the pre-login process sends the input it read past the login command
 *     and is ended (SIGKILL, reaped); with TLS it stays on as the relay
 *     (relay.h) and the session speaks plaintext to it over a socketpair;
 *  4. this process becomes the user (privdrop.h, refusing uid 0 and
 *     login_user's uid), answers the login's tag and serves the session.
 * Anything unexpected from the pre-login process ends the connection.
 * At most two processes serve a connection. Returns the exit code.
 */
#ifndef IMAPD_SESSION_PRIVSEP_H
#define IMAPD_SESSION_PRIVSEP_H

#include "session/session.h"

/* Slack over timeout_preauth before a silent pre-login process is killed. */
#define PRIVSEP_SLACK_S 10

int privsep_run(struct session *s);

#endif
