/* Maildir under concurrent writers: several processes appending and
 * flagging at once, a uidlist writer killed mid-rewrite, and a folder of
 * 100,000 messages. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "maildir/deliver.h"
#include "maildir/mailbox.h"
#include "maildir/store.h"
#include "maildir/uidlist.h"
#include "maildir/util.h"
#include "tests/lib/md_testutil.h"
#include "tests/lib/suite.h"

#define PROCS 4
#define EACH  50

static int child_work(const char *root, int id)
{
	struct md_store *st = NULL;
	struct md_mailbox *mb = NULL;
	struct buf err = BUF_INIT(0);
	srand((unsigned)getpid());
	if (md_store_open(root, NULL, &st, &err) < 0)
		return 10;
	if (md_mailbox_open(st, "INBOX", false, &mb, &err) < 0)
		return 11;
	for (int i = 0; i < EACH; i++) {
		char msg[128];
		snprintf(msg, sizeof(msg), "Subject: c%d m%d\r\n\r\nbody %d/%d\r\n", id, i, id, i);
		struct md_append *a = NULL;
		uint32_t uid, uv;
		if (md_append_begin(st, "INBOX", 0, &a, &err) < 0)
			return 12;
		if (md_append_write(a, msg, strlen(msg), &err) < 0)
			return 13;
		if (md_append_commit(&a, 0, NULL, 0, -1, &uid, &uv, &err) < 0)
			return 14;
		if (md_mailbox_sync(mb, NULL, &err) < 0)
			return 15;
		uint32_t n = md_mailbox_count(mb);
		if (n == 0)
			return 16;
		/* Flag someone's message; a concurrent rename is followed. */
		uint32_t seq = 1 + (uint32_t)rand() % n;
		int r =
		    md_mailbox_store(mb, seq, MD_STORE_ADD, (uint8_t)(1u << (rand() % 5)), 0, &err);
		if (r < 0 && r != MD_ERR_EXPUNGED)
			return 17;
	}
	md_mailbox_free(&mb);
	md_store_free(&st);
	buf_free(&err);
	return 0;
}

START_TEST(parallel_append_and_flag)
{
	char tmp[64], root[128];
	mdt_tmpdir(tmp);
	snprintf(root, sizeof(root), "%s/Maildir", tmp);
	struct md_store *st;
	struct buf err = BUF_INIT(0);
	ck_assert_int_eq(md_store_open(root, NULL, &st, &err), 0);
	pid_t kids[PROCS];
	for (int c = 0; c < PROCS; c++) {
		kids[c] = fork();
		if (kids[c] == 0)
			_exit(child_work(root, c));
	}
	for (int c = 0; c < PROCS; c++) {
		int ws;
		ck_assert_int_eq(waitpid(kids[c], &ws, 0), kids[c]);
		ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "child %d: status %d", c, ws);
	}
	/* The list parses, is ascending and holds every message once. */
	char p[MD_PATH_MAX];
	snprintf(p, sizeof(p), "%s/dovecot-uidlist", root);
	char *text = mdt_read(p);
	ck_assert_ptr_nonnull(text);
	struct md_uidlist *ul = md_uidlist_create();
	ck_assert_int_eq(md_uidlist_parse(ul, text, strlen(text), &err), 0);
	ck_assert_uint_eq(md_uidlist_count(ul), PROCS * EACH);
	for (size_t i = 0; i < md_uidlist_count(ul); i++)
		ck_assert_uint_eq(md_uidlist_uid(ul, i), i + 1);
	md_uidlist_free(&ul);
	free(text);
	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_count(mb), PROCS * EACH);
	ck_assert_uint_eq(md_mailbox_uidnext(mb), PROCS * EACH + 1);
	snprintf(p, sizeof(p), "%s/cur", root);
	ck_assert_int_eq(mdt_count(p), PROCS * EACH);
	/* Every message is there, once, whole. */
	static bool seen[PROCS][EACH];
	memset(seen, 0, sizeof(seen));
	for (uint32_t seq = 1; seq <= md_mailbox_count(mb); seq++) {
		int fd = md_mailbox_open_file(mb, seq, &err);
		ck_assert_int_ge(fd, 0);
		char b[128];
		ssize_t n = read(fd, b, sizeof(b) - 1);
		close(fd);
		ck_assert_int_gt(n, 0);
		b[n] = '\0';
		int c, i;
		ck_assert_int_eq(sscanf(b, "Subject: c%d m%d", &c, &i), 2);
		ck_assert(c >= 0 && c < PROCS && i >= 0 && i < EACH);
		ck_assert(!seen[c][i]);
		seen[c][i] = true;
	}
	md_mailbox_free(&mb);
	md_store_free(&st);
	buf_free(&err);
	mdt_rmrf(tmp);
}
END_TEST

#define BIG_LIST 20000

