/* dovecot-uidlist: parse arbitrary text, check the record invariants, then
 * for some inputs add a record and write the list through the real writer
 * (lock, atomic rewrite) and read it back: the same UIDVALIDITY, next UID
 * and live records must come out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "maildir/uidlist.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof(dir), "%s", fuzz_dir());
	log_open("imapd-fuzz", "/dev/null");
	return 0;
}

static void check_list(const struct md_uidlist *ul)
{
	uint32_t last = 0;
	for (size_t i = 0; i < md_uidlist_count(ul); i++) {
		uint32_t uid = md_uidlist_uid(ul, i);
		if (!uid)
			continue;
		CHECK(uid > last);
		last = uid;
		const char *b = md_uidlist_base(ul, i);
		CHECK(b && *b && !strchr(b, '/'));
		CHECK(md_uidlist_find(ul, b, strlen(b)) == (long)i);
	}
	CHECK(md_uidlist_next_uid(ul) == 0 || md_uidlist_next_uid(ul) > last);
}

static void round_trip(struct md_uidlist *ul)
{
	static const struct md_lock_opts lo = {0, 120};
	char path[128];
	snprintf(path, sizeof(path), "%s/dovecot-uidlist", dir);
	unlink(path);
	if (md_uidlist_add(ul, "new.fuzz", 8) == 0)
		return;
	CHECK(md_uidlist_lock(ul, dir, &lo, NULL) == 0);
	CHECK(md_uidlist_write(ul, dir, NULL) == 0);
	md_uidlist_unlock(ul);
	struct md_uidlist *back = md_uidlist_create();
	CHECK(back && md_uidlist_read(back, dir, NULL) == 0);
	check_list(back);
	CHECK(md_uidlist_uidvalidity(back) == md_uidlist_uidvalidity(ul));
	CHECK(md_uidlist_next_uid(back) == md_uidlist_next_uid(ul));
	size_t k = 0;
	for (size_t i = 0; i < md_uidlist_count(ul); i++) {
		if (!md_uidlist_uid(ul, i))
			continue;
		while (k < md_uidlist_count(back) && !md_uidlist_uid(back, k))
			k++;
		CHECK(k < md_uidlist_count(back));
		CHECK(md_uidlist_uid(back, k) == md_uidlist_uid(ul, i));
		CHECK(strcmp(md_uidlist_base(back, k), md_uidlist_base(ul, i)) == 0);
		k++;
	}
	md_uidlist_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_uidlist *ul = md_uidlist_create();
	CHECK(ul != NULL);
	struct buf err = BUF_INIT(1024);
	if (md_uidlist_parse(ul, (const char *)data, size, &err) == 0) {
		CHECK(md_uidlist_uidvalidity(ul) != 0);
		check_list(ul);
		struct fuzz_rng g;
		fuzz_rng_init(&g, data, size);
		if (fuzz_rng_next(&g) % 4 == 0)
			round_trip(ul);
	} else {
		CHECK(err.len > 0);
		CHECK(md_uidlist_count(ul) == 0);
	}
	buf_free(&err);
	md_uidlist_free(&ul);
	return 0;
}
