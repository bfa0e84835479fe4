/* Tests for the maildir file formats: names, location, file names,
 * dovecot-uidlist, dovecot-keywords and dot-locks. */
#include <check.h>
#include <errno.h>
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
#include "maildir/filename.h"
#include "maildir/keywords.h"
#include "maildir/location.h"
#include "maildir/lock.h"
#include "maildir/name.h"
#include "maildir/uidlist.h"
#include "maildir/util.h"
#include "tests/lib/md_testutil.h"
#include "tests/lib/suite.h"

static void dir_ok(const char *name, const char *want)
{
	struct buf d = BUF_INIT(0), err = BUF_INIT(0), back = BUF_INIT(0);
	ck_assert_msg(md_name_to_dir(name, strlen(name), &d, &err) == 0, "%s: %s", name, err.s);
	ck_assert_str_eq(d.s ? d.s : "", want);
	if (d.len) {
		ck_assert_int_eq(md_name_from_dir(d.s, &back), 0);
		struct buf norm = BUF_INIT(0);
		md_name_normalize(name, strlen(name), &norm);
		ck_assert_str_eq(back.s, norm.s);
		buf_free(&norm);
	}
	buf_free(&d);
	buf_free(&err);
	buf_free(&back);
}

static void name_bad(const char *name, size_t len, const char *why)
{
	struct buf d = BUF_INIT(0), err = BUF_INIT(0);
	int r = md_name_to_dir(name, len, &d, &err);
	ck_assert_msg(r == -1, "accepted '%s'", name);
	ck_assert_uint_eq(d.len, 0);
	ck_assert_msg(strstr(err.s, why) != NULL, "'%s': got '%s' want '%s'", name, err.s, why);
	buf_free(&d);
	buf_free(&err);
}

START_TEST(names_map_to_dirs)
{
	dir_ok("INBOX", "");
	dir_ok("inbox", "");
	dir_ok("Work", ".Work");
	dir_ok("Work/Projects", ".Work.Projects");
	dir_ok("Caf&AOk-", ".Caf&AOk-");
	dir_ok("a.b", ".a&AC4-b");
	dir_ok("v1.2/x.y", ".v1&AC4-2.x&AC4-y");
	dir_ok("inbox/sub", ".INBOX.sub");
	dir_ok("a&-b", ".a&-b");
}
END_TEST

START_TEST(hostile_names_refused)
{
	name_bad("", 0, "empty");
	name_bad("../x", 4, "begin with '.'");
	name_bad("a/../b", 6, "begin with '.'");
	name_bad(".hidden", 7, "begin with '.'");
	name_bad("a//b", 4, "empty level");
	name_bad("/a", 2, "empty level");
	name_bad("a/", 2, "empty level");
	name_bad("a\0b", 3, "control");
	name_bad("a\tb", 3, "control");
	name_bad("a\x7f", 2, "control");
	name_bad("a&AAk-b", 7, "control"); /* an encoded TAB */
	name_bad("a&AIU-b", 7, "control"); /* an encoded C1 control */
	name_bad("Caf\xc3\xa9", 5, "modified UTF-7");
	name_bad("a&AGE-", 6, "modified UTF-7");
	name_bad("a*", 2, "wildcard");
	name_bad("a%", 2, "wildcard");
	char big[10241];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	name_bad(big, strlen(big), "too long");
	char deep[64] = "";
	for (int i = 0; i < MD_NAME_DEPTH_MAX + 1; i++)
		strcat(deep, i ? "/a" : "a");
	name_bad(deep, strlen(deep), "too deeply");
	/* Dots escape to 5 bytes: the directory name limit still holds. */
	char dots[200];
	memset(dots, '.', sizeof(dots) - 1);
	dots[0] = 'a';
	dots[sizeof(dots) - 1] = '\0';
	name_bad(dots, strlen(dots), "too long");
}
END_TEST

START_TEST(dirs_that_are_not_folders)
{
	struct buf n = BUF_INIT(0);
	ck_assert_int_eq(md_name_from_dir(".", &n), -1);
	ck_assert_int_eq(md_name_from_dir("..", &n), -1);
	ck_assert_int_eq(md_name_from_dir("..imapd-deleted.12", &n), -1);
	ck_assert_int_eq(md_name_from_dir(".a..b", &n), -1);
	ck_assert_int_eq(md_name_from_dir("cur", &n), -1);
	ck_assert_int_eq(md_name_from_dir(".a\tb", &n), -1);
	ck_assert_uint_eq(n.len, 0);
	buf_free(&n);
}
END_TEST

