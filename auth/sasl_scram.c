/* SCRAM-SHA-256 server (RFC 5802, RFC 7677) without channel binding.
 *
 * Round 1: client-first  "n,," or "y,," [or "n,a=NAME,"] "n=NAME,r=CNONCE[,ext]"
 *          answer        "r=CNONCE SNONCE,s=SALT,i=ITER"
 * Round 2: client-final  "c=B64(gs2 header),r=NONCE[,ext],p=B64(proof)"
 *          answer        "v=B64(server signature)" with SASL_OK
 * A "p=" gs2 flag (channel binding) is never offered, so it is MALFORMED.
 * Unknown users get a fake salt and fail at the proof, like a wrong password.
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "lib/base64.h"
#include "auth/sasl_mech.h"
#include "auth/secret.h"

#define SNONCE_RANDOM 24 /* random bytes in a generated server nonce */

static bool printable_nonce(struct str n)
{
	if (n.len == 0 || n.len > SCRAM_NONCE_MAX)
		return false;
	for (size_t i = 0; i < n.len; i++) {
		unsigned char c = (unsigned char)n.s[i];
		if (c < 0x21 || c > 0x7e || c == ',')
			return false;
	}
	return true;
}

bool sasl_set_server_nonce(struct sasl *s, struct str nonce)
{
	if (s->mech != MECH_SCRAM_SHA_256 || s->step || s->done || !printable_nonce(nonce))
		return false;
	return str_copy(s->scram.snonce, sizeof(s->scram.snonce), nonce);
}

/* Splits off the text up to the next ',' (or the end). */
static struct str next_attr(struct str *s)
{
	const char *comma = memchr(s->s, ',', s->len);
	struct str a = {s->s, comma ? (size_t)(comma - s->s) : s->len};
	if (comma) {
		s->s = comma + 1;
		s->len -= a.len + 1;
	} else {
		s->s += s->len;
		s->len = 0;
	}
	return a;
}

/* "x=value" with the expected letter: sets *v to value. */
static bool attr(struct str a, char name, struct str *v)
{
	if (a.len < 2 || a.s[0] != name || a.s[1] != '=')
		return false;
	*v = (struct str){a.s + 2, a.len - 2};
	return true;
}

/* Extensions are "letter=value"; we support none but must parse them. */
static bool extensions_ok(struct str rest, bool more)
{
	while (more) {
		more = memchr(rest.s, ',', rest.len) != NULL;
		struct str a = next_attr(&rest);
		if (a.len < 2 ||
		    !((a.s[0] >= 'a' && a.s[0] <= 'z') || (a.s[0] >= 'A' && a.s[0] <= 'Z')) ||
		    a.s[1] != '=')
			return false;
	}
	return true;
}

/* Decodes a saslname: "=2C" is ',', "=3D" is '='; other '=' escapes and ','
 * are malformed. Also enforces the passdb user name rules. */
static bool saslname(struct str in, char *out, size_t outlen, size_t *len)
{
	size_t o = 0;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.s[i];
		if (c == ',')
			return false;
		if (c == '=') {
			if (in.len - i >= 3 && in.s[i + 1] == '2' && in.s[i + 2] == 'C')
				c = ',';
			else if (in.len - i >= 3 && in.s[i + 1] == '3' && in.s[i + 2] == 'D')
				c = '=';
			else
				return false;
			i += 2;
		}
		if (o + 1 >= outlen)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	*len = o;
	return o > 0 && passdb_user_valid((struct str){out, o});
}

static int client_first(struct sasl *s, struct str in, struct buf *out)
{
	struct scram_state *st = &s->scram;
	struct str rest = in;
	/* gs2-header: flag "," [authzid] "," */
	struct str flag = next_attr(&rest);
	if (flag.len != 1 || (flag.s[0] != 'n' && flag.s[0] != 'y') || !rest.len)
		return SASL_MALFORMED; /* includes "p=..." : no channel binding here */
	struct str az = next_attr(&rest), authzid = {NULL, 0};
	if (az.len && !attr(az, 'a', &authzid))
		return SASL_MALFORMED;
	size_t gs2len = (size_t)(rest.s - in.s);
	if (!str_copy(st->gs2, sizeof(st->gs2), (struct str){in.s, gs2len}))
		return SASL_MALFORMED;
	struct str bare = rest;
	struct str a = next_attr(&rest), name, cnonce;
	if (a.len && a.s[0] == 'm')
		return SASL_MALFORMED; /* mandatory extension we do not know */
	if (!attr(a, 'n', &name))
		return SASL_MALFORMED;
	bool more = memchr(rest.s, ',', rest.len) != NULL;
	if (!attr(next_attr(&rest), 'r', &cnonce) || !printable_nonce(cnonce) ||
	    !extensions_ok(rest, more))
		return SASL_MALFORMED;
	char user[AUTH_USER_MAX + 1], zid[AUTH_USER_MAX + 1];
	size_t ulen, zlen;
	if (!saslname(name, user, sizeof(user), &ulen))
		return SASL_MALFORMED;
	if (authzid.s && (!saslname(authzid, zid, sizeof(zid), &zlen) || zlen != ulen ||
			  memcmp(zid, user, ulen) != 0))
		return SASL_FAIL;
	if (!buf_append(&st->first_bare, bare.s, bare.len))
		return SASL_TEMPFAIL;

	switch (passdb_scram_lookup(s->cfg, (struct str){user, ulen}, &st->cred, &s->user)) {
	case AUTH_OK:
		break;
	case AUTH_FAIL:
		st->fake = true;
		break;
	case AUTH_TEMPFAIL:
		return SASL_TEMPFAIL;
	}
	if (!st->snonce[0]) {
		uint8_t rnd[SNONCE_RANDOM];
		struct buf b = BUF_INIT(SCRAM_NONCE_MAX);
		bool ok = gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd)) == 0 &&
			  b64_encode(rnd, sizeof(rnd), &b) &&
			  strlcpy_ok(st->snonce, b.s, sizeof(st->snonce));
		buf_free(&b);
		if (!ok)
			return SASL_TEMPFAIL;
	}
	if (!str_copy(st->nonce, sizeof(st->nonce), cnonce) ||
	    !strlcat_ok(st->nonce, st->snonce, sizeof(st->nonce)))
		return SASL_TEMPFAIL;
	bool ok = buf_appendf(&st->server_first, "r=%s,s=", st->nonce) &&
		  b64_encode(st->cred.salt, st->cred.salt_len, &st->server_first) &&
		  buf_appendf(&st->server_first, ",i=%u", st->cred.iterations) &&
		  buf_append(out, st->server_first.s, st->server_first.len);
	return ok ? SASL_CONTINUE : SASL_TEMPFAIL;
}

