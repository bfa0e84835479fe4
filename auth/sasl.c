#include "sasl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/sasl_mech.h"

/* True when name is one of the space-separated words of auth_mechanisms. */
static bool enabled(const struct config *cfg, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = cfg->auth_mechanisms; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && strncasecmp(p, name, n) == 0)
			return true;
		p += k;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* SCRAM needs a stored SCRAM secret, so it is offered only where the admin
 * says the password database holds them (auth_mechanisms) and the backend
 * can give them (passwd-file): a client that prefers SCRAM would otherwise
 * fail for every user with a crypt or PLAIN entry. */
static bool scram_ok(const struct config *cfg)
{
	return enabled(cfg, "SCRAM-SHA-256") && passdb_has_scram(cfg);
}

struct sasl *sasl_new(const struct config *cfg, struct str mech)
{
	enum sasl_mech_id id;
	if (str_caseeq(mech, "PLAIN") && enabled(cfg, "PLAIN"))
		id = MECH_PLAIN;
	else if (str_caseeq(mech, "SCRAM-SHA-256") && scram_ok(cfg))
		id = MECH_SCRAM_SHA_256;
	else
		return NULL;
	struct sasl *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = cfg;
	s->mech = id;
	s->scram.first_bare = (struct buf)BUF_INIT(SASL_MAX_MESSAGE);
	s->scram.server_first = (struct buf)BUF_INIT(SASL_MAX_MESSAGE);
	return s;
}

int sasl_step(struct sasl *s, struct str in, struct buf *out)
{
	buf_reset(out);
	if (s->done || in.len > SASL_MAX_MESSAGE) {
		s->done = true;
		s->ok = false;
		memset(&s->user, 0, sizeof(s->user));
		return SASL_MALFORMED;
	}
	int r = s->mech == MECH_PLAIN ? sasl_plain_step(s, in, out) : sasl_scram_step(s, in, out);
	s->step++;
	s->ok = r == SASL_OK;
	if (r != SASL_CONTINUE) {
		s->done = true;
		/* The user looked up mid-exchange is only for a successful end. */
		if (!s->ok)
			memset(&s->user, 0, sizeof(s->user));
	}
	return r;
}

const struct auth_user *sasl_user(const struct sasl *s)
{
	return s->ok ? &s->user : NULL;
}

void sasl_free(struct sasl **sp)
{
	struct sasl *s = *sp;
	if (!s)
		return;
	if (s->scram.first_bare.s)
		explicit_bzero(s->scram.first_bare.s, s->scram.first_bare.len);
	buf_free(&s->scram.first_bare);
	buf_free(&s->scram.server_first);
	explicit_bzero(s, sizeof(*s));
	free(s);
	*sp = NULL;
}

const char *sasl_mechanisms(const struct config *cfg)
{
	bool plain = enabled(cfg, "PLAIN"), scram = scram_ok(cfg);
	return plain && scram ? "PLAIN SCRAM-SHA-256"
	       : scram	      ? "SCRAM-SHA-256"
	       : plain	      ? "PLAIN"
			      : "";
}
