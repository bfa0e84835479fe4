/* faultfs: an LD_PRELOAD library that makes file system calls on files
 * below one directory fail, for the disk error tests (torture_diskerr.py
 * builds it with cc -shared).
 *
 *   FAULT_DIR    only paths (and descriptors of files) below it are affected
 *   FAULT_OPS    comma-separated: write, fsync, rename, link, creat
 *   FAULT_AFTER  matching calls that succeed before the first failure (0)
 *   FAULT_TIMES  failures to inject, 0 for every later call (0)
 *   FAULT_ERRNO  ENOSPC, EDQUOT or EIO (ENOSPC)
 *   FAULT_ARM    when set, faults happen only while this file exists
 *   FAULT_LOG    each injected failure appends "<op> <path>" here
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long calls, injected;

static int fault_errno(void)
{
	const char *e = getenv("FAULT_ERRNO");
	if (e && !strcmp(e, "EDQUOT"))
		return EDQUOT;
	if (e && !strcmp(e, "EIO"))
		return EIO;
	return ENOSPC;
}

static int below(const char *path)
{
	const char *dir = getenv("FAULT_DIR");
	size_t n = dir ? strlen(dir) : 0;
	return n && path && !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* True when this call (of op, on a file below FAULT_DIR) must fail. */
static int fail(const char *op, const char *path)
{
	const char *ops = getenv("FAULT_OPS");
	if (!ops)
		return 0;
	size_t n = strlen(op);
	const char *p = strstr(ops, op);
	while (p && ((p != ops && p[-1] != ',') || (p[n] != ',' && p[n] != '\0')))
		p = strstr(p + 1, op);
	if (!p)
		return 0;
	const char *arm = getenv("FAULT_ARM");
	struct stat st;
	if (arm && stat(arm, &st) < 0)
		return 0;
	long after = getenv("FAULT_AFTER") ? atol(getenv("FAULT_AFTER")) : 0;
	long times = getenv("FAULT_TIMES") ? atol(getenv("FAULT_TIMES")) : 0;
	if (calls++ < after || (times && injected >= times))
		return 0;
	injected++;
	const char *log = getenv("FAULT_LOG");
	if (log) {
		int saved = errno;
		FILE *f = fopen(log, "a");
		if (f) {
			fprintf(f, "%s %s\n", op, path ? path : "");
			fclose(f);
		}
		errno = saved;
	}
	errno = fault_errno();
	return 1;
}

static int fd_fail(const char *op, int fd)
{
	if (!getenv("FAULT_OPS"))
		return 0;
	/* Not armed yet (the test arms after login): ask nothing more. The
	 * pre-login process runs under a system call filter that kills it on
	 * readlink, and stat() there only fails. */
	const char *arm = getenv("FAULT_ARM");
	struct stat ast;
	if (arm && stat(arm, &ast) < 0)
		return 0;
	char link[64], path[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return below(path) && fail(op, path);
}

static void *next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*fd_fn)(int);
typedef int (*path2_fn)(const char *, const char *);
typedef int (*open_fn)(const char *, int, ...);

ssize_t write(int fd, const void *buf, size_t len)
{
	static write_fn real;
	if (!real)
		real = (write_fn)next("write");
	if (fd_fail("write", fd))
		return -1;
	return real(fd, buf, len);
}

int fsync(int fd)
{
	static fd_fn real;
	if (!real)
		real = (fd_fn)next("fsync");
	if (fd_fail("fsync", fd))
		return -1;
	return real(fd);
}

int fdatasync(int fd)
{
	static fd_fn real;
	if (!real)
		real = (fd_fn)next("fdatasync");
	if (fd_fail("fsync", fd))
		return -1;
	return real(fd);
}

int rename(const char *from, const char *to)
{
	static path2_fn real;
	if (!real)
		real = (path2_fn)next("rename");
	if (below(to) && fail("rename", to))
		return -1;
	return real(from, to);
}

int link(const char *from, const char *to)
{
	static path2_fn real;
	if (!real)
		real = (path2_fn)next("link");
	if (below(to) && fail("link", to))
		return -1;
	return real(from, to);
}

static int opened(const char *name, const char *path, int flags, va_list ap)
{
	static open_fn real[2];
	int k = name[4] != '\0';
	if (!real[k])
		real[k] = (open_fn)next(name);
	mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	if ((flags & O_CREAT) && below(path) && fail("creat", path))
		return -1;
	return real[k](path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int r = opened("open", path, flags, ap);
	va_end(ap);
	return r;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int r = opened("open64", path, flags, ap);
	va_end(ap);
	return r;
}