static void loc_ok(const char *t, const char *u, const char *h, const char *want)
{
	struct buf o = BUF_INIT(0), e = BUF_INIT(0);
	ck_assert_msg(md_location_expand(t, u, h, &o, &e) == 0, "%s: %s", t, e.s);
	ck_assert_str_eq(o.s, want);
	buf_free(&o);
	buf_free(&e);
}

static void loc_bad(const char *t, const char *u, const char *h, const char *why)
{
	struct buf o = BUF_INIT(0), e = BUF_INIT(0);
	ck_assert_int_eq(md_location_expand(t, u, h, &o, &e), -1);
	ck_assert_msg(strstr(e.s, why) != NULL, "%s: got '%s'", t, e.s);
	buf_free(&o);
	buf_free(&e);
}

START_TEST(location_templates)
{
	loc_ok("%h/Maildir", "alice", "/home/alice", "/home/alice/Maildir");
	loc_ok("/var/vmail/%d/%n", "bob@example.org", NULL, "/var/vmail/example.org/bob");
	loc_ok("/m/%u/", "bob@example.org", NULL, "/m/bob@example.org");
	loc_ok("/m/100%%/%n", "x", NULL, "/m/100%/x");
	loc_bad("/m/%x", "a", NULL, "unknown escape %x");
	loc_bad("/m/%", "a", NULL, "ends with");
	loc_bad("/var/vmail/%d/%n", "bob", NULL, "%d");
	loc_bad("/m/%u", "../etc", NULL, "%u");
	loc_bad("/m/%u", "..", NULL, "%u");
	loc_bad("/m/%n", "a/b@x", NULL, "%n");
	loc_bad("/m/%u", "", NULL, "%u");
	loc_bad("%h/Maildir", "a", NULL, "no home");
	loc_bad("%h/Maildir", "a", "relative", "no home");
	loc_bad("Maildir", "a", NULL, "absolute");
	loc_bad("/m/../etc", "a", NULL, "\"..\"");
	loc_bad("%h/../x", "a", "/home/a", "\"..\"");
	loc_bad("/m/\x01", "a", NULL, "control");
	char big[5000];
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	loc_bad(big, "a", NULL, "too long");
}
END_TEST

START_TEST(file_names)
{
	struct md_fname f;
	md_fname_parse("1795785130.M284295P7459.vm,S=120,W=127:2,ab", &f);
	ck_assert_uint_eq(f.base_len, strlen("1795785130.M284295P7459.vm,S=120,W=127"));
	ck_assert_uint_eq(f.size, 120);
	ck_assert_uint_eq(f.vsize, 127);
	ck_assert_uint_eq(f.flags, 0);
	ck_assert_uint_eq(f.keywords, 3);
	md_fname_parse("123.M1P2.host:2,RbSTD", &f);
	ck_assert_uint_eq(f.size, MD_UNKNOWN_SIZE);
	ck_assert_uint_eq(f.flags, MD_F_ANSWERED | MD_F_SEEN | MD_F_DELETED | MD_F_DRAFT);
	ck_assert_uint_eq(f.keywords, 2);
	md_fname_parse("123.host,S=12x:2,", &f);
	ck_assert_uint_eq(f.size, MD_UNKNOWN_SIZE);
	md_fname_parse("no-info-at-all", &f);
	ck_assert_uint_eq(f.base_len, 14);
	ck_assert_uint_eq(f.flags, 0);
	struct buf b = BUF_INIT(0);
	ck_assert(md_fname_build(&b, "base", 4, MD_F_SEEN | MD_F_DRAFT | MD_F_FLAGGED | MD_F_PASSED,
				 1u << 25 | 1));
	ck_assert_str_eq(b.s, "base:2,DFPSaz");
	buf_reset(&b);
	ck_assert(md_fname_unique(&b, 7, 10, 12));
	ck_assert_ptr_nonnull(strstr(b.s, "Q7."));
	ck_assert_ptr_nonnull(strstr(b.s, ",S=10,W=12"));
	ck_assert_ptr_null(strchr(b.s, '/'));
	ck_assert_ptr_null(strchr(b.s, ':'));
	buf_free(&b);
}
END_TEST

