#include "uidlist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "util.h"

struct rec {
	uint32_t uid;  /* 0: dropped */
	uint32_t name; /* arena offset of the base name */
	uint32_t ext;  /* arena offset of the extension text, UINT32_MAX: none */
};

struct md_uidlist {
	uint32_t uidvalidity, nextuid;
	char guid[33];
	char hdr_ext[256]; /* header fields other than V N G, kept as read */
	struct rec *rec;
	size_t n, cap;
	size_t on_disk; /* records [0, on_disk) are in the file */
	bool rewrite;	/* the next write must rewrite the whole file */
	struct buf arena;
	uint32_t *hash; /* slot index + 1, open addressing; 0 empty */
	size_t hcap;
	struct stat st; /* of the file last read or written; st_ino 0: none */
	struct md_dotlock *lock;
	bool loaded; /* read (or started anew) at least once */
};

static uint64_t hash_name(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static const char *name_at(const struct md_uidlist *ul, size_t i)
{
	return ul->arena.s + ul->rec[i].name;
}

static bool hash_insert(struct md_uidlist *ul, size_t i)
{
	if ((ul->n + 1) * 2 > ul->hcap) {
		size_t ncap = ul->hcap ? ul->hcap * 2 : 1024;
		while (ncap < (ul->n + 1) * 2)
			ncap *= 2;
		uint32_t *h = calloc(ncap, sizeof(*h));
		if (!h)
			return false;
		free(ul->hash);
		ul->hash = h;
		ul->hcap = ncap;
		for (size_t k = 0; k < ul->n; k++)
			if (k != i && ul->rec[k].uid && !hash_insert(ul, k))
				return false;
	}
	const char *s = name_at(ul, i);
	size_t pos = hash_name(s, strlen(s)) & (ul->hcap - 1);
	while (ul->hash[pos])
		pos = (pos + 1) & (ul->hcap - 1);
	ul->hash[pos] = (uint32_t)i + 1;
	return true;
}

long md_uidlist_find(const struct md_uidlist *ul, const char *base, size_t len)
{
	if (!ul->hcap)
		return -1;
	size_t pos = hash_name(base, len) & (ul->hcap - 1);
	while (ul->hash[pos]) {
		size_t i = ul->hash[pos] - 1;
		const char *s = name_at(ul, i);
		if (ul->rec[i].uid && strncmp(s, base, len) == 0 && s[len] == '\0')
			return (long)i;
		pos = (pos + 1) & (ul->hcap - 1);
	}
	return -1;
}

static void reset(struct md_uidlist *ul)
{
	ul->n = ul->on_disk = 0;
	ul->uidvalidity = 0;
	ul->nextuid = 1;
	ul->guid[0] = '\0';
	ul->hdr_ext[0] = '\0';
	ul->rewrite = false;
	buf_reset(&ul->arena);
	if (ul->hash)
		memset(ul->hash, 0, ul->hcap * sizeof(*ul->hash));
}

struct md_uidlist *md_uidlist_create(void)
{
	struct md_uidlist *ul = calloc(1, sizeof(*ul));
	if (!ul)
		return NULL;
	ul->arena.max = (size_t)UINT32_MAX - 1;
	reset(ul);
	return ul;
}

void md_uidlist_free(struct md_uidlist **p)
{
	struct md_uidlist *ul = *p;
	if (!ul)
		return;
	md_dotlock_release(&ul->lock);
	free(ul->rec);
	free(ul->hash);
	buf_free(&ul->arena);
	free(ul);
	*p = NULL;
}

static bool push(struct md_uidlist *ul, uint32_t uid, const char *name, size_t nlen,
		 const char *ext, size_t elen)
{
	if (ul->n == ul->cap) {
		size_t ncap = ul->cap ? ul->cap * 2 : 256;
		struct rec *r = realloc(ul->rec, ncap * sizeof(*r));
		if (!r)
			return false;
		ul->rec = r;
		ul->cap = ncap;
	}
	size_t mark = ul->arena.len;
	struct rec r = {uid, (uint32_t)mark, UINT32_MAX};
	if (!buf_append(&ul->arena, name, nlen) || !buf_appendc(&ul->arena, '\0'))
		goto fail;
	if (elen) {
		r.ext = (uint32_t)ul->arena.len;
		if (!buf_append(&ul->arena, ext, elen) || !buf_appendc(&ul->arena, '\0'))
			goto fail;
	}
	ul->rec[ul->n] = r;
	if (!hash_insert(ul, ul->n))
		goto fail;
	ul->n++;
	return true;
fail:
	buf_truncate(&ul->arena, mark);
	return false;
}

static bool parse_u32(const char *s, size_t n, uint32_t *v)
{
	uint64_t x = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static int parse_header(struct md_uidlist *ul, const char *s, size_t n, int *version)
{
	if (n >= 2 && s[0] == '3' && s[1] == ' ') {
		*version = 3;
		const char *p = s + 2, *end = s + n;
		while (p < end) {
			const char *t = memchr(p, ' ', (size_t)(end - p));
			size_t tl = t ? (size_t)(t - p) : (size_t)(end - p);
			if (tl >= 2 && p[0] == 'V' && !parse_u32(p + 1, tl - 1, &ul->uidvalidity))
				return -1;
			if (tl >= 2 && p[0] == 'N' && !parse_u32(p + 1, tl - 1, &ul->nextuid))
				return -1;
			if (tl == 33 && p[0] == 'G')
				memcpy(ul->guid, p + 1, 32), ul->guid[32] = '\0';
			size_t hl = strlen(ul->hdr_ext);
			if (tl && !strchr("VNG", p[0]) && hl + tl + 2 < sizeof(ul->hdr_ext)) {
				if (hl)
					ul->hdr_ext[hl++] = ' ';
				memcpy(ul->hdr_ext + hl, p, tl);
				ul->hdr_ext[hl + tl] = '\0';
			}
			p += tl + 1;
		}
	} else if (n >= 2 && s[0] == '1' && s[1] == ' ') {
		*version = 1;
		const char *a = s + 2, *b = memchr(a, ' ', n - 2);
		if (!b || !parse_u32(a, (size_t)(b - a), &ul->uidvalidity) ||
		    !parse_u32(b + 1, (size_t)(s + n - b - 1), &ul->nextuid))
			return -1;
	} else {
		return -1;
	}
	return ul->uidvalidity ? 0 : -1;
}

/* One record line; false when it is malformed. */
static bool parse_record(struct md_uidlist *ul, const char *s, size_t n, int version,
			 uint32_t *last)
{
	const char *sp = memchr(s, ' ', n);
	uint32_t uid;
	if (!sp || !parse_u32(s, (size_t)(sp - s), &uid) || uid == 0 || uid <= *last)
		return false;
	const char *name, *ext = "";
	size_t elen = 0;
	if (version == 3) {
		const char *colon = memchr(sp, ':', (size_t)(s + n - sp));
		if (!colon)
			return false;
		ext = sp + 1;
		elen = colon > ext ? (size_t)(colon - ext - 1) : 0;
		name = colon + 1;
	} else {
		name = sp + 1;
	}
	size_t nlen = (size_t)(s + n - name);
	const char *info = memchr(name, ':', nlen);
	if (info)
		nlen = (size_t)(info - name); /* Courier may keep the flags part */
	if (nlen == 0 || memchr(name, '/', nlen) || memchr(name, '\0', nlen))
		return false;
	/* The same file listed twice (it was expunged and came back): the
	 * later UID wins, as Dovecot reads it. */
	long dup = md_uidlist_find(ul, name, nlen);
	if (dup >= 0) {
		ul->rec[dup].uid = 0;
		ul->rewrite = true;
	}
	if (!push(ul, uid, name, nlen, ext, elen))
		return false;
	*last = uid;
	return true;
}

int md_uidlist_parse(struct md_uidlist *ul, const char *data, size_t len, struct buf *err)
{
	reset(ul);
	const char *nl = memchr(data, '\n', len);
	int version = 0;
	if (!nl || parse_header(ul, data, (size_t)(nl - data), &version) < 0) {
		reset(ul);
		md_seterr(err, "uidlist header is damaged");
		return -1;
	}
	uint32_t last = 0;
	const char *p = nl + 1, *end = data + len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			ul->rewrite = true; /* unfinished line: a writer died */
			break;
		}
		size_t n = (size_t)(nl - p);
		if (n && (n > MD_UIDLIST_LINE_MAX || !parse_record(ul, p, n, version, &last))) {
			log_warn("uidlist: skipped a damaged record line");
			ul->rewrite = true;
		}
		p = nl + 1;
	}
	if (ul->n && ul->nextuid <= ul->rec[ul->n - 1].uid)
		ul->nextuid = ul->rec[ul->n - 1].uid + 1;
	if (version != 3)
		ul->rewrite = true;
	ul->on_disk = ul->n;
	return 0;
}

