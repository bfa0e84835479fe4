#include "folder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keywords.h"
#include "lock.h"
#include "name.h"
#include "store.h"
#include "subscriptions.h"
#include "uidlist.h"
#include "util.h"

static const char *const su_names[] = {"\\All",	 "\\Archive", "\\Drafts", "\\Flagged",
				       "\\Junk", "\\Sent",    "\\Trash"};
#define SU_COUNT 7

unsigned md_special_use_parse(const char *attr)
{
	for (unsigned i = 0; i < SU_COUNT; i++)
		if (strcasecmp(attr, su_names[i]) == 0)
			return 1u << i;
	return 0;
}

const char *md_special_use_name(unsigned bit)
{
	for (unsigned i = 0; i < SU_COUNT; i++)
		if (bit == 1u << i)
			return su_names[i];
	return "";
}

/* Special use by name for the folders a new account gets. */
static unsigned default_special_use(const char *name)
{
	static const struct {
		const char *name;
		unsigned su;
	} d[] = {{"Sent", MD_SU_SENT},
		 {"Drafts", MD_SU_DRAFTS},
		 {"Trash", MD_SU_TRASH},
		 {"Junk", MD_SU_JUNK},
		 {"Archive", MD_SU_ARCHIVE}};
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (strcmp(name, d[i].name) == 0)
			return d[i].su;
	return 0;
}

struct su_entry {
	char *name;
	unsigned su;
};

static void su_free(struct su_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

/* Reads the special-use file; a missing or foreign file is empty. */
static int su_read(const char *root, struct su_entry **out, size_t *n)
{
	char path[MD_PATH_MAX];
	struct buf b = BUF_INIT(0);
	*out = NULL;
	*n = 0;
	if (md_join(path, root, MD_SPECIAL_USE_FILE) < 0)
		return -1;
	if (md_read_file(path, 1 << 20, &b, NULL) < 0) {
		buf_free(&b);
		return errno == ENOENT ? 0 : -1;
	}
	char *save = NULL, *line = strtok_r(b.s, "\n", &save);
	if (!line || strcmp(line, "imapd-special-use 1") != 0) {
		buf_free(&b);
		return 0;
	}
	while ((line = strtok_r(NULL, "\n", &save)) && *n < MD_SPECIAL_USE_MAX) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		unsigned su = md_special_use_parse(line);
		if (!su || md_name_check(tab + 1, strlen(tab + 1), NULL) < 0)
			continue;
		struct su_entry *e = realloc(*out, (*n + 1) * sizeof(*e));
		if (!e)
			break;
		*out = e;
		e[*n].name = strdup(tab + 1);
		e[*n].su = su;
		if (e[*n].name)
			(*n)++;
	}
	buf_free(&b);
	return 0;
}

static int su_write(const char *root, const struct su_entry *e, size_t n)
{
	char path[MD_PATH_MAX];
	struct buf b = BUF_INIT(0);
	bool ok = md_join(path, root, MD_SPECIAL_USE_FILE) == 0 &&
		  buf_appends(&b, "imapd-special-use 1\n");
	for (size_t i = 0; ok && i < n; i++)
		for (unsigned k = 0; ok && k < SU_COUNT; k++)
			if (e[i].su & (1u << k))
				ok = buf_appendf(&b, "%s\t%s\n", su_names[k], e[i].name);
	int r = ok && md_write_atomic(path, b.s, b.len) == 0 ? 0 : -1;
	buf_free(&b);
	return r;
}

/* Rewrites entries for "from" (and its children) to "to"; to NULL deletes
 * them. With add, records name -> su instead. */
static int su_update(const char *root, const char *from, const char *to, unsigned add)
{
	struct su_entry *e;
	size_t n, fl = strlen(from);
	if (su_read(root, &e, &n) < 0)
		return -1;
	bool changed = false;
	for (size_t i = 0; i < n; i++) {
		const char *nm = e[i].name;
		bool self = strcmp(nm, from) == 0;
		bool child = strncmp(nm, from, fl) == 0 && nm[fl] == MD_DELIM;
		if (!self && !child)
			continue;
		if (add && self) {
			e[i].su |= add;
			add = 0;
		} else if (!add && to) {
			struct buf nb = BUF_INIT(0);
			if (buf_appends(&nb, to) && buf_appends(&nb, nm + fl)) {
				free(e[i].name);
				e[i].name = nb.s;
			} else {
				buf_free(&nb);
			}
		} else if (!add) {
			e[i].su = 0;
		}
		changed = true;
	}
	if (add) {
		struct su_entry *ne =
		    n < MD_SPECIAL_USE_MAX ? realloc(e, (n + 1) * sizeof(*e)) : NULL;
		if (!ne) {
			su_free(e, n);
			return -1;
		}
		e = ne;
		e[n].name = strdup(from);
		e[n].su = add;
		if (e[n].name)
			n++;
		changed = true;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i].su)
			e[o++] = e[i];
		else
			free(e[i].name);
	}
	int r = changed ? su_write(root, e, o) : 0;
	su_free(e, o);
	return r;
}