static const char dovecot_list[] = "3 V1795785132 N5 G59ca6810aa81096b231d000083ecc375\n"
				   "1 :1795785130.M282945P7459.vm,S=120,W=127\n"
				   "2 :1795785130.M284295P7459.vm,S=120,W=127\n"
				   "3 :1795785130.M285679P7459.vm,S=120,W=127\n"
				   "4 :1795785130.M286583P7459.vm,S=120,W=127\n"
				   "5 W127 :1795785130.M290568P7459.vm,S=120,W=127\n";

START_TEST(uidlist_parse_v3)
{
	struct md_uidlist *ul = md_uidlist_create();
	ck_assert_int_eq(md_uidlist_parse(ul, dovecot_list, strlen(dovecot_list), NULL), 0);
	ck_assert_uint_eq(md_uidlist_uidvalidity(ul), 1795785132u);
	/* Appended after the header was written: N5 is stale, 6 is next. */
	ck_assert_uint_eq(md_uidlist_next_uid(ul), 6);
	ck_assert_uint_eq(md_uidlist_count(ul), 5);
	long i = md_uidlist_find(ul, "1795785130.M290568P7459.vm,S=120,W=127", 38);
	ck_assert_int_eq(i, 4);
	ck_assert_uint_eq(md_uidlist_uid(ul, 4), 5);
	ck_assert_int_eq(md_uidlist_find(ul, "1795785130.M290568P7459.vm", 26), -1);
	ck_assert_uint_eq(md_uidlist_add(ul, "new1", 4), 6);
	ck_assert_uint_eq(md_uidlist_add(ul, "new1", 4), 6); /* same base, same UID */
	ck_assert_uint_eq(md_uidlist_next_uid(ul), 7);
	md_uidlist_free(&ul);
	ck_assert_ptr_null(ul);
}
END_TEST

START_TEST(uidlist_damage_contained)
{
	struct md_uidlist *ul = md_uidlist_create();
	struct buf e = BUF_INIT(0);
	ck_assert_int_eq(md_uidlist_parse(ul, "garbage\n1 :a\n", 13, &e), -1);
	ck_assert_int_eq(md_uidlist_parse(ul, "3 N5\n", 5, &e), -1);  /* no V */
	ck_assert_int_eq(md_uidlist_parse(ul, "3 V1 N5", 7, &e), -1); /* no newline */
	const char *t = "3 V7 N3 Gx\n"
			"1 :a\n"
			"x :b\n"    /* bad UID */
			"1 :c\n"    /* not ascending */
			"5 :/etc\n" /* a path */
			"6 d\n"	    /* no ':' */
			"7 :a\n"    /* duplicate name */
			"9 W1 :e\n"
			"10 :unfin"; /* unfinished line */
	ck_assert_int_eq(md_uidlist_parse(ul, t, strlen(t), NULL), 0);
	ck_assert_uint_eq(md_uidlist_count(ul), 3);
	ck_assert_uint_eq(md_uidlist_uid(ul, 0), 0); /* "a" listed again: the later UID wins */
	ck_assert_int_eq(md_uidlist_find(ul, "a", 1), 1);
	ck_assert_uint_eq(md_uidlist_uid(ul, 1), 7);
	ck_assert_uint_eq(md_uidlist_uid(ul, 2), 9);
	ck_assert_str_eq(md_uidlist_base(ul, 2), "e");
	ck_assert_uint_eq(md_uidlist_next_uid(ul), 10);
	/* A huge line is skipped, not a reason to allocate without bound. */
	size_t big = MD_UIDLIST_LINE_MAX * 4;
	char *s = malloc(big + 64);
	int o = sprintf(s, "3 V7 N3\n2 :");
	memset(s + o, 'x', big);
	strcpy(s + o + big, "\n3 :ok\n");
	ck_assert_int_eq(md_uidlist_parse(ul, s, strlen(s), NULL), 0);
	ck_assert_uint_eq(md_uidlist_count(ul), 1);
	ck_assert_uint_eq(md_uidlist_uid(ul, 0), 3);
	free(s);
	/* Unknown header fields survive a rewrite (checked in the write test). */
	t = "3 V5 N2 G00112233445566778899aabbccddeeff X7 Yabc\n1 :f\n";
	ck_assert_int_eq(md_uidlist_parse(ul, t, strlen(t), NULL), 0);
	ck_assert_uint_eq(md_uidlist_count(ul), 1);
	/* Version 1, Courier's format. */
	t = "1 1234 9\n3 1000.abc.host\n7 1001.def.host:2,S\n";
	ck_assert_int_eq(md_uidlist_parse(ul, t, strlen(t), NULL), 0);
	ck_assert_uint_eq(md_uidlist_uidvalidity(ul), 1234);
	ck_assert_uint_eq(md_uidlist_next_uid(ul), 9);
	ck_assert_int_eq(md_uidlist_find(ul, "1001.def.host", 13), 1);
	buf_free(&e);
	md_uidlist_free(&ul);
}
END_TEST

