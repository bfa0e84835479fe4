/* seccomp: the system call filter of the pre-login process.
 *
 * seccomp_preauth() allows only what that process does after its sandbox
 * is set up: read and write its sockets, poll, send and receive on the
 * socketpair to its parent, allocate memory, get random bytes for TLS, read
 * clocks, sleep, and exit. Opening files fails with EACCES (it is chrooted
 * into an empty folder anyway); every other call kills the process.
 * Built without libseccomp (IMAPD_NO_SECCOMP, or pkg-config cannot find
 * it), it does nothing and returns true. Returns false (logged) if the
 * filter cannot be installed.
 */
#ifndef IMAPD_SESSION_SECCOMP_H
#define IMAPD_SESSION_SECCOMP_H

#include <stdbool.h>

bool seccomp_preauth(void);

#endif