/* A new mailbox GUID: 128 random bits in hex, as Dovecot writes it. */
static void make_guid(struct md_uidlist *ul)
{
	unsigned char r[16];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)rand();
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf_ok(ul->guid + 2 * i, 3, "%02x", r[i]);
}

static void new_list(struct md_uidlist *ul)
{
	reset(ul);
	make_guid(ul);
	ul->uidvalidity = (uint32_t)time(NULL);
	ul->rewrite = true;
}

int md_uidlist_read(struct md_uidlist *ul, const char *dir, struct buf *err)
{
	char path[MD_PATH_MAX];
	struct buf data = BUF_INIT(MD_CONTROL_FILE_MAX + 65536);
	struct stat st;
	if (md_join(path, dir, MD_UIDLIST_NAME) < 0) {
		md_seterr(err, "Mailbox path too long");
		return -1;
	}
	ul->loaded = true;
	if (md_read_file(path, MD_CONTROL_FILE_MAX, &data, &st) == 0) {
		ul->st = st;
		if (md_uidlist_parse(ul, data.s ? data.s : "", data.len, NULL) < 0) {
			log_err("%s: header damaged, UIDs are lost", path);
			new_list(ul);
		} else if (data.len == 0 || data.s[data.len - 1] != '\n') {
			ul->rewrite = true;
		}
		buf_free(&data);
		return 0;
	}
	if (errno != ENOENT) {
		md_seterr(err, "Cannot read the UID list: %s", strerror(errno));
		buf_free(&data);
		return -1;
	}
	memset(&ul->st, 0, sizeof(ul->st));
	if (md_join(path, dir, MD_COURIER_UIDDB) == 0 &&
	    md_read_file(path, MD_CONTROL_FILE_MAX, &data, NULL) == 0 &&
	    md_uidlist_parse(ul, data.s ? data.s : "", data.len, NULL) == 0) {
		/* Courier has no GUID; one is made at the first write. */
		ul->rewrite = true;
		ul->on_disk = 0;
	} else {
		new_list(ul);
	}
	buf_free(&data);
	return 0;
}

