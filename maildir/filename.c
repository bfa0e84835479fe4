#include "filename.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "util.h"

static const char sys_letters[] = "DFPRST"; /* bit i of enum md_flag */

static uint64_t field(const char *base, size_t len, const char *key)
{
	/* Fields follow the first ',' of the base: ",S=123,W=130". */
	const char *p = memchr(base, ',', len);
	while (p && p < base + len) {
		if (strncmp(p + 1, key, 2) == 0) {
			const char *d = p + 3;
			uint64_t v = 0;
			int digits = 0;
			while (d < base + len && *d >= '0' && *d <= '9' && digits < 19) {
				v = v * 10 + (uint64_t)(*d - '0');
				d++, digits++;
			}
			if (digits && (d == base + len || *d == ','))
				return v;
			return MD_UNKNOWN_SIZE;
		}
		p = memchr(p + 1, ',', (size_t)(base + len - p - 1));
	}
	return MD_UNKNOWN_SIZE;
}

void md_fname_parse(const char *name, struct md_fname *f)
{
	const char *colon = strchr(name, ':');
	f->base_len = colon ? (size_t)(colon - name) : strlen(name);
	f->size = field(name, f->base_len, "S=");
	f->vsize = field(name, f->base_len, "W=");
	f->flags = 0;
	f->keywords = 0;
	if (!colon || strncmp(colon, ":2,", 3) != 0)
		return;
	for (const char *p = colon + 3; *p; p++) {
		const char *s = strchr(sys_letters, *p);
		if (s && *p)
			f->flags |= (uint8_t)(1u << (s - sys_letters));
		else if (*p >= 'a' && *p <= 'z')
			f->keywords |= 1u << (*p - 'a');
	}
}

bool md_fname_build(struct buf *out, const char *base, size_t base_len, uint8_t flags,
		    uint32_t keywords)
{
	if (!buf_append(out, base, base_len) || !buf_appends(out, ":2,"))
		return false;
	for (int i = 0; i < 6; i++)
		if ((flags & (1u << i)) && !buf_appendc(out, sys_letters[i]))
			return false;
	for (int i = 0; i < MD_MAX_KEYWORDS; i++)
		if ((keywords & (1u << i)) && !buf_appendc(out, (char)('a' + i)))
			return false;
	return true;
}

bool md_fname_unique(struct buf *out, unsigned long seq, uint64_t size, uint64_t vsize)
{
	struct timeval tv;
	char host[256];
	gettimeofday(&tv, NULL);
	md_hostname(host, sizeof(host));
	/* Host names may hold ',' which would read as a field; Maildir++ says
	 * to escape it too. */
	struct buf h = BUF_INIT(1024);
	for (const char *p = host; *p; p++)
		if (!(*p == ',' ? buf_appends(&h, "\\054") : buf_appendc(&h, *p)))
			break;
	bool ok = buf_appendf(out, "%lld.M%ldP%ldQ%lu.%s,S=%llu,W=%llu", (long long)tv.tv_sec,
			      (long)tv.tv_usec, (long)getpid(), seq, h.s ? h.s : "localhost",
			      (unsigned long long)size, (unsigned long long)vsize);
	buf_free(&h);
	return ok;
}
