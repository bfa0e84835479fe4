#include "secret.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdint.h>
#include <string.h>

bool secret_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(x[i] ^ y[i]);
	return d == 0;
}

bool secret_str_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	uint8_t ha[32], hb[32];
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, a, alen, ha) < 0 ||
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, b, blen, hb) < 0)
		return false;
	bool eq = secret_equal(ha, hb, sizeof(ha)) && alen == blen;
	explicit_bzero(ha, sizeof(ha));
	explicit_bzero(hb, sizeof(hb));
	return eq;
}
