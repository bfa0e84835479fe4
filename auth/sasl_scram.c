#include "auth/sasl_mech.h"

int sasl_scram_step(struct sasl *s, struct str in, struct buf *out)
{
	return SASL_MALFORMED;
}

bool sasl_set_server_nonce(struct sasl *s, struct str nonce)
{
	return false;
}
