#include "passwd_file.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/pwscheme.h"
#include "lib/log.h"

#define FIELDS 8 /* user pass uid gid gecos home shell extra */

static bool parse_id(struct str s, unsigned *id, bool *given)
{
	*given = s.len > 0;
	if (!s.len)
		return true;
	if (s.len > 10)
		return false;
	unsigned long long v = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.s[i] < '0' || s.s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s.s[i] - '0');
	}
	/* (uid_t)-1 means "no change" to setuid(2) and chown(2). */
	if (v >= 0xffffffffULL)
		return false;
	*id = (unsigned)v;
	return true;
}

/* NULL if s is a usable home (empty, or absolute and short enough), else why not. */
static const char *set_home(char *dst, size_t dstlen, struct str s)
{
	if (s.len && s.s[0] != '/')
		return "home is not an absolute path";
	return str_copy(dst, dstlen, s) ? NULL : "home too long";
}

/* Applies the space-separated extra fields; false with *why on a bad one. */
static bool parse_extra(struct str s, struct passwd_entry *e, struct str *uid, struct str *gid,
			const char **why)
{
	size_t i = 0;
	while (i < s.len) {
		while (i < s.len && s.s[i] == ' ')
			i++;
		size_t start = i;
		while (i < s.len && s.s[i] != ' ')
			i++;
		if (i == start)
			break;
		struct str tok = {s.s + start, i - start};
		const char *eq = memchr(tok.s, '=', tok.len);
		struct str key = eq ? (struct str){tok.s, (size_t)(eq - tok.s)} : tok;
		struct str val =
		    eq ? (struct str){eq + 1, tok.len - key.len - 1} : (struct str){"", 0};
		if (str_eq(key, "mail") || str_eq(key, "userdb_mail")) {
			if (!str_copy(e->user.mail, sizeof(e->user.mail), val)) {
				*why = "mail too long";
				return false;
			}
		} else if (str_eq(key, "userdb_home")) {
			if (set_home(e->user.home, sizeof(e->user.home), val)) {
				*why = "bad userdb_home";
				return false;
			}
		} else if (str_eq(key, "userdb_uid")) {
			*uid = val;
		} else if (str_eq(key, "userdb_gid")) {
			*gid = val;
		} else if (str_eq(key, "nologin")) {
			e->nologin = true;
		}
	}
	return true;
}

/* Parses one line (no newline) into e. False with *why if malformed. */
static bool parse_line(struct str line, struct passwd_entry *e, const char **why)
{
	struct str f[FIELDS];
	size_t n = 0;
	const char *p = line.s, *end = line.s + line.len;
	while (n < FIELDS - 1) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (!c)
			break;
		f[n++] = (struct str){p, (size_t)(c - p)};
		p = c + 1;
	}
	f[n++] = (struct str){p, (size_t)(end - p)};
	for (size_t i = n; i < FIELDS; i++)
		f[i] = (struct str){"", 0};
	if (n < 2) {
		*why = "no password field";
		return false;
	}
	memset(e, 0, sizeof(*e));
	if (!passdb_user_valid(f[0]) || !str_copy(e->user.name, sizeof(e->user.name), f[0])) {
		*why = "bad user name";
		return false;
	}
	if (f[1].len == 0 || !str_copy(e->password, sizeof(e->password), f[1])) {
		*why = f[1].len ? "password field too long" : "empty password field";
		return false;
	}
	const char *bad_home = set_home(e->user.home, sizeof(e->user.home), f[5]);
	if (bad_home) {
		*why = bad_home;
		return false;
	}
	struct str uid = f[2], gid = f[3];
	if (!parse_extra(f[7], e, &uid, &gid, why))
		return false;
	unsigned id;
	bool given;
	if (!parse_id(uid, &id, &given)) {
		*why = "bad uid";
		return false;
	}
	e->user.uid = given ? (uid_t)id : getuid();
	if (!parse_id(gid, &id, &given)) {
		*why = "bad gid";
		return false;
	}
	e->user.gid = given ? (gid_t)id : getgid();
	return true;
}

/* Reads one line of up to max bytes into line (newline dropped, not
 * NUL-terminated: the bytes may hold NULs). Returns false at end of file or
 * once *total, the bytes read so far, passes PASSWD_FILE_MAX_SIZE.
 * *len is the stored length; *too_long is set if bytes were dropped. Every
 * byte read is fed to h when h is not NULL. */
