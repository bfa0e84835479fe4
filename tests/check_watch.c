/* The IDLE watcher (session/watch.h): which changes to a Maildir folder ask
 * for a rescan, which for the cheap stat check, which for nothing; lost
 * events; a removed folder; inotify running out of descriptors; and the
 * rescan finding a delivery that the stat check cannot see.
 * inotify queues an event within the system call that causes it, so every
 * check reads right after the change, with no waiting. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir/keywords.h"
#include "maildir/store.h"
#include "maildir/uidlist.h"
#include "session/watch.h"
#include "tests/lib/md_testutil.h"
#include "tests/lib/suite.h"

static char root[64];
static struct md_idle_paths paths;

static void path_of(char *out, size_t n, const char *rel)
{
	ck_assert(snprintf_ok(out, n, "%s/%s", root, rel));
}

static void setup(void)
{
	mdt_tmpdir(root);
	const char *subs[] = {"new", "cur", "tmp"};
	for (int i = 0; i < 3; i++) {
		char p[128];
		path_of(p, sizeof(p), subs[i]);
		ck_assert_int_eq(mkdir(p, 0700), 0);
	}
	path_of(paths.new_dir, sizeof(paths.new_dir), "new");
	path_of(paths.cur_dir, sizeof(paths.cur_dir), "cur");
	path_of(paths.uidlist, sizeof(paths.uidlist), MD_UIDLIST_NAME);
}

static void teardown(void)
{
	mdt_rmrf(root);
}

static void put(const char *rel)
{
	char p[128];
	path_of(p, sizeof(p), rel);
	mdt_write(p, "Subject: x\n\nbody\n");
}

static void mv(const char *from, const char *to)
{
	char a[128], b[128];
	path_of(a, sizeof(a), from);
	path_of(b, sizeof(b), to);
	ck_assert_int_eq(rename(a, b), 0);
}

START_TEST(delivery_asks_for_rescan)
{
	struct watch w;
	ck_assert_int_eq(watch_open(&w, &paths, false), 0);
	ck_assert_int_ge(watch_fd(&w), 0);
	ck_assert_uint_eq(watch_read(&w), 0);
	/* An MDA: write in tmp/ (not watched), rename into new/. */
	put("tmp/1.M1P1.host");
	ck_assert_uint_eq(watch_read(&w), 0);
	mv("tmp/1.M1P1.host", "new/1.M1P1.host");
	ck_assert_uint_eq(watch_read(&w), WATCH_RESCAN);
	/* Created in new/ directly. */
	put("new/2.M1P1.host");
	ck_assert(watch_read(&w) & WATCH_RESCAN);
	ck_assert_uint_eq(watch_read(&w), 0);
	watch_close(&w);
	ck_assert_int_eq(watch_fd(&w), -1);
}
END_TEST

START_TEST(move_from_new_is_a_check)
{
	put("new/1.M1P1.host");
	put("new/2.M1P1.host");
	struct watch w;
	ck_assert_int_eq(watch_open(&w, &paths, false), 0);
	/* What every session's sync does: new/ to cur/ with ":2,". */
	mv("new/1.M1P1.host", "cur/1.M1P1.host:2,");
	mv("new/2.M1P1.host", "cur/2.M1P1.host:2,");
	ck_assert_uint_eq(watch_read(&w), WATCH_CHECK);
	/* A file renamed into cur/ from elsewhere (a mail sync tool). */
	put("tmp/3.M1P1.host");
	mv("tmp/3.M1P1.host", "cur/3.M1P1.host:2,S");
	ck_assert_uint_eq(watch_read(&w), WATCH_RESCAN);
	watch_close(&w);
}
END_TEST

START_TEST(changes_in_cur_ask_for_rescan)
{
	put("cur/1.M1P1.host:2,");
	put("cur/2.M1P1.host:2,");
	struct watch w;
	ck_assert_int_eq(watch_open(&w, &paths, false), 0);
	/* A flag change by another session. */
	mv("cur/1.M1P1.host:2,", "cur/1.M1P1.host:2,S");
	ck_assert_uint_eq(watch_read(&w), WATCH_RESCAN);
	/* An expunge. */
	char p[128];
	path_of(p, sizeof(p), "cur/2.M1P1.host:2,");
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_uint_eq(watch_read(&w), WATCH_RESCAN);
	/* A copy by hard link. */
	char q[128];
	path_of(p, sizeof(p), "cur/1.M1P1.host:2,S");
	path_of(q, sizeof(q), "cur/3.M1P1.host:2,S");
	ck_assert_int_eq(link(p, q), 0);
	ck_assert_uint_eq(watch_read(&w), WATCH_RESCAN);
	watch_close(&w);
}
END_TEST

START_TEST(lists_replaced_are_a_check)
{
	struct watch w;
	ck_assert_int_eq(watch_open(&w, &paths, false), 0);
	/* Other files in the folder, a lock file among them, are ignored. */
	put(MD_UIDLIST_NAME ".lock");
	put("subscriptions");
	put("tmp/x");
	ck_assert_uint_eq(watch_read(&w), 0);
	/* The UID list and the keyword list are replaced by rename. */
	put(MD_UIDLIST_NAME ".new");
	mv(MD_UIDLIST_NAME ".new", MD_UIDLIST_NAME);
	ck_assert_uint_eq(watch_read(&w), WATCH_CHECK);
	put(MD_KEYWORDS_NAME ".new");
	mv(MD_KEYWORDS_NAME ".new", MD_KEYWORDS_NAME);
	ck_assert_uint_eq(watch_read(&w), WATCH_CHECK);
	/* Written in place. */
	put(MD_UIDLIST_NAME);
	ck_assert_uint_eq(watch_read(&w), WATCH_CHECK);
	watch_close(&w);
}
END_TEST

