#include "mailbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keywords.h"
#include "lib/log.h"
#include "name.h"
#include "store.h"
#include "uidlist.h"

struct md_mailbox {
	struct md_store *store;
	char name[MD_NAME_MAX + 1];
	char dir[MD_PATH_MAX];
	bool readonly;
	struct md_uidlist *ul;
	struct md_keywords kw;
	struct timespec kw_mtime;
	struct md_msg *msgs;
	uint32_t n;
	size_t cap;
	struct buf arena; /* NUL-terminated file names */
	struct timespec new_mtime, cur_mtime;
	bool synced;	    /* the view has been read at least once */
	uint32_t list_next; /* the UID list's next UID at the last sync */
};

/* One file seen by a read of cur/ (and new/ for a read-only view). */
struct scan {
	uint32_t name; /* offset in the scan arena */
	uint32_t uid;  /* 0: none yet */
	uint8_t state; /* enum md_msg_state */
};

struct scanset {
	struct scan *v;
	size_t n, cap;
	struct buf arena;
};

static void scanset_free(struct scanset *ss)
{
	free(ss->v);
	buf_free(&ss->arena);
	memset(ss, 0, sizeof(*ss));
}

static bool ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static struct timespec mtime_of(const char *dir, const char *sub)
{
	char p[MD_PATH_MAX];
	struct stat st;
	struct timespec none = {0, 0};
	if ((sub ? md_join(p, dir, sub) : (strlcpy_ok(p, dir, sizeof(p)) ? 0 : -1)) < 0 ||
	    stat(p, &st) < 0)
		return none;
	return st.st_mtim;
}

static int scan_dir(const char *dir, const char *sub, uint8_t state, struct scanset *ss)
{
	char p[MD_PATH_MAX];
	if (md_join(p, dir, sub) < 0)
		return -1;
	DIR *d = opendir(p);
	if (!d)
		return -1;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (ss->n == ss->cap) {
			size_t nc = ss->cap ? ss->cap * 2 : 1024;
			struct scan *v =
			    nc <= MD_MAILBOX_MAX_MSGS ? realloc(ss->v, nc * sizeof(*v)) : NULL;
			if (!v)
				goto fail;
			ss->v = v;
			ss->cap = nc;
		}
		uint32_t off = (uint32_t)ss->arena.len;
		if (!buf_appends(&ss->arena, de->d_name) || !buf_appendc(&ss->arena, '\0'))
			goto fail;
		ss->v[ss->n++] = (struct scan){off, 0, state};
	}
	closedir(d);
	return 0;
fail:
	closedir(d);
	errno = ENOMEM;
	return -1;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Renames new/ files into cur/; the names now in cur/ go to moved. */
