/* End-to-end tests with real clients: every tests/clients/NAME.py runs
 * (with python3) against imapd served by systemd-socket-activate on
 * 127.0.0.1; it passes when the script exits 0. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/suite.h"

#define MAX_SCRIPTS 64

static char *scripts[MAX_SCRIPTS];
static int nscripts;

START_TEST(client_script)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd tests/clients && python3 %s 2>&1", scripts[_i]);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	static char out[1 << 16];
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	int st = pclose(f);
	/* The tail of the output says which check failed. */
	const char *tail = n > 2000 ? out + n - 2000 : out;
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s failed:\n%s", scripts[_i], tail);
}
END_TEST

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	/* The scripts run from tests/clients: make the binary path absolute. */
	const char *bin = getenv("IMAPD_BIN") ? getenv("IMAPD_BIN") : "build/imapd";
	char *abs = realpath(bin, NULL);
	if (abs)
		setenv("IMAPD_BIN", abs, 1);
	free(abs);
	DIR *d = opendir("tests/clients");
	struct dirent *e;
	const char *only = getenv("CLIENT");
	while (d && (e = readdir(d)) && nscripts < MAX_SCRIPTS) {
		size_t n = strlen(e->d_name);
		if (n > 3 && !strcmp(e->d_name + n - 3, ".py") &&
		    strcmp(e->d_name, "imapdtest.py") && (!only || strstr(e->d_name, only)))
			scripts[nscripts++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	qsort(scripts, (size_t)nscripts, sizeof(scripts[0]), cmp);
	Suite *s = suite_create("clients");
	TCase *tc = tcase_create("clients");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, client_script, 0, nscripts);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