/* Creates dir as a Maildir++ folder with an empty UID list. */
static int make_folder(const struct md_store *s, const char *dir, struct buf *err)
{
	char p[MD_PATH_MAX];
	if (md_make_maildir(dir) < 0 || md_join(p, dir, "maildirfolder") < 0) {
		md_seterr(err, "Cannot create mailbox: %s", strerror(errno));
		return -1;
	}
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	struct md_uidlist *ul = md_uidlist_create();
	int r = -1;
	if (ul && md_uidlist_lock(ul, dir, &md_store_options(s)->lock, err) == 0) {
		r = md_uidlist_write(ul, dir, err);
		md_uidlist_unlock(ul);
	}
	md_uidlist_free(&ul);
	md_fsync_dir(md_store_root(s));
	return r;
}

int md_folder_create(struct md_store *s, const char *name, unsigned special_use, struct buf *err)
{
	char dir[MD_PATH_MAX];
	size_t len = strlen(name);
	if (md_name_check(name, len, err) < 0)
		return MD_ERR;
	if (md_name_is_inbox(name, len)) {
		md_seterr(err, "Mailbox already exists");
		return MD_ERR_EXISTS;
	}
	if (md_store_folder_dir(s, name, dir, err) < 0)
		return MD_ERR;
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST) {
			md_seterr(err, "Mailbox already exists");
			return MD_ERR_EXISTS;
		}
		md_seterr(err, "Cannot create mailbox: %s", strerror(errno));
		return MD_ERR;
	}
	if (make_folder(s, dir, err) < 0)
		return MD_ERR;
	if (special_use) {
		struct buf nb = BUF_INIT(MD_NAME_MAX + 1);
		int r = md_name_normalize(name, len, &nb) == 0 &&
				su_update(md_store_root(s), nb.s, NULL, special_use) == 0
			    ? 0
			    : -1;
		buf_free(&nb);
		if (r < 0) {
			md_seterr(err, "Cannot record the special use");
			return MD_ERR;
		}
	}
	return 0;
}

int md_folder_delete(struct md_store *s, const char *name, struct buf *err)
{
	char dir[MD_PATH_MAX], trash[MD_PATH_MAX];
	size_t len = strlen(name);
	if (md_name_check(name, len, err) < 0)
		return MD_ERR;
	if (md_name_is_inbox(name, len)) {
		md_seterr(err, "INBOX cannot be deleted");
		return MD_ERR;
	}
	if (md_store_folder_dir(s, name, dir, err) < 0)
		return MD_ERR;
	/* A name starting with ".." is never listed as a folder. */
	if (!snprintf_ok(trash, sizeof(trash), "%s/..imapd-deleted.%ld", md_store_root(s),
			 (long)getpid())) {
		md_seterr(err, "Mailbox path too long");
		return MD_ERR;
	}
	md_remove_tree(trash); /* left by an earlier crash of this pid */
	if (rename(dir, trash) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			md_seterr(err, "Mailbox doesn't exist");
			return MD_ERR_NOTFOUND;
		}
		md_seterr(err, "Cannot delete mailbox: %s", strerror(errno));
		return MD_ERR;
	}
	md_fsync_dir(md_store_root(s));
	md_remove_tree(trash);
	struct buf nb = BUF_INIT(MD_NAME_MAX + 1);
	if (md_name_normalize(name, len, &nb) == 0) {
		/* Only this folder's own entry: its children keep theirs. */
		struct su_entry *e;
		size_t n;
		if (su_read(md_store_root(s), &e, &n) == 0) {
			size_t o = 0;
			for (size_t i = 0; i < n; i++) {
				if (strcmp(e[i].name, nb.s) == 0)
					free(e[i].name);
				else
					e[o++] = e[i];
			}
			if (o != n)
				su_write(md_store_root(s), e, o);
			su_free(e, o);
		}
	}
	buf_free(&nb);
	return 0;
}

