/* Regression tests for faults found by fuzzing (tests/fuzz/) and by the
 * hostile-client tests; each names what went wrong. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "maildir/name.h"
#include "tests/lib/suite.h"

/* A directory must map to a name only if that name maps back to it:
 * ".INBOX" was listed as a second INBOX, ".inbox.x" shadowed "INBOX/x". */
START_TEST(name_from_dir_only_canonical)
{
	static const char *const refused[] = {".INBOX", ".inbox", ".InBoX", ".inbox.x",
					      ".Inbox.a.b"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct buf n = BUF_INIT(0);
		ck_assert_msg(md_name_from_dir(refused[i], &n) == -1, "%s accepted", refused[i]);
		ck_assert_uint_eq(n.len, 0);
		buf_free(&n);
	}
	struct buf n = BUF_INIT(0);
	ck_assert_int_eq(md_name_from_dir(".INBOX.x", &n), 0);
	ck_assert_str_eq(n.s, "INBOX/x");
	buf_reset(&n);
	ck_assert_int_eq(md_name_from_dir(".Work.a&AC4-b", &n), 0);
	ck_assert_str_eq(n.s, "Work/a.b");
	buf_free(&n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("regress");
	TCase *tc = tcase_create("found");
	tcase_add_test(tc, name_from_dir_only_canonical);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
