/* sasl_mech: what the SASL mechanisms share inside auth/. Not for callers
 * outside auth/: they use sasl.h. */
#ifndef IMAPD_AUTH_SASL_MECH_H
#define IMAPD_AUTH_SASL_MECH_H

#include <stdbool.h>

#include "auth/sasl.h"
#include "auth/scram.h"

#define SCRAM_NONCE_MAX 64			/* bytes in either half of the SCRAM nonce */
#define SCRAM_GS2_MAX	(4 + 3 * AUTH_USER_MAX) /* "y,a=" + escaped name + "," */

enum sasl_mech_id { MECH_PLAIN, MECH_SCRAM_SHA_256 };

struct scram_state {
	char gs2[SCRAM_GS2_MAX + 1]; /* gs2 header as the client sent it */
	char snonce[SCRAM_NONCE_MAX + 1];
	char nonce[2 * SCRAM_NONCE_MAX + 1]; /* client nonce + server nonce */
	struct buf first_bare;		     /* client-first-message-bare */
	struct buf server_first;
	struct scram_cred cred;
	bool fake; /* no usable credential: the proof will be refused */
};

struct sasl {
	const struct config *cfg;
	enum sasl_mech_id mech;
	unsigned step; /* rounds done */
	bool done;     /* no more steps allowed */
	bool ok;
	struct auth_user user;
	struct scram_state scram;
};

int sasl_plain_step(struct sasl *s, struct str in, struct buf *out);
int sasl_scram_step(struct sasl *s, struct str in, struct buf *out);

#endif
