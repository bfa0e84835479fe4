#include "deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "filename.h"
#include "store.h"
#include "target.h"

struct md_append {
	struct md_store *store;
	struct md_target t;
	char tmp[MD_PATH_MAX];
	int fd;
	uint64_t max_size, received, size, vsize;
	bool pending_cr; /* the last chunk ended in CR */
	bool failed;
	char out[MD_APPEND_BUFFER];
	size_t out_len;
};

static int flush(struct md_append *a)
{
	size_t off = 0;
	while (off < a->out_len) {
		ssize_t n = write(a->fd, a->out + off, a->out_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	a->size += a->out_len;
	a->out_len = 0;
	return 0;
}

static int put(struct md_append *a, char c)
{
	if (a->out_len == sizeof(a->out) && flush(a) < 0)
		return -1;
	a->out[a->out_len++] = c;
	return 0;
}

int md_append_begin(struct md_store *s, const char *folder, uint64_t max_size,
		    struct md_append **out, struct buf *err)
{
	struct md_append *a = calloc(1, sizeof(*a));
	if (!a) {
		md_seterr(err, "Out of memory");
		return MD_ERR;
	}
	a->store = s;
	a->fd = -1;
	a->max_size = max_size;
	int r = md_target_open(&a->t, s, folder, err);
	if (r < 0) {
		md_target_close(&a->t);
		free(a);
		return r;
	}
	struct buf base = BUF_INIT(MD_PATH_MAX);
	char tmpdir[MD_PATH_MAX];
	if (!md_fname_unique(&base, md_store_next_seq(s), 0, 0) ||
	    md_join(tmpdir, a->t.dir, "tmp") < 0 || md_join(a->tmp, tmpdir, base.s) < 0) {
		buf_free(&base);
		md_target_close(&a->t);
		free(a);
		md_seterr(err, "Mailbox path too long");
		errno = ENAMETOOLONG;
		return MD_ERR;
	}
	buf_free(&base);
	md_mkdir(tmpdir);
	a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (a->fd < 0) {
		int e = errno;
		md_seterr(err, "Cannot create message file: %s", strerror(e));
		md_target_close(&a->t);
		free(a);
		errno = e;
		return MD_ERR;
	}
	*out = a;
	return 0;
}

int md_append_write(struct md_append *a, const void *data, size_t len, struct buf *err)
{
	const char *p = data;
	if (a->failed) {
		md_seterr(err, "Message could not be stored");
		return -1;
	}
	if (a->max_size && (len > a->max_size || a->received > a->max_size - len)) {
		a->failed = true;
		md_seterr(err, "Message is too large (limit %llu bytes)",
			  (unsigned long long)a->max_size);
		return -1;
	}
	a->received += len;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		int r = 0;
		if (a->pending_cr) {
			a->pending_cr = false;
			if (c == '\n') {
				a->vsize += 2;
				if (put(a, '\n') < 0)
					goto fail;
				continue;
			}
			a->vsize++;
			r = put(a, '\r'); /* a lone CR stays as it was */
		}
		if (c == '\r') {
			a->pending_cr = true;
		} else {
			a->vsize += c == '\n' ? 2 : 1; /* a bare LF counts as CRLF */
			r |= put(a, c);
		}
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	a->failed = true;
	md_seterr(err, "Cannot write message: %s", strerror(errno));
	return -1;
}

void md_append_abort(struct md_append **ap)
{
	struct md_append *a = *ap;
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	unlink(a->tmp);
	md_target_close(&a->t);
	free(a);
	*ap = NULL;
}

int md_append_commit(struct md_append **ap, uint8_t flags, const char *const *keywords,
		     size_t nkeywords, int64_t internal_date, uint32_t *uid, uint32_t *uidvalidity,
		     struct buf *err)
{
	struct md_append *a = *ap;
	int r = MD_ERR;
	int e = EIO;
	if (a->failed) {
		md_seterr(err, "Message could not be stored");
		goto out;
	}
	if (a->pending_cr) {
		a->pending_cr = false;
		a->vsize++;
		if (put(a, '\r') < 0)
			goto ioerr;
	}
	if (flush(a) < 0 || fsync(a->fd) < 0)
		goto ioerr;
	if (internal_date >= 0) {
		struct timespec ts[2] = {{(time_t)internal_date, 0}, {(time_t)internal_date, 0}};
		if (futimens(a->fd, ts) < 0)
			goto ioerr;
	}
	close(a->fd);
	a->fd = -1;
	if (md_target_lock(&a->t, err) < 0) {
		e = errno;
		goto out;
	}
	uint32_t kw = 0;
	for (size_t i = 0; i < nkeywords; i++) {
		int k = md_target_keyword(&a->t, keywords[i], err);
		if (k < 0) {
			e = EINVAL;
			goto out;
		}
		kw |= 1u << k;
	}
	struct buf base = BUF_INIT(MD_PATH_MAX), name = BUF_INIT(MD_PATH_MAX);
	char dst[MD_PATH_MAX], cur[MD_PATH_MAX];
	bool ok = md_fname_unique(&base, md_store_next_seq(a->store), a->size, a->vsize) &&
		  md_fname_build(&name, base.s, base.len, flags & 0x3f, kw) &&
		  md_join(cur, a->t.dir, "cur") == 0 && md_join(dst, cur, name.s) == 0;
	if (ok && rename(a->tmp, dst) == 0) {
		md_fsync_dir(cur);
		*uid = md_target_add(&a->t, base.s, base.len);
		if (*uid && md_target_commit(&a->t, err) == 0) {
			*uidvalidity = md_target_uidvalidity(&a->t);
			r = 0;
		} else if (!*uid) {
			md_seterr(err, "Mailbox has run out of UIDs");
			e = EOVERFLOW;
		} else {
			e = errno;
		}
	} else {
		e = ok ? errno : ENAMETOOLONG;
		md_seterr(err, "Cannot store message: %s", ok ? strerror(e) : "name too long");
	}
	buf_free(&base);
	buf_free(&name);
	goto out;
ioerr:
	e = errno;
	md_seterr(err, "Cannot write message: %s", strerror(e));
out:
	md_append_abort(ap);
	if (r < 0)
		errno = e; /* the cause, for the response code */
	return r;
}
