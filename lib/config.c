#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum ktype { K_STR, K_UINT, K_BOOL, K_ENUM };

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	size_t size;  /* K_STR: buffer size */
	uint64_t min; /* K_UINT range */
	uint64_t max;
	const char *const *names; /* K_ENUM */
	const char *def;
};

#define OFF(f) offsetof(struct config, f)
#define STR(f, d)                                                                                  \
	{                                                                                          \
#f, K_STR, OFF(f), sizeof(((struct config *)0)->f), 0, 0, NULL, d                  \
	}
#define UINT(f, lo, hi, d)                                                                         \
	{                                                                                          \
#f, K_UINT, OFF(f), sizeof(((struct config *)0)->f), lo, hi, NULL, d               \
	}
#define BOOL(f, d)                                                                                 \
	{                                                                                          \
#f, K_BOOL, OFF(f), sizeof(bool), 0, 1, NULL, d                                    \
	}
#define ENUM(f, n, d)                                                                              \
	{                                                                                          \
#f, K_ENUM, OFF(f), sizeof(int), 0, 0, n, d                                        \
	}

static const char *const plaintext_names[] = {"no", "loopback", "yes", NULL};
static const char *const passdb_names[] = {"passwd-file", "pam", "checkpassword", NULL};

/* The one table of every key and its default; imapd.conf(5) documents it. */
static const struct key keys[] = {
    STR(passdb, "passwd-file"),
    STR(passwd_file, "/etc/imapd/passwd"),
    STR(checkpassword, ""),
    STR(checkpassword_reply, ""),
    UINT(checkpassword_timeout, 1, 300, "10"),
    STR(pam_service, "imapd"),
    STR(auth_mechanisms, "PLAIN"),
    UINT(auth_fail_delay_ms, 0, 60000, "2000"),
    UINT(auth_max_failures, 1, 100, "3"),
    ENUM(plaintext_auth, plaintext_names, "loopback"),
    BOOL(treat_loopback_as_remote, "no"),
    STR(mail_location, "%h/Maildir"),
    UINT(max_line_length, 1024, 16u << 20, "65536"),
    UINT(max_literal_size, 1024, 64u << 20, "65536"),
    UINT(max_nesting_depth, 2, 1000, "64"),
    UINT(max_command_size, 4096, 256u << 20, "1048576"),
    UINT(max_append_size, 1024, 4095u << 20, "52428800"),
    UINT(max_output_buffer, 65536, 256u << 20, "4194304"),
    UINT(mime_max_depth, 1, 1000, "100"),
    UINT(mime_max_parts, 1, 1000000, "10000"),
    UINT(mime_max_header_field, 1024, 16u << 20, "65536"),
    UINT(mime_max_header_held, 1024, 256u << 20, "4194304"),
    UINT(timeout_preauth, 1, 3600, "60"),
    UINT(timeout_idle, 60, 86400, "1800"),
    UINT(timeout_write, 1, 3600, "60"),
    UINT(idle_keepalive, 1, 3600, "120"),
    UINT(idle_poll_interval, 1, 3600, "30"),
    BOOL(idle_force_poll, "no"),
    STR(tls_cert, ""),
    STR(tls_key, ""),
    STR(tls_sni_dir, ""),
    STR(tls_priority, "SECURE:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"),
    STR(tls_ticket_key, ""),
    UINT(tls_ticket_rotate, 60, 30u * 86400, "43200"),
    STR(login_user, "imapd"),
    STR(login_chroot, "/run/imapd/empty"),
    STR(log_path, ""),
    STR(log_ident, "imapd"),
};

static const struct key *find_key(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].name) == n && memcmp(keys[i].name, name, n) == 0)
			return &keys[i];
	return NULL;
}

/* A string value starting with "$CREDENTIALS_DIRECTORY/" names a file in
 * the folder where systemd puts the service's credentials (LoadCredential=).
 * The folder differs for every connection, so it is taken from the
 * environment when the file is read; without the variable the value stays as
 * written. Returns false if the result does not fit. */
#define CRED_PREFIX "$CREDENTIALS_DIRECTORY/"
static bool expand_credentials(char *dst, size_t size, const char *v)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	if (strncmp(v, CRED_PREFIX, strlen(CRED_PREFIX)) != 0 || !dir || !*dir)
		return strlcpy_ok(dst, v, size);
	return snprintf_ok(dst, size, "%s/%s", dir, v + strlen(CRED_PREFIX));
}