/* Names of the root's entries that are fromdir itself or its children. */
static int collect_tree(const char *root, const char *fromdir, char ***out, size_t *n)
{
	DIR *d = opendir(root);
	if (!d)
		return -1;
	size_t fl = strlen(fromdir);
	struct dirent *de;
	*out = NULL;
	*n = 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, fromdir, fl) != 0 ||
		    (de->d_name[fl] != '\0' && de->d_name[fl] != '.'))
			continue;
		char **v = realloc(*out, (*n + 1) * sizeof(*v));
		if (!v)
			break;
		*out = v;
		if ((v[*n] = strdup(de->d_name)))
			(*n)++;
	}
	closedir(d);
	return 0;
}

/* Moves INBOX's messages, UID list and keywords into a new folder. */
static int rename_inbox(struct md_store *s, const char *to, const char *todir, struct buf *err)
{
	const char *root = md_store_root(s);
	char src[MD_PATH_MAX], dst[MD_PATH_MAX];
	struct md_uidlist *ul = md_uidlist_create();
	if (!ul || md_uidlist_lock(ul, root, &md_store_options(s)->lock, err) < 0) {
		md_uidlist_free(&ul);
		return MD_ERR;
	}
	int r = MD_ERR;
	if (mkdir(todir, 0700) < 0) {
		bool exists = errno == EEXIST;
		md_seterr(err, exists ? "Mailbox already exists" : "Cannot create mailbox");
		r = exists ? MD_ERR_EXISTS : MD_ERR;
		goto out;
	}
	if (md_make_maildir(todir) < 0)
		goto fail;
	/* The new folder takes INBOX's list whole: same UIDVALIDITY and UIDs.
	 * Its lock keeps a process that opens it meanwhile from starting a
	 * list of its own (taking it inside INBOX's lock cannot deadlock:
	 * nobody holding a folder's lock waits for INBOX's). */
	struct buf data = BUF_INIT(MD_CONTROL_FILE_MAX);
	struct md_dotlock *dl = NULL;
	static const char *const files[] = {MD_UIDLIST_NAME, MD_KEYWORDS_NAME};
	if (md_join(dst, todir, MD_UIDLIST_NAME) < 0 ||
	    md_dotlock_take(dst, &md_store_options(s)->lock, &dl, err) < 0)
		goto out;
	for (size_t i = 0; i < 2; i++) {
		if (md_join(src, root, files[i]) < 0 || md_join(dst, todir, files[i]) < 0)
			break;
		if (md_read_file(src, MD_CONTROL_FILE_MAX, &data, NULL) == 0 &&
		    md_write_atomic(dst, data.s ? data.s : "", data.len) < 0)
			break;
		if (i == 1)
			r = 0;
	}
	md_dotlock_release(&dl);
	buf_free(&data);
	if (r < 0)
		goto fail;
	r = MD_ERR;
	if (md_join(dst, todir, "maildirfolder") == 0) {
		int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	static const char *const subs[] = {"cur", "new"};
	for (size_t k = 0; k < 2; k++) {
		char sd[MD_PATH_MAX], dd[MD_PATH_MAX];
		if (md_join(sd, root, subs[k]) < 0 || md_join(dd, todir, subs[k]) < 0)
			goto fail;
		DIR *d = opendir(sd);
		if (!d)
			goto fail;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (md_join(src, sd, de->d_name) == 0 && md_join(dst, dd, de->d_name) == 0)
				rename(src, dst);
		}
		closedir(d);
		md_fsync_dir(dd);
	}
	/* INBOX keeps its UIDVALIDITY and next UID, with no records. */
	for (size_t i = 0; i < md_uidlist_count(ul); i++)
		md_uidlist_drop(ul, i);
	if (md_uidlist_write(ul, root, err) < 0)
		goto out;
	(void)to;
	r = 0;
	goto out;
fail:
	md_seterr(err, "Cannot rename INBOX: %s", strerror(errno));
out:
	md_uidlist_unlock(ul);
	md_uidlist_free(&ul);
	return r;
}