/* Rewrites the list for ever: one record out, one in, so the count stays. */
static void rewrite_forever(const char *dir)
{
	struct md_uidlist *ul = md_uidlist_create();
	struct md_lock_opts o = {10, 120};
	for (unsigned k = 0;; k++) {
		if (md_uidlist_lock(ul, dir, &o, NULL) < 0)
			_exit(2);
		md_uidlist_drop(ul, 0);
		char name[64];
		snprintf(name, sizeof(name), "r%u.%d", k, (int)getpid());
		md_uidlist_add(ul, name, strlen(name));
		if (md_uidlist_write(ul, dir, NULL) < 0)
			_exit(3);
		md_uidlist_unlock(ul);
	}
}

START_TEST(killed_rewrite_leaves_whole_list)
{
	char d[64];
	mdt_tmpdir(d);
	struct md_uidlist *ul = md_uidlist_create();
	struct md_lock_opts o = {10, 120};
	ck_assert_int_eq(md_uidlist_lock(ul, d, &o, NULL), 0);
	for (int i = 0; i < BIG_LIST; i++) {
		char name[64];
		snprintf(name, sizeof(name), "1700000000.M%dP1.host,S=100,W=104", i);
		ck_assert_uint_gt(md_uidlist_add(ul, name, strlen(name)), 0);
	}
	ck_assert_int_eq(md_uidlist_write(ul, d, NULL), 0);
	md_uidlist_unlock(ul);
	uint32_t uv = md_uidlist_uidvalidity(ul);
	srand((unsigned)time(NULL));
	for (int round = 0; round < 6; round++) {
		pid_t kid = fork();
		if (kid == 0)
			rewrite_forever(d);
		usleep(20000 + (useconds_t)(rand() % 80000));
		kill(kid, SIGKILL);
		waitpid(kid, NULL, 0);
		/* Whatever moment it died at, the list is whole. */
		ck_assert_int_eq(md_uidlist_read(ul, d, NULL), 0);
		ck_assert_uint_eq(md_uidlist_uidvalidity(ul), uv);
		size_t live = 0;
		uint32_t last = 0;
		for (size_t i = 0; i < md_uidlist_count(ul); i++) {
			uint32_t u = md_uidlist_uid(ul, i);
			if (!u)
				continue;
			ck_assert_uint_gt(u, last);
			last = u;
			live++;
		}
		ck_assert_uint_eq(live, BIG_LIST);
		/* Its lock, if it held one, names a dead process (or, killed
		 * between creating and writing it, is empty): it is broken. */
		ck_assert_int_eq(md_uidlist_lock(ul, d, &(struct md_lock_opts){30, 120}, NULL), 0);
		md_uidlist_unlock(ul);
	}
	md_uidlist_free(&ul);
	mdt_rmrf(d);
}
END_TEST

static double ms_since(struct timespec a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

START_TEST(hundred_thousand_messages)
{
	enum { N = 100000 };
	char tmp[64], root[128], p[MD_PATH_MAX];
	mdt_tmpdir(tmp);
	snprintf(root, sizeof(root), "%s/Maildir", tmp);
	struct md_store *st;
	struct buf err = BUF_INIT(0);
	ck_assert_int_eq(md_store_open(root, NULL, &st, &err), 0);
	for (int i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "%s/cur/17000%05d.M%dP1.host,S=10,W=11:2,%s", root, i, i,
			 i % 3 ? "S" : "");
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	double first = ms_since(t0);
	ck_assert_uint_eq(md_mailbox_count(mb), N);
	ck_assert_uint_eq(md_mailbox_msg(mb, N)->uid, N);
	struct md_status s;
	md_mailbox_status(mb, &s);
	ck_assert_uint_eq(s.unseen, (N + 2) / 3);
	ck_assert_uint_eq(s.size, (uint64_t)N * 11);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct md_changes ch;
	ck_assert_int_eq(md_mailbox_sync(mb, &ch, &err), 0);
	double noop = ms_since(t0);
	ck_assert_uint_eq(ch.n_new + ch.n_expunged, 0);
	md_changes_free(&ch);
	md_mailbox_free(&mb);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	double again = ms_since(t0);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->uid, 1);
	md_mailbox_free(&mb);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(md_status(st, "INBOX", &s, &err), 0);
	double status = ms_since(t0);
	ck_assert_uint_eq(s.messages, N);
	fprintf(stderr,
		"\n%d messages: first open %.0f ms, reopen %.0f ms, no-op sync %.2f ms, "
		"STATUS %.0f ms, record %zu bytes\n",
		N, first, again, noop, status, sizeof(struct md_msg));
	md_store_free(&st);
	buf_free(&err);
	mdt_rmrf(tmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mdconcurrent");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, parallel_append_and_flag);
	tcase_add_test(tc, killed_rewrite_leaves_whole_list);
	tcase_add_test(tc, hundred_thousand_messages);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
