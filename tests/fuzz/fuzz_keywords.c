/* dovecot-keywords: arbitrary file contents are read with the real reader;
 * every name it keeps must be a valid keyword, unique (any case), and the
 * table must survive a write and read back unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "maildir/keywords.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static char dir[64], path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof(dir), "%s", fuzz_dir());
	snprintf(path, sizeof(path), "%s/" MD_KEYWORDS_NAME, dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
	struct md_keywords kw = {{0}}, back = {{0}};
	CHECK(md_keywords_read(&kw, dir, NULL) == 0);
	for (int i = 0; i < MD_MAX_KEYWORDS; i++) {
		if (!kw.name[i])
			continue;
		CHECK(md_keyword_valid(kw.name[i]));
		CHECK(md_keywords_find(&kw, kw.name[i]) == i);
	}
	CHECK(md_keywords_write(&kw, dir, NULL) == 0);
	CHECK(md_keywords_read(&back, dir, NULL) == 0);
	for (int i = 0; i < MD_MAX_KEYWORDS; i++) {
		CHECK(!kw.name[i] == !back.name[i]);
		CHECK(!kw.name[i] || strcmp(kw.name[i], back.name[i]) == 0);
	}
	bool added;
	int k = md_keywords_add(&kw, "$Fuzz", &added, NULL);
	CHECK(k >= 0 || !added);
	md_keywords_clear(&kw);
	md_keywords_clear(&back);
	return 0;
}
