/* spawn: starting a real imapd for tests, over a socketpair, the way
 * systemd or inetd would (the client socket on fd 0 and fd 1).
 *
 * IMAPD_BIN names the binary (default build/imapd). IMAPD_WRAPPER, when
 * set, is a command line put in front of it, split at spaces, e.g.
 *   IMAPD_WRAPPER="valgrind --error-exitcode=99 --leak-check=full -q"
 * A wrapper's exit status 99 means it found memory errors.
 */
#ifndef IMAPD_TESTS_SPAWN_H
#define IMAPD_TESTS_SPAWN_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SPAWN_WRAPPER_ERROR 99

struct spawned {
	pid_t pid;
	int fd; /* the client's end of the socketpair */
};

/* Starts imapd --config cfg with stderr going to stderr_path. Returns
 * false if the fork or socketpair failed. */
bool spawn_imapd(const char *cfg, const char *stderr_path, struct spawned *out);

/* True when IMAPD_WRAPPER is set (timings and memory are then the wrapper's). */
bool spawn_wrapped(void);

/* Waits up to wait_ms for the process to exit, then kills it. Fills *st
 * with its wait status and *ru (if not NULL) with its resource usage.
 * Returns true if it exited by itself. */
bool spawn_reap(pid_t pid, int wait_ms, int *st, struct rusage *ru);

#endif
