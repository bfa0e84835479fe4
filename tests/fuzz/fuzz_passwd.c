/* passwd-file lines: the input is a whole passwd-file; the user to look up
 * is taken from its first line's name field, so found entries are common.
 * A found entry must hold what the rules allow: a valid name equal to the
 * one asked for, a non-empty password, an absolute or empty home, and
 * uid/gid that are not (uid_t)-1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/passwd_file.h"
#include "lib/log.h"
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
	snprintf(path, sizeof(path), "%s/passwd", dir);
	log_open("imapd-fuzz", "/dev/null");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
	const char *s = (const char *)data;
	size_t ulen = 0;
	while (ulen < size && s[ulen] != ':' && s[ulen] != '\n')
		ulen++;
	struct str user = {s, ulen};
	static struct passwd_entry e;
	uint8_t digest[32];
	enum auth_result r = passwd_file_lookup(path, user, &e, digest);
	CHECK(r == AUTH_OK || r == AUTH_FAIL);
	if (r == AUTH_OK) {
		CHECK(passdb_user_valid(user));
		CHECK(strlen(e.user.name) == ulen && memcmp(e.user.name, s, ulen) == 0);
		CHECK(e.password[0] != '\0');
		CHECK(e.user.home[0] == '\0' || e.user.home[0] == '/');
		CHECK(e.user.uid != (uid_t)-1 && e.user.gid != (gid_t)-1);
	}
	return 0;
}
