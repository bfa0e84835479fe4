/* COPY and MOVE between folders of one store; see md_mailbox_copy in mailbox.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filename.h"
#include "mailbox.h"
#include "store.h"
#include "target.h"

/* Copies the bytes through dest's tmp/ (when a hard link is not possible). */
static int copy_file(const char *src, const char *destdir, const char *base, const char *dst)
{
	char tmp[MD_PATH_MAX];
	if (md_join3(tmp, destdir, "tmp", base) < 0)
		return -1;
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -1;
	int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	char b[65536];
	ssize_t n;
	int r = 0;
	while (r == 0 && (n = read(in, b, sizeof(b))) != 0) {
		if (n < 0) {
			r = errno == EINTR ? 0 : -1;
			continue;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, b + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR) {
				r = -1;
				break;
			}
			off += w > 0 ? w : 0;
		}
	}
	struct stat st;
	if (r == 0 && fstat(in, &st) == 0) {
		struct timespec ts[2] = {st.st_mtim, st.st_mtim}; /* INTERNALDATE goes along */
		futimens(out, ts);
	}
	if (r == 0 && fsync(out) < 0)
		r = -1;
	close(in);
	close(out);
	if (r == 0 && rename(tmp, dst) < 0)
		r = -1;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* Places one message into dest; MD_ERR_EXPUNGED when it is gone. */
static int place(struct md_mailbox *mb, uint32_t seq, const char *dst, const char *destdir,
		 const char *base, bool move)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char src[MD_PATH_MAX];
		if (md_mailbox_path(mb, seq, src) < 0)
			return MD_ERR;
		int r = move ? rename(src, dst) : link(src, dst);
		if (r == 0)
			return 0;
		if (errno == ENOENT) {
			r = md_mailbox_locate(mb, seq, NULL);
			if (r < 0)
				return r;
			continue;
		}
		if (!move && (errno == EXDEV || errno == EPERM || errno == EMLINK ||
			      errno == ENOTSUP || errno == EOPNOTSUPP))
			return copy_file(src, destdir, base, dst) == 0 ? 0 : MD_ERR;
		if (move && errno == EXDEV && copy_file(src, destdir, base, dst) == 0)
			return unlink(src) == 0 || errno == ENOENT ? 0 : MD_ERR;
		return MD_ERR;
	}
	return MD_ERR;
}

int md_mailbox_copy(struct md_mailbox *mb, const uint32_t *seqs, size_t n, const char *dest,
		    bool move, uint32_t *dest_uids, uint32_t *dest_uidvalidity, struct buf *err)
{
	if (move && md_mailbox_readonly(mb)) {
		md_seterr(err, "Mailbox is read-only");
		return MD_ERR;
	}
	struct md_store *s = md_mailbox_store_of(mb);
	struct md_target t;
	int r = md_target_open(&t, s, dest, err);
	if (r < 0) {
		md_target_close(&t);
		return r;
	}
	if (md_target_lock(&t, err) < 0) {
		md_target_close(&t);
		return MD_ERR;
	}
	char cur[MD_PATH_MAX];
	struct buf moved = BUF_INIT(0);
	size_t nmoved = 0;
	r = md_join(cur, t.dir, "cur") == 0 ? 0 : MD_ERR;
	for (size_t i = 0; r == 0 && i < n; i++) {
		dest_uids[i] = 0;
		const struct md_msg *m = md_mailbox_msg(mb, seqs[i]);
		if (!m) {
			md_seterr(err, "No such message");
			r = MD_ERR;
			break;
		}
		if ((m->size == MD_UNKNOWN_SIZE || m->vsize == MD_UNKNOWN_SIZE) &&
		    md_mailbox_meta(mb, seqs[i], NULL) < 0)
			continue; /* expunged meanwhile */
		uint32_t kw = 0;
		for (unsigned k = 0; k < MD_MAX_KEYWORDS; k++) {
			const char *kn =
			    (m->keywords & (1u << k)) ? md_mailbox_keyword_name(mb, k) : NULL;
			int idx = kn ? md_target_keyword(&t, kn, NULL) : -1;
			if (idx >= 0)
				kw |= 1u << idx;
		}
		struct buf base = BUF_INIT(MD_PATH_MAX), name = BUF_INIT(MD_PATH_MAX);
		char dst[MD_PATH_MAX], oldbase[MD_PATH_MAX];
		char src[MD_PATH_MAX];
		bool ok = md_fname_unique(&base, md_store_next_seq(s), m->size, m->vsize) &&
			  md_fname_build(&name, base.s, base.len, m->flags, kw) &&
			  md_join(dst, cur, name.s) == 0 && md_mailbox_path(mb, seqs[i], src) == 0;
		if (ok) {
			const char *slash = strrchr(src, '/');
			strlcpy_ok(oldbase, slash ? slash + 1 : src, sizeof(oldbase));
			int pr = place(mb, seqs[i], dst, t.dir, base.s, move);
			if (pr == 0) {
				dest_uids[i] = md_target_add(&t, base.s, base.len);
				if (move) {
					char *colon = strchr(oldbase, ':');
					if (colon)
						*colon = '\0';
					if (buf_appends(&moved, oldbase) &&
					    buf_appendc(&moved, '\0'))
						nmoved++;
				}
			} else if (pr != MD_ERR_EXPUNGED) {
				md_seterr(err, "Cannot copy message: %s", strerror(errno));
				r = MD_ERR;
			}
		} else {
			md_seterr(err, "Mailbox path too long");
			r = MD_ERR;
		}
		buf_free(&base);
		buf_free(&name);
	}
	md_fsync_dir(cur);
	/* Save what was placed even after an error, so no file lacks its UID. */
	if (md_target_commit(&t, r == 0 ? err : NULL) < 0)
		r = MD_ERR;
	*dest_uidvalidity = md_target_uidvalidity(&t);
	md_target_close(&t);
	if (nmoved)
		md_mailbox_forget(mb, moved.s, nmoved);
	buf_free(&moved);
	return r;
}
