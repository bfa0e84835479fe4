#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void md_seterr(struct buf *err, const char *fmt, ...)
{
	if (!err)
		return;
	buf_reset(err);
	va_list ap;
	va_start(ap, fmt);
	if (!buf_vappendf(err, fmt, ap))
		buf_appends(err, "internal error");
	va_end(ap);
}

int md_join(char *dst, const char *a, const char *b)
{
	if (!snprintf_ok(dst, MD_PATH_MAX, "%s/%s", a, b)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int md_join3(char *dst, const char *a, const char *b, const char *c)
{
	if (!snprintf_ok(dst, MD_PATH_MAX, "%s/%s/%s", a, b, c)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int md_mkdir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

int md_make_maildir(const char *path)
{
	static const char *const sub[] = {"cur", "new", "tmp"};
	char p[MD_PATH_MAX];
	if (md_mkdir(path) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++)
		if (md_join(p, path, sub[i]) < 0 || md_mkdir(p) < 0)
			return -1;
	return 0;
}

int md_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

int md_read_file(const char *path, size_t max, struct buf *out, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat s;
	if (fstat(fd, &s) < 0)
		goto fail;
	if (!S_ISREG(s.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	buf_reset(out);
	for (;;) {
		size_t limit = out->max ? out->max : BUF_DEFAULT_MAX;
		size_t chunk = limit - out->len < 65536 ? limit - out->len : 65536;
		if (chunk == 0) {
			errno = EFBIG;
			goto fail;
		}
		if (!buf_reserve(out, chunk)) {
			errno = ENOMEM;
			goto fail;
		}
		ssize_t n = read(fd, out->s + out->len, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->s[out->len] = '\0';
		if (out->len > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	if (st)
		*st = s;
	close(fd);
	return 0;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int md_write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[MD_PATH_MAX], dir[MD_PATH_MAX];
	char host[64];
	md_hostname(host, sizeof(host));
	/* pid and host make the name unique among writers, O_EXCL proves it. */
	if (!snprintf_ok(tmp, sizeof(tmp), "%s.tmp.%ld.%s", path, (long)getpid(), host) ||
	    !strlcpy_ok(dir, path, sizeof(dir))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strlcpy_ok(dir, ".", sizeof(dir));
	unlink(tmp); /* a leftover of this very pid, which is dead */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return md_fsync_dir(dir);
}

int md_remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	struct dirent *de;
	char p[MD_PATH_MAX];
	int r = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (md_join(p, path, de->d_name) < 0) {
			r = -1;
			continue;
		}
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (md_remove_tree(p) < 0)
				r = -1;
		} else if (unlink(p) < 0 && errno != ENOENT) {
			r = -1;
		}
	}
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT)
		r = -1;
	return r;
}

void md_hostname(char *dst, size_t len)
{
	char h[256];
	if (gethostname(h, sizeof(h)) < 0)
		strlcpy_ok(h, "localhost", sizeof(h));
	h[sizeof(h) - 1] = '\0';
	size_t o = 0;
	for (const char *p = h; *p && o + 5 < len; p++) {
		if (*p == '/' || *p == ':') {
			memcpy(dst + o, *p == '/' ? "\\057" : "\\072", 4);
			o += 4;
		} else {
			dst[o++] = *p;
		}
	}
	if (len)
		dst[o < len ? o : len - 1] = '\0';
}
