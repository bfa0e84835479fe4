#include "md_testutil.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maildir/util.h"

void mdt_tmpdir(char *path)
{
	strcpy(path, "/tmp/imapd-md-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(path));
}

void mdt_rmrf(const char *path)
{
	md_remove_tree(path);
}

void mdt_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

char *mdt_read(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *s = malloc(cap);
	size_t r;
	while ((r = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0)
			s = realloc(s, cap *= 2);
	}
	s[n] = '\0';
	fclose(f);
	return s;
}

int mdt_copytree(const char *src, const char *dst)
{
	pid_t pid = fork();
	if (pid == 0) {
		execlp("cp", "cp", "-a", src, dst, (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int mdt_count(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

const char *mdt_fixture(const char *name, char *buf, size_t len)
{
	struct stat st;
	snprintf(buf, len, "tests/fixtures/%s", name);
	if (stat(buf, &st) == 0)
		return buf;
	snprintf(buf, len, "fixtures/%s", name);
	return buf;
}
