/* Tests for the maildir storage layer: store, folders, subscriptions,
 * mailbox views, APPEND, COPY/MOVE, and Maildirs written by Dovecot and
 * Courier (tests/fixtures). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "maildir/deliver.h"
#include "maildir/folder.h"
#include "maildir/mailbox.h"
#include "maildir/store.h"
#include "maildir/subscriptions.h"
#include "maildir/uidlist.h"
#include "maildir/util.h"
#include "tests/lib/md_testutil.h"
#include "tests/lib/suite.h"

static char tmp[64];
static char root[256];
static struct md_store *st;
static struct buf err = BUF_INIT(0);

static struct md_store_opts test_opts(void)
{
	struct md_store_opts o;
	md_store_opts_default(&o);
	o.lock.wait_secs = 10;
	return o;
}

static void setup(void)
{
	mdt_tmpdir(tmp);
	snprintf(root, sizeof(root), "%s/u/Maildir", tmp);
	struct md_store_opts o = test_opts();
	ck_assert_msg(md_store_open(root, &o, &st, &err) == 0, "%s", err.s);
}

static void teardown(void)
{
	md_store_free(&st);
	buf_free(&err);
	mdt_rmrf(tmp);
}

static uint32_t append(const char *folder, const char *text, uint8_t flags, const char *const *kw,
		       size_t nkw, int64_t date)
{
	struct md_append *a = NULL;
	ck_assert_msg(md_append_begin(st, folder, 0, &a, &err) == 0, "%s", err.s);
	ck_assert_int_eq(md_append_write(a, text, strlen(text), &err), 0);
	uint32_t uid = 0, uv = 0;
	ck_assert_msg(md_append_commit(&a, flags, kw, nkw, date, &uid, &uv, &err) == 0, "%s",
		      err.s);
	ck_assert_ptr_null(a);
	ck_assert_uint_gt(uv, 0);
	return uid;
}

static struct md_folder_info *find(struct md_folder_info *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static char *path_in(const char *rel)
{
	static char p[MD_PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return p;
}

START_TEST(new_account)
{
	struct stat sb;
	ck_assert_int_eq(stat(path_in("cur"), &sb), 0);
	ck_assert_int_eq(stat(path_in("tmp"), &sb), 0);
	ck_assert_int_eq(stat(path_in(".Sent/maildirfolder"), &sb), 0);
	ck_assert_int_eq(stat(path_in(".Junk/dovecot-uidlist"), &sb), 0);
	char *subs = mdt_read(path_in("subscriptions"));
	ck_assert_str_eq(subs, "V\t2\n\nArchive\nDrafts\nINBOX\nJunk\nSent\nTrash\n");
	free(subs);
	struct md_folder_info *v;
	size_t n;
	ck_assert_int_eq(md_folder_list(st, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(v[0].name, "INBOX");
	ck_assert_uint_eq(find(v, n, "Sent")->special_use, MD_SU_SENT);
	ck_assert_uint_eq(find(v, n, "Trash")->special_use, MD_SU_TRASH);
	ck_assert_uint_eq(find(v, n, "Archive")->special_use, MD_SU_ARCHIVE);
	ck_assert(find(v, n, "Drafts")->attrs & MD_LA_SUBSCRIBED);
	ck_assert(find(v, n, "INBOX")->attrs & MD_LA_HASNOCHILDREN);
	md_folder_list_free(&v, n);
	ck_assert_ptr_null(v);
	/* A second open of an existing account creates nothing more. */
	md_folder_delete(st, "Junk", &err);
	struct md_store *again = NULL;
	ck_assert_int_eq(md_store_open(root, NULL, &again, &err), 0);
	ck_assert_int_eq(access(path_in(".Junk"), F_OK), -1);
	md_store_free(&again);
	ck_assert_int_eq(md_store_open("relative/path", NULL, &again, &err), -1);
	ck_assert_int_eq(md_store_open("/proc/nonexistent-dir/x", NULL, &again, &err), -1);
}
END_TEST

