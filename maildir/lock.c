#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct md_dotlock {
	char path[MD_PATH_MAX];
	dev_t dev;
	ino_t ino;
};

/* True when the content names a dead process of this host. */
static bool owner_dead(const char *lockpath, const char *host)
{
	struct buf b = BUF_INIT(512);
	bool dead = false;
	if (md_read_file(lockpath, 256, &b, NULL) == 0 && b.len) {
		char *colon = strchr(b.s, ':');
		if (colon) {
			*colon = '\0';
			char *end;
			long pid = strtol(b.s, &end, 10);
			size_t hl = strcspn(colon + 1, "\r\n");
			colon[1 + hl] = '\0';
			if (*end == '\0' && pid > 0 && strcmp(colon + 1, host) == 0 &&
			    kill((pid_t)pid, 0) < 0 && errno == ESRCH)
				dead = true;
		}
	}
	buf_free(&b);
	return dead;
}

static void nap(void)
{
	/* 10-50 ms, varied so that waiting processes do not march in step. */
	struct timespec ts = {0, (10 + (long)(rand() % 40)) * 1000000L};
	nanosleep(&ts, NULL);
}

int md_dotlock_take(const char *path, const struct md_lock_opts *o, struct md_dotlock **out,
		    struct buf *err)
{
	struct md_dotlock *l = calloc(1, sizeof(*l));
	char host[256], content[400];
	if (!l || !snprintf_ok(l->path, sizeof(l->path), "%s.lock", path)) {
		free(l);
		md_seterr(err, "Cannot lock: path too long");
		return -1;
	}
	md_hostname(host, sizeof(host));
	snprintf_ok(content, sizeof(content), "%ld:%s", (long)getpid(), host);
	time_t start = time(NULL);
	for (;;) {
		int fd = open(l->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			size_t n = strlen(content);
			ssize_t w = write(fd, content, n);
			struct stat st;
			if (w != (ssize_t)n || fstat(fd, &st) < 0) {
				int e = w < 0 || w == (ssize_t)n ? errno : ENOSPC;
				close(fd);
				unlink(l->path);
				free(l);
				md_seterr(err, "Cannot write lock file: %s", strerror(e));
				errno = e;
				return -1;
			}
			close(fd);
			l->dev = st.st_dev;
			l->ino = st.st_ino;
			*out = l;
			return 0;
		}
		if (errno != EEXIST) {
			free(l);
			md_seterr(err, "Cannot create lock file: %s", strerror(errno));
			return -1;
		}
		struct stat st;
		if (stat(l->path, &st) < 0)
			continue; /* released meanwhile: try again at once */
		time_t now = time(NULL);
		/* A holder that is busy changes the lock or the file it guards. */
		time_t last_change = st.st_mtime;
		struct stat guarded;
		if (stat(path, &guarded) == 0 && guarded.st_mtime > last_change &&
		    guarded.st_mtime <= now)
			last_change = guarded.st_mtime;
		bool stale = owner_dead(l->path, host) ||
			     (o->stale_secs && now - last_change > (time_t)o->stale_secs) ||
			     (st.st_size == 0 && now - st.st_mtime > MD_LOCK_EMPTY_STALE_SECS);
		if (stale) {
			struct stat again;
			if (stat(l->path, &again) == 0 && again.st_ino == st.st_ino &&
			    again.st_dev == st.st_dev && again.st_mtime == st.st_mtime)
				unlink(l->path);
			/* Let a racing breaker finish before creating ours, so that
			 * it does not remove our new lock as the stale one. */
			nap();
			continue;
		}
		if (now - start >= (time_t)o->wait_secs) {
			free(l);
			md_seterr(err, "Mailbox is locked by another process (timed out)");
			return -1;
		}
		nap();
	}
}

void md_dotlock_touch(struct md_dotlock *l)
{
	if (l)
		utimensat(AT_FDCWD, l->path, NULL, 0);
}

void md_dotlock_release(struct md_dotlock **lp)
{
	struct md_dotlock *l = *lp;
	if (!l)
		return;
	struct stat st;
	if (stat(l->path, &st) == 0 && st.st_ino == l->ino && st.st_dev == l->dev)
		unlink(l->path);
	free(l);
	*lp = NULL;
}