static void move_new(struct md_mailbox *mb, struct buf *moved, size_t *nmoved)
{
	char nd[MD_PATH_MAX], src[MD_PATH_MAX], dst[MD_PATH_MAX];
	if (md_join(nd, mb->dir, "new") < 0)
		return;
	DIR *d = opendir(nd);
	if (!d)
		return;
	struct dirent *de;
	struct buf nm = BUF_INIT(MD_PATH_MAX);
	bool any = false;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&nm);
		bool has_info = strchr(de->d_name, ':') != NULL;
		if (!buf_appends(&nm, de->d_name) || (!has_info && !buf_appends(&nm, ":2,")))
			continue;
		if (md_join(src, nd, de->d_name) < 0 || md_join3(dst, mb->dir, "cur", nm.s) < 0)
			continue;
		/* Only one process's rename succeeds: that one owns \Recent. */
		if (rename(src, dst) == 0) {
			any = true;
			if (buf_append(moved, nm.s, nm.len + 1))
				(*nmoved)++;
		}
	}
	closedir(d);
	buf_free(&nm);
	if (any) {
		char cd[MD_PATH_MAX];
		if (md_join(cd, mb->dir, "cur") == 0)
			md_fsync_dir(cd);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_msg_uid(const void *a, const void *b)
{
	const struct md_msg *x = a, *y = b;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static const char *scan_name(const struct scanset *ss, size_t i)
{
	return ss->arena.s + ss->v[i].name;
}

static size_t base_len(const char *name)
{
	const char *c = strchr(name, ':');
	return c ? (size_t)(c - name) : strlen(name);
}

/* Numbers the files that have no UID yet, under the lock. */
static int assign_uids(struct md_mailbox *mb, struct scanset *ss, struct buf *err)
{
	size_t missing = 0;
	for (size_t i = 0; i < ss->n; i++) {
		const char *nm = scan_name(ss, i);
		long k = md_uidlist_find(mb->ul, nm, base_len(nm));
		ss->v[i].uid = k >= 0 ? md_uidlist_uid(mb->ul, (size_t)k) : 0;
		missing += ss->v[i].uid == 0;
	}
	if (!missing)
		return 0;
	if (md_uidlist_lock(mb->ul, mb->dir, &md_store_options(mb->store)->lock, err) < 0)
		return -1;
	/* In name order, which for Maildir names is arrival order. */
	const char **names = malloc(missing * sizeof(*names));
	if (!names) {
		md_uidlist_unlock(mb->ul);
		md_seterr(err, "Out of memory");
		return -1;
	}
	size_t m = 0;
	for (size_t i = 0; i < ss->n; i++)
		if (!ss->v[i].uid)
			names[m++] = scan_name(ss, i);
	qsort(names, m, sizeof(*names), cmp_cstr);
	for (size_t i = 0; i < m; i++)
		md_uidlist_add(mb->ul, names[i], base_len(names[i]));
	free(names);
	int r = md_uidlist_write(mb->ul, mb->dir, err);
	md_uidlist_unlock(mb->ul);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < ss->n; i++) {
		if (ss->v[i].uid)
			continue;
		const char *nm = scan_name(ss, i);
		long k = md_uidlist_find(mb->ul, nm, base_len(nm));
		ss->v[i].uid = k >= 0 ? md_uidlist_uid(mb->ul, (size_t)k) : 0;
	}
	return 0;
}

/* Reads the folder into a fresh record array (sorted by UID). */
static int build(struct md_mailbox *mb, const struct buf *moved, size_t nmoved, struct md_msg **out,
		 uint32_t *nout, struct buf *arena, struct buf *err)
{
	struct scanset ss = {0};
	ss.arena.max = (size_t)UINT32_MAX - 1;
	if (scan_dir(mb->dir, "cur", 0, &ss) < 0 ||
	    (mb->readonly && scan_dir(mb->dir, "new", MD_MSG_IN_NEW | MD_MSG_RECENT, &ss) < 0)) {
		bool gone = errno == ENOENT;
		scanset_free(&ss);
		if (gone) {
			md_seterr(err, "Mailbox was deleted");
			return MD_ERR_NOTFOUND;
		}
		md_seterr(err, "Cannot read the mailbox: %s", strerror(errno));
		return -1;
	}
	if (md_uidlist_stale(mb->ul, mb->dir) && md_uidlist_read(mb->ul, mb->dir, err) < 0) {
		scanset_free(&ss);
		return -1;
	}
	if (assign_uids(mb, &ss, err) < 0 && !mb->readonly) {
		scanset_free(&ss);
		return -1;
	}
	const char **mv = NULL;
	if (nmoved) {
		mv = malloc(nmoved * sizeof(*mv));
		const char *p = moved->s;
		for (size_t i = 0; mv && i < nmoved; i++, p += strlen(p) + 1)
			mv[i] = p;
		if (mv)
			qsort(mv, nmoved, sizeof(*mv), cmp_cstr);
	}
	struct md_msg *v = ss.n ? calloc(ss.n, sizeof(*v)) : NULL;
	if (ss.n && !v) {
		free(mv);
		scanset_free(&ss);
		md_seterr(err, "Out of memory");
		return -1;
	}
	uint32_t n = 0;
	buf_reset(arena);
	for (size_t i = 0; i < ss.n; i++) {
		if (!ss.v[i].uid)
			continue;
		const char *nm = scan_name(&ss, i);
		struct md_fname f;
		md_fname_parse(nm, &f);
		uint32_t off = (uint32_t)arena->len;
		if (!buf_appends(arena, nm) || !buf_appendc(arena, '\0')) {
			free(v);
			free(mv);
			scanset_free(&ss);
			md_seterr(err, "Out of memory");
			return -1;
		}
		uint8_t state = ss.v[i].state;
		if (mv && bsearch(&nm, mv, nmoved, sizeof(*mv), cmp_cstr))
			state |= MD_MSG_RECENT;
		v[n++] = (struct md_msg){ss.v[i].uid,	  f.keywords, f.size,  f.vsize,
					 MD_UNKNOWN_DATE, off,	      f.flags, state};
	}
	free(mv);
	scanset_free(&ss);
	if (n)
		qsort(v, n, sizeof(*v), cmp_msg_uid);
	/* Two files with one base (a copy half-done by hand): keep the first. */
	uint32_t o = 0;
	for (uint32_t i = 0; i < n; i++)
		if (o == 0 || v[o - 1].uid != v[i].uid)
			v[o++] = v[i];
	*out = v;
	*nout = o;
	return 0;
}

static void reload_keywords(struct md_mailbox *mb, bool *changed)
{
	struct timespec t = mtime_of(mb->dir, MD_KEYWORDS_NAME);
	if (ts_eq(t, mb->kw_mtime))
		return;
	mb->kw_mtime = t;
	md_keywords_read(&mb->kw, mb->dir, NULL);
	if (changed)
		*changed = true;
}

bool md_mailbox_changed(const struct md_mailbox *mb)
{
	return !ts_eq(mtime_of(mb->dir, "new"), mb->new_mtime) ||
	       !ts_eq(mtime_of(mb->dir, "cur"), mb->cur_mtime) ||
	       md_uidlist_stale(mb->ul, mb->dir) ||
	       !ts_eq(mtime_of(mb->dir, MD_KEYWORDS_NAME), mb->kw_mtime);
}

void md_mailbox_invalidate(struct md_mailbox *mb)
{
	/* No directory has this time, so both stamps differ from the next stat. */
	mb->new_mtime = mb->cur_mtime = (struct timespec){-1, -1};
}

static bool push_u32(uint32_t **v, size_t n, uint32_t x)
{
	uint32_t *nv = realloc(*v, (n + 1) * sizeof(**v));
	if (!nv)
		return false;
	nv[n] = x;
	*v = nv;
	return true;
}

static uint32_t count_recent(const struct md_mailbox *mb)
{
	uint32_t r = 0;
	for (uint32_t i = 0; i < mb->n; i++)
		r += (mb->msgs[i].state & MD_MSG_RECENT) != 0;
	return r;
}

static const char *msg_name(const struct md_mailbox *mb, const struct md_msg *m);

/* Live UID list records above floor and below the highest UID of the read
 * v[0..n) that the read lacks; *lowest gets the lowest of them. */
static uint32_t unseen_new(const struct md_uidlist *ul, uint32_t floor, const struct md_msg *v,
			   uint32_t n, uint32_t *lowest)
{
	uint32_t top = n ? v[n - 1].uid : 0, unseen = 0, j = n;
	for (size_t i = md_uidlist_count(ul); i-- > 0;) {
		uint32_t uid = md_uidlist_uid(ul, i);
		if (uid == 0 || uid >= top)
			continue;
		if (uid <= floor)
			break;
		while (j > 0 && v[j - 1].uid > uid)
			j--;
		if (!(j > 0 && v[j - 1].uid == uid)) {
			unseen++;
			*lowest = uid;
		}
	}
	return unseen;
}

int md_mailbox_sync(struct md_mailbox *mb, struct md_changes *ch, struct buf *err)
{
	if (ch)
		memset(ch, 0, sizeof(*ch));
	bool kwc = false;
	reload_keywords(mb, &kwc);
	if (mb->synced && !md_mailbox_changed(mb)) {
		if (ch) {
			ch->exists = mb->n;
			ch->recent = count_recent(mb);
			ch->keywords_changed = kwc;
		}
		return 0;
	}
	struct buf moved = BUF_INIT(0);
	size_t nmoved = 0;
	if (!mb->readonly)
		move_new(mb, &moved, &nmoved);
	/* Stamps taken before reading: a change during the read shows next time. */
	mb->new_mtime = mtime_of(mb->dir, "new");
	mb->cur_mtime = mtime_of(mb->dir, "cur");
	struct md_msg *nv = NULL;
	uint32_t nn = 0;
	struct buf arena = BUF_INIT((size_t)UINT32_MAX - 1);
	uint32_t old_max = mb->n ? mb->msgs[mb->n - 1].uid : 0;
	for (int attempt = 0; attempt < 5; attempt++) {
		free(nv);
		nv = NULL;
		int br = build(mb, &moved, nmoved, &nv, &nn, &arena, err);
		if (br < 0) {
			buf_free(&moved);
			buf_free(&arena);
			return br;
		}
		/* Is any message of the view missing? Then read once more; again
		 * while one of them still has its UID record (a process that
		 * removes a file drops its record right after, so the file was
		 * more likely renamed during readdir). */
		uint32_t j = 0, missing = 0, listed = 0;
		for (uint32_t i = 0; i < mb->n; i++) {
			while (j < nn && nv[j].uid < mb->msgs[i].uid)
				j++;
			if (j < nn && nv[j].uid == mb->msgs[i].uid)
				continue;
			missing++;
			const char *nm = msg_name(mb, &mb->msgs[i]);
			listed += md_uidlist_find(mb->ul, nm, base_len(nm)) >= 0;
		}
		/* A new UID below the highest new one that the read did not see
		 * (a file renamed into cur/ during readdir) would have to be
		 * hidden once the view is past it: read again for it too. */
		uint32_t low = 0;
		if (!listed && !unseen_new(mb->ul, old_max, nv, nn, &low) &&
		    (!missing || attempt >= 1))
			break;
	}
	/* Still a gap among UIDs given since the last sync: leave the new
	 * messages above it for the next sync, when its file will be seen (a
	 * record older than that, whose file is gone for good, delays nothing). */
	uint32_t young = mb->list_next > old_max + 1 ? mb->list_next - 1 : old_max, low = 0;
	if (mb->synced && unseen_new(mb->ul, young, nv, nn, &low))
		while (nn > 0 && nv[nn - 1].uid > low)
			nn--;
	mb->list_next = md_uidlist_next_uid(mb->ul);
	buf_free(&moved);
	/* Merge: old view against the new read. */
	struct md_changes c = {0};
	struct md_msg *res = nn ? malloc(nn * sizeof(*res)) : NULL;
	uint32_t rn = 0, i = 0, j = 0;
	bool oom = nn && !res;
	while (!oom && (i < mb->n || j < nn)) {
		if (j >= nn || (i < mb->n && mb->msgs[i].uid < nv[j].uid)) {
			oom = !push_u32(&c.expunged_seqs, c.n_expunged, i + 1) ||
			      !push_u32(&c.expunged_uids, c.n_expunged, mb->msgs[i].uid);
			c.n_expunged += !oom;
			i++;
		} else if (i >= mb->n || nv[j].uid < mb->msgs[i].uid) {
			if (nv[j].uid > old_max) {
				res[rn++] = nv[j];
				c.n_new++;
			} else {
				/* A UID below the view's end that was not in it: IMAP cannot
				 * insert it; it shows at the next SELECT. */
				log_info("mailbox %s: UID %u reappeared, hidden until reselect",
					 mb->name, nv[j].uid);
			}
			j++;
		} else {
			struct md_msg m = nv[j];
			const struct md_msg *o = &mb->msgs[i];
			m.state |= o->state & MD_MSG_RECENT;
			if (m.internal_date == MD_UNKNOWN_DATE)
				m.internal_date = o->internal_date;
			if (m.size == MD_UNKNOWN_SIZE)
				m.size = o->size;
			if (m.vsize == MD_UNKNOWN_SIZE)
				m.vsize = o->vsize;
			if (m.flags != o->flags || m.keywords != o->keywords) {
				oom = !push_u32(&c.flag_uids, c.n_flag_changes, m.uid);
				c.n_flag_changes += !oom;
			}
			res[rn++] = m;
			i++, j++;
		}
	}
	free(nv);
	if (oom) {
		free(res);
		md_changes_free(&c);
		buf_free(&arena);
		md_seterr(err, "Out of memory");
		return -1;
	}
	/* Highest first: each number stays valid while they are sent. */
	for (size_t a = 0, b = c.n_expunged; a + 1 < b; a++, b--) {
		uint32_t t = c.expunged_seqs[a];
		c.expunged_seqs[a] = c.expunged_seqs[b - 1];
		c.expunged_seqs[b - 1] = t;
		t = c.expunged_uids[a];
		c.expunged_uids[a] = c.expunged_uids[b - 1];
		c.expunged_uids[b - 1] = t;
	}
	free(mb->msgs);
	mb->msgs = res;
	mb->n = rn;
	mb->cap = rn;
	buf_free(&mb->arena);
	mb->arena = arena;
	mb->synced = true;
	c.exists = mb->n;
	c.recent = count_recent(mb);
	c.keywords_changed = kwc;
	if (ch)
		*ch = c;
	else
		md_changes_free(&c);
	return 0;
}

void md_changes_free(struct md_changes *ch)
{
	free(ch->expunged_seqs);
	free(ch->expunged_uids);
	free(ch->flag_uids);
	memset(ch, 0, sizeof(*ch));
}

int md_mailbox_open(struct md_store *s, const char *name, bool readonly, struct md_mailbox **out,
		    struct buf *err)
{
	struct md_mailbox *mb = calloc(1, sizeof(*mb));
	if (!mb) {
		md_seterr(err, "Out of memory");
		return MD_ERR;
	}
	mb->store = s;
	mb->readonly = readonly;
	mb->arena.max = (size_t)UINT32_MAX - 1;
	struct buf nb = BUF_INIT(MD_NAME_MAX + 1);
	if (md_name_check(name, strlen(name), err) < 0 ||
	    md_name_normalize(name, strlen(name), &nb) < 0 ||
	    !strlcpy_ok(mb->name, nb.s, sizeof(mb->name)) ||
	    md_store_folder_dir(s, name, mb->dir, err) < 0) {
		buf_free(&nb);
		free(mb);
		return MD_ERR;
	}
	buf_free(&nb);
	struct stat st;
	if (stat(mb->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(mb);
		md_seterr(err, "Mailbox doesn't exist");
		return MD_ERR_NOTFOUND;
	}
	/* A folder copied without its empty subdirectories gets them back. */
	if (md_make_maildir(mb->dir) < 0) {
		free(mb);
		md_seterr(err, "Cannot open mailbox: %s", strerror(errno));
		return MD_ERR;
	}
	mb->ul = md_uidlist_create();
	if (!mb->ul || md_uidlist_read(mb->ul, mb->dir, err) < 0) {
		md_mailbox_free(&mb);
		return MD_ERR;
	}
	if (!readonly)
		md_store_clean_tmp(s, mb->dir);
	/* Persist a new list now, so UIDVALIDITY is the same next time. */
	if (!md_uidlist_exists(mb->ul)) {
		if (md_uidlist_lock(mb->ul, mb->dir, &md_store_options(s)->lock, err) < 0 ||
		    md_uidlist_write(mb->ul, mb->dir, err) < 0) {
			md_mailbox_free(&mb);
			return MD_ERR;
		}
		md_uidlist_unlock(mb->ul);
	}
	reload_keywords(mb, NULL);
	if (md_mailbox_sync(mb, NULL, err) < 0) {
		md_mailbox_free(&mb);
		return MD_ERR;
	}
	*out = mb;
	return 0;
}

void md_mailbox_free(struct md_mailbox **p)
{
	struct md_mailbox *mb = *p;
	if (!mb)
		return;
	md_uidlist_free(&mb->ul);
	md_keywords_clear(&mb->kw);
	free(mb->msgs);
	buf_free(&mb->arena);
	free(mb);
	*p = NULL;
}

const char *md_mailbox_name(const struct md_mailbox *mb)
{
	return mb->name;
}

const char *md_mailbox_dir(const struct md_mailbox *mb)
{
	return mb->dir;
}

bool md_mailbox_readonly(const struct md_mailbox *mb)
{
	return mb->readonly;
}

uint32_t md_mailbox_count(const struct md_mailbox *mb)
{
	return mb->n;
}

uint32_t md_mailbox_uidvalidity(const struct md_mailbox *mb)
{
	return md_uidlist_uidvalidity(mb->ul);
}

uint32_t md_mailbox_uidnext(const struct md_mailbox *mb)
{
	uint32_t next = md_uidlist_next_uid(mb->ul);
	if (mb->n && mb->msgs[mb->n - 1].uid >= next)
		next = mb->msgs[mb->n - 1].uid + 1;
	return next;
}

const struct md_msg *md_mailbox_msg(const struct md_mailbox *mb, uint32_t seq)
{
	return seq >= 1 && seq <= mb->n ? &mb->msgs[seq - 1] : NULL;
}

uint32_t md_mailbox_seq(const struct md_mailbox *mb, uint32_t uid)
{
	uint32_t lo = 0, hi = mb->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (mb->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mb->n && mb->msgs[lo].uid == uid ? lo + 1 : 0;
}

static const char *msg_name(const struct md_mailbox *mb, const struct md_msg *m)
{
	return mb->arena.s + m->name;
}

int md_mailbox_path(const struct md_mailbox *mb, uint32_t seq, char path[MD_PATH_MAX])
{
	const struct md_msg *m = md_mailbox_msg(mb, seq);
	if (!m)
		return -1;
	return md_join3(path, mb->dir, (m->state & MD_MSG_IN_NEW) ? "new" : "cur", msg_name(mb, m));
}

/* Replaces a record's file name (the old text stays in the arena until
 * the next full read rebuilds it). */
static int set_name(struct md_mailbox *mb, struct md_msg *m, const char *name)
{
	uint32_t off = (uint32_t)mb->arena.len;
	if (!buf_appends(&mb->arena, name) || !buf_appendc(&mb->arena, '\0'))
		return -1;
	m->name = off;
	return 0;
}

int md_mailbox_locate(struct md_mailbox *mb, uint32_t seq, struct buf *err)
{
	struct md_msg *m = seq >= 1 && seq <= mb->n ? &mb->msgs[seq - 1] : NULL;
	if (!m) {
		md_seterr(err, "No such message");
		return MD_ERR;
	}
	char want[MD_PATH_MAX];
	const char *cur = msg_name(mb, m);
	size_t bl = base_len(cur);
	memcpy(want, cur, bl);
	want[bl] = '\0';
	static const char *const subs[] = {"cur", "new"};
	for (size_t k = 0; k < 2; k++) {
		char p[MD_PATH_MAX];
		if (md_join(p, mb->dir, subs[k]) < 0)
			continue;
		DIR *d = opendir(p);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, want, bl) != 0 ||
			    (de->d_name[bl] != ':' && de->d_name[bl] != '\0'))
				continue;
			int r = set_name(mb, m, de->d_name);
			if (r == 0) {
				struct md_fname f;
				md_fname_parse(de->d_name, &f);
				m->flags = f.flags;
				m->keywords = f.keywords;
				m->state = (uint8_t)((m->state & ~MD_MSG_IN_NEW) |
						     (k == 1 ? MD_MSG_IN_NEW : 0));
			}
			closedir(d);
			if (r < 0)
				md_seterr(err, "Out of memory");
			return r < 0 ? MD_ERR : 0;
		}
		closedir(d);
	}
	md_seterr(err, "Message was expunged");
	return MD_ERR_EXPUNGED;
}

