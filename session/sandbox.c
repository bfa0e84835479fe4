#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "session/privdrop.h"
#include "session/seccomp.h"

/* mkdir -p with mode 0755 for every missing step. */
static int make_dirs(const char *path)
{
	char tmp[4096];
	if (!strlcpy_ok(tmp, path, sizeof(tmp)))
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int sandbox_dir_ready(const char *path, struct buf *err)
{
	if (path[0] != '/') {
		buf_appendf(err, "login_chroot %s: not an absolute path", path);
		return -1;
	}
	struct stat st;
	if (lstat(path, &st) < 0 && (errno != ENOENT || make_dirs(path) < 0)) {
		buf_appendf(err, "login_chroot %s: %s", path, strerror(errno));
		return -1;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		buf_appendf(err, "login_chroot %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		buf_appendf(err,
			    "login_chroot %s: must be owned by root and writable by no one else",
			    path);
		return -1;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		buf_appendf(err, "login_chroot %s: %s", path, strerror(errno));
		return -1;
	}
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	if (!empty) {
		buf_appendf(err, "login_chroot %s: must be empty", path);
		return -1;
	}
	return 0;
}

bool sandbox_enter(const struct config *cfg, uid_t uid, gid_t gid, pid_t parent)
{
	/* Loaded now: localtime_r() in log lines cannot read it later. */
	tzset();
	int status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (chroot(cfg->login_chroot) < 0 || chdir("/") < 0) {
		log_err("chroot to %s failed: %s", cfg->login_chroot, strerror(errno));
		if (status_fd >= 0)
			close(status_fd);
		return false;
	}
	bool ok = privdrop_to(NULL, uid, gid, status_fd);
	if (status_fd >= 0)
		close(status_fd);
	if (!ok)
		return false;
	/* After the drop: a change of credentials clears the death signal. */
	/* Not dumpable: other processes of login_user cannot trace this one. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		log_err("prctl failed: %s", strerror(errno));
		return false;
	}
	if (getppid() != parent) /* it died before the death signal was set */
		return false;
	return seccomp_preauth();
}