static bool set_value(struct config *cfg, const struct key *k, const char *v, const char **why)
{
	char *base = (char *)cfg + k->off;
	switch (k->type) {
	case K_STR:
		if (!expand_credentials(base, k->size, v)) {
			*why = "value too long";
			return false;
		}
		if (k->off == OFF(auth_mechanisms)) {
			/* Words from the known set, at least one. */
			bool any = false;
			for (const char *w = v; *w;) {
				size_t n = strcspn(w, " ");
				if (!(n == 5 && !strncasecmp(w, "PLAIN", 5)) &&
				    !(n == 13 && !strncasecmp(w, "SCRAM-SHA-256", 13))) {
					*why = "expected PLAIN and/or SCRAM-SHA-256";
					return false;
				}
				any = true;
				w += n;
				while (*w == ' ')
					w++;
			}
			if (!any) {
				*why = "expected PLAIN and/or SCRAM-SHA-256";
				return false;
			}
			return true;
		}
		if (k->off == OFF(passdb)) {
			for (size_t i = 0; passdb_names[i]; i++)
				if (strcmp(v, passdb_names[i]) == 0)
					return true;
			*why = "expected passwd-file, pam or checkpassword";
			return false;
		}
		return true;
	case K_UINT: {
		char *end;
		if (!isdigit((unsigned char)v[0])) {
			*why = "expected a whole number";
			return false;
		}
		errno = 0;
		unsigned long long n = strtoull(v, &end, 10);
		if (errno || *end) {
			*why = "expected a whole number";
			return false;
		}
		if (n < k->min || n > k->max) {
			*why = "out of range";
			return false;
		}
		if (k->size == sizeof(uint32_t))
			*(uint32_t *)base = (uint32_t)n;
		else
			*(unsigned *)base = (unsigned)n;
		return true;
	}
	case K_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
			*(bool *)base = true;
		else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
			*(bool *)base = false;
		else {
			*why = "expected yes or no";
			return false;
		}
		return true;
	case K_ENUM:
		for (int i = 0; k->names[i]; i++)
			if (!strcmp(v, k->names[i])) {
				*(int *)base = i;
				return true;
			}
		*why = "not one of the allowed values";
		return false;
	}
	return false;
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *why;
		(void)set_value(cfg, &keys[i], keys[i].def, &why);
	}
}

bool config_set_line(struct config *cfg, const char *line, const char *file, unsigned lineno,
		     struct buf *err)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#' || *p == '\n' || *p == '\r')
		return true;
	const char *ks = p;
	while (*p && (isalnum((unsigned char)*p) || *p == '_'))
		p++;
	size_t klen = (size_t)(p - ks);
	while (*p == ' ' || *p == '\t')
		p++;
	if (klen == 0 || *p != '=') {
		buf_appendf(err, "%s:%u: expected \"key = value\"", file, lineno);
		return false;
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	char val[4096];
	size_t vlen = strcspn(p, "\r\n");
	while (vlen && (p[vlen - 1] == ' ' || p[vlen - 1] == '\t'))
		vlen--;
	if (!str_copy(val, sizeof(val), (struct str){p, vlen})) {
		buf_appendf(err, "%s:%u: value too long", file, lineno);
		return false;
	}
	const struct key *k = find_key(ks, klen);
	if (!k) {
		buf_appendf(err, "%s:%u: unknown key \"%.*s\"", file, lineno, (int)klen, ks);
		return false;
	}
	const char *why = "bad value";
	if (!set_value(cfg, k, val, &why)) {
		buf_appendf(err, "%s:%u: %s: %s", file, lineno, k->name, why);
		return false;
	}
	return true;
}

bool config_load(struct config *cfg, const char *path, struct buf *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		buf_appendf(err, "%s: %s", path, strerror(errno));
		return false;
	}
	char line[8192];
	unsigned lineno = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			buf_appendf(err, "%s:%u: line too long", path, lineno);
			ok = false;
			break;
		}
		ok = config_set_line(cfg, line, path, lineno, err);
	}
	if (ok && ferror(f)) {
		buf_appendf(err, "%s: read error", path);
		ok = false;
	}
	fclose(f);
	return ok;
}

bool config_dump(const struct config *cfg, struct buf *out)
{
	bool ok = true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		const char *base = (const char *)cfg + k->off;
		switch (k->type) {
		case K_STR:
			ok &= buf_appendf(out, "%s = %s\n", k->name, base);
			break;
		case K_UINT:
			ok &= buf_appendf(out, "%s = %llu\n", k->name,
					  k->size == sizeof(uint32_t)
					      ? (unsigned long long)*(const uint32_t *)base
					      : (unsigned long long)*(const unsigned *)base);
			break;
		case K_BOOL:
			ok &= buf_appendf(out, "%s = %s\n", k->name,
					  *(const bool *)base ? "yes" : "no");
			break;
		case K_ENUM:
			ok &= buf_appendf(out, "%s = %s\n", k->name, k->names[*(const int *)base]);
			break;
		}
	}
	return ok;
}