int md_mailbox_open_file(struct md_mailbox *mb, uint32_t seq, struct buf *err)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char p[MD_PATH_MAX];
		if (md_mailbox_path(mb, seq, p) < 0) {
			md_seterr(err, "No such message");
			return MD_ERR;
		}
		int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT) {
			md_seterr(err, "Cannot open message: %s", strerror(errno));
			return MD_ERR;
		}
		int r = md_mailbox_locate(mb, seq, err);
		if (r < 0)
			return r;
	}
	md_seterr(err, "Message keeps changing");
	return MD_ERR;
}

/* Size with CRLF line ends: stored bytes plus one per bare LF. */
static int file_vsize(int fd, uint64_t *vsize)
{
	char b[65536];
	uint64_t total = 0, bare = 0;
	char prev = 0;
	ssize_t n;
	while ((n = read(fd, b, sizeof(b))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (b[i] == '\n' && prev != '\r')
				bare++;
			prev = b[i];
		}
		total += (uint64_t)n;
	}
	if (n < 0)
		return -1;
	*vsize = total + bare;
	return 0;
}

int md_mailbox_meta(struct md_mailbox *mb, uint32_t seq, struct buf *err)
{
	struct md_msg *m = seq >= 1 && seq <= mb->n ? &mb->msgs[seq - 1] : NULL;
	if (!m) {
		md_seterr(err, "No such message");
		return MD_ERR;
	}
	if (m->internal_date != MD_UNKNOWN_DATE && m->size != MD_UNKNOWN_SIZE &&
	    m->vsize != MD_UNKNOWN_SIZE)
		return 0;
	int fd = md_mailbox_open_file(mb, seq, err);
	if (fd < 0)
		return fd;
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) < 0) {
		r = MD_ERR;
	} else {
		m->internal_date = st.st_mtime;
		if (m->size == MD_UNKNOWN_SIZE)
			m->size = (uint64_t)st.st_size;
		if (m->vsize == MD_UNKNOWN_SIZE && file_vsize(fd, &m->vsize) < 0)
			r = MD_ERR;
	}
	close(fd);
	if (r < 0)
		md_seterr(err, "Cannot read message");
	return r;
}

