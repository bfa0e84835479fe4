#include "spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 32

bool spawn_wrapped(void)
{
	const char *w = getenv("IMAPD_WRAPPER");
	return w && *w;
}

bool spawn_imapd(const char *cfg, const char *stderr_path, struct spawned *out)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (pid == 0) {
		close(sv[0]);
		int e = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		dup2(e, 2);
		const char *bin = getenv("IMAPD_BIN") ? getenv("IMAPD_BIN") : "build/imapd";
		char *argv[MAX_ARGS + 4];
		int n = 0;
		char *w = spawn_wrapped() ? strdup(getenv("IMAPD_WRAPPER")) : NULL;
		for (char *save = NULL, *t = w ? strtok_r(w, " ", &save) : NULL; t && n < MAX_ARGS;
		     t = strtok_r(NULL, " ", &save))
			argv[n++] = t;
		argv[n++] = (char *)bin;
		argv[n++] = (char *)"--config";
		argv[n++] = (char *)cfg;
		argv[n] = NULL;
		execvp(argv[0], argv);
		_exit(127);
	}
	close(sv[1]);
	out->pid = pid;
	out->fd = sv[0];
	return true;
}

bool spawn_reap(pid_t pid, int wait_ms, int *st, struct rusage *ru)
{
	struct rusage dummy;
	if (!ru)
		ru = &dummy;
	for (int waited = 0;; waited += 10) {
		pid_t r = wait4(pid, st, WNOHANG, ru);
		if (r == pid)
			return true;
		if (r < 0 || waited >= wait_ms)
			break;
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	wait4(pid, st, 0, ru);
	return false;
}