int md_folder_rename(struct md_store *s, const char *from, const char *to, struct buf *err)
{
	size_t fl = strlen(from), tl = strlen(to);
	if (md_name_check(from, fl, err) < 0 || md_name_check(to, tl, err) < 0)
		return MD_ERR;
	struct buf fd = BUF_INIT(MD_NAME_MAX + 1), td = BUF_INIT(MD_NAME_MAX + 1);
	struct buf fnorm = BUF_INIT(MD_NAME_MAX + 1), tnorm = BUF_INIT(MD_NAME_MAX + 1);
	char todir[MD_PATH_MAX], src[MD_PATH_MAX], dst[MD_PATH_MAX];
	char **tree = NULL;
	size_t n = 0;
	int r = MD_ERR;
	if (md_name_to_dir(from, fl, &fd, err) < 0 || md_name_to_dir(to, tl, &td, err) < 0 ||
	    md_name_normalize(from, fl, &fnorm) < 0 || md_name_normalize(to, tl, &tnorm) < 0)
		goto out;
	if (md_name_is_inbox(to, tl) || md_store_folder_exists(s, to)) {
		md_seterr(err, "Target mailbox already exists");
		r = MD_ERR_EXISTS;
		goto out;
	}
	if (strncmp(tnorm.s, fnorm.s, fnorm.len) == 0 && tnorm.s[fnorm.len] == MD_DELIM) {
		md_seterr(err, "Cannot rename a mailbox into itself");
		goto out;
	}
	if (md_join(todir, md_store_root(s), td.s) < 0) {
		md_seterr(err, "Mailbox path too long");
		goto out;
	}
	if (md_name_is_inbox(from, fl)) {
		r = rename_inbox(s, tnorm.s, todir, err);
		goto out;
	}
	if (collect_tree(md_store_root(s), fd.s, &tree, &n) < 0 || n == 0) {
		md_seterr(err, "Mailbox doesn't exist");
		r = MD_ERR_NOTFOUND;
		goto out;
	}
	/* Check every new name before moving anything. */
	for (size_t i = 0; i < n; i++) {
		struct buf nn = BUF_INIT(MD_NAME_MAX + 1), im = BUF_INIT(MD_NAME_MAX + 1);
		bool ok = buf_appends(&nn, td.s) && buf_appends(&nn, tree[i] + fd.len) &&
			  md_name_from_dir(nn.s, &im) == 0 &&
			  md_join(dst, md_store_root(s), nn.s) == 0;
		struct stat st;
		bool exists = ok && lstat(dst, &st) == 0;
		buf_free(&nn);
		buf_free(&im);
		if (!ok || exists) {
			md_seterr(err, exists ? "A child of the target mailbox already exists"
					      : "New mailbox name would be too long or too deep");
			r = exists ? MD_ERR_EXISTS : MD_ERR;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct buf nn = BUF_INIT(MD_NAME_MAX + 1);
		bool ok = buf_appends(&nn, td.s) && buf_appends(&nn, tree[i] + fd.len) &&
			  md_join(src, md_store_root(s), tree[i]) == 0 &&
			  md_join(dst, md_store_root(s), nn.s) == 0 && rename(src, dst) == 0;
		buf_free(&nn);
		if (!ok) {
			md_seterr(err, "Cannot rename mailbox: %s", strerror(errno));
			goto out;
		}
	}
	md_fsync_dir(md_store_root(s));
	su_update(md_store_root(s), fnorm.s, tnorm.s, 0);
	r = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(tree[i]);
	free(tree);
	buf_free(&fd);
	buf_free(&td);
	buf_free(&fnorm);
	buf_free(&tnorm);
	return r;
}

static int cmp_name(const void *a, const void *b)
{
	const struct md_folder_info *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	/* A real folder sorts before a synthesized parent of the same name. */
	return c ? c : (int)(x->attrs & MD_LA_NONEXISTENT) - (int)(y->attrs & MD_LA_NONEXISTENT);
}

static int cmp_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct md_folder_info *)elem)->name);
}

/* Lookup in the name-sorted array. */
static struct md_folder_info *find_info(struct md_folder_info *v, size_t n, const char *name)
{
	return n ? bsearch(name, v, n, sizeof(*v), cmp_key) : NULL;
}

/* Whether any name starts with prefix "name/": such names are one
 * contiguous run in sorted order, so one binary search finds the run. */
static bool has_children(const struct md_folder_info *v, size_t n, const char *name)
{
	char key[MD_NAME_MAX + 2];
	if (!snprintf_ok(key, sizeof(key), "%s%c", name, MD_DELIM))
		return false;
	size_t lo = 0, hi = n, kl = strlen(key);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strncmp(v[lo].name, key, kl) == 0;
}