void md_mailbox_status(struct md_mailbox *mb, struct md_status *st)
{
	memset(st, 0, sizeof(*st));
	st->messages = mb->n;
	st->uidvalidity = md_mailbox_uidvalidity(mb);
	st->uidnext = md_mailbox_uidnext(mb);
	for (uint32_t i = 0; i < mb->n; i++) {
		const struct md_msg *m = &mb->msgs[i];
		if (m->state & MD_MSG_RECENT)
			st->recent++;
		if (m->flags & MD_F_DELETED)
			st->deleted++;
		if (!(m->flags & MD_F_SEEN)) {
			st->unseen++;
			if (!st->first_unseen)
				st->first_unseen = i + 1;
		}
		if (m->vsize == MD_UNKNOWN_SIZE)
			md_mailbox_meta(mb, i + 1, NULL);
		if (m->vsize != MD_UNKNOWN_SIZE)
			st->size += m->vsize;
	}
}

int md_status(struct md_store *s, const char *name, struct md_status *st, struct buf *err)
{
	char dir[MD_PATH_MAX];
	memset(st, 0, sizeof(*st));
	if (md_store_folder_dir(s, name, dir, err) < 0)
		return MD_ERR;
	struct scanset ss = {0};
	ss.arena.max = (size_t)UINT32_MAX - 1;
	struct stat dst;
	if (stat(dir, &dst) < 0) {
		md_seterr(err, "Mailbox doesn't exist");
		return MD_ERR_NOTFOUND;
	}
	if (scan_dir(dir, "cur", 0, &ss) < 0 && errno != ENOENT) {
		scanset_free(&ss);
		md_seterr(err, "Cannot read the mailbox");
		return MD_ERR;
	}
	size_t in_cur = ss.n;
	scan_dir(dir, "new", MD_MSG_IN_NEW, &ss);
	struct md_uidlist *ul = md_uidlist_create();
	if (!ul || md_uidlist_read(ul, dir, err) < 0) {
		md_uidlist_free(&ul);
		scanset_free(&ss);
		return MD_ERR;
	}
	if (!md_uidlist_exists(ul) &&
	    md_uidlist_lock(ul, dir, &md_store_options(s)->lock, NULL) == 0) {
		md_uidlist_write(ul, dir, NULL);
		md_uidlist_unlock(ul);
	}
	uint32_t unnumbered = 0;
	for (size_t i = 0; i < ss.n; i++) {
		const char *nm = scan_name(&ss, i);
		struct md_fname f;
		md_fname_parse(nm, &f);
		st->messages++;
		if (i >= in_cur)
			st->recent++;
		if (!(f.flags & MD_F_SEEN))
			st->unseen++;
		if (f.flags & MD_F_DELETED)
			st->deleted++;
		if (md_uidlist_find(ul, nm, f.base_len) < 0)
			unnumbered++;
		uint64_t vs = f.vsize;
		if (vs == MD_UNKNOWN_SIZE) {
			char p[MD_PATH_MAX];
			int fd = md_join3(p, dir, i >= in_cur ? "new" : "cur", nm) == 0
				     ? open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
				     : -1;
			if (fd >= 0 && file_vsize(fd, &vs) < 0)
				vs = 0;
			if (fd >= 0)
				close(fd);
			if (fd < 0)
				vs = 0;
		}
		st->size += vs;
	}
	st->uidvalidity = md_uidlist_uidvalidity(ul);
	st->uidnext = md_uidlist_next_uid(ul) + unnumbered;
	md_uidlist_free(&ul);
	scanset_free(&ss);
	return 0;
}