static const struct md_lock_opts quick = {2, 120};

START_TEST(uidlist_write_append_and_rewrite)
{
	char d[64], p[MD_PATH_MAX];
	mdt_tmpdir(d);
	md_join(p, d, MD_UIDLIST_NAME);
	mdt_write(p, dovecot_list);
	struct md_uidlist *ul = md_uidlist_create();
	struct buf e = BUF_INIT(0);
	ck_assert_int_eq(md_uidlist_read(ul, d, &e), 0);
	ck_assert_int_eq(md_uidlist_write(ul, d, &e), -1); /* no lock */
	ck_assert_ptr_nonnull(strstr(e.s, "lock"));
	ck_assert_int_eq(md_uidlist_lock(ul, d, &quick, &e), 0);
	ck_assert_uint_eq(md_uidlist_add(ul, "n6", 2), 6);
	ck_assert_int_eq(md_uidlist_write(ul, d, &e), 0);
	md_uidlist_unlock(ul);
	char *text = mdt_read(p);
	/* Appended as Dovecot does: the old text is untouched. */
	ck_assert(strncmp(text, dovecot_list, strlen(dovecot_list)) == 0);
	ck_assert_str_eq(text + strlen(dovecot_list), "6 :n6\n");
	free(text);
	/* A drop forces an atomic rewrite with a fresh header; extensions kept. */
	ck_assert_int_eq(md_uidlist_lock(ul, d, &quick, &e), 0);
	md_uidlist_drop(ul, 0);
	ck_assert_int_eq(md_uidlist_write(ul, d, &e), 0);
	md_uidlist_unlock(ul);
	text = mdt_read(p);
	ck_assert(strncmp(text, "3 V1795785132 N7 G59ca6810aa81096b231d000083ecc375\n2 :", 54) ==
		  0);
	ck_assert_ptr_nonnull(strstr(text, "\n5 W127 :1795785130.M290568P7459.vm,S=120,W=127\n"));
	ck_assert_ptr_null(strstr(text, "\n1 :"));
	free(text);
	/* The lock is gone, no temporary is left. */
	ck_assert_int_eq(mdt_count(d), 1);
	/* Another object re-reads what this one wrote. */
	struct md_uidlist *ul2 = md_uidlist_create();
	ck_assert_int_eq(md_uidlist_read(ul2, d, &e), 0);
	ck_assert_uint_eq(md_uidlist_count(ul2), 5);
	ck_assert_uint_eq(md_uidlist_next_uid(ul2), 7);
	ck_assert(!md_uidlist_stale(ul2, d));
	md_uidlist_free(&ul2);
	/* Header fields this version does not know are kept. */
	mdt_write(p, "3 V5 N2 G00112233445566778899aabbccddeeff X7 Yabc\n1 :f\n");
	ck_assert_int_eq(md_uidlist_lock(ul, d, &quick, &e), 0);
	md_uidlist_drop(ul, 0);
	ck_assert_int_eq(md_uidlist_write(ul, d, &e), 0);
	md_uidlist_unlock(ul);
	text = mdt_read(p);
	ck_assert_str_eq(text, "3 V5 N2 G00112233445566778899aabbccddeeff X7 Yabc\n");
	free(text);
	md_uidlist_free(&ul);
	buf_free(&e);
	mdt_rmrf(d);
}
END_TEST