START_TEST(create_delete_list)
{
	ck_assert_int_eq(md_folder_create(st, "Work/Projects", 0, &err), 0);
	struct md_folder_info *v;
	size_t n;
	ck_assert_int_eq(md_folder_list(st, &v, &n, &err), 0);
	struct md_folder_info *w = find(v, n, "Work");
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(w->attrs, MD_LA_NOSELECT | MD_LA_NONEXISTENT | MD_LA_HASCHILDREN);
	ck_assert_uint_eq(find(v, n, "Work/Projects")->attrs, MD_LA_HASNOCHILDREN);
	md_folder_list_free(&v, n);

	ck_assert_int_eq(md_folder_create(st, "Work", 0, &err), 0);
	ck_assert_int_eq(md_folder_create(st, "Work", 0, &err), MD_ERR_EXISTS);
	ck_assert_int_eq(md_folder_create(st, "inbox", 0, &err), MD_ERR_EXISTS);
	ck_assert_int_eq(md_folder_create(st, "a/../b", 0, &err), MD_ERR);
	ck_assert_ptr_nonnull(strstr(err.s, "'.'"));
	ck_assert_int_eq(md_folder_create(st, "v1.0", 0, &err), 0);
	ck_assert_int_eq(access(path_in(".v1&AC4-0/cur"), F_OK), 0);

	ck_assert_int_eq(md_folder_list(st, &v, &n, &err), 0);
	ck_assert_uint_eq(find(v, n, "Work")->attrs, MD_LA_HASCHILDREN);
	ck_assert_ptr_nonnull(find(v, n, "v1.0"));
	md_folder_list_free(&v, n);

	/* Deleting a parent keeps the children; it becomes \Noselect. */
	append("Work", "Subject: x\r\n\r\nbody\r\n", 0, NULL, 0, -1);
	ck_assert_int_eq(md_folder_delete(st, "Work", &err), 0);
	ck_assert_int_eq(md_folder_list(st, &v, &n, &err), 0);
	ck_assert(find(v, n, "Work")->attrs & MD_LA_NOSELECT);
	ck_assert_ptr_nonnull(find(v, n, "Work/Projects"));
	md_folder_list_free(&v, n);
	ck_assert_int_eq(md_folder_delete(st, "Work", &err), MD_ERR_NOTFOUND);
	ck_assert_int_eq(md_folder_delete(st, "Nope", &err), MD_ERR_NOTFOUND);
	ck_assert_int_eq(md_folder_delete(st, "INBOX", &err), MD_ERR);
	ck_assert_ptr_nonnull(strstr(err.s, "INBOX"));
	/* Nothing but the folders is left in the root. */
	ck_assert_int_eq(access(path_in("..imapd-deleted.0"), F_OK), -1);
	struct md_mailbox *mb = NULL;
	ck_assert_int_eq(md_mailbox_open(st, "Work", false, &mb, &err), MD_ERR_NOTFOUND);
	/* Re-created, it is empty with a UIDVALIDITY of its own. */
	ck_assert_int_eq(md_folder_create(st, "Work", 0, &err), 0);
	ck_assert_int_eq(md_mailbox_open(st, "Work", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_count(mb), 0);
	md_mailbox_free(&mb);
	ck_assert_ptr_null(mb);
}
END_TEST

START_TEST(many_folders_list)
{
	/* 3000 children whose parents have no directory, made directly. */
	for (int i = 0; i < 3000; i++) {
		char p[300];
		snprintf(p, sizeof(p), "%s/.f%04d.sub", root, i);
		ck_assert_int_eq(mkdir(p, 0700), 0);
	}
	ck_assert_int_eq(mkdir(path_in(".f0007"), 0700), 0);
	struct md_folder_info *v;
	size_t n;
	ck_assert_int_eq(md_folder_list(st, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 6 + 6000);
	ck_assert_str_eq(v[0].name, "INBOX");
	for (size_t i = 2; i < n; i++)
		ck_assert_int_lt(strcmp(v[i - 1].name, v[i].name), 0);
	struct md_folder_info *f = find(v, n, "f0007");
	ck_assert_uint_eq(f->attrs, MD_LA_HASCHILDREN);
	f = find(v, n, "f0008");
	ck_assert_uint_eq(f->attrs, MD_LA_NOSELECT | MD_LA_NONEXISTENT | MD_LA_HASCHILDREN);
	ck_assert_uint_eq(find(v, n, "f2999/sub")->attrs, MD_LA_HASNOCHILDREN);
	md_folder_list_free(&v, n);
}
END_TEST

START_TEST(special_use_created_and_renamed)
{
	ck_assert_int_eq(md_special_use_parse("\\sent"), MD_SU_SENT);
	ck_assert_int_eq(md_special_use_parse("\\Bogus"), 0);
	ck_assert_str_eq(md_special_use_name(MD_SU_FLAGGED), "\\Flagged");
	ck_assert_int_eq(md_folder_create(st, "Sent Items", MD_SU_SENT, &err), 0);
	ck_assert_int_eq(md_folder_create(st, "Everything", MD_SU_ALL | MD_SU_FLAGGED, &err), 0);
	char *f = mdt_read(path_in(MD_SPECIAL_USE_FILE));
	ck_assert_str_eq(f, "imapd-special-use 1\n\\Sent\tSent Items\n\\All\tEverything\n"
			    "\\Flagged\tEverything\n");
	free(f);
	ck_assert_int_eq(md_folder_rename(st, "Sent Items", "Old/Sent", &err), 0);
	struct md_folder_info *v;
	size_t n;
	ck_assert_int_eq(md_folder_list(st, &v, &n, &err), 0);
	ck_assert_uint_eq(find(v, n, "Old/Sent")->special_use, MD_SU_SENT);
	ck_assert_uint_eq(find(v, n, "Everything")->special_use, MD_SU_ALL | MD_SU_FLAGGED);
	ck_assert_uint_eq(find(v, n, "Old")->special_use, 0);
	md_folder_list_free(&v, n);
	ck_assert_int_eq(md_folder_delete(st, "Old/Sent", &err), 0);
	f = mdt_read(path_in(MD_SPECIAL_USE_FILE));
	ck_assert_ptr_null(strstr(f, "Sent"));
	free(f);
}
END_TEST

START_TEST(rename_moves_children)
{
	ck_assert_int_eq(md_folder_create(st, "a", 0, &err), 0);
	ck_assert_int_eq(md_folder_create(st, "a/b", 0, &err), 0);
	ck_assert_int_eq(md_folder_create(st, "a/b/c", 0, &err), 0);
	ck_assert_int_eq(md_folder_create(st, "ab", 0, &err), 0); /* not a child of a */
	uint32_t uid = append("a/b", "Subject: keep\r\n\r\nx\r\n", MD_F_SEEN, NULL, 0, -1);
	ck_assert_int_eq(md_folder_rename(st, "a", "x/y", &err), 0);
	ck_assert_int_eq(access(path_in(".x.y.b.c/cur"), F_OK), 0);
	ck_assert_int_eq(access(path_in(".a.b"), F_OK), -1);
	ck_assert_int_eq(access(path_in(".ab/cur"), F_OK), 0);
	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "x/y/b", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_count(mb), 1);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->uid, uid);
	md_mailbox_free(&mb);
	ck_assert_int_eq(md_folder_rename(st, "x", "x/z", &err), MD_ERR);
	ck_assert_ptr_nonnull(strstr(err.s, "into itself"));
	ck_assert_int_eq(md_folder_rename(st, "ab", "x/y", &err), MD_ERR_EXISTS);
	ck_assert_int_eq(md_folder_rename(st, "nope", "q", &err), MD_ERR_NOTFOUND);
	ck_assert_int_eq(md_folder_rename(st, "ab", "INBOX", &err), MD_ERR_EXISTS);
	ck_assert_int_eq(md_folder_rename(st, "ab", "../evil", &err), MD_ERR);
	/* Renaming a \Noselect parent moves its children. */
	ck_assert_int_eq(md_folder_rename(st, "x", "w", &err), 0);
	ck_assert_int_eq(access(path_in(".w.y.b.c"), F_OK), 0);
	/* A child name that would pass the length limit stops the whole rename. */
	char longname[300];
	memset(longname, 'n', 250);
	longname[250] = '\0';
	ck_assert_int_eq(md_folder_rename(st, "w", longname, &err), MD_ERR);
	ck_assert_int_eq(access(path_in(".w.y.b.c"), F_OK), 0);
}
END_TEST