static bool read_line(FILE *f, char *line, size_t max, size_t *len, bool *too_long, size_t *total,
		      gnutls_hash_hd_t h)
{
	size_t n = 0;
	bool any = false;
	int c;
	*too_long = false;
	while ((c = getc(f)) != EOF) {
		if (++*total > PASSWD_FILE_MAX_SIZE)
			return false;
		any = true;
		char ch = (char)c;
		if (h)
			gnutls_hash(h, &ch, 1);
		if (ch == '\n')
			break;
		if (n < max)
			line[n++] = ch;
		else
			*too_long = true;
	}
	*len = n;
	return any;
}

enum auth_result passwd_file_lookup(const char *path, struct str user, struct passwd_entry *e,
				    uint8_t digest[32])
{
	memset(e, 0, sizeof(*e));
	FILE *f = fopen(path, "re");
	if (!f) {
		log_err("passwd-file %s: %s", path, strerror(errno));
		return AUTH_TEMPFAIL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		log_err("passwd-file %s: not a regular file", path);
		fclose(f);
		return AUTH_TEMPFAIL;
	}
	gnutls_hash_hd_t h = NULL;
	if (digest && gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0) {
		fclose(f);
		return AUTH_TEMPFAIL;
	}
	char *line = malloc(PASSWD_FILE_MAX_LINE);
	struct passwd_entry *cur = malloc(sizeof(*cur));
	enum auth_result r = AUTH_TEMPFAIL;
	if (!line || !cur)
		goto out;
	r = AUTH_FAIL;
	unsigned lineno = 0;
	size_t len, total = 0;
	bool too_long;
	while (read_line(f, line, PASSWD_FILE_MAX_LINE, &len, &too_long, &total, h)) {
		lineno++;
		if (too_long) {
			log_warn("passwd-file %s:%u: line too long, skipped", path, lineno);
			continue;
		}
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0 || line[0] == '#')
			continue;
		if (memchr(line, '\0', len)) {
			log_warn("passwd-file %s:%u: NUL byte, skipped", path, lineno);
			continue;
		}
		const char *why = "malformed";
		if (!parse_line((struct str){line, len}, cur, &why)) {
			log_warn("passwd-file %s:%u: %s, skipped", path, lineno, why);
			continue;
		}
		if (r != AUTH_OK && strlen(cur->user.name) == user.len &&
		    memcmp(cur->user.name, user.s, user.len) == 0) {
			*e = *cur;
			r = AUTH_OK;
		}
	}
	if (ferror(f)) {
		log_err("passwd-file %s: read error", path);
		r = AUTH_TEMPFAIL;
	} else if (total > PASSWD_FILE_MAX_SIZE) {
		log_err("passwd-file %s: larger than %u bytes", path, PASSWD_FILE_MAX_SIZE);
		r = AUTH_TEMPFAIL;
	}
out:
	if (line) {
		explicit_bzero(line, PASSWD_FILE_MAX_LINE);
		free(line);
	}
	if (cur) {
		explicit_bzero(cur, sizeof(*cur));
		free(cur);
	}
	if (h)
		gnutls_hash_deinit(h, digest);
	fclose(f);
	if (r != AUTH_OK)
		explicit_bzero(e, sizeof(*e));
	return r;
}

enum auth_result passwd_file_verify(const struct config *cfg, struct str user, const char *pass,
				    size_t passlen, struct auth_user *out)
{
	struct passwd_entry *e = malloc(sizeof(*e));
	if (!e)
		return AUTH_TEMPFAIL;
	enum auth_result r = passwd_file_lookup(cfg->passwd_file, user, e, NULL);
	if (r == AUTH_FAIL)
		pwscheme_dummy(pass, passlen);
	if (r == AUTH_OK) {
		struct str stored = {e->password, strlen(e->password)};
		switch (pwscheme_verify(stored, pass, passlen)) {
		case PW_MATCH:
			if (e->nologin) {
				log_info("passwd-file: %s has nologin", e->user.name);
				r = AUTH_FAIL;
			} else {
				*out = e->user;
			}
			break;
		case PW_MISMATCH:
			r = AUTH_FAIL;
			break;
		case PW_BAD_HASH: {
			char scheme[40];
			pwscheme_name(stored, scheme, sizeof(scheme));
			log_err("passwd-file: %s: unusable password of scheme %s", e->user.name,
				scheme);
			r = AUTH_FAIL;
			break;
		}
		case PW_ERROR:
			r = AUTH_TEMPFAIL;
			break;
		}
	}
	explicit_bzero(e, sizeof(*e));
	free(e);
	return r;
}
