#include "pwscheme.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "auth/passdb.h"
#include "auth/secret.h"

_Static_assert(AUTH_PASS_MAX < CRYPT_MAX_PASSPHRASE_SIZE, "crypt_r must take every password");

/* A yescrypt hash at libxcrypt's default cost of a password nobody knows. */
static const char dummy_hash[] =
    "$y$j9T$mTZiu9Q2f/4okyOjyK.Gp.$Nqtz.E163qK65dT5xxbcfV6gJVptq4ZkqrCduMmrxX6";

static const char *const crypt_schemes[] = {"CRYPT",	 "SHA512-CRYPT", "SHA256-CRYPT",
					    "BLF-CRYPT", "MD5-CRYPT",	 NULL};

/* Splits "{SCHEME}rest" into scheme and rest; a bare value has an empty scheme. */
static void split_scheme(struct str stored, struct str *scheme, struct str *rest)
{
	*scheme = (struct str){"", 0};
	*rest = stored;
	if (stored.len == 0 || stored.s[0] != '{')
		return;
	const char *close = memchr(stored.s, '}', stored.len);
	if (!close)
		return;
	*scheme = (struct str){stored.s + 1, (size_t)(close - stored.s - 1)};
	*rest = (struct str){close + 1, stored.len - (size_t)(close - stored.s) - 1};
}

static enum pw_result crypt_check(struct str hash, const char *pass, size_t passlen)
{
	/* crypt_r wants NUL-terminated strings; a NUL inside the hash is malformed. */
	if (hash.len == 0 || memchr(hash.s, '\0', hash.len))
		return PW_BAD_HASH;
	char *h = str_dup(hash);
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	enum pw_result r = PW_ERROR;
	if (h && cd) {
		const char *out = crypt_r(pass, h, cd);
		/* libxcrypt returns a string starting with '*' for a hash it cannot use. */
		if (!out || out[0] == '*')
			r = PW_BAD_HASH;
		else
			r = secret_str_equal(out, strlen(out), h, hash.len) ? PW_MATCH
									    : PW_MISMATCH;
	}
	if (cd) {
		explicit_bzero(cd, sizeof(*cd));
		free(cd);
	}
	free(h);
	(void)passlen;
	return r;
}

enum pw_result pwscheme_verify(struct str stored, const char *pass, size_t passlen)
{
	struct str scheme, rest;
	split_scheme(stored, &scheme, &rest);
	if (scheme.len == 0)
		return rest.len && rest.s[0] == '$' ? crypt_check(rest, pass, passlen)
						    : PW_BAD_HASH;
	for (size_t i = 0; crypt_schemes[i]; i++)
		if (str_caseeq(scheme, crypt_schemes[i]))
			return crypt_check(rest, pass, passlen);
	if (str_caseeq(scheme, "PLAIN")) {
		if (rest.len == 0)
			return PW_BAD_HASH;
		return secret_str_equal(rest.s, rest.len, pass, passlen) ? PW_MATCH : PW_MISMATCH;
	}
	if (str_caseeq(scheme, "SCRAM-SHA-256")) {
		struct scram_cred c;
		if (!scram_cred_parse(rest, &c))
			return PW_BAD_HASH;
		enum pw_result r =
		    scram_cred_check_password(&c, pass, passlen) ? PW_MATCH : PW_MISMATCH;
		explicit_bzero(&c, sizeof(c));
		return r;
	}
	return PW_BAD_HASH;
}

void pwscheme_dummy(const char *pass, size_t passlen)
{
	(void)crypt_check((struct str){dummy_hash, sizeof(dummy_hash) - 1}, pass, passlen);
}

bool pwscheme_scram(struct str stored, struct scram_cred *c)
{
	struct str scheme, rest;
	split_scheme(stored, &scheme, &rest);
	return str_caseeq(scheme, "SCRAM-SHA-256") && scram_cred_parse(rest, c);
}

void pwscheme_name(struct str stored, char *name, size_t namelen)
{
	struct str scheme, rest;
	split_scheme(stored, &scheme, &rest);
	if (scheme.len == 0)
		scheme = rest.len && rest.s[0] == '$' ? STR_LIT("CRYPT") : STR_LIT("?");
	if (scheme.len > 32 || !str_copy(name, namelen, scheme))
		(void)strlcpy_ok(name, "?", namelen);
	for (char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}
