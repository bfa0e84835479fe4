#include "keywords.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util.h"

bool md_keyword_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MD_KEYWORD_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c))
			return false;
	}
	return true;
}

void md_keywords_clear(struct md_keywords *kw)
{
	for (int i = 0; i < MD_MAX_KEYWORDS; i++) {
		free(kw->name[i]);
		kw->name[i] = NULL;
	}
}

int md_keywords_read(struct md_keywords *kw, const char *dir, struct buf *err)
{
	char path[MD_PATH_MAX];
	struct buf b = BUF_INIT(0);
	md_keywords_clear(kw);
	if (md_join(path, dir, MD_KEYWORDS_NAME) < 0) {
		md_seterr(err, "Mailbox path too long");
		return -1;
	}
	if (md_read_file(path, 65536, &b, NULL) < 0) {
		buf_free(&b);
		if (errno == ENOENT)
			return 0;
		md_seterr(err, "Cannot read the keyword list: %s", strerror(errno));
		return -1;
	}
	char *save = NULL;
	for (char *line = strtok_r(b.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *end;
		long idx = strtol(line, &end, 10);
		if (end == line || *end != ' ' || idx < 0 || idx >= MD_MAX_KEYWORDS)
			continue;
		char *name = end + 1;
		if (!md_keyword_valid(name) || kw->name[idx] || md_keywords_find(kw, name) >= 0)
			continue;
		kw->name[idx] = strdup(name);
	}
	buf_free(&b);
	return 0;
}

int md_keywords_write(const struct md_keywords *kw, const char *dir, struct buf *err)
{
	char path[MD_PATH_MAX];
	struct buf b = BUF_INIT(0);
	bool ok = md_join(path, dir, MD_KEYWORDS_NAME) == 0;
	for (int i = 0; ok && i < MD_MAX_KEYWORDS; i++)
		if (kw->name[i])
			ok = buf_appendf(&b, "%d %s\n", i, kw->name[i]);
	struct stat old;
	bool had = ok && stat(path, &old) == 0;
	if (!ok || md_write_atomic(path, b.s ? b.s : "", b.len) < 0) {
		md_seterr(err, "Cannot write the keyword list");
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	/* Readers (Dovecot too) notice a change by the mtime in whole seconds:
	 * it must grow with every write. */
	struct stat now;
	if (had && stat(path, &now) == 0 && now.st_mtime <= old.st_mtime) {
		struct timespec ts[2] = {{0, UTIME_NOW}, {old.st_mtime + 1, 0}};
		utimensat(AT_FDCWD, path, ts, 0);
	}
	return 0;
}

int md_keywords_find(const struct md_keywords *kw, const char *name)
{
	for (int i = 0; i < MD_MAX_KEYWORDS; i++)
		if (kw->name[i] && strcasecmp(kw->name[i], name) == 0)
			return i;
	return -1;
}

int md_keywords_add(struct md_keywords *kw, const char *name, bool *added, struct buf *err)
{
	*added = false;
	int i = md_keywords_find(kw, name);
	if (i >= 0)
		return i;
	if (!md_keyword_valid(name)) {
		md_seterr(err, "Invalid keyword");
		return -1;
	}
	for (i = 0; i < MD_MAX_KEYWORDS; i++) {
		if (!kw->name[i]) {
			kw->name[i] = strdup(name);
			if (!kw->name[i]) {
				md_seterr(err, "Out of memory");
				return -1;
			}
			*added = true;
			return i;
		}
	}
	md_seterr(err, "Too many keywords in this mailbox (limit %d)", MD_MAX_KEYWORDS);
	return -1;
}