START_TEST(rename_inbox_moves_messages)
{
	uint32_t u1 = append("INBOX", "Subject: 1\r\n\r\n1\r\n", 0, NULL, 0, -1);
	uint32_t u2 = append("INBOX", "Subject: 2\r\n\r\n2\r\n", MD_F_FLAGGED, NULL, 0, -1);
	ck_assert_int_eq(md_folder_create(st, "INBOX/child", 0, &err), 0);
	struct md_mailbox *in;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &in, &err), 0);
	uint32_t uv = md_mailbox_uidvalidity(in);
	md_mailbox_free(&in);
	ck_assert_int_eq(md_folder_rename(st, "INBOX", "Old Inbox", &err), 0);
	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "Old Inbox", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_count(mb), 2);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->uid, u1);
	ck_assert_uint_eq(md_mailbox_msg(mb, 2)->uid, u2);
	ck_assert_uint_eq(md_mailbox_msg(mb, 2)->flags, MD_F_FLAGGED);
	md_mailbox_free(&mb);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &in, &err), 0);
	ck_assert_uint_eq(md_mailbox_count(in), 0);
	ck_assert_uint_eq(md_mailbox_uidvalidity(in), uv);
	ck_assert_uint_eq(md_mailbox_uidnext(in), u2 + 1); /* UIDs are never reused */
	md_mailbox_free(&in);
	ck_assert(md_store_folder_exists(st, "INBOX/child"));
	ck_assert_int_eq(md_folder_rename(st, "INBOX", "Old Inbox", &err), MD_ERR_EXISTS);
}
END_TEST