START_TEST(uidlist_courier_import)
{
	char d[64], p[MD_PATH_MAX];
	mdt_tmpdir(d);
	md_join(p, d, MD_COURIER_UIDDB);
	mdt_write(p, "1 1111 20\n4 100.a.h\n12 101.b.h\n");
	struct md_uidlist *ul = md_uidlist_create();
	ck_assert_int_eq(md_uidlist_read(ul, d, NULL), 0);
	ck_assert_uint_eq(md_uidlist_uidvalidity(ul), 1111);
	ck_assert_uint_eq(md_uidlist_next_uid(ul), 20);
	ck_assert_int_eq(md_uidlist_lock(ul, d, &quick, NULL), 0);
	ck_assert_int_eq(md_uidlist_write(ul, d, NULL), 0);
	md_uidlist_unlock(ul);
	md_join(p, d, MD_UIDLIST_NAME);
	char *t = mdt_read(p);
	ck_assert(strncmp(t, "3 V1111 N20 G", 13) == 0);
	ck_assert_ptr_nonnull(strstr(t, "\n4 :100.a.h\n12 :101.b.h\n"));
	free(t);
	md_uidlist_free(&ul);
	mdt_rmrf(d);
}
END_TEST

START_TEST(uidlist_new_and_lost)
{
	char d[64], p[MD_PATH_MAX];
	mdt_tmpdir(d);
	struct md_uidlist *ul = md_uidlist_create();
	ck_assert_int_eq(md_uidlist_read(ul, d, NULL), 0);
	ck_assert(!md_uidlist_exists(ul));
	ck_assert_uint_gt(md_uidlist_uidvalidity(ul), 0);
	ck_assert_uint_eq(md_uidlist_next_uid(ul), 1);
	md_join(p, d, MD_UIDLIST_NAME);
	mdt_write(p, "this is not a uidlist\n");
	ck_assert_int_eq(md_uidlist_read(ul, d, NULL), 0); /* truly lost: new list */
	ck_assert_uint_eq(md_uidlist_count(ul), 0);
	md_uidlist_free(&ul);
	mdt_rmrf(d);
}
END_TEST

START_TEST(keywords_file)
{
	char d[64], p[MD_PATH_MAX];
	mdt_tmpdir(d);
	md_join(p, d, MD_KEYWORDS_NAME);
	mdt_write(p, "0 $Label1\n1 Important\n5 Later\nx bad\n30 Far\n2 has space\n");
	struct md_keywords kw = {0};
	struct buf e = BUF_INIT(0);
	ck_assert_int_eq(md_keywords_read(&kw, d, &e), 0);
	ck_assert_str_eq(kw.name[0], "$Label1");
	ck_assert_str_eq(kw.name[5], "Later");
	ck_assert_ptr_null(kw.name[2]);
	ck_assert_int_eq(md_keywords_find(&kw, "important"), 1);
	bool added;
	ck_assert_int_eq(md_keywords_add(&kw, "New", &added, &e), 2);
	ck_assert(added);
	ck_assert_int_eq(md_keywords_add(&kw, "LATER", &added, &e), 5);
	ck_assert(!added);
	ck_assert_int_eq(md_keywords_add(&kw, "\\Seen", &added, &e), -1);
	ck_assert_int_eq(md_keywords_add(&kw, "a b", &added, &e), -1);
	ck_assert_int_eq(md_keywords_write(&kw, d, &e), 0);
	char *t = mdt_read(p);
	ck_assert_str_eq(t, "0 $Label1\n1 Important\n2 New\n5 Later\n");
	free(t);
	/* Each write moves the mtime forward, even within one second. */
	struct stat s1, s2;
	ck_assert_int_eq(stat(p, &s1), 0);
	ck_assert_int_eq(md_keywords_write(&kw, d, &e), 0);
	ck_assert_int_eq(stat(p, &s2), 0);
	ck_assert_int_gt(s2.st_mtime, s1.st_mtime);
	for (int i = 0; i < 40; i++) {
		char n[16];
		snprintf(n, sizeof(n), "k%d", i);
		int r = md_keywords_add(&kw, n, &added, &e);
		if (r < 0)
			break;
	}
	ck_assert_int_eq(md_keywords_add(&kw, "onemore", &added, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.s, "Too many keywords"));
	md_keywords_clear(&kw);
	buf_free(&e);
	mdt_rmrf(d);
}
END_TEST

