#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "folder.h"
#include "name.h"
#include "subscriptions.h"

struct md_store {
	char root[MD_PATH_MAX];
	struct md_store_opts opts;
	unsigned long seq;
};

void md_store_opts_default(struct md_store_opts *o)
{
	o->lock.wait_secs = MD_LOCK_WAIT_SECS;
	o->lock.stale_secs = MD_LOCK_STALE_SECS;
	o->tmp_max_age_secs = MD_TMP_MAX_AGE_SECS;
}

/* Their special use comes by name (folder.c), so no file is needed. */
static const struct {
	const char *name;
} defaults[] = {{"Sent"}, {"Drafts"}, {"Trash"}, {"Junk"}, {"Archive"}};

int md_store_open(const char *root, const struct md_store_opts *o, struct md_store **out,
		  struct buf *err)
{
	struct md_store *s = calloc(1, sizeof(*s));
	if (!s) {
		md_seterr(err, "Out of memory");
		return -1;
	}
	if (o)
		s->opts = *o;
	else
		md_store_opts_default(&s->opts);
	if (!strlcpy_ok(s->root, root, sizeof(s->root)) || root[0] != '/') {
		free(s);
		md_seterr(err, "Mail location is not a usable path");
		return -1;
	}
	struct stat st;
	bool fresh = stat(root, &st) < 0 && errno == ENOENT;
	/* The parents of a new root (e.g. /var/vmail/domain) may be missing too. */
	if (fresh) {
		char p[MD_PATH_MAX];
		strlcpy_ok(p, root, sizeof(p));
		for (char *q = strchr(p + 1, '/'); q; q = strchr(q + 1, '/')) {
			*q = '\0';
			md_mkdir(p);
			*q = '/';
		}
	}
	if (md_make_maildir(root) < 0) {
		free(s);
		md_seterr(err, "Cannot create the mail directory: %s", strerror(errno));
		return -1;
	}
	if (fresh) {
		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
			if (md_folder_create(s, defaults[i].name, 0, err) < 0 ||
			    md_subs_set(s, defaults[i].name, true, err) < 0) {
				md_store_free(&s);
				return -1;
			}
		}
		if (md_subs_set(s, "INBOX", true, err) < 0) {
			md_store_free(&s);
			return -1;
		}
	}
	*out = s;
	return 0;
}

void md_store_free(struct md_store **s)
{
	free(*s);
	*s = NULL;
}

const char *md_store_root(const struct md_store *s)
{
	return s->root;
}

const struct md_store_opts *md_store_options(const struct md_store *s)
{
	return &s->opts;
}

unsigned long md_store_next_seq(struct md_store *s)
{
	return ++s->seq;
}

int md_store_folder_dir(const struct md_store *s, const char *name, char path[MD_PATH_MAX],
			struct buf *err)
{
	struct buf d = BUF_INIT(MD_NAME_MAX + 1);
	if (md_name_to_dir(name, strlen(name), &d, err) < 0) {
		buf_free(&d);
		return -1;
	}
	int r =
	    d.len ? md_join(path, s->root, d.s) : (strlcpy_ok(path, s->root, MD_PATH_MAX) ? 0 : -1);
	buf_free(&d);
	if (r < 0)
		md_seterr(err, "Mailbox path too long");
	return r;
}

bool md_store_folder_exists(const struct md_store *s, const char *name)
{
	char p[MD_PATH_MAX];
	struct stat st;
	return md_store_folder_dir(s, name, p, NULL) == 0 && stat(p, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

void md_store_clean_tmp(const struct md_store *s, const char *dir)
{
	char tmp[MD_PATH_MAX], p[MD_PATH_MAX];
	struct stat st;
	time_t now = time(NULL);
	if (md_join(tmp, dir, "tmp") < 0 || stat(tmp, &st) < 0 ||
	    st.st_atime > now - MD_TMP_SCAN_EVERY_SECS)
		return;
	DIR *d = opendir(tmp);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || md_join(p, tmp, de->d_name) < 0)
			continue;
		struct stat fs;
		if (lstat(p, &fs) == 0 && S_ISREG(fs.st_mode) &&
		    fs.st_mtime < now - (time_t)s->opts.tmp_max_age_secs)
			unlink(p);
	}
	closedir(d);
	/* Remember the scan in tmp/'s atime; its mtime stays as it was. */
	struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	utimensat(AT_FDCWD, tmp, ts, 0);
}
