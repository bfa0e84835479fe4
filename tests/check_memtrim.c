/* memtrim: pages given back are really gone (mincore), pages still in use
 * are kept, and a sealed heap hands out no old free space. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "session/memtrim.h"
#include "tests/lib/suite.h"

static size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static bool resident(const void *p)
{
	unsigned char v = 0;
	ck_assert_int_eq(mincore((void *)((uintptr_t)p & ~(page() - 1)), 1, &v), 0);
	return v & 1;
}

START_TEST(range_gives_back_whole_pages_only)
{
	size_t pg = page();
	unsigned char *m =
	    mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	memset(m, 0xab, 4 * pg);
	/* From the middle of page 0 to the middle of page 3: pages 1 and 2. */
	memtrim_range(m + 100, 3 * pg);
	ck_assert(resident(m));
	ck_assert(!resident(m + pg));
	ck_assert(!resident(m + 2 * pg));
	ck_assert(resident(m + 3 * pg));
	ck_assert_uint_eq(m[pg - 1], 0xab);
	ck_assert_uint_eq(m[pg], 0);
	ck_assert_uint_eq(m[3 * pg - 1], 0);
	ck_assert_uint_eq(m[3 * pg + 100], 0xab);
	/* Less than a page: nothing to give back. */
	memtrim_range(m + 10, pg - 20);
	ck_assert_uint_eq(m[10], 0xab);
	munmap(m, 4 * pg);
}
END_TEST

/* Dirties 256 KiB of stack below its caller; *where: its lowest byte. */
static __attribute__((noinline)) void deep(uintptr_t *where)
{
	volatile char big[256 << 10];
	for (size_t i = 0; i < sizeof(big); i += 512)
		big[i] = 1;
	*where = (uintptr_t)&big[0];
}

START_TEST(dead_stack_is_given_back)
{
	uintptr_t low, again;
	deep(&low);
	ck_assert(resident((void *)(low + 4096)));
	memtrim();
	/* Far below the caller's frame: dead, so gone. */
	ck_assert(!resident((void *)(low + 4096)));
	/* Still usable: a new call gets fresh pages. */
	deep(&again);
	ck_assert_uint_eq(again, low);
	ck_assert(resident((void *)(low + 4096)));
}
END_TEST

START_TEST(sealed_heap_reuses_no_hole)
{
	enum { N = 200 };
	void *keep[N], *hole[N];
	for (int i = 0; i < N; i++) {
		hole[i] = malloc(16);
		keep[i] = malloc(16);
		ck_assert(hole[i] && keep[i]);
	}
	for (int i = 0; i < N; i++)
		free(hole[i]);
	memtrim_seal();
	for (int i = 0; i < N; i++) {
		void *p = malloc(16);
		for (int j = 0; j < N; j++)
			ck_assert_ptr_ne(p, hole[j]);
		free(p);
	}
	for (int i = 0; i < N; i++)
		free(keep[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("memtrim");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, range_gives_back_whole_pages_only);
	tcase_add_test(tc, dead_stack_is_given_back);
	tcase_add_test(tc, sealed_heap_reuses_no_hole);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