int md_mailbox_keyword(struct md_mailbox *mb, const char *name, bool create, struct buf *err)
{
	reload_keywords(mb, NULL);
	int i = md_keywords_find(&mb->kw, name);
	if (i >= 0 || !create) {
		if (i < 0)
			md_seterr(err, "Unknown keyword");
		return i;
	}
	if (mb->readonly) {
		md_seterr(err, "Mailbox is read-only");
		return -1;
	}
	/* Under the uidlist lock, so two processes cannot give one letter two names. */
	if (md_uidlist_lock(mb->ul, mb->dir, &md_store_options(mb->store)->lock, err) < 0)
		return -1;
	bool added = false;
	if (md_keywords_read(&mb->kw, mb->dir, err) == 0)
		i = md_keywords_add(&mb->kw, name, &added, err);
	if (added && md_keywords_write(&mb->kw, mb->dir, err) < 0)
		i = -1;
	md_uidlist_unlock(mb->ul);
	mb->kw_mtime = mtime_of(mb->dir, MD_KEYWORDS_NAME);
	return i;
}

const char *md_mailbox_keyword_name(const struct md_mailbox *mb, unsigned i)
{
	return i < MD_MAX_KEYWORDS ? mb->kw.name[i] : NULL;
}

int md_mailbox_store(struct md_mailbox *mb, uint32_t seq, enum md_store_op op, uint8_t flags,
		     uint32_t keywords, struct buf *err)
{
	struct md_msg *m = seq >= 1 && seq <= mb->n ? &mb->msgs[seq - 1] : NULL;
	if (!m) {
		md_seterr(err, "No such message");
		return MD_ERR;
	}
	if (mb->readonly) {
		md_seterr(err, "Mailbox is read-only");
		return MD_ERR;
	}
	flags &= MD_F_DRAFT | MD_F_FLAGGED | MD_F_PASSED | MD_F_ANSWERED | MD_F_SEEN | MD_F_DELETED;
	for (int attempt = 0; attempt < 3; attempt++) {
		uint8_t nf = m->flags;
		uint32_t nk = m->keywords;
		if (op == MD_STORE_SET)
			nf = flags, nk = keywords;
		else if (op == MD_STORE_ADD)
			nf |= flags, nk |= keywords;
		else
			nf &= (uint8_t)~flags, nk &= ~keywords;
		if (nf == m->flags && nk == m->keywords)
			return 0;
		const char *old = msg_name(mb, m);
		struct buf nn = BUF_INIT(MD_PATH_MAX);
		char src[MD_PATH_MAX], dst[MD_PATH_MAX];
		bool ok = md_fname_build(&nn, old, base_len(old), nf, nk) &&
			  md_join3(src, mb->dir, "cur", old) == 0 &&
			  md_join3(dst, mb->dir, "cur", nn.s) == 0;
		if (ok && rename(src, dst) == 0) {
			int r = set_name(mb, m, nn.s);
			buf_free(&nn);
			if (r < 0) {
				md_seterr(err, "Out of memory");
				return MD_ERR;
			}
			m->flags = nf;
			m->keywords = nk;
			return 0;
		}
		int e = errno;
		buf_free(&nn);
		if (!ok || e != ENOENT) {
			md_seterr(err, "Cannot change flags: %s",
				  ok ? strerror(e) : "name too long");
			return MD_ERR;
		}
		/* Another process renamed it (flags) or removed it. */
		int r = md_mailbox_locate(mb, seq, err);
		if (r < 0)
			return r;
	}
	md_seterr(err, "Message keeps changing");
	return MD_ERR;
}