START_TEST(removed_folder_is_lost)
{
	struct watch w;
	ck_assert_int_eq(watch_open(&w, &paths, false), 0);
	char p[128];
	path_of(p, sizeof(p), "new");
	ck_assert_int_eq(rmdir(p), 0);
	unsigned bits = watch_read(&w);
	ck_assert(bits & WATCH_LOST);
	ck_assert(bits & WATCH_RESCAN);
	watch_close(&w);
	/* A folder without new/ cannot be watched. */
	ck_assert_int_eq(watch_open(&w, &paths, false), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(watch_fd(&w), -1);
}
END_TEST

START_TEST(overflow_asks_for_rescan)
{
	long max = 16384;
	FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	if (f) {
		ck_assert_int_eq(fscanf(f, "%ld", &max), 1);
		fclose(f);
	}
	ck_assert_int_lt(max, 10000000);
	struct watch w;
	ck_assert_int_eq(watch_open(&w, &paths, false), 0);
	/* Alternating names, so that the kernel cannot merge the events;
	 * each of them alone would only ask for a check. */
	char a[128], b[128];
	path_of(a, sizeof(a), MD_UIDLIST_NAME);
	path_of(b, sizeof(b), MD_KEYWORDS_NAME);
	for (long i = 0; i < max + 16; i++) {
		int fd = open(i % 2 ? a : b, O_WRONLY | O_CREAT, 0600);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	ck_assert_uint_eq(watch_read(&w), WATCH_CHECK | WATCH_RESCAN);
	watch_close(&w);
}
END_TEST

START_TEST(no_inotify_left)
{
	struct watch w;
	/* The test switch fails the way an exhausted system does. */
	errno = 0;
	ck_assert_int_eq(watch_open(&w, &paths, true), -1);
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_int_eq(watch_fd(&w), -1);
	ck_assert_uint_eq(watch_read(&w), 0);
	/* A process out of descriptors: inotify_init1 fails for real. */
	struct rlimit old, low;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	int next = dup(0);
	ck_assert_int_ge(next, 0);
	close(next);
	low = old;
	low.rlim_cur = (rlim_t)next;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	errno = 0;
	int r = watch_open(&w, &paths, false);
	int e = errno;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(e, EMFILE);
	ck_assert_int_eq(watch_fd(&w), -1);
	watch_close(&w);
}
END_TEST

START_TEST(rescan_finds_what_stat_misses)
{
	char r[128], nd[128];
	path_of(r, sizeof(r), "store/Maildir");
	struct md_store *st = NULL;
	struct md_mailbox *mb = NULL;
	struct buf err = BUF_INIT(0);
	ck_assert_msg(md_store_open(r, NULL, &st, &err) == 0, "%s", err.s);
	ck_assert_msg(md_mailbox_open(st, "INBOX", false, &mb, &err) == 0, "%s", err.s);
	ck_assert_int_eq(md_mailbox_sync(mb, NULL, &err), 0);
	ck_assert(!md_mailbox_changed(mb));
	/* A delivery in the same clock tick as that sync leaves the time of
	 * new/ as it was; put it back by hand to make that happen for sure. */
	path_of(nd, sizeof(nd), "store/Maildir/new");
	struct stat before;
	ck_assert_int_eq(stat(nd, &before), 0);
	put("store/Maildir/tmp/1.M1P1.host");
	mv("store/Maildir/tmp/1.M1P1.host", "store/Maildir/new/1.M1P1.host");
	struct timespec t[2] = {before.st_atim, before.st_mtim};
	ck_assert_int_eq(utimensat(AT_FDCWD, nd, t, 0), 0);
	ck_assert(!md_mailbox_changed(mb));
	/* What IDLE does for WATCH_RESCAN. */
	md_mailbox_invalidate(mb);
	ck_assert(md_mailbox_changed(mb));
	struct md_changes ch;
	ck_assert_msg(md_mailbox_sync(mb, &ch, &err) == 0, "%s", err.s);
	ck_assert_uint_eq(ch.n_new, 1);
	ck_assert_uint_eq(md_mailbox_count(mb), 1);
	md_changes_free(&ch);
	ck_assert(!md_mailbox_changed(mb));
	md_mailbox_free(&mb);
	md_store_free(&st);
	buf_free(&err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, delivery_asks_for_rescan);
	tcase_add_test(tc, move_from_new_is_a_check);
	tcase_add_test(tc, changes_in_cur_ask_for_rescan);
	tcase_add_test(tc, lists_replaced_are_a_check);
	tcase_add_test(tc, removed_folder_is_lost);
	tcase_add_test(tc, overflow_asks_for_rescan);
	tcase_add_test(tc, no_inotify_left);
	tcase_add_test(tc, rescan_finds_what_stat_misses);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
