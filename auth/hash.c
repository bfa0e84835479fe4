#include "hash.h"

#include <crypt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "auth/passdb.h"
#include "auth/scram.h"

struct scheme {
	const char *name;
	const char *label;  /* the {SCHEME} written to the file */
	const char *prefix; /* crypt_gensalt prefix; NULL: SCRAM */
	unsigned long count;
};

static const struct scheme schemes[] = {
    {"CRYPT", "CRYPT", "$y$", 0},
    {"YESCRYPT", "CRYPT", "$y$", 0},
    {"SHA512-CRYPT", "SHA512-CRYPT", "$6$", 0},
    {"SHA256-CRYPT", "SHA256-CRYPT", "$5$", 0},
    {"BLF-CRYPT", "BLF-CRYPT", "$2y$", HASH_BCRYPT_COST},
    {"SCRAM-SHA-256", "SCRAM-SHA-256", NULL, 0},
};

static const struct scheme *find_scheme(const char *name)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strcasecmp(name, schemes[i].name) == 0)
			return &schemes[i];
	return NULL;
}

static int crypt_hash(const struct scheme *sc, const char *pass, struct buf *out)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	/* NULL random bytes: libxcrypt takes them from the kernel. */
	if (!crypt_gensalt_rn(sc->prefix, sc->count, NULL, 0, setting, sizeof(setting)))
		return HASH_ERROR;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd)
		return HASH_ERROR;
	const char *h = crypt_r(pass, setting, cd);
	int r = h && h[0] != '*' && buf_appends(out, h) ? HASH_OK : HASH_ERROR;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

static int scram_hash_pw(const char *pass, size_t passlen, struct buf *out)
{
	uint8_t salt[SCRAM_SALT_LEN];
	struct scram_cred c;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, salt, sizeof(salt)) != 0 ||
	    !scram_cred_derive(pass, passlen, salt, sizeof(salt), SCRAM_DEFAULT_ITERATIONS, &c))
		return HASH_ERROR;
	int r = scram_cred_format(&c, out) ? HASH_OK : HASH_ERROR;
	explicit_bzero(&c, sizeof(c));
	return r;
}

int hash_line(struct str user, struct str pass, const char *scheme, struct buf *out)
{
	const struct scheme *sc = find_scheme(scheme ? scheme : HASH_DEFAULT_SCHEME);
	if (!sc)
		return HASH_BAD_SCHEME;
	if (!passdb_user_valid(user) || pass.len == 0 || pass.len > AUTH_PASS_MAX ||
	    memchr(pass.s, '\0', pass.len))
		return HASH_BAD_INPUT;
	char pw[AUTH_PASS_MAX + 1];
	memcpy(pw, pass.s, pass.len);
	pw[pass.len] = '\0';
	size_t start = out->len;
	int r = HASH_ERROR;
	if (buf_append(out, user.s, user.len) && buf_appendf(out, ":{%s}", sc->label))
		r = sc->prefix ? crypt_hash(sc, pw, out) : scram_hash_pw(pw, pass.len, out);
	explicit_bzero(pw, sizeof(pw));
	if (r != HASH_OK && out->len > start)
		buf_truncate(out, start);
	return r;
}

/* Reads one line of at most AUTH_PASS_MAX bytes from fd 0 into pw; the
 * newline is dropped. Returns the length, or -1 (too long, NUL, error). */
static ssize_t read_pass_line(char *pw, size_t size)
{
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(0, &c, 1);
		if (r < 0)
			return -1;
		if (r == 0 || c == '\n')
			break;
		if (c == '\0' || n + 1 >= size)
			return -1;
		pw[n++] = c;
	}
	if (n && pw[n - 1] == '\r')
		n--;
	pw[n] = '\0';
	return (ssize_t)n;
}

