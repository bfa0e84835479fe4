/* PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd, in one message. */
#include <string.h>

#include "auth/sasl_mech.h"

int sasl_plain_step(struct sasl *s, struct str in, struct buf *out)
{
	if (!in.s) {
		/* No initial response: ask for it with an empty challenge. */
		return s->step == 0 ? SASL_CONTINUE : SASL_MALFORMED;
	}
	const char *nul1 = memchr(in.s, '\0', in.len);
	if (!nul1)
		return SASL_MALFORMED;
	const char *p = nul1 + 1, *end = in.s + in.len;
	const char *nul2 = memchr(p, '\0', (size_t)(end - p));
	if (!nul2)
		return SASL_MALFORMED;
	struct str authzid = {in.s, (size_t)(nul1 - in.s)};
	struct str authcid = {p, (size_t)(nul2 - p)};
	struct str pass = {nul2 + 1, (size_t)(end - nul2 - 1)};
	if (authcid.len == 0 || pass.len == 0 || memchr(pass.s, '\0', pass.len))
		return SASL_MALFORMED;
	if (authzid.len &&
	    (authzid.len != authcid.len || memcmp(authzid.s, authcid.s, authcid.len) != 0))
		return SASL_FAIL;
	switch (passdb_verify(s->cfg, authcid, pass, &s->user)) {
	case AUTH_OK:
		return SASL_OK;
	case AUTH_FAIL:
		return SASL_FAIL;
	case AUTH_TEMPFAIL:
		break;
	}
	return SASL_TEMPFAIL;
}