START_TEST(subscriptions_file)
{
	ck_assert_int_eq(md_subs_set(st, "Work/Projects", true, &err), 0);
	ck_assert_int_eq(md_subs_set(st, "Gone", true, &err), 0); /* need not exist */
	ck_assert_int_eq(md_subs_set(st, "Work/Projects", true, &err), 0);
	ck_assert_int_eq(md_subs_set(st, "Junk", false, &err), 0);
	ck_assert_int_eq(md_subs_set(st, "Nope", false, &err), 0);
	ck_assert_int_eq(md_subs_set(st, "a//b", true, &err), -1);
	ck_assert_int_eq(md_subs_set(st, "inbox", false, &err), 0);
	char *f = mdt_read(path_in("subscriptions"));
	ck_assert_str_eq(f, "V\t2\n\nArchive\nDrafts\nGone\nSent\nTrash\nWork\tProjects\n");
	free(f);
	char **v;
	size_t n;
	ck_assert_int_eq(md_subs_read(root, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(v[5], "Work/Projects");
	md_subs_free(&v, n);
	ck_assert_ptr_null(v);
	/* The older Dovecot form: no header, names as they are. */
	mdt_write(path_in("subscriptions"), "INBOX\nWork/Old\n\n../bad\n");
	ck_assert_int_eq(md_subs_read(root, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[1], "Work/Old");
	md_subs_free(&v, n);
	ck_assert_int_eq(access(path_in("subscriptions.lock"), F_OK), -1);
	/* A hostile file: duplicates and more names than the limit. */
	struct buf big = BUF_INIT(0);
	ck_assert(buf_appends(&big, "V\t2\n\n"));
	for (int i = 0; i < MD_SUBS_MAX + 5000; i++)
		ck_assert(buf_appendf(&big, "n%d\tsub\nINBOX\n", i));
	mdt_write(path_in("subscriptions"), big.s);
	buf_free(&big);
	ck_assert_int_eq(md_subs_read(root, &v, &n, &err), 0);
	ck_assert_uint_le(n, MD_SUBS_MAX);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_lt(strcmp(v[i - 1], v[i]), 0);
	md_subs_free(&v, n);
	/* A keyword list over its size limit is refused, not loaded. */
	struct buf kb = BUF_INIT(0);
	for (int i = 0; i < 20000; i++)
		ck_assert(buf_appendf(&kb, "%d k%d\n", i % 26, i));
	mdt_write(path_in("dovecot-keywords"), kb.s);
	buf_free(&kb);
	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	ck_assert_ptr_null(md_mailbox_keyword_name(mb, 0));
	md_mailbox_free(&mb);
}
END_TEST

/* The literal arrives in pieces of every size, split inside CRLF. */
START_TEST(append_streams_crlf_to_lf)
{
	const char *msg = "From: a@example.org\r\nSubject: hi\r\n\r\nline one\r\nbare lf\nlone "
			  "cr\rend\r\n";
	const char *stored = "From: a@example.org\nSubject: hi\n\nline one\nbare lf\nlone "
			     "cr\rend\n";
	size_t vsize = strlen(msg) + 1; /* the bare LF counts as CRLF */
	const char *kw[] = {"$Forwarded", "Project"};
	for (size_t chunk = 1; chunk <= 7; chunk++) {
		struct md_append *a = NULL;
		ck_assert_int_eq(md_append_begin(st, "INBOX", 0, &a, &err), 0);
		for (size_t off = 0; off < strlen(msg); off += chunk) {
			size_t k = strlen(msg) - off < chunk ? strlen(msg) - off : chunk;
			ck_assert_int_eq(md_append_write(a, msg + off, k, &err), 0);
		}
		uint32_t uid, uv;
		ck_assert_int_eq(md_append_commit(&a, MD_F_SEEN | MD_F_DRAFT, kw, 2, 1000000000,
						  &uid, &uv, &err),
				 0);
		ck_assert_uint_eq(uid, chunk);
	}
	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_count(mb), 7);
	for (uint32_t seq = 1; seq <= 7; seq++) {
		const struct md_msg *m = md_mailbox_msg(mb, seq);
		ck_assert_uint_eq(m->uid, seq);
		ck_assert_uint_eq(m->flags, MD_F_SEEN | MD_F_DRAFT);
		ck_assert_uint_eq(m->keywords, 3);
		ck_assert_uint_eq(m->size, strlen(stored)); /* from S=, no stat */
		ck_assert_uint_eq(m->vsize, vsize);	    /* from W= */
		ck_assert(!(m->state & MD_MSG_RECENT));
		ck_assert_int_eq(md_mailbox_meta(mb, seq, &err), 0);
		ck_assert_int_eq(m->internal_date, 1000000000);
		int fd = md_mailbox_open_file(mb, seq, &err);
		ck_assert_int_ge(fd, 0);
		char b[256];
		ssize_t r = read(fd, b, sizeof(b));
		close(fd);
		ck_assert_int_eq(r, (ssize_t)strlen(stored));
		ck_assert(memcmp(b, stored, strlen(stored)) == 0);
	}
	ck_assert_str_eq(md_mailbox_keyword_name(mb, 0), "$Forwarded");
	ck_assert_str_eq(md_mailbox_keyword_name(mb, 1), "Project");
	ck_assert_ptr_null(md_mailbox_keyword_name(mb, 2));
	ck_assert_ptr_null(md_mailbox_keyword_name(mb, 99));
	char p[MD_PATH_MAX];
	ck_assert_int_eq(md_mailbox_path(mb, 1, p), 0);
	char want[64];
	snprintf(want, sizeof(want), ",S=%zu,W=%zu:2,DSab", strlen(stored), vsize);
	ck_assert_msg(strstr(p, want) != NULL, "%s", p);
	md_mailbox_free(&mb);
	ck_assert_int_eq(mdt_count(path_in("tmp")), 0);
}
END_TEST

START_TEST(append_errors_and_abort)
{
	struct md_append *a = NULL;
	ck_assert_int_eq(md_append_begin(st, "Nope", 0, &a, &err), MD_ERR_NOTFOUND);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(md_append_begin(st, "../x", 0, &a, &err), MD_ERR);
	ck_assert_int_eq(md_append_begin(st, "INBOX", 10, &a, &err), 0);
	ck_assert_int_eq(md_append_write(a, "12345", 5, &err), 0);
	ck_assert_int_eq(md_append_write(a, "123456", 6, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.s, "too large"));
	uint32_t uid = 0, uv = 0;
	ck_assert_int_eq(md_append_commit(&a, 0, NULL, 0, -1, &uid, &uv, &err), MD_ERR);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(md_append_begin(st, "INBOX", 0, &a, &err), 0);
	ck_assert_int_eq(mdt_count(path_in("tmp")), 1);
	ck_assert_int_eq(md_append_write(a, "x", 1, &err), 0);
	md_append_abort(&a);
	ck_assert_ptr_null(a);
	md_append_abort(&a); /* harmless twice */
	ck_assert_int_eq(mdt_count(path_in("tmp")), 0);
	ck_assert_int_eq(mdt_count(path_in("cur")), 0);
	/* A bad keyword fails the commit and leaves nothing behind. */
	ck_assert_int_eq(md_append_begin(st, "INBOX", 0, &a, &err), 0);
	const char *bad[] = {"has space"};
	ck_assert_int_eq(md_append_commit(&a, 0, bad, 1, -1, &uid, &uv, &err), MD_ERR);
	ck_assert_int_eq(mdt_count(path_in("tmp")), 0);
	ck_assert_int_eq(mdt_count(path_in("cur")), 0);
}
END_TEST

START_TEST(uids_stable_and_never_reused)
{
	for (int i = 0; i < 3; i++)
		append("INBOX", "Subject: s\r\n\r\nb\r\n", 0, NULL, 0, -1);
	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	uint32_t uv = md_mailbox_uidvalidity(mb);
	ck_assert_int_eq(md_mailbox_store(mb, 3, MD_STORE_ADD, MD_F_DELETED, 0, &err), 0);
	struct md_changes ch;
	ck_assert_int_eq(md_mailbox_expunge(mb, NULL, 0, &ch, &err), 0);
	ck_assert_uint_eq(ch.n_expunged, 1);
	ck_assert_uint_eq(ch.expunged_uids[0], 3);
	ck_assert_uint_eq(ch.expunged_seqs[0], 3);
	ck_assert_uint_eq(ch.exists, 2);
	md_changes_free(&ch);
	md_mailbox_free(&mb);
	ck_assert_uint_eq(append("INBOX", "Subject: 4\r\n\r\n4\r\n", 0, NULL, 0, -1), 4);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_uidvalidity(mb), uv);
	ck_assert_uint_eq(md_mailbox_count(mb), 3);
	ck_assert_uint_eq(md_mailbox_msg(mb, 3)->uid, 4);
	ck_assert_uint_eq(md_mailbox_seq(mb, 4), 3);
	ck_assert_uint_eq(md_mailbox_seq(mb, 3), 0);
	ck_assert_uint_eq(md_mailbox_uidnext(mb), 5);
	md_mailbox_free(&mb);
	/* The expunged record is gone from the list too. */
	char *l = mdt_read(path_in(MD_UIDLIST_NAME));
	ck_assert_ptr_null(strstr(l, "\n3 "));
	free(l);
}
END_TEST

static void deliver_new(const char *name, const char *text)
{
	char p[MD_PATH_MAX];
	snprintf(p, sizeof(p), "%s/new/%s", root, name);
	mdt_write(p, text);
}

START_TEST(new_mail_recent_once)
{
	deliver_new("1700000000.M1P1.mx", "Subject: mda\n\nhi\n");
	struct md_mailbox *ro, *a, *b;
	/* EXAMINE moves nothing but shows it as \Recent. */
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", true, &ro, &err), 0);
	ck_assert_uint_eq(md_mailbox_count(ro), 1);
	ck_assert(md_mailbox_msg(ro, 1)->state & MD_MSG_RECENT);
	ck_assert_int_eq(mdt_count(path_in("new")), 1);
	ck_assert_int_eq(md_mailbox_store(ro, 1, MD_STORE_ADD, MD_F_SEEN, 0, &err), MD_ERR);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &a, &err), 0);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &b, &err), 0);
	ck_assert_int_eq(mdt_count(path_in("new")), 0);
	ck_assert_int_eq(access(path_in("cur/1700000000.M1P1.mx:2,"), F_OK), 0);
	ck_assert(md_mailbox_msg(a, 1)->state & MD_MSG_RECENT);
	ck_assert(!(md_mailbox_msg(b, 1)->state & MD_MSG_RECENT));
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->uid, md_mailbox_msg(ro, 1)->uid);
	/* Sizes unknown from the name are found by stat and reading. */
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->size, MD_UNKNOWN_SIZE);
	ck_assert_int_eq(md_mailbox_meta(a, 1, &err), 0);
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->size, 17);
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->vsize, 20);
	struct md_status s;
	md_mailbox_status(a, &s);
	ck_assert_uint_eq(s.messages, 1);
	ck_assert_uint_eq(s.recent, 1);
	ck_assert_uint_eq(s.unseen, 1);
	ck_assert_uint_eq(s.first_unseen, 1);
	ck_assert_uint_eq(s.size, 20);
	md_mailbox_status(b, &s);
	ck_assert_uint_eq(s.recent, 0);
	/* The read-only view follows the move as a rename, not an expunge. */
	struct md_changes ch;
	ck_assert_int_eq(md_mailbox_sync(ro, &ch, &err), 0);
	ck_assert_uint_eq(ch.n_expunged, 0);
	ck_assert_uint_eq(ch.exists, 1);
	md_changes_free(&ch);
	md_mailbox_free(&ro);
	md_mailbox_free(&a);
	md_mailbox_free(&b);
}
END_TEST

