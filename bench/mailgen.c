/* mailgen: writes a deterministic Maildir of COUNT messages for the benchmarks.
 *
 * usage: mailgen DIR COUNT [SEED] [RAREWORD]
 *
 * Creates DIR/{cur,new,tmp} and COUNT messages in DIR/cur, named the Maildir
 * way ("TIME.MUSECPPID_N.HOST,S=SIZE,W=VSIZE:2,FLAGS") with the file's mtime
 * set to the message date. The mix: most messages are 2-20 KB of plain text,
 * about one in fifty is multipart/mixed with a base64 attachment of 10 KB to
 * 1 MB (log-uniform). Every message has From, To, Subject, Date and
 * Message-ID. RAREWORD (default "zanzibarquokka") is planted in the body of
 * at most five messages spread over the folder; stdout gets one line
 * "rare=N" with their count. The same arguments always give the same bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"

#define BASE_TIME 1700000000L

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned rnd_range(unsigned lo, unsigned hi)
{
	return lo + (unsigned)(rnd() % (uint64_t)(hi - lo + 1));
}

static const char *const words[] = {
    "the",	"meeting", "report",  "quarter", "budget", "please", "review",	 "attached",
    "draft",	"team",	   "project", "update",	 "status", "thanks", "regards",	 "schedule",
    "server",	"mailbox", "folder",  "message", "client", "weekly", "numbers",	 "summary",
    "question", "answer",  "release", "notes",	 "issue",  "fixed",  "customer", "order",
    "invoice",	"payment", "office",  "holiday", "travel", "hotel",  "flight",	 "agenda",
    "and",	"of",	   "to",      "in",	 "for",	   "with",   "on",	 "is",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const names[] = {"alice", "bob",   "carol",	"dave",	 "erin",    "frank",
				    "grace", "heidi", "ivan",	"judy",	 "mallory", "oscar",
				    "peggy", "trent", "victor", "walter"};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static bool text_lines(struct buf *b, size_t target, const char *rare)
{
	size_t start = b->len, col = 0;
	bool planted = rare == NULL;
	while (b->len - start < target) {
		const char *w = words[rnd() % NWORDS];
		if (!planted && b->len - start > target / 2) {
			w = rare;
			planted = true;
		}
		if (col && col + strlen(w) + 1 > 72) {
			if (!buf_appendc(b, '\n'))
				return false;
			col = 0;
		} else if (col) {
			if (!buf_appendc(b, ' '))
				return false;
			col++;
		}
		if (!buf_appends(b, w))
			return false;
		col += strlen(w);
	}
	return buf_appendc(b, '\n');
}

static bool attachment(struct buf *b, size_t size)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t chars = (size + 2) / 3 * 4;
	if (!buf_reserve(b, chars + chars / 76 + 2))
		return false;
	for (size_t i = 0; i < chars; i++) {
		if (!buf_appendc(b, b64[rnd() & 63]))
			return false;
		if (i % 76 == 75 && !buf_appendc(b, '\n'))
			return false;
	}
	return buf_appendc(b, '\n');
}

static bool message(struct buf *b, unsigned n, long when, const char *rare)
{
	char date[64];
	time_t t = when;
	struct tm tm;
	gmtime_r(&t, &tm);
	if (!strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm))
		return false;
	const char *from = names[rnd() % NNAMES], *to = names[rnd() % NNAMES];
	bool multi = rnd() % 50 == 0;
	bool ok = buf_appendf(b,
			      "Return-Path: <%s@example.org>\n"
			      "From: %s <%s@example.org>\n"
			      "To: %s <%s@example.com>\n"
			      "Subject: %s %s %s #%u\n"
			      "Date: %s\n"
			      "Message-ID: <%u.%ld@bench.example.org>\n"
			      "MIME-Version: 1.0\n",
			      from, from, from, to, to, words[rnd() % NWORDS],
			      words[rnd() % NWORDS], words[rnd() % NWORDS], n, date, n, when);
	size_t text = rnd_range(1500, 19500);
	if (!multi) {
		ok = ok && buf_appends(b, "Content-Type: text/plain; charset=us-ascii\n\n");
		return ok && text_lines(b, text, rare);
	}
	/* log-uniform 10 KB .. 1 MB of attachment (before base64) */
	double u = (double)(rnd() % 1000000) / 1000000.0;
	size_t att = (size_t)(10000.0 * exp(u * 4.605170186));
	ok = ok && buf_appendf(b,
			       "Content-Type: multipart/mixed; boundary=\"=-b%u\"\n\n"
			       "This is a multi-part message in MIME format.\n\n"
			       "--=-b%u\n"
			       "Content-Type: text/plain; charset=us-ascii\n\n",
			       n, n);
	ok = ok && text_lines(b, text / 4, rare);
	ok = ok && buf_appendf(b,
			       "\n--=-b%u\n"
			       "Content-Type: application/octet-stream; name=\"file%u.bin\"\n"
			       "Content-Disposition: attachment; filename=\"file%u.bin\"\n"
			       "Content-Transfer-Encoding: base64\n\n",
			       n, n, n);
	ok = ok && attachment(b, att);
	return ok && buf_appendf(b, "\n--=-b%u--\n", n);
}

static bool write_file(const char *path, const struct buf *b, long when)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	size_t off = 0;
	while (off < b->len) {
		ssize_t w = write(fd, b->s + off, b->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return false;
		}
		off += (size_t)w;
	}
	struct timespec ts[2] = {{when, 0}, {when, 0}};
	bool ok = futimens(fd, ts) == 0;
	return close(fd) == 0 && ok;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fputs("usage: mailgen DIR COUNT [SEED] [RAREWORD]\n", stderr);
		return 2;
	}
	const char *dir = argv[1];
	unsigned count = (unsigned)strtoul(argv[2], NULL, 10);
	rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
	if (rng_state == 0)
		rng_state = 1;
	const char *rare = argc > 4 ? argv[4] : "zanzibarquokka";

	char path[4096];
	static const char *const sub[] = {"", "/cur", "/new", "/tmp"};
	for (size_t i = 0; i < 4; i++) {
		if (!snprintf_ok(path, sizeof(path), "%s%s", dir, sub[i]) ||
		    (mkdir(path, 0700) < 0 && errno != EEXIST)) {
			fprintf(stderr, "mailgen: mkdir %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	unsigned every = count >= 5 ? count / 5 : 1, planted = 0;
	struct buf b = BUF_INIT(0);
	for (unsigned n = 1; n <= count; n++) {
		long when = BASE_TIME + (long)n * 97;
		bool plant = planted < 5 && (n - 1) % every == every / 2;
		buf_reset(&b);
		if (!message(&b, n, when, plant ? rare : NULL)) {
			fputs("mailgen: out of memory\n", stderr);
			return 1;
		}
		planted += plant;
		size_t lines = 0;
		for (size_t i = 0; i < b.len; i++)
			lines += b.s[i] == '\n';
		const char *flags = n % 10 < 7 ? "S" : (n % 10 == 7 ? "FS" : "");
		if (!snprintf_ok(path, sizeof(path),
				 "%s/cur/%ld.M%uP4242_%u.bench,S=%zu,W=%zu:2,%s", dir, when,
				 n % 1000000, n, b.len, b.len + lines, flags) ||
		    !write_file(path, &b, when)) {
			fprintf(stderr, "mailgen: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	buf_free(&b);
	printf("rare=%u\n", planted);
	return 0;
}
