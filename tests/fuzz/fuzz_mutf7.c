/* Modified UTF-7: validation never fails differently from decoding; any
 * valid name decodes to UTF-8 that encodes back to the very same bytes
 * (canonical form); any valid UTF-8 encodes to a valid name that decodes
 * back to it; a full output buffer fails cleanly, leaving it unchanged. */
#include <stdlib.h>
#include <string.h>

#include "maildir/mutf7.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static bool same(const struct buf *b, const uint8_t *d, size_t n)
{
	return b->len == n && (n == 0 || memcmp(b->s, d, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct buf u = BUF_INIT(0), m = BUF_INIT(0), back = BUF_INIT(0);

	bool valid = mutf7_valid(s, size);
	int r = mutf7_to_utf8(s, size, &u);
	CHECK((r == 0) == valid);
	if (r == 0) {
		CHECK(mutf7_from_utf8(u.s ? u.s : "", u.len, &back) == 0);
		CHECK(same(&back, data, size));
	} else {
		CHECK(u.len == 0);
	}

	buf_reset(&back);
	if (mutf7_from_utf8(s, size, &m) == 0) {
		CHECK(mutf7_valid(m.s ? m.s : "", m.len));
		CHECK(mutf7_to_utf8(m.s ? m.s : "", m.len, &back) == 0);
		CHECK(same(&back, data, size));
		/* The same conversion into a buffer one byte too small fails cleanly. */
		if (m.len > 1) {
			struct buf small = BUF_INIT(m.len - 1);
			CHECK(buf_appends(&small, ""));
			CHECK(mutf7_from_utf8(s, size, &small) == -1 && small.len == 0);
			buf_free(&small);
		}
	} else {
		CHECK(m.len == 0);
	}
	buf_free(&u);
	buf_free(&m);
	buf_free(&back);
	return 0;
}