bool md_uidlist_exists(const struct md_uidlist *ul)
{
	return ul->st.st_ino != 0;
}

bool md_uidlist_stale(const struct md_uidlist *ul, const char *dir)
{
	char path[MD_PATH_MAX];
	struct stat st;
	if (md_join(path, dir, MD_UIDLIST_NAME) < 0 || stat(path, &st) < 0)
		return ul->st.st_ino != 0;
	return st.st_ino != ul->st.st_ino || st.st_dev != ul->st.st_dev ||
	       st.st_size != ul->st.st_size || st.st_mtim.tv_sec != ul->st.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != ul->st.st_mtim.tv_nsec;
}

int md_uidlist_lock(struct md_uidlist *ul, const char *dir, const struct md_lock_opts *o,
		    struct buf *err)
{
	char path[MD_PATH_MAX];
	if (md_join(path, dir, MD_UIDLIST_NAME) < 0) {
		md_seterr(err, "Mailbox path too long");
		return -1;
	}
	if (md_dotlock_take(path, o, &ul->lock, err) < 0)
		return -1;
	if ((!ul->loaded || md_uidlist_stale(ul, dir)) && md_uidlist_read(ul, dir, err) < 0) {
		md_uidlist_unlock(ul);
		return -1;
	}
	return 0;
}

void md_uidlist_unlock(struct md_uidlist *ul)
{
	md_dotlock_release(&ul->lock);
}

static bool put_record(struct buf *b, const struct md_uidlist *ul, size_t i)
{
	const struct rec *r = &ul->rec[i];
	if (r->ext != UINT32_MAX)
		return buf_appendf(b, "%u %s :%s\n", r->uid, ul->arena.s + r->ext,
				   ul->arena.s + r->name);
	return buf_appendf(b, "%u :%s\n", r->uid, ul->arena.s + r->name);
}

