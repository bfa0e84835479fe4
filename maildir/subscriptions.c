#include "subscriptions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lock.h"
#include "name.h"
#include "store.h"
#include "util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void md_subs_free(char ***names, size_t n)
{
	if (!*names)
		return;
	for (size_t i = 0; i < n; i++)
		free((*names)[i]);
	free(*names);
	*names = NULL;
}

/* Adds one name in IMAP form unless invalid or over the limit. */
static int add_name(char ***v, size_t *n, const char *s, size_t len)
{
	struct buf b = BUF_INIT(MD_NAME_MAX + 1);
	if (md_name_check(s, len, NULL) < 0 || md_name_normalize(s, len, &b) < 0) {
		buf_free(&b);
		return 0; /* skip what we could never have written */
	}
	if (*n >= MD_SUBS_MAX) {
		buf_free(&b);
		return 0;
	}
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		buf_free(&b);
		return -1;
	}
	*v = nv;
	nv[(*n)++] = b.s; /* the buffer's storage is now the name */
	return 0;
}

int md_subs_read(const char *root, char ***names, size_t *n, struct buf *err)
{
	char path[MD_PATH_MAX];
	struct buf b = BUF_INIT(MD_CONTROL_FILE_MAX);
	bool courier = false;
	*names = NULL;
	*n = 0;
	if (md_join(path, root, MD_SUBS_FILE) < 0)
		goto fail;
	if (md_read_file(path, MD_CONTROL_FILE_MAX, &b, NULL) < 0) {
		if (errno != ENOENT || md_join(path, root, MD_SUBS_COURIER) < 0)
			goto fail;
		if (md_read_file(path, MD_CONTROL_FILE_MAX, &b, NULL) < 0) {
			buf_free(&b);
			return errno == ENOENT ? 0
					       : (md_seterr(err, "Cannot read subscriptions"), -1);
		}
		courier = true;
	}
	char *p = b.s ? b.s : "", *end = p + b.len;
	bool v2 = !courier && strncmp(p, "V\t2\n", 4) == 0;
	if (v2)
		p += 4;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = p;
		p += len + 1;
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		if (v2) {
			for (size_t i = 0; i < len; i++)
				if (line[i] == '\t')
					line[i] = MD_DELIM;
		} else if (courier) {
			/* "INBOX" or "INBOX.a.b" with '.' as the separator. */
			if (len == 5 && strncmp(line, "INBOX", 5) == 0) {
			} else if (len > 6 && strncmp(line, "INBOX.", 6) == 0) {
				line += 6, len -= 6;
				for (size_t i = 0; i < len; i++)
					if (line[i] == '.')
						line[i] = MD_DELIM;
			} else {
				continue;
			}
		}
		if (add_name(names, n, line, len) < 0) {
			md_subs_free(names, *n);
			*n = 0;
			goto fail;
		}
	}
	buf_free(&b);
	/* Sorted, then duplicates dropped (a linear check per line would be
	 * quadratic in a hostile file). */
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	size_t o = 0;
	for (size_t i = 0; i < *n; i++) {
		if (o && strcmp((*names)[o - 1], (*names)[i]) == 0)
			free((*names)[i]);
		else
			(*names)[o++] = (*names)[i];
	}
	*n = o;
	return 0;
fail:
	buf_free(&b);
	md_seterr(err, "Cannot read subscriptions");
	return -1;
}

int md_subs_set(struct md_store *s, const char *name, bool on, struct buf *err)
{
	size_t len = strlen(name);
	if (md_name_check(name, len, err) < 0)
		return -1;
	struct buf norm = BUF_INIT(MD_NAME_MAX + 1);
	char path[MD_PATH_MAX];
	if (md_name_normalize(name, len, &norm) < 0 ||
	    md_join(path, md_store_root(s), MD_SUBS_FILE) < 0) {
		buf_free(&norm);
		md_seterr(err, "Mailbox name too long");
		return -1;
	}
	struct md_dotlock *lk = NULL;
	if (md_dotlock_take(path, &md_store_options(s)->lock, &lk, err) < 0) {
		buf_free(&norm);
		return -1;
	}
	char **v = NULL;
	size_t n = 0;
	int r = -1;
	if (md_subs_read(md_store_root(s), &v, &n, err) < 0)
		goto out;
	size_t at = n;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], norm.s) == 0)
			at = i;
	if (on && at == n) {
		if (n >= MD_SUBS_MAX) {
			md_seterr(err, "Too many subscriptions (limit %d)", MD_SUBS_MAX);
			goto out;
		}
		if (add_name(&v, &n, norm.s, norm.len) < 0)
			goto out;
		qsort(v, n, sizeof(*v), cmp_str);
	} else if (!on && at < n) {
		free(v[at]);
		memmove(v + at, v + at + 1, (n - at - 1) * sizeof(*v));
		n--;
	}
	struct buf out = BUF_INIT(0);
	bool ok = buf_appends(&out, "V\t2\n\n");
	for (size_t i = 0; ok && i < n; i++) {
		size_t mark = out.len;
		ok = buf_appends(&out, v[i]) && buf_appendc(&out, '\n');
		for (size_t k = mark; ok && k < out.len; k++)
			if (out.s[k] == MD_DELIM)
				out.s[k] = '\t';
	}
	if (ok && md_write_atomic(path, out.s, out.len) == 0)
		r = 0;
	else
		md_seterr(err, "Cannot write subscriptions");
	buf_free(&out);
out:
	md_subs_free(&v, n);
	md_dotlock_release(&lk);
	buf_free(&norm);
	return r;
}