START_TEST(lock_exclusive_and_stale)
{
	char d[64], p[MD_PATH_MAX], lp[MD_PATH_MAX + 8];
	mdt_tmpdir(d);
	md_join(p, d, "file");
	snprintf(lp, sizeof(lp), "%s.lock", p);
	struct md_dotlock *a = NULL, *b = NULL;
	struct buf e = BUF_INIT(0);
	struct md_lock_opts once = {0, 120};
	ck_assert_int_eq(md_dotlock_take(p, &once, &a, &e), 0);
	char *t = mdt_read(lp);
	char want[64];
	snprintf(want, sizeof(want), "%ld:", (long)getpid());
	ck_assert(strncmp(t, want, strlen(want)) == 0);
	free(t);
	/* A live lock of a live process: refused after waiting. */
	ck_assert_int_eq(md_dotlock_take(p, &(struct md_lock_opts){1, 120}, &b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.s, "timed out"));
	md_dotlock_release(&a);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(access(lp, F_OK), -1);

	/* A lock whose owner on this host is dead is broken at once. */
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	char host[256], content[300];
	md_hostname(host, sizeof(host));
	snprintf(content, sizeof(content), "%ld:%s", (long)child, host);
	mdt_write(lp, content);
	ck_assert_int_eq(md_dotlock_take(p, &once, &a, &e), 0);
	md_dotlock_release(&a);

	/* An old lock of another host is stale after stale_secs. */
	mdt_write(lp, "1:some-other-host");
	struct timespec old[2] = {{time(NULL) - 300, 0}, {time(NULL) - 300, 0}};
	utimensat(AT_FDCWD, lp, old, 0);
	ck_assert_int_eq(md_dotlock_take(p, &once, &a, &e), 0);
	md_dotlock_release(&a);
	/* An empty one (its creator died before writing) after a few seconds. */
	mdt_write(lp, "");
	struct timespec few[2] = {{time(NULL) - MD_LOCK_EMPTY_STALE_SECS - 2, 0},
				  {time(NULL) - MD_LOCK_EMPTY_STALE_SECS - 2, 0}};
	utimensat(AT_FDCWD, lp, few, 0);
	ck_assert_int_eq(md_dotlock_take(p, &once, &a, &e), 0);
	md_dotlock_release(&a);
	mdt_write(lp, "");
	ck_assert_int_eq(md_dotlock_take(p, &once, &a, &e), -1);
	/* A fresh one of another host is not. */
	mdt_write(lp, "1:some-other-host");
	ck_assert_int_eq(md_dotlock_take(p, &once, &a, &e), -1);
	unlink(lp);
	buf_free(&e);
	mdt_rmrf(d);
}
END_TEST

START_TEST(lock_waits_for_release)
{
	char d[64], p[MD_PATH_MAX];
	mdt_tmpdir(d);
	md_join(p, d, "file");
	struct md_dotlock *a = NULL;
	ck_assert_int_eq(md_dotlock_take(p, &quick, &a, NULL), 0);
	int pipefd[2];
	ck_assert_int_eq(pipe(pipefd), 0);
	pid_t child = fork();
	if (child == 0) {
		/* Waits for the parent's lock, then reports success. */
		struct md_dotlock *c = NULL;
		close(pipefd[0]);
		if (write(pipefd[1], "s", 1) != 1)
			_exit(3);
		int r = md_dotlock_take(p, &(struct md_lock_opts){30, 120}, &c, NULL);
		md_dotlock_release(&c);
		_exit(r == 0 ? 0 : 1);
	}
	close(pipefd[1]);
	char ch;
	ck_assert_int_eq(read(pipefd[0], &ch, 1), 1);
	usleep(200000);
	md_dotlock_release(&a);
	int st;
	waitpid(child, &st, 0);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	close(pipefd[0]);
	mdt_rmrf(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mdformat");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, names_map_to_dirs);
	tcase_add_test(tc, hostile_names_refused);
	tcase_add_test(tc, dirs_that_are_not_folders);
	tcase_add_test(tc, location_templates);
	tcase_add_test(tc, file_names);
	tcase_add_test(tc, uidlist_parse_v3);
	tcase_add_test(tc, uidlist_damage_contained);
	tcase_add_test(tc, uidlist_write_append_and_rewrite);
	tcase_add_test(tc, uidlist_courier_import);
	tcase_add_test(tc, uidlist_new_and_lost);
	tcase_add_test(tc, keywords_file);
	tcase_add_test(tc, lock_exclusive_and_stale);
	tcase_add_test(tc, lock_waits_for_release);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