/* Drops dead slots so that offsets of live records stay dense. */
static void compact(struct md_uidlist *ul)
{
	size_t o = 0;
	for (size_t i = 0; i < ul->n; i++)
		if (ul->rec[i].uid)
			ul->rec[o++] = ul->rec[i];
	ul->n = o;
	if (ul->hash)
		memset(ul->hash, 0, ul->hcap * sizeof(*ul->hash));
	for (size_t i = 0; i < ul->n; i++)
		hash_insert(ul, i);
}

int md_uidlist_write(struct md_uidlist *ul, const char *dir, struct buf *err)
{
	char path[MD_PATH_MAX], tmp[MD_PATH_MAX];
	if (md_join(path, dir, MD_UIDLIST_NAME) < 0 ||
	    md_join(tmp, dir, MD_UIDLIST_NAME ".tmp") < 0) {
		md_seterr(err, "Mailbox path too long");
		return -1;
	}
	if (!ul->lock) {
		md_seterr(err, "internal error: UID list written without its lock");
		return -1;
	}
	if (!ul->rewrite && ul->on_disk == ul->n)
		return 0;
	struct buf b = BUF_INIT(0);
	bool ok = true;
	int fd = -1;
	if (!ul->rewrite && ul->st.st_ino && !md_uidlist_stale(ul, dir)) {
		for (size_t i = ul->on_disk; ok && i < ul->n; i++)
			ok = put_record(&b, ul, i);
		fd = ok ? open(path, O_WRONLY | O_APPEND | O_CLOEXEC) : -1;
	} else {
		compact(ul);
		if (!ul->guid[0])
			make_guid(ul);
		ok = buf_appendf(&b, "3 V%u N%u G%s%s%s\n", ul->uidvalidity, ul->nextuid, ul->guid,
				 ul->hdr_ext[0] ? " " : "", ul->hdr_ext);
		for (size_t i = 0; ok && i < ul->n; i++)
			ok = put_record(&b, ul, i);
		/* Only we write tmp: the lock is ours. */
		fd = ok ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
		ul->rewrite = true;
	}
	if (!ok || fd < 0) {
		md_seterr(err, "Cannot write the UID list: %s", ok ? strerror(errno) : "no memory");
		buf_free(&b);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t off = 0;
	while (off < b.len) {
		ssize_t w = write(fd, b.s + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	int e = errno;
	bool good = off == b.len;
	if (good && fsync(fd) < 0) {
		good = false;
		e = errno;
	}
	struct stat st;
	fstat(fd, &st);
	close(fd);
	buf_free(&b);
	if (good && ul->rewrite) {
		good = rename(tmp, path) == 0;
		e = errno;
		if (good)
			md_fsync_dir(dir);
		else
			unlink(tmp);
	}
	if (!good) {
		/* The append may have left part of a line: make the next write a rewrite. */
		ul->rewrite = true;
		md_seterr(err, "Cannot write the UID list: %s", strerror(e));
		errno = e;
		return -1;
	}
	ul->st = st;
	ul->on_disk = ul->n;
	ul->rewrite = false;
	return 0;
}

uint32_t md_uidlist_uidvalidity(const struct md_uidlist *ul)
{
	return ul->uidvalidity;
}

uint32_t md_uidlist_next_uid(const struct md_uidlist *ul)
{
	return ul->nextuid;
}

size_t md_uidlist_count(const struct md_uidlist *ul)
{
	return ul->n;
}

uint32_t md_uidlist_uid(const struct md_uidlist *ul, size_t i)
{
	return ul->rec[i].uid;
}

const char *md_uidlist_base(const struct md_uidlist *ul, size_t i)
{
	return name_at(ul, i);
}

uint32_t md_uidlist_add(struct md_uidlist *ul, const char *base, size_t len)
{
	long have = md_uidlist_find(ul, base, len);
	if (have >= 0)
		return ul->rec[have].uid;
	if (ul->nextuid == 0 || ul->nextuid == UINT32_MAX)
		return 0;
	uint32_t uid = ul->nextuid;
	if (!push(ul, uid, base, len, NULL, 0))
		return 0;
	ul->nextuid++;
	return uid;
}

void md_uidlist_drop(struct md_uidlist *ul, size_t i)
{
	if (i < ul->n && ul->rec[i].uid) {
		ul->rec[i].uid = 0;
		ul->rewrite = true;
	}
}