static int client_final(struct sasl *s, struct str in, struct buf *out)
{
	struct scram_state *st = &s->scram;
	/* The proof is last; base64 has no ',' so the last ',' starts it. */
	const char *p = in.s + in.len;
	while (p > in.s && p[-1] != ',')
		p--;
	if (p == in.s)
		return SASL_MALFORMED;
	struct str without_proof = {in.s, (size_t)(p - 1 - in.s)};
	struct str proof_b64, cb, nonce;
	if (!attr((struct str){p, (size_t)(in.s + in.len - p)}, 'p', &proof_b64))
		return SASL_MALFORMED;
	struct str rest = without_proof;
	if (!attr(next_attr(&rest), 'c', &cb))
		return SASL_MALFORMED;
	bool more = memchr(rest.s, ',', rest.len) != NULL;
	if (!attr(next_attr(&rest), 'r', &nonce) || !extensions_ok(rest, more))
		return SASL_MALFORMED;
	uint8_t proof[SCRAM_KEY_LEN + 3], gs2[SCRAM_GS2_MAX + 3];
	size_t proof_len, gs2_len;
	if (!b64_decode(proof_b64, proof, sizeof(proof), &proof_len) ||
	    proof_len != SCRAM_KEY_LEN || !b64_decode(cb, gs2, sizeof(gs2), &gs2_len))
		return SASL_MALFORMED;
	/* Without channel binding, c= carries exactly the gs2 header. */
	if (gs2_len != strlen(st->gs2) || memcmp(gs2, st->gs2, gs2_len) != 0)
		return SASL_FAIL;
	if (!str_eq(nonce, st->nonce))
		return SASL_FAIL;

	struct buf msg = BUF_INIT(3 * SASL_MAX_MESSAGE);
	uint8_t sig[SCRAM_KEY_LEN], client_key[SCRAM_KEY_LEN], stored[SCRAM_KEY_LEN];
	int r = SASL_TEMPFAIL;
	if (!buf_append(&msg, st->first_bare.s, st->first_bare.len) || !buf_appendc(&msg, ',') ||
	    !buf_append(&msg, st->server_first.s, st->server_first.len) ||
	    !buf_appendc(&msg, ',') || !buf_append(&msg, without_proof.s, without_proof.len))
		goto out;
	if (!scram_hmac(st->cred.stored_key, SCRAM_KEY_LEN, msg.s, msg.len, sig))
		goto out;
	for (size_t i = 0; i < SCRAM_KEY_LEN; i++)
		client_key[i] = proof[i] ^ sig[i];
	if (!scram_hash(client_key, sizeof(client_key), stored))
		goto out;
	/* Computed for real users and fake ones alike: same work either way. */
	bool match = secret_equal(stored, st->cred.stored_key, SCRAM_KEY_LEN);
	if (!match || st->fake) {
		r = SASL_FAIL;
		goto out;
	}
	if (!scram_hmac(st->cred.server_key, SCRAM_KEY_LEN, msg.s, msg.len, sig) ||
	    !buf_appends(out, "v=") || !b64_encode(sig, sizeof(sig), out))
		goto out;
	r = SASL_OK;
out:
	explicit_bzero(client_key, sizeof(client_key));
	explicit_bzero(sig, sizeof(sig));
	buf_free(&msg);
	if (r != SASL_OK)
		buf_reset(out);
	return r;
}

int sasl_scram_step(struct sasl *s, struct str in, struct buf *out)
{
	if (!in.s)
		return s->step == 0 ? SASL_CONTINUE : SASL_MALFORMED;
	if (memchr(in.s, '\0', in.len))
		return SASL_MALFORMED;
	if (s->scram.server_first.len == 0)
		return client_first(s, in, out);
	return client_final(s, in, out);
}