int md_mailbox_expunge(struct md_mailbox *mb, const uint32_t *uids, size_t n, struct md_changes *ch,
		       struct buf *err)
{
	if (mb->readonly) {
		md_seterr(err, "Mailbox is read-only");
		return MD_ERR;
	}
	struct buf gone = BUF_INIT(0); /* base names, NUL-separated */
	size_t ngone = 0;
	uint32_t *want = NULL;
	if (uids && n) {
		want = malloc(n * sizeof(*want));
		if (!want) {
			md_seterr(err, "Out of memory");
			return MD_ERR;
		}
		memcpy(want, uids, n * sizeof(*want));
		qsort(want, n, sizeof(*want), cmp_u32);
	}
	for (uint32_t seq = 1; seq <= mb->n; seq++) {
		struct md_msg *m = &mb->msgs[seq - 1];
		if (!(m->flags & MD_F_DELETED))
			continue;
		if (uids && (!want || !bsearch(&m->uid, want, n, sizeof(*want), cmp_u32)))
			continue;
		for (int attempt = 0; attempt < 2; attempt++) {
			char p[MD_PATH_MAX];
			if (md_mailbox_path(mb, seq, p) < 0)
				break;
			if (unlink(p) == 0) {
				const char *nm = msg_name(mb, m);
				if (buf_append(&gone, nm, base_len(nm)) && buf_appendc(&gone, '\0'))
					ngone++;
				break;
			}
			if (errno != ENOENT || md_mailbox_locate(mb, seq, NULL) < 0 ||
			    !(m->flags & MD_F_DELETED))
				break;
		}
	}
	free(want);
	if (ngone) {
		char cd[MD_PATH_MAX];
		if (md_join(cd, mb->dir, "cur") == 0)
			md_fsync_dir(cd);
		md_mailbox_forget(mb, gone.s, ngone);
	}
	buf_free(&gone);
	return md_mailbox_sync(mb, ch, err);
}

void md_mailbox_idle_paths(const struct md_mailbox *mb, struct md_idle_paths *p)
{
	md_join(p->new_dir, mb->dir, "new");
	md_join(p->cur_dir, mb->dir, "cur");
	md_join(p->uidlist, mb->dir, MD_UIDLIST_NAME);
}

void md_mailbox_forget(struct md_mailbox *mb, const char *bases, size_t n)
{
	/* Best effort: a record left behind only costs a line in the list. */
	if (md_uidlist_lock(mb->ul, mb->dir, &md_store_options(mb->store)->lock, NULL) < 0)
		return;
	const char *p = bases;
	for (size_t k = 0; k < n; k++, p += strlen(p) + 1) {
		long idx = md_uidlist_find(mb->ul, p, strlen(p));
		if (idx >= 0)
			md_uidlist_drop(mb->ul, (size_t)idx);
	}
	md_uidlist_write(mb->ul, mb->dir, NULL);
	md_uidlist_unlock(mb->ul);
}

struct md_store *md_mailbox_store_of(const struct md_mailbox *mb)
{
	return mb->store;
}