static int push_info(struct md_folder_info **v, size_t *n, size_t *cap, const char *name,
		     unsigned attrs)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct md_folder_info *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[*n].name = strdup(name);
	(*v)[*n].attrs = attrs;
	(*v)[*n].special_use = 0;
	if (!(*v)[*n].name)
		return -1;
	(*n)++;
	return 0;
}

int md_folder_list(struct md_store *s, struct md_folder_info **out, size_t *np, struct buf *err)
{
	struct md_folder_info *v = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(md_store_root(s));
	if (!d) {
		md_seterr(err, "Cannot list mailboxes: %s", strerror(errno));
		return -1;
	}
	if (push_info(&v, &n, &cap, "INBOX", 0) < 0)
		goto nomem;
	struct dirent *de;
	struct buf name = BUF_INIT(MD_NAME_MAX + 1);
	while ((de = readdir(d)) && n < MD_LIST_MAX_FOLDERS) {
		if (de->d_name[0] != '.' || de->d_type == DT_REG)
			continue;
		buf_reset(&name);
		if (md_name_from_dir(de->d_name, &name) < 0 || strcmp(name.s, "INBOX") == 0)
			continue;
		if (de->d_type != DT_DIR) {
			char p[MD_PATH_MAX];
			struct stat st;
			if (md_join(p, md_store_root(s), de->d_name) < 0 || stat(p, &st) < 0 ||
			    !S_ISDIR(st.st_mode))
				continue;
		}
		if (push_info(&v, &n, &cap, name.s, 0) < 0) {
			buf_free(&name);
			goto nomem;
		}
	}
	buf_free(&name);
	closedir(d);
	d = NULL;
	/* Every parent, then duplicates dropped (a real folder wins). */
	size_t real = n;
	for (size_t i = 0; i < real; i++) {
		char tmp[MD_NAME_MAX + 1];
		strlcpy_ok(tmp, v[i].name, sizeof(tmp));
		for (char *slash = strrchr(tmp, MD_DELIM); slash; slash = strrchr(tmp, MD_DELIM)) {
			*slash = '\0';
			if (push_info(&v, &n, &cap, tmp, MD_LA_NOSELECT | MD_LA_NONEXISTENT) < 0)
				goto nomem;
		}
	}
	qsort(v, n, sizeof(*v), cmp_name);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o && strcmp(v[o - 1].name, v[i].name) == 0)
			free(v[i].name);
		else
			v[o++] = v[i];
	}
	n = o;
	for (size_t i = 0; i < n; i++) {
		v[i].attrs |=
		    has_children(v, n, v[i].name) ? MD_LA_HASCHILDREN : MD_LA_HASNOCHILDREN;
		if (!(v[i].attrs & MD_LA_NONEXISTENT))
			v[i].special_use = default_special_use(v[i].name);
	}
	struct su_entry *su;
	size_t nsu;
	if (su_read(md_store_root(s), &su, &nsu) == 0) {
		for (size_t i = 0; i < nsu; i++) {
			struct md_folder_info *f = find_info(v, n, su[i].name);
			if (f && !(f->attrs & MD_LA_NONEXISTENT))
				f->special_use |= su[i].su;
		}
		su_free(su, nsu);
	}
	char **subs;
	size_t nsubs;
	if (md_subs_read(md_store_root(s), &subs, &nsubs, NULL) == 0) {
		for (size_t i = 0; i < nsubs; i++) {
			struct md_folder_info *f = find_info(v, n, subs[i]);
			if (f)
				f->attrs |= MD_LA_SUBSCRIBED;
		}
		md_subs_free(&subs, nsubs);
	}
	/* INBOX first, the rest stay in name order. */
	struct md_folder_info *in = find_info(v, n, "INBOX");
	if (in && in != v) {
		struct md_folder_info t = *in;
		memmove(v + 1, v, (size_t)(in - v) * sizeof(*v));
		v[0] = t;
	}
	*out = v;
	*np = n;
	return 0;
nomem:
	if (d)
		closedir(d);
	md_folder_list_free(&v, n);
	md_seterr(err, "Out of memory");
	return -1;
}

void md_folder_list_free(struct md_folder_info **list, size_t n)
{
	if (!*list)
		return;
	for (size_t i = 0; i < n; i++)
		free((*list)[i].name);
	free(*list);
	*list = NULL;
}
