/* The subscriptions file (Dovecot's "V\t2" form, the older one-name-per-
 * line form, and Courier's courierimapsubscribed, chosen by the input):
 * whatever it holds, every name read back is a valid folder name in its
 * normal spelling, sorted and unique, and there are at most MD_SUBS_MAX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "maildir/name.h"
#include "maildir/subscriptions.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static char dir[64], dovecot[128], courier[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof(dir), "%s", fuzz_dir());
	snprintf(dovecot, sizeof(dovecot), "%s/" MD_SUBS_FILE, dir);
	snprintf(courier, sizeof(courier), "%s/" MD_SUBS_COURIER, dir);
	log_open("imapd-fuzz", "/dev/null");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The last byte picks the file: odd for Courier's. */
	bool use_courier = size > 0 && (data[size - 1] & 1);
	unlink(dovecot);
	unlink(courier);
	FILE *f = fopen(use_courier ? courier : dovecot, "w");
	CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
	char **names = NULL;
	size_t n = 0;
	struct buf err = BUF_INIT(1024);
	CHECK(md_subs_read(dir, &names, &n, &err) == 0);
	CHECK(n <= MD_SUBS_MAX);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		CHECK(md_name_check(names[i], len, NULL) == 0);
		struct buf norm = BUF_INIT(0);
		CHECK(md_name_normalize(names[i], len, &norm) == 0);
		CHECK(norm.len == len && memcmp(norm.s, names[i], len) == 0);
		buf_free(&norm);
		if (i > 0)
			CHECK(strcmp(names[i - 1], names[i]) < 0);
	}
	md_subs_free(&names, n);
	buf_free(&err);
	return 0;
}
