#include "passdb.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdlib.h>
#include <string.h>

#include "auth/checkpassword.h"
#include "auth/pam.h"
#include "auth/passwd_file.h"
#include "auth/pwscheme.h"
#include "lib/log.h"

bool passdb_user_valid(struct str name)
{
	if (name.len == 0 || name.len > AUTH_USER_MAX)
		return false;
	for (size_t i = 0; i < name.len; i++) {
		unsigned char c = (unsigned char)name.s[i];
		if (c < 0x20 || c == 0x7f || c == ':')
			return false;
	}
	return true;
}

bool passdb_has_scram(const struct config *cfg)
{
	return strcmp(cfg->passdb, "passwd-file") == 0;
}

/* The uid/gid rule shared by every backend (see passdb.h). */
static enum auth_result check_ids(const struct auth_user *u)
{
	if (u->uid == 0 || u->gid == 0) {
		log_err("user %s maps to uid %u gid %u: refusing uid/gid 0", u->name,
			(unsigned)u->uid, (unsigned)u->gid);
		return AUTH_FAIL;
	}
	return AUTH_OK;
}

enum auth_result passdb_verify(const struct config *cfg, struct str user, struct str pass,
			       struct auth_user *out)
{
	memset(out, 0, sizeof(*out));
	if (!passdb_user_valid(user) || pass.len == 0 || pass.len > AUTH_PASS_MAX ||
	    memchr(pass.s, '\0', pass.len))
		return AUTH_FAIL;
	/* Backends want a NUL-terminated copy; it is wiped before return. */
	char pw[AUTH_PASS_MAX + 1];
	memcpy(pw, pass.s, pass.len);
	pw[pass.len] = '\0';
	enum auth_result r;
	if (strcmp(cfg->passdb, "passwd-file") == 0)
		r = passwd_file_verify(cfg, user, pw, pass.len, out);
	else if (strcmp(cfg->passdb, "pam") == 0)
		r = pam_verify(cfg, user, pw, out);
	else if (strcmp(cfg->passdb, "checkpassword") == 0)
		r = checkpassword_verify(cfg, user, pw, pass.len, out);
	else {
		log_err("unknown passdb \"%s\"", cfg->passdb);
		r = AUTH_TEMPFAIL;
	}
	explicit_bzero(pw, sizeof(pw));
	if (r == AUTH_OK)
		r = check_ids(out);
	if (r != AUTH_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

/* A salt that is stable for (file, user) yet unpredictable without the file. */
static bool fake_cred(const uint8_t digest[32], struct str user, struct scram_cred *c)
{
	uint8_t mac[SCRAM_KEY_LEN];
	memset(c, 0, sizeof(*c));
	if (!scram_hmac(digest, 32, user.s, user.len, mac))
		return false;
	memcpy(c->salt, mac, SCRAM_SALT_LEN);
	c->salt_len = SCRAM_SALT_LEN;
	c->iterations = SCRAM_DEFAULT_ITERATIONS;
	/* Random keys: no proof can match them. */
	return gnutls_rnd(GNUTLS_RND_NONCE, c->stored_key, sizeof(c->stored_key)) == 0 &&
	       gnutls_rnd(GNUTLS_RND_NONCE, c->server_key, sizeof(c->server_key)) == 0;
}

enum auth_result passdb_scram_lookup(const struct config *cfg, struct str user,
				     struct scram_cred *cred, struct auth_user *out)
{
	memset(out, 0, sizeof(*out));
	memset(cred, 0, sizeof(*cred));
	if (!passdb_has_scram(cfg))
		return AUTH_TEMPFAIL;
	uint8_t digest[32] = {0};
	struct passwd_entry *e = malloc(sizeof(*e));
	if (!e)
		return AUTH_TEMPFAIL;
	enum auth_result r = AUTH_FAIL;
	if (passdb_user_valid(user))
		r = passwd_file_lookup(cfg->passwd_file, user, e, digest);
	if (r == AUTH_OK) {
		if (!pwscheme_scram((struct str){e->password, strlen(e->password)}, cred)) {
			r = AUTH_FAIL; /* no SCRAM secret stored: only LOGIN/PLAIN work */
		} else if (e->nologin) {
			log_info("passwd-file: %s has nologin", e->user.name);
			r = AUTH_FAIL;
		} else {
			*out = e->user;
			r = check_ids(out);
		}
	}
	explicit_bzero(e, sizeof(*e));
	free(e);
	if (r == AUTH_FAIL && !fake_cred(digest, user, cred))
		r = AUTH_TEMPFAIL;
	if (r != AUTH_OK)
		memset(out, 0, sizeof(*out));
	return r;
}