START_TEST(sync_reports_other_changes)
{
	for (int i = 0; i < 4; i++)
		append("INBOX", "Subject: s\r\n\r\nb\r\n", 0, NULL, 0, -1);
	struct md_mailbox *a, *b;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &a, &err), 0);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &b, &err), 0);
	struct md_changes ch;
	ck_assert_int_eq(md_mailbox_sync(a, &ch, &err), 0);
	ck_assert(!md_mailbox_changed(a));
	ck_assert_uint_eq(ch.n_expunged + ch.n_flag_changes + ch.n_new, 0);
	ck_assert_uint_eq(ch.exists, 4);
	md_changes_free(&ch);
	int k = md_mailbox_keyword(b, "Urgent", true, &err);
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(md_mailbox_keyword(b, "Other", false, &err), -1);
	ck_assert_int_eq(md_mailbox_store(b, 2, MD_STORE_ADD, MD_F_SEEN, 1u << k, &err), 0);
	ck_assert_int_eq(md_mailbox_store(b, 1, MD_STORE_ADD, MD_F_DELETED, 0, &err), 0);
	ck_assert_int_eq(md_mailbox_store(b, 3, MD_STORE_ADD, MD_F_DELETED, 0, &err), 0);
	ck_assert_int_eq(md_mailbox_expunge(b, NULL, 0, NULL, &err), 0);
	append("INBOX", "Subject: new\r\n\r\nb\r\n", 0, NULL, 0, -1);
	ck_assert(md_mailbox_changed(a));
	ck_assert_int_eq(md_mailbox_sync(a, &ch, &err), 0);
	ck_assert_uint_eq(ch.n_expunged, 2);
	ck_assert_uint_eq(ch.expunged_seqs[0], 3); /* highest first */
	ck_assert_uint_eq(ch.expunged_uids[0], 3);
	ck_assert_uint_eq(ch.expunged_seqs[1], 1);
	ck_assert_uint_eq(ch.n_flag_changes, 1);
	ck_assert_uint_eq(ch.flag_uids[0], 2);
	ck_assert_uint_eq(ch.n_new, 1);
	ck_assert_uint_eq(ch.exists, 3);
	ck_assert(ch.keywords_changed);
	md_changes_free(&ch);
	ck_assert_str_eq(md_mailbox_keyword_name(a, 0), "Urgent");
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->uid, 2);
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->flags, MD_F_SEEN);
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->keywords, 1);
	ck_assert_uint_eq(md_mailbox_msg(a, 3)->uid, 5);
	ck_assert(!md_mailbox_changed(a));
	/* UID EXPUNGE only removes the listed \Deleted messages. */
	ck_assert_int_eq(md_mailbox_store(a, 1, MD_STORE_ADD, MD_F_DELETED, 0, &err), 0);
	ck_assert_int_eq(md_mailbox_store(a, 2, MD_STORE_ADD, MD_F_DELETED, 0, &err), 0);
	uint32_t only[] = {4};
	ck_assert_int_eq(md_mailbox_expunge(a, only, 1, &ch, &err), 0);
	ck_assert_uint_eq(ch.n_expunged, 1);
	ck_assert_uint_eq(ch.expunged_uids[0], 4);
	md_changes_free(&ch);
	ck_assert_int_eq(md_mailbox_store(a, 1, MD_STORE_SET, MD_F_FLAGGED, 0, &err), 0);
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->flags, MD_F_FLAGGED);
	ck_assert_int_eq(md_mailbox_store(a, 1, MD_STORE_REMOVE, MD_F_FLAGGED, 0, &err), 0);
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->flags, 0);
	ck_assert_int_eq(md_mailbox_store(a, 9, MD_STORE_ADD, MD_F_SEEN, 0, &err), MD_ERR);
	md_mailbox_free(&b);
	/* Another process deletes the selected folder. */
	ck_assert_int_eq(md_folder_create(st, "Doomed", 0, &err), 0);
	ck_assert_int_eq(md_mailbox_open(st, "Doomed", false, &b, &err), 0);
	ck_assert_int_eq(md_folder_delete(st, "Doomed", &err), 0);
	ck_assert(md_mailbox_changed(b));
	ck_assert_int_eq(md_mailbox_sync(b, &ch, &err), MD_ERR_NOTFOUND);
	md_mailbox_free(&b);
	md_mailbox_free(&a);
}
END_TEST

