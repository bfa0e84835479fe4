#include "privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"

#define MAX_GROUPS 1024

/* The value of "Key:\t..." in status text, up to the end of its line. */
static const char *field(const char *status, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	for (const char *p = status; p && *p;) {
		if (!strncmp(p, key, kl)) {
			p += kl;
			*len = strcspn(p, "\n");
			return p;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* Parses up to max whitespace-separated ids; -1 on junk. */
static int ids(const char *p, size_t len, unsigned long *out, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len) {
		if (p[i] == ' ' || p[i] == '\t') {
			i++;
			continue;
		}
		if (p[i] < '0' || p[i] > '9' || n == max)
			return -1;
		unsigned long v = 0;
		while (i < len && p[i] >= '0' && p[i] <= '9') {
			v = v * 10 + (unsigned long)(p[i] - '0');
			if (v > 0xffffffffUL)
				return -1;
			i++;
		}
		out[n++] = v;
	}
	return n;
}

static bool all4(const char *status, const char *key, unsigned long want)
{
	size_t len;
	const char *p = field(status, key, &len);
	unsigned long v[4];
	if (!p || ids(p, len, v, 4) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (v[i] != want)
			return false;
	return true;
}

bool privdrop_status_ok(const char *status, uid_t uid, gid_t gid, const gid_t *groups, int ngroups)
{
	if (!all4(status, "Uid:", uid) || !all4(status, "Gid:", gid))
		return false;
	size_t len;
	const char *p = field(status, "Groups:", &len);
	unsigned long g[MAX_GROUPS];
	int n = p ? ids(p, len, g, MAX_GROUPS) : -1;
	if (n != ngroups)
		return false;
	for (int i = 0; i < n; i++) {
		if (g[i] == 0 && gid != 0)
			return false;
		bool found = false;
		for (int k = 0; k < ngroups && !found; k++)
			found = groups[k] == (gid_t)g[i];
		if (!found)
			return false;
	}
	return true;
}

static bool read_status(int fd, char *out, size_t max)
{
	size_t len = 0;
	for (;;) {
		ssize_t n = pread(fd, out + len, max - 1 - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == max - 1)
			return false;
	}
	out[len] = '\0';
	return true;
}

bool privdrop_to(const char *name, uid_t uid, gid_t gid, int status_fd)
{
	if (uid == 0) {
		log_err("refusing to run as uid 0");
		return false;
	}
	/* A user missing from the group database gets its own gid only. */
	bool ok = (name && initgroups(name, gid) == 0) || setgroups(1, &gid) == 0;
	if (!ok || setgid(gid) < 0 || setuid(uid) < 0) {
		log_err("privilege drop to uid %u gid %u failed: %s", (unsigned)uid, (unsigned)gid,
			strerror(errno));
		return false;
	}
	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (setuid(0) == 0 || getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    r != uid || e != uid || s != uid || rg != gid || eg != gid || sg != gid) {
		log_err("privilege drop to uid %u gid %u did not hold", (unsigned)uid,
			(unsigned)gid);
		return false;
	}
	gid_t groups[MAX_GROUPS]; /* on the stack: dead, and given back, once done */
	int ng = getgroups(MAX_GROUPS, groups);
	if (ng < 0) {
		log_err("privilege drop: cannot read the groups");
		return false;
	}
	bool own = status_fd < 0;
	if (own)
		status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	char text[16384];
	bool have = status_fd >= 0 && read_status(status_fd, text, sizeof(text));
	if (own && status_fd >= 0)
		close(status_fd);
	if (!have) {
		log_warn("privilege drop: /proc/self/status unreadable; checked with getresuid");
		return true;
	}
	if (!privdrop_status_ok(text, uid, gid, groups, ng)) {
		log_err("privilege drop to uid %u gid %u: /proc/self/status disagrees",
			(unsigned)uid, (unsigned)gid);
		return false;
	}
	return true;
}
