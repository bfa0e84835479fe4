#include "target.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"

int md_target_open(struct md_target *t, struct md_store *s, const char *name, struct buf *err)
{
	memset(t, 0, sizeof(*t));
	t->store = s;
	if (md_store_folder_dir(s, name, t->dir, err) < 0)
		return MD_ERR;
	struct stat st;
	if (stat(t->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		md_seterr(err, "Mailbox doesn't exist");
		return MD_ERR_NOTFOUND;
	}
	/* A folder copied without its empty subdirectories gets them back. */
	if (md_make_maildir(t->dir) < 0) {
		md_seterr(err, "Cannot open mailbox");
		return MD_ERR;
	}
	t->ul = md_uidlist_create();
	if (!t->ul) {
		md_seterr(err, "Out of memory");
		return MD_ERR;
	}
	return 0;
}

int md_target_lock(struct md_target *t, struct buf *err)
{
	if (md_uidlist_lock(t->ul, t->dir, &md_store_options(t->store)->lock, err) < 0)
		return -1;
	t->locked = true;
	if (md_keywords_read(&t->kw, t->dir, err) < 0) {
		md_uidlist_unlock(t->ul);
		t->locked = false;
		return -1;
	}
	return 0;
}

int md_target_keyword(struct md_target *t, const char *name, struct buf *err)
{
	bool added;
	int i = md_keywords_add(&t->kw, name, &added, err);
	if (added)
		t->kw_dirty = true;
	return i;
}

uint32_t md_target_add(struct md_target *t, const char *base, size_t len)
{
	return md_uidlist_add(t->ul, base, len);
}

int md_target_commit(struct md_target *t, struct buf *err)
{
	int r = 0;
	if (t->kw_dirty && md_keywords_write(&t->kw, t->dir, err) < 0)
		r = -1;
	if (r == 0 && md_uidlist_write(t->ul, t->dir, err) < 0)
		r = -1;
	int e = errno;
	t->kw_dirty = false;
	md_uidlist_unlock(t->ul);
	t->locked = false;
	errno = e;
	return r;
}

uint32_t md_target_uidvalidity(const struct md_target *t)
{
	return md_uidlist_uidvalidity(t->ul);
}

void md_target_close(struct md_target *t)
{
	if (t->ul && t->locked)
		md_uidlist_unlock(t->ul);
	md_uidlist_free(&t->ul);
	md_keywords_clear(&t->kw);
}