START_TEST(follows_renames_by_others)
{
	append("INBOX", "Subject: s\r\n\r\nbody\r\n", 0, NULL, 0, -1);
	struct md_mailbox *a, *b;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &a, &err), 0);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &b, &err), 0);
	ck_assert_int_eq(md_mailbox_store(b, 1, MD_STORE_ADD, MD_F_SEEN, 0, &err), 0);
	/* a still has the old name: opening follows the rename. */
	int fd = md_mailbox_open_file(a, 1, &err);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->flags, MD_F_SEEN);
	ck_assert_int_eq(md_mailbox_store(b, 1, MD_STORE_ADD, MD_F_ANSWERED, 0, &err), 0);
	ck_assert_int_eq(md_mailbox_store(a, 1, MD_STORE_ADD, MD_F_FLAGGED, 0, &err), 0);
	ck_assert_uint_eq(md_mailbox_msg(a, 1)->flags, MD_F_SEEN | MD_F_ANSWERED | MD_F_FLAGGED);
	ck_assert_int_eq(mdt_count(path_in("cur")), 1);
	ck_assert_int_eq(md_mailbox_store(b, 1, MD_STORE_ADD, MD_F_DELETED, 0, &err), 0);
	ck_assert_int_eq(md_mailbox_expunge(b, NULL, 0, NULL, &err), 0);
	ck_assert_int_eq(md_mailbox_open_file(a, 1, &err), MD_ERR_EXPUNGED);
	ck_assert_int_eq(md_mailbox_store(a, 1, MD_STORE_ADD, MD_F_SEEN | MD_F_DRAFT, 0, &err),
			 MD_ERR_EXPUNGED);
	ck_assert_int_eq(md_mailbox_meta(a, 1, &err), MD_ERR_EXPUNGED);
	md_mailbox_free(&a);
	md_mailbox_free(&b);
}
END_TEST

START_TEST(copy_and_move)
{
	const char *kw[] = {"Later"};
	append("INBOX", "Subject: 1\r\n\r\n1\r\n", MD_F_SEEN, kw, 1, 1234567890);
	append("INBOX", "Subject: 2\r\n\r\n2\r\n", 0, NULL, 0, -1);
	append("INBOX", "Subject: 3\r\n\r\n3\r\n", 0, NULL, 0, -1);
	ck_assert_int_eq(md_folder_create(st, "Work", 0, &err), 0);
	append("Work", "Subject: w\r\n\r\nw\r\n", 0, (const char *[]){"Other"}, 1, -1);
	struct md_mailbox *in;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &in, &err), 0);
	uint32_t seqs[] = {1, 3}, uids[2], uv;
	ck_assert_int_eq(md_mailbox_copy(in, seqs, 2, "Work", false, uids, &uv, &err), 0);
	ck_assert_uint_eq(uids[0], 2);
	ck_assert_uint_eq(uids[1], 3);
	ck_assert_int_eq(md_mailbox_copy(in, seqs, 2, "Nope", false, uids, &uv, &err),
			 MD_ERR_NOTFOUND);
	struct md_mailbox *w;
	ck_assert_int_eq(md_mailbox_open(st, "Work", false, &w, &err), 0);
	ck_assert_uint_eq(md_mailbox_uidvalidity(w), uv);
	ck_assert_uint_eq(md_mailbox_count(w), 3);
	const struct md_msg *m = md_mailbox_msg(w, 2);
	ck_assert_uint_eq(m->uid, 2);
	ck_assert_uint_eq(m->flags, MD_F_SEEN);
	/* "Later" is keyword 1 in Work ("Other" is 0). */
	ck_assert_uint_eq(m->keywords, 2);
	ck_assert_str_eq(md_mailbox_keyword_name(w, 1), "Later");
	ck_assert_int_eq(md_mailbox_meta(w, 2, &err), 0);
	ck_assert_int_eq(md_mailbox_msg(w, 2)->internal_date, 1234567890);
	char p[MD_PATH_MAX];
	struct stat sb;
	md_mailbox_path(w, 2, p);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_uint_eq(sb.st_nlink, 2); /* a hard link */
	/* MOVE: new UIDs in the target, expunged from the source. */
	uint32_t mv[] = {2};
	ck_assert_int_eq(md_mailbox_copy(in, mv, 1, "Work", true, uids, &uv, &err), 0);
	ck_assert_uint_eq(uids[0], 4);
	struct md_changes ch;
	ck_assert_int_eq(md_mailbox_sync(in, &ch, &err), 0);
	ck_assert_uint_eq(ch.n_expunged, 1);
	ck_assert_uint_eq(ch.expunged_uids[0], 2);
	md_changes_free(&ch);
	ck_assert_int_eq(md_mailbox_sync(w, &ch, &err), 0);
	ck_assert_uint_eq(ch.n_new, 1);
	ck_assert_uint_eq(ch.exists, 4);
	md_changes_free(&ch);
	char *l = mdt_read(path_in(MD_UIDLIST_NAME));
	ck_assert_ptr_null(strstr(l, "\n2 "));
	free(l);
	/* COPY into the same folder gives new UIDs as well. */
	uint32_t one[] = {1};
	ck_assert_int_eq(md_mailbox_copy(in, one, 1, "INBOX", false, uids, &uv, &err), 0);
	ck_assert_uint_eq(uids[0], 4);
	ck_assert_int_eq(md_mailbox_sync(in, &ch, &err), 0);
	ck_assert_uint_eq(ch.n_new, 1);
	md_changes_free(&ch);
	md_mailbox_free(&in);
	md_mailbox_free(&w);
}
END_TEST

