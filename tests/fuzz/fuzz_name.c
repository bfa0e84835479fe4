/* Folder names: md_name_check agrees with md_name_to_dir; a valid name maps
 * to a directory ".a.b" that is one path component (no '/', not "." or
 * "..", no NUL) and maps back to the same name (one-to-one); any directory
 * entry maps to a name only if that name is valid and maps back to it. */
#include <stdlib.h>
#include <string.h>

#include "maildir/name.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct buf err = BUF_INIT(1024), dir = BUF_INIT(0), name = BUF_INIT(0), norm = BUF_INIT(0),
		   d2 = BUF_INIT(0);
	int ok = md_name_check(s, size, &err);
	CHECK(ok == 0 || err.len > 0);
	if (ok == 0) {
		CHECK(!memchr(s, '\0', size));
		CHECK(md_name_normalize(s, size, &norm) == 0);
		if (md_name_to_dir(s, size, &dir, NULL) == 0) {
			if (md_name_is_inbox(s, size)) {
				CHECK(dir.len == 0);
			} else {
				CHECK(dir.len >= 2 && dir.s[0] == '.' && dir.len <= MD_NAME_MAX);
				CHECK(!memchr(dir.s, '/', dir.len) &&
				      !memchr(dir.s, '\0', dir.len));
				CHECK(strcmp(dir.s, "..") != 0);
				CHECK(md_name_from_dir(dir.s, &name) == 0);
				CHECK(name.len == norm.len &&
				      memcmp(name.s, norm.s, norm.len) == 0);
			}
		}
	} else {
		CHECK(md_name_to_dir(s, size, &dir, NULL) == -1 && dir.len == 0);
	}

	/* The input as a directory entry (up to its first NUL). */
	char *ent = malloc(size + 1);
	CHECK(ent != NULL);
	memcpy(ent, s, size);
	ent[size] = '\0';
	buf_reset(&name);
	if (md_name_from_dir(ent, &name) == 0) {
		CHECK(md_name_check(name.s, name.len, NULL) == 0);
		CHECK(md_name_to_dir(name.s, name.len, &d2, NULL) == 0);
		/* Only the directory this name maps to maps back to it. */
		CHECK(d2.len == strlen(ent) && memcmp(d2.s, ent, d2.len) == 0);
	} else {
		CHECK(name.len == 0);
	}
	free(ent);
	buf_free(&err);
	buf_free(&dir);
	buf_free(&name);
	buf_free(&norm);
	buf_free(&d2);
	return 0;
}