static ssize_t prompt(const char *text, char *pw, size_t size)
{
	struct termios old, quiet;
	if (tcgetattr(0, &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	/* Echo goes off before the prompt shows, so nothing typed is shown. */
	if (tcsetattr(0, TCSAFLUSH, &quiet) < 0)
		return -1;
	fputs(text, stderr);
	fflush(stderr);
	ssize_t n = read_pass_line(pw, size);
	tcsetattr(0, TCSAFLUSH, &old);
	return n;
}

static int usage(const char *why)
{
	fprintf(stderr,
		"imapd --hash: %s\n"
		"usage: imapd --hash [--scheme SCHEME] [--uid N --gid N] [--home DIR] USER\n"
		"schemes: CRYPT (yescrypt, default), SHA512-CRYPT, SHA256-CRYPT, BLF-CRYPT, "
		"SCRAM-SHA-256\n",
		why);
	return 2;
}

/* A decimal uid or gid other than 0 (which passdb refuses). */
static bool id_ok(const char *s)
{
	if (!*s || strlen(s) > 10 || strspn(s, "0123456789") != strlen(s))
		return false;
	unsigned long long v = strtoull(s, NULL, 10);
	return v > 0 && v < 0xffffffffULL;
}

int hash_main(int argc, char **argv)
{
	const char *scheme = HASH_DEFAULT_SCHEME, *uid = NULL, *gid = NULL, *home = NULL;
	const char *user = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool takes = !strcmp(a, "--scheme") || !strcmp(a, "--uid") || !strcmp(a, "--gid") ||
			     !strcmp(a, "--home");
		if (takes && i + 1 >= argc)
			return usage("option needs a value");
		if (!strcmp(a, "--hash"))
			continue;
		else if (!strcmp(a, "--scheme"))
			scheme = argv[++i];
		else if (!strcmp(a, "--uid"))
			uid = argv[++i];
		else if (!strcmp(a, "--gid"))
			gid = argv[++i];
		else if (!strcmp(a, "--home"))
			home = argv[++i];
		else if (a[0] == '-')
			return usage("unknown option");
		else if (user)
			return usage("more than one user");
		else
			user = a;
	}
	if (!user)
		return usage("no user given");
	if (!passdb_user_valid((struct str){user, strlen(user)}))
		return usage("bad user name (1-255 bytes, no ':' or control characters)");
	if (!find_scheme(scheme))
		return usage("unknown scheme");
	if ((uid && !id_ok(uid)) || (gid && !id_ok(gid)))
		return usage("uid and gid must be numbers other than 0");
	if (home && (home[0] != '/' || strpbrk(home, ":\n")))
		return usage("home must be an absolute path without ':'");

	char pw[AUTH_PASS_MAX + 2], again[AUTH_PASS_MAX + 2];
	ssize_t n;
	if (isatty(0)) {
		n = prompt("Password: ", pw, sizeof(pw));
		ssize_t m = n >= 0 ? prompt("Retype password: ", again, sizeof(again)) : -1;
		if (n >= 0 && (m != n || memcmp(pw, again, (size_t)n) != 0)) {
			fprintf(stderr, "imapd --hash: passwords do not match\n");
			n = -2;
		}
		explicit_bzero(again, sizeof(again));
	} else {
		n = read_pass_line(pw, sizeof(pw));
	}
	int rc = 1;
	struct buf line = BUF_INIT(0);
	if (n == -1 || n == 0 || n > AUTH_PASS_MAX) {
		fprintf(stderr, "imapd --hash: the password must be one line of 1-%d bytes\n",
			AUTH_PASS_MAX);
	} else if (n > 0) {
		int r = hash_line((struct str){user, strlen(user)}, (struct str){pw, (size_t)n},
				  scheme, &line);
		if (r != HASH_OK) {
			fprintf(stderr, "imapd --hash: cannot hash the password\n");
		} else if ((uid || gid || home) && !buf_appendf(&line, ":%s:%s::%s", uid ? uid : "",
								gid ? gid : "", home ? home : "")) {
			fprintf(stderr, "imapd --hash: out of memory\n");
		} else if (printf("%s\n", line.s) < 0 || fflush(stdout) != 0) {
			fprintf(stderr, "imapd --hash: cannot write the line\n");
		} else {
			rc = 0;
		}
	}
	explicit_bzero(pw, sizeof(pw));
	buf_free(&line);
	return rc;
}