START_TEST(status_without_view)
{
	append("INBOX", "Subject: 1\r\n\r\n1\r\n", MD_F_SEEN, NULL, 0, -1);
	append("INBOX", "Subject: 2\r\n\r\n2\r\n", MD_F_DELETED, NULL, 0, -1);
	deliver_new("1700000000.M9P9.mx", "Subject: x\n\nbody\n");
	struct md_status s;
	ck_assert_int_eq(md_status(st, "INBOX", &s, &err), 0);
	ck_assert_uint_eq(s.messages, 3);
	ck_assert_uint_eq(s.recent, 1);
	ck_assert_uint_eq(s.unseen, 2);
	ck_assert_uint_eq(s.deleted, 1);
	ck_assert_uint_eq(s.uidnext, 4);
	ck_assert_uint_eq(s.size, 17 + 17 + 20);	/* CRLF sizes */
	ck_assert_int_eq(mdt_count(path_in("new")), 1); /* STATUS moves nothing */
	ck_assert_int_eq(md_status(st, "Nope", &s, &err), MD_ERR_NOTFOUND);
	ck_assert_int_eq(md_status(st, "Trash", &s, &err), 0);
	uint32_t uv = s.uidvalidity;
	struct md_mailbox *t;
	ck_assert_int_eq(md_mailbox_open(st, "Trash", false, &t, &err), 0);
	ck_assert_uint_eq(md_mailbox_uidvalidity(t), uv);
	ck_assert_uint_eq(md_mailbox_uidnext(t), 1);
	struct md_idle_paths ip;
	md_mailbox_idle_paths(t, &ip);
	ck_assert_str_eq(ip.new_dir, path_in(".Trash/new"));
	ck_assert_str_eq(ip.uidlist, path_in(".Trash/dovecot-uidlist"));
	md_mailbox_free(&t);
}
END_TEST

START_TEST(stale_tmp_removed)
{
	mdt_write(path_in("tmp/old"), "x");
	mdt_write(path_in("tmp/fresh"), "y");
	time_t now = time(NULL);
	struct timespec old[2] = {{now - 37 * 3600, 0}, {now - 37 * 3600, 0}};
	utimensat(AT_FDCWD, path_in("tmp/old"), old, 0);
	/* tmp/ was scanned recently: nothing happens yet. */
	struct md_mailbox *mb;
	struct timespec recent[2] = {{now, 0}, {0, UTIME_OMIT}};
	utimensat(AT_FDCWD, path_in("tmp"), recent, 0);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	md_mailbox_free(&mb);
	ck_assert_int_eq(access(path_in("tmp/old"), F_OK), 0);
	struct timespec long_ago[2] = {{now - 9 * 3600, 0}, {0, UTIME_OMIT}};
	utimensat(AT_FDCWD, path_in("tmp"), long_ago, 0);
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	md_mailbox_free(&mb);
	ck_assert_int_eq(access(path_in("tmp/old"), F_OK), -1);
	ck_assert_int_eq(access(path_in("tmp/fresh"), F_OK), 0);
}
END_TEST

static void open_fixture(const char *name)
{
	char fx[256];
	md_store_free(&st);
	mdt_rmrf(root);
	ck_assert_int_eq(mdt_copytree(mdt_fixture(name, fx, sizeof(fx)), root), 0);
	struct md_store_opts o = test_opts();
	ck_assert_int_eq(md_store_open(root, &o, &st, &err), 0);
}

START_TEST(dovecot_fixture)
{
	open_fixture("dovecot-maildir");
	/* Not a new account: no default folders were added. */
	ck_assert_int_eq(access(path_in(".Junk"), F_OK), -1);
	struct md_folder_info *v;
	size_t n;
	ck_assert_int_eq(md_folder_list(st, &v, &n, &err), 0);
	const char *want[] = {"INBOX", "Caf&AOk-", "Old",  "Old/Sub",
			      "Sent",  "Trash",	   "Work", "Work/Projects"};
	ck_assert_uint_eq(n, 8);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(v[i].name, want[i]);
	ck_assert_uint_eq(v[2].attrs, MD_LA_NOSELECT | MD_LA_NONEXISTENT | MD_LA_HASCHILDREN);
	ck_assert(v[0].attrs & MD_LA_SUBSCRIBED);
	ck_assert(v[1].attrs & MD_LA_SUBSCRIBED);
	ck_assert(v[7].attrs & MD_LA_SUBSCRIBED);
	ck_assert(!(v[4].attrs & MD_LA_SUBSCRIBED));
	ck_assert_uint_eq(v[4].special_use, MD_SU_SENT);
	md_folder_list_free(&v, n);

	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_uidvalidity(mb), 1795785132u);
	ck_assert_uint_eq(md_mailbox_count(mb), 4);
	ck_assert_uint_eq(md_mailbox_uidnext(mb), 6);
	static const uint32_t uids[] = {1, 2, 4, 5};
	for (uint32_t i = 0; i < 4; i++)
		ck_assert_uint_eq(md_mailbox_msg(mb, i + 1)->uid, uids[i]);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->flags, MD_F_SEEN);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->size, 120);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->vsize, 127);
	ck_assert_uint_eq(md_mailbox_msg(mb, 2)->keywords, 3);
	ck_assert_str_eq(md_mailbox_keyword_name(mb, 0), "$Label1");
	ck_assert_str_eq(md_mailbox_keyword_name(mb, 1), "Important");
	ck_assert_uint_eq(md_mailbox_msg(mb, 4)->flags, MD_F_ANSWERED);
	ck_assert_uint_eq(md_mailbox_msg(mb, 4)->keywords, 2);
	ck_assert_int_eq(md_mailbox_meta(mb, 3, &err), 0);
	ck_assert_uint_eq(md_mailbox_msg(mb, 3)->vsize, 127); /* agrees with W= */
	md_mailbox_free(&mb);
	ck_assert_uint_eq(append("INBOX", "Subject: after\r\n\r\nx\r\n", 0, NULL, 0, -1), 6);
	/* A folder whose empty cur/ new/ tmp/ were not copied still works. */
	ck_assert_uint_eq(append("Sent", "Subject: sent\r\n\r\nx\r\n", 0, NULL, 0, -1), 1);
	ck_assert_int_eq(md_mailbox_open(st, "Work", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_uidvalidity(mb), 1795785133u);
	ck_assert_uint_eq(md_mailbox_count(mb), 1);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->uid, 1);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->flags, MD_F_FLAGGED);
	md_mailbox_free(&mb);
	/* Our subscription change keeps Dovecot's format and names. */
	ck_assert_int_eq(md_subs_set(st, "Sent", true, &err), 0);
	char *subs = mdt_read(path_in("subscriptions"));
	ck_assert_str_eq(subs, "V\t2\n\nCaf&AOk-\nINBOX\nSent\nWork\nWork\tProjects\n");
	free(subs);
}
END_TEST

START_TEST(courier_fixture)
{
	open_fixture("courier-maildir");
	char **v;
	size_t n;
	ck_assert_int_eq(md_subs_read(root, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0], "Gone");
	ck_assert_str_eq(v[1], "INBOX");
	ck_assert_str_eq(v[2], "Lists/Debian");
	md_subs_free(&v, n);
	struct md_mailbox *mb;
	ck_assert_int_eq(md_mailbox_open(st, "INBOX", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_uidvalidity(mb), 1500000000u);
	ck_assert_uint_eq(md_mailbox_count(mb), 3);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->uid, 10);
	ck_assert_uint_eq(md_mailbox_msg(mb, 2)->uid, 17);
	ck_assert_uint_eq(md_mailbox_msg(mb, 2)->flags, MD_F_FLAGGED | MD_F_SEEN);
	ck_assert_uint_eq(md_mailbox_msg(mb, 3)->uid, 30);
	ck_assert_uint_eq(md_mailbox_uidnext(mb), 31);
	md_mailbox_free(&mb);
	ck_assert_uint_eq(append("INBOX", "Subject: after\r\n\r\nx\r\n", 0, NULL, 0, -1), 31);
	ck_assert_int_eq(md_mailbox_open(st, "Lists/Debian", false, &mb, &err), 0);
	ck_assert_uint_eq(md_mailbox_uidvalidity(mb), 1500000001u);
	ck_assert_uint_eq(md_mailbox_msg(mb, 1)->uid, 2);
	md_mailbox_free(&mb);
	char *l = mdt_read(path_in(MD_UIDLIST_NAME));
	ck_assert(strncmp(l, "3 V1500000000 N", 15) == 0);
	ck_assert_ptr_nonnull(strstr(l, "\n10 :1600000000.M1P100.mx,S=40\n"));
	free(l);
	/* The first subscription change writes Dovecot's file. */
	ck_assert_int_eq(md_subs_set(st, "Gone", false, &err), 0);
	char *subs = mdt_read(path_in("subscriptions"));
	ck_assert_str_eq(subs, "V\t2\n\nINBOX\nLists\tDebian\n");
	free(subs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("maildir");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_account);
	tcase_add_test(tc, create_delete_list);
	tcase_add_test(tc, many_folders_list);
	tcase_add_test(tc, special_use_created_and_renamed);
	tcase_add_test(tc, rename_moves_children);
	tcase_add_test(tc, rename_inbox_moves_messages);
	tcase_add_test(tc, subscriptions_file);
	tcase_add_test(tc, append_streams_crlf_to_lf);
	tcase_add_test(tc, append_errors_and_abort);
	tcase_add_test(tc, uids_stable_and_never_reused);
	tcase_add_test(tc, new_mail_recent_once);
	tcase_add_test(tc, sync_reports_other_changes);
	tcase_add_test(tc, follows_renames_by_others);
	tcase_add_test(tc, copy_and_move);
	tcase_add_test(tc, status_without_view);
	tcase_add_test(tc, stale_tmp_removed);
	tcase_add_test(tc, dovecot_fixture);
	tcase_add_test(tc, courier_fixture);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
